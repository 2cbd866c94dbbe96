"""Retention: raw bodies older than RAW_RETENTION_DAYS keep their headers; events are kept forever."""

import itertools
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from campaigns.esp_models import EspConnection, EspEvent
from campaigns.models import BounceEvent, InboundMessage
from campaigns.services.ingestion import reclassify_messages
from campaigns.services.retention import header_block, purge_raw_bodies
from campaigns.tasks.retention import purge_raw_bodies_task
from tests.factories import BounceEventFactory, InboundMessageFactory, SendFactory

pytestmark = pytest.mark.postgres

HEADERS = b"From: MAILER-DAEMON@mx.school.example\r\nSubject: Undelivered Mail\r\nMessage-ID: <r1@mx>\r\n\r\n"
BODY = b"This is the mail system.\r\n\r\n<ada@school.example>: 550 5.1.1 User unknown\r\n" + b"x" * 5000


def received(days_ago: int, org, body: bytes = BODY, **fields):
    """A classified inbound message received ``days_ago`` days ago (the same bytes each time, its own digest)."""
    at = timezone.now() - timedelta(days=days_ago)
    digest = f"{next(_SEQUENCE):064x}"
    return InboundMessageFactory(
        organization=org, raw=HEADERS + body, digest=digest, received_at=at, **{"processed_at": at, **fields}
    )


_SEQUENCE = itertools.count(1)


def event_rows():
    return list(BounceEvent.all_objects.order_by("pk").values())


@pytest.mark.django_db
def test_old_bodies_keep_only_their_headers_and_recent_ones_stay_whole(org):
    old = received(91, org)
    recent = received(89, org)
    unclassified = received(200, org, body=b"not read yet", processed_at=None)
    digests = (old.digest, old.content_digest)

    result = purge_raw_bodies()

    old.refresh_from_db()
    recent.refresh_from_db()
    unclassified.refresh_from_db()
    assert bytes(old.raw) == HEADERS
    assert old.body_purged_at is not None
    assert old.size == len(HEADERS + BODY) and (old.digest, old.content_digest) == digests
    assert bytes(recent.raw) == HEADERS + BODY and recent.body_purged_at is None
    assert bytes(unclassified.raw) == HEADERS + b"not read yet" and unclassified.body_purged_at is None
    assert (result.messages, result.message_bytes) == (1, len(BODY))


@pytest.mark.django_db
def test_the_retention_period_is_a_setting(org):
    message = received(40, org)

    with override_settings(RAW_RETENTION_DAYS=30):
        purge_raw_bodies()

    message.refresh_from_db()
    assert bytes(message.raw) == HEADERS


@pytest.mark.django_db
def test_events_and_their_evidence_are_untouched(org):
    message = received(120, org)
    send = SendFactory(run__campaign__organization=org)
    BounceEventFactory(send=send, inbound_message=message, evidence=[{"rule": "status 5.1.1", "text": "User unknown"}])
    before = event_rows()

    purge_raw_bodies()

    assert event_rows() == before
    assert BounceEvent.objects.get().inbound_message_id == message.pk


@pytest.mark.django_db
def test_a_second_run_purges_nothing_more(org):
    message = received(100, org)
    purge_raw_bodies()
    message.refresh_from_db()
    first_purge = message.body_purged_at

    again = purge_raw_bodies(now=timezone.now() + timedelta(hours=1))

    message.refresh_from_db()
    assert (again.messages, again.esp_events) == (0, 0)
    assert message.body_purged_at == first_purge
    assert bytes(message.raw) == HEADERS


@pytest.mark.django_db
def test_a_message_without_a_blank_line_is_cut_to_the_header_cap():
    assert header_block(b"Subject: x\nno blank line at all") == b"Subject: x\nno blank line at all"
    assert header_block(b"Subject: x\n\nbody\r\n\r\nmore") == b"Subject: x\n\n"
    assert len(header_block(b"X" * 200_000)) == 64 * 1024


@pytest.mark.django_db
def test_dry_run_counts_and_changes_nothing(org):
    message = received(95, org)
    out = StringIO()

    call_command("purge_raw_bodies", "--dry-run", stdout=out)

    message.refresh_from_db()
    assert bytes(message.raw) == HEADERS + BODY and message.body_purged_at is None
    assert f"Would purge 1 inbound message bodies ({len(HEADERS + BODY)} bytes stored" in out.getvalue()


@pytest.mark.django_db
def test_the_command_purges_with_its_own_period(org):
    message = received(10, org)
    out = StringIO()

    call_command("purge_raw_bodies", "--days", "7", stdout=out)

    message.refresh_from_db()
    assert message.body_purged_at is not None
    assert "Purged 1 inbound message bodies" in out.getvalue()


@pytest.mark.django_db
def test_the_command_refuses_a_period_under_one_day():
    with pytest.raises(Exception, match="at least 1"):
        call_command("purge_raw_bodies", "--days", "0")


@pytest.mark.django_db
def test_raw_esp_events_keep_their_short_fields(org):
    esp = EspConnection.objects.create(organization=org, name="pm", service="postmark")
    raw = {"RecordType": "Bounce", "ID": 42, "Email": "ada@school.example", "Content": "y" * 5000, "Headers": [1, 2]}
    old = EspEvent.objects.create(
        organization=org, connection=esp, event_id="1", kind="bounced", state="applied", raw=raw,
        received_at=timezone.now() - timedelta(days=91), service_verdict={"category": "hard"},
    )  # fmt: skip
    recent = EspEvent.objects.create(
        organization=org, connection=esp, event_id="2", kind="bounced", state="applied", raw=raw
    )

    result = purge_raw_bodies()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.raw == {"RecordType": "Bounce", "ID": 42, "Email": "ada@school.example"}
    assert old.raw_purged_at is not None and old.service_verdict == {"category": "hard"}
    assert recent.raw == raw and recent.raw_purged_at is None
    assert result.esp_events == 1


@pytest.mark.django_db
def test_a_purged_message_is_not_reclassified(org):
    message = received(100, org)
    send = SendFactory(run__campaign__organization=org)
    BounceEventFactory(send=send, inbound_message=message)
    purge_raw_bodies()

    count = reclassify_messages(messages=InboundMessage.objects.filter(pk=message.pk), reclassified_by=None)

    assert count == 0
    assert BounceEvent.objects.filter(inbound_message=message).count() == 1


@pytest.mark.django_db
def test_the_beat_task_purges(settings, org):
    message = received(100, org)

    counts = purge_raw_bodies_task.delay().get()

    message.refresh_from_db()
    assert counts["messages"] == 1 and message.body_purged_at is not None
    assert settings.CELERY_BEAT_SCHEDULE["purge-raw-bodies"]["task"] == "campaigns.purge_raw_bodies"


@pytest.mark.django_db
def test_the_admin_page_says_when_the_body_was_purged(cx_client, org):
    message = received(100, org)
    kept = received(1, org)
    purge_raw_bodies()
    message.refresh_from_db()

    page = cx_client.get(reverse("admin:campaigns_inboundmessage_change", args=[message.pk])).content.decode()
    kept_page = cx_client.get(reverse("admin:campaigns_inboundmessage_change", args=[kept.pk])).content.decode()

    assert f"Body purged on {message.body_purged_at:%Y-%m-%d %H:%M} UTC" in page
    assert "Download the headers kept" in page
    assert "Kept as received." in kept_page and "purged" not in kept_page.lower().replace("purged_at", "")


@pytest.mark.django_db
def test_the_raw_message_page_says_when_the_body_was_purged(admin_client, org):
    message = received(100, org)
    send = SendFactory(run__campaign__organization=org)
    BounceEventFactory(send=send, inbound_message=message, evidence=[{"rule": "status 5.1.1", "text": "User unknown"}])
    purge_raw_bodies()
    message.refresh_from_db()

    page = admin_client.get(reverse("campaigns:inbound-raw", args=[message.pk])).content.decode()

    assert f"Body purged on {message.body_purged_at:%Y-%m-%d %H:%M}" in page
    assert "status 5.1.1: “User unknown”" in page
    assert "550 5.1.1 User unknown\r\nxxx" not in page


# ---------------------------------------------------------------------------------------------- concurrency


def _in_thread(target):
    """Run ``target`` on its own database connection in a thread; return (thread, results list)."""
    results = []

    def run():
        try:
            results.append(target())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_purge_every_message_once(org):
    messages = [received(100, org) for _ in range(60)]

    runs = [_in_thread(lambda: purge_raw_bodies(batch_size=3)) for _ in range(2)]
    for thread, _results in runs:
        thread.join(timeout=60)

    purged = [result.messages for _thread, results in runs for result in results]
    assert len(purged) == 2 and sum(purged) == len(messages)
    rows = InboundMessage.objects.filter(pk__in=[m.pk for m in messages])
    assert all(bytes(row.raw) == HEADERS and row.body_purged_at for row in rows)


@pytest.mark.django_db(transaction=True)
def test_a_run_skips_a_message_another_transaction_holds_and_never_waits_for_it(org):
    held, free = received(100, org), received(100, org)

    with transaction.atomic():
        InboundMessage.objects.select_for_update().get(pk=held.pk)  # e.g. a re-classify holding it
        thread, results = _in_thread(purge_raw_bodies)
        thread.join(timeout=30)
        assert not thread.is_alive(), "the purge waited for a locked row"
    later = purge_raw_bodies()

    assert results[0].messages == 1 and later.messages == 1
    held.refresh_from_db()
    free.refresh_from_db()
    assert held.body_purged_at and free.body_purged_at and held.body_purged_at > free.body_purged_at
