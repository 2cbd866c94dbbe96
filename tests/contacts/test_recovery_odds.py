"""Recovery odds on the clear pages: of the learners cleared after a bounce of a subtype, the share the
next send reached, from the organization's own history, with the sample, hidden when it is small."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import SendStatus
from contacts.choices import ClearedVia
from contacts.deliverability import clear_bounce_statuses
from contacts.models import Learner
from contacts.recovery import MIN_SAMPLE, recovery_odds
from tests.factories import LearnerFactory, SendFactory

pytestmark = pytest.mark.django_db


def later(minutes=5):
    """A moment after the clears the test makes now (not at import: a long suite run outlives a constant)."""
    return timezone.now() + timedelta(minutes=minutes)


def cleared_history(org, subtype, outcomes, via=ClearedVia.PORTAL, category="soft"):
    """Learners bounced with ``subtype``, cleared ``via``, then sent once each with the given outcomes."""
    learners = LearnerFactory.create_batch(
        len(outcomes), organization=org, status="bounced", last_bounce_category=category, last_bounce_subtype=subtype
    )
    clear_bounce_statuses(
        learners=Learner.objects.filter(pk__in=[learner.pk for learner in learners]), cleared_by=None, via=via
    )
    for learner, status in zip(learners, outcomes, strict=True):
        SendFactory(run__campaign__organization=org, learner=learner, status=status, created_at=later())
    return learners


def bounced(org, subtype, category="soft"):
    return LearnerFactory(
        organization=org, status="bounced", last_bounce_category=category, last_bounce_subtype=subtype
    )


def test_odds_per_reason_come_from_the_organizations_own_history(org, other_org):
    cleared_history(org, "mailbox_full", ["delivered"] * 5 + ["opened", "sent"] + ["bounced"] * 3)
    cleared_history(org, "address_unknown", ["delivered"] + ["bounced"] * 11, category="hard")
    cleared_history(other_org, "mailbox_full", ["bounced"] * 20)

    odds = {o.subtype: (o.percent, o.delivered, o.sample) for o in recovery_odds(organization_ids=[org.pk])}

    assert odds == {"mailbox_full": (70, 7, 10), "address_unknown": (8, 1, 12)}


def test_odds_are_hidden_when_the_sample_is_too_small(org):
    cleared_history(org, "mailbox_full", ["delivered"] * (MIN_SAMPLE - 1))

    assert recovery_odds(organization_ids=[org.pk]) == []


def test_only_the_first_send_with_an_outcome_counts_and_opens_do_not_vouch(org):
    learners = cleared_history(org, "mailbox_full", ["bounced"] * MIN_SAMPLE)
    for learner in learners:  # pending, skipped or refused-at-MAIL-FROM sends before it are looked past
        for status in (SendStatus.SKIPPED, SendStatus.FAILED, SendStatus.SCHEDULED):
            SendFactory(run__campaign__organization=org, learner=learner, status=status, created_at=later(4))
        SendFactory(run__campaign__organization=org, learner=learner, status="delivered", created_at=later(24 * 60))
    cleared_history(org, "mailbox_full", ["delivered"] * MIN_SAMPLE, via=ClearedVia.OPEN)

    (odds,) = recovery_odds(organization_ids=[org.pk])

    assert (odds.delivered, odds.sample) == (0, MIN_SAMPLE)


def test_the_odds_are_one_query(org, django_assert_num_queries):
    cleared_history(org, "mailbox_full", ["delivered"] * MIN_SAMPLE)
    cleared_history(org, "spam_detected", ["bounced"] * MIN_SAMPLE, category="block")

    with django_assert_num_queries(1):
        assert len(recovery_odds(organization_ids=[org.pk])) == 2


def test_the_portal_edit_page_shows_the_odds_of_the_learners_reason(admin_client, org):
    cleared_history(org, "mailbox_full", ["delivered"] * 7 + ["bounced"] * 3)
    cleared_history(org, "spam_detected", ["bounced"] * 10, category="block")
    learner = bounced(org, "mailbox_full")

    page = admin_client.get(reverse("contacts:learner-edit", args=[learner.pk])).content.decode()

    assert "cleared after a <em>Mailbox full</em> bounce, <strong>70 %</strong> were delivered" in page
    assert "(7 of 10)" in page and "Spam detected" not in page


def test_the_portal_bulk_clear_page_shows_the_odds_of_the_selection(admin_client, org):
    cleared_history(org, "address_unknown", ["delivered"] + ["bounced"] * 9, category="hard")
    selected = [bounced(org, "address_unknown", category="hard"), bounced(org, "mailbox_full")]

    response = admin_client.post(
        reverse("contacts:learner-bulk-clear"), {"select": [learner.pk for learner in selected]}, follow=True
    )

    page = response.content.decode()
    assert "cleared after a <em>Address does not exist</em> bounce, <strong>10 %</strong>" in page


def test_the_admin_bulk_clear_page_shows_the_odds(cx_client, org):
    cleared_history(org, "mailbox_full", ["delivered"] * 9 + ["bounced"], via=ClearedVia.ADMIN_BULK)
    learner = bounced(org, "mailbox_full")

    response = cx_client.post(
        reverse("admin:contacts_learner_changelist"),
        {"action": "clear_bounce_status", "_selected_action": [learner.pk], "index": "0"},
        follow=True,
    )

    assert "<strong>90 %</strong> were delivered on their next send (9 of 10)" in response.content.decode()
