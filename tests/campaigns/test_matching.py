"""Matching a bounce to a send: VERP token → token in the returned message → recipient address."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import bounce_generator as gen
from campaigns.models import BounceEvent, InboundMessage
from campaigns.services.ingestion import poll_mailbox_once
from campaigns.services.messages import MessageTemplate
from tests.campaigns.conftest import drop, original_of
from tests.factories import SendFactory

pytestmark = pytest.mark.django_db


def test_verp_token_in_the_envelope_matches_first(maildir_mailbox, maildir, send):
    drop(maildir, gen.postfix_dsn(original_of(send)))

    poll_mailbox_once(mailbox=maildir_mailbox)

    assert BounceEvent.objects.get().matched_by == "verp"


def test_token_in_the_returned_message_id_matches_without_verp(maildir_mailbox, maildir, send):
    drop(maildir, gen.exchange_ndr(original_of(send), verp=False))

    poll_mailbox_once(mailbox=maildir_mailbox)

    event = BounceEvent.objects.get()
    assert (event.send, event.matched_by, event.is_verified) == (send, "message_id", True)


def test_auto_reply_matches_by_the_token_in_in_reply_to(maildir_mailbox, maildir, send):
    drop(maildir, gen.auto_reply(original_of(send), verp=False))

    poll_mailbox_once(mailbox=maildir_mailbox)

    event = BounceEvent.objects.get()
    assert (event.send, event.matched_by, event.category) == (send, "message_id", "autoreply")


def forged(send) -> bytes:
    """A bounce naming the learner's address but carrying none of our tokens."""
    stranger = gen.Original(token="ForgedForgedForgedForged", email=send.email)
    return gen.postfix_dsn(stranger, verp=False).replace(b"ForgedForgedForgedForged", b"somethingelse")


def test_address_only_match_is_unverified_and_suppresses_by_default(maildir_mailbox, maildir, send):
    drop(maildir, forged(send))

    poll_mailbox_once(mailbox=maildir_mailbox)

    event = BounceEvent.objects.get()
    send.learner.refresh_from_db()
    assert (event.send, event.matched_by, event.is_verified) == (send, "address", False)
    assert event.outcome == "suppressed" and send.learner.status == "bounced"
    assert InboundMessage.objects.get().matched_by == "address"


def test_policy_can_keep_unverified_events_from_suppressing(maildir_mailbox, maildir, org, send):
    org.bounce_policy.unverified_events_suppress = False
    org.bounce_policy.save()
    drop(maildir, forged(send))

    poll_mailbox_once(mailbox=maildir_mailbox)

    send.learner.refresh_from_db()
    assert BounceEvent.objects.get().outcome == "unverified" and send.learner.status == "active"


def test_address_match_takes_the_latest_send_of_the_last_30_days(maildir_mailbox, maildir, org, send):
    newer = SendFactory(run__campaign__organization=org, learner=send.learner, email=send.email)
    type(send).objects.filter(pk=send.pk).update(created_at=timezone.now() - timedelta(days=3))
    drop(maildir, forged(send))

    poll_mailbox_once(mailbox=maildir_mailbox)

    assert BounceEvent.objects.get().send == newer


def test_sends_older_than_30_days_are_not_matched_by_address(maildir_mailbox, maildir, send):
    type(send).objects.filter(pk=send.pk).update(created_at=timezone.now() - timedelta(days=31))
    drop(maildir, forged(send))

    poll_mailbox_once(mailbox=maildir_mailbox)

    event = BounceEvent.objects.get()
    assert (event.send, event.matched_by, event.outcome) == (None, "none", "no_learner")


def test_another_organizations_token_never_matches(maildir_mailbox, maildir, other_org):
    foreign = SendFactory(run__campaign__organization=other_org)
    drop(maildir, gen.postfix_dsn(original_of(foreign)))

    poll_mailbox_once(mailbox=maildir_mailbox)

    foreign.learner.refresh_from_db()
    assert BounceEvent.objects.get().send is None and foreign.learner.status == "active"


def sent_message(send, settings) -> bytes:
    """The bytes the sending service really put on the wire for this send."""
    template = MessageTemplate(
        send.run.campaign, bounce_domain=settings.BOUNCE_DOMAIN, base_url=settings.PUBLIC_BASE_URL
    )
    return template.render(token=send.token, to=send.email)


def test_a_bounce_of_a_message_the_sending_service_built_matches_its_send(maildir_mailbox, maildir, send, settings):
    returned = sent_message(send, settings)
    drop(maildir, gen.postfix_dsn(original_of(send), returned=returned))
    drop(
        maildir,
        gen.postfix_dsn(
            original_of(send), returned=returned, verp=False, status="4.2.2", diagnostic="452 4.2.2 Mailbox full"
        ),
    )

    poll_mailbox_once(mailbox=maildir_mailbox)

    events = {e.matched_by: e for e in BounceEvent.objects.all()}
    assert set(events) == {"verp", "message_id"}
    assert all(e.send == send for e in events.values())


def test_address_match_ignores_the_case_the_address_was_stored_in(maildir_mailbox, maildir, org):
    send = SendFactory(run__campaign__organization=org, email="Ana.Lopez@Example.ORG")
    stranger = gen.Original(token="ForgedForgedForgedForged", email="ana.lopez@example.org")
    drop(maildir, gen.postfix_dsn(stranger, verp=False).replace(b"ForgedForgedForgedForged", b"somethingelse"))

    poll_mailbox_once(mailbox=maildir_mailbox)

    event = BounceEvent.objects.get()
    assert (event.send, event.matched_by) == (send, "address")


@pytest.mark.postgres
def test_address_matching_probes_the_lower_case_address_index(org, send):
    """Each address is one probe of send_org_lower_email_created, not a scan of the organization's sends."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from campaigns.services.matching import recent_sends_to

    now = timezone.now()
    with CaptureQueriesContext(connection) as captured:
        found = recent_sends_to(org.pk, {send.email.lower()}, now - timedelta(days=30), now)
    assert found == [(send.email.lower(), send)]
    (query,) = captured.captured_queries
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of test rows: the planner would read the page
        cursor.execute("EXPLAIN " + query["sql"])
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "send_org_lower_email_created" in plan and "Seq Scan on campaigns_send" not in plan
