"""DESIGN §3, one test per rule, through apply_bounce_event / record_delivery / record_open."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from campaigns.models import BounceEvent, EventOutcome, MatchedBy, SendStatus
from campaigns.services.policy import apply_bounce_event, record_deferrals, record_delivery, record_open
from contacts.choices import Category, ClearedVia, DeliverabilityStatus, Subtype
from contacts.models import AutomationRule
from tests.factories import (
    AUTOREPLY,
    BLOCK,
    COMPLAINT,
    SOFT,
    UNDETERMINED,
    UNSUBSCRIBE,
    BounceEventFactory,
    LearnerFactory,
    SendFactory,
)
from tests.generic_plans import generic_plan, prepared_write

pytestmark = pytest.mark.django_db


def soft_bounces(send, n, kind=SOFT):
    for _ in range(n):
        apply_bounce_event(event=BounceEventFactory(send=send, **kind))
    send.learner.refresh_from_db()
    return send.learner


def test_hard_bounce_suppresses_learner_at_once(org):
    send = SendFactory(run__campaign__organization=org)

    event = apply_bounce_event(event=BounceEventFactory(send=send))

    learner = send.learner
    learner.refresh_from_db()
    send.refresh_from_db()
    assert learner.status == DeliverabilityStatus.BOUNCED
    assert learner.status_reason == "userunknown"
    assert learner.status_event_id == event.pk
    assert learner.status_since is not None
    assert event.outcome == EventOutcome.SUPPRESSED
    assert send.status == SendStatus.BOUNCED


def test_soft_bounces_count_consecutively_and_suppress_unengaged_learner_at_ten(org):
    send = SendFactory(run__campaign__organization=org)

    learner = soft_bounces(send, 9)
    assert (learner.status, learner.soft_bounce_count) == (DeliverabilityStatus.ACTIVE, 9)

    learner = soft_bounces(send, 1)
    assert (learner.status, learner.soft_bounce_count) == (DeliverabilityStatus.BOUNCED, 10)
    assert learner.status_reason == "mailboxfull"


def test_soft_bounces_suppress_engaged_learner_at_twenty(org):
    learner = LearnerFactory(organization=org, last_engaged_at=timezone.now() - timedelta(days=5))
    send = SendFactory(run__campaign__organization=org, learner=learner)

    learner = soft_bounces(send, 19)
    assert learner.status == DeliverabilityStatus.ACTIVE

    learner = soft_bounces(send, 1)
    assert learner.status == DeliverabilityStatus.BOUNCED


def test_engagement_older_than_the_window_counts_as_unengaged(org):
    learner = LearnerFactory(organization=org, last_engaged_at=timezone.now() - timedelta(days=91))
    send = SendFactory(run__campaign__organization=org, learner=learner)

    learner = soft_bounces(send, 10)

    assert learner.status == DeliverabilityStatus.BOUNCED


def test_a_delivery_resets_the_soft_count(org):
    send = SendFactory(run__campaign__organization=org)
    soft_bounces(send, 6)

    record_delivery(send=SendFactory(run__campaign__organization=org, learner=send.learner))

    learner = soft_bounces(send, 9)
    assert (learner.status, learner.soft_bounce_count) == (DeliverabilityStatus.ACTIVE, 9)


def test_an_open_resets_the_soft_count(org):
    send = SendFactory(run__campaign__organization=org)
    soft_bounces(send, 6)

    record_open(send=send)

    send.learner.refresh_from_db()
    assert send.learner.soft_bounce_count == 0
    assert send.learner.last_engaged_at is not None


def test_mail_blocks_count_as_soft_bounces(org):
    send = SendFactory(run__campaign__organization=org)

    learner = soft_bounces(send, 4, kind=SOFT)
    learner = soft_bounces(send, 6, kind=BLOCK)

    assert learner.status == DeliverabilityStatus.BOUNCED
    assert learner.soft_bounce_count == 10
    assert learner.last_bounce_category == Category.BLOCK


def test_an_auto_reply_never_suppresses(org):
    send = SendFactory(run__campaign__organization=org)

    learner = soft_bounces(send, 30, kind=AUTOREPLY)

    assert learner.status == DeliverabilityStatus.ACTIVE
    assert learner.soft_bounce_count == 0
    assert learner.has_auto_reply


def test_an_open_removes_the_auto_reply_flag(org):
    send = SendFactory(run__campaign__organization=org)
    apply_bounce_event(event=BounceEventFactory(send=send, **AUTOREPLY))

    record_open(send=send)

    send.learner.refresh_from_db()
    assert not send.learner.has_auto_reply


@pytest.mark.parametrize("kind", [COMPLAINT, UNSUBSCRIBE], ids=["complaint", "unsubscribe-request"])
def test_complaint_or_unsubscribe_request_unsubscribes_the_learner(org, kind):
    send = SendFactory(run__campaign__organization=org)

    event = apply_bounce_event(event=BounceEventFactory(send=send, **kind))

    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.UNSUBSCRIBED
    assert event.outcome == EventOutcome.UNSUBSCRIBED


def test_undetermined_bounce_is_recorded_and_changes_nothing(org):
    send = SendFactory(run__campaign__organization=org)

    event = apply_bounce_event(event=BounceEventFactory(send=send, **UNDETERMINED))

    send.learner.refresh_from_db()
    assert event.outcome == EventOutcome.RECORDED
    assert send.learner.status == DeliverabilityStatus.ACTIVE
    assert send.learner.soft_bounce_count == 0


def test_thresholds_are_per_organization(org, other_org):
    other_org.bounce_policy.soft_threshold_unengaged = 3
    other_org.bounce_policy.save()
    ours = SendFactory(run__campaign__organization=org)
    theirs = SendFactory(run__campaign__organization=other_org)

    assert soft_bounces(ours, 3).status == DeliverabilityStatus.ACTIVE
    assert soft_bounces(theirs, 3).status == DeliverabilityStatus.BOUNCED


def test_unverified_event_does_not_suppress_when_policy_forbids(org):
    org.bounce_policy.unverified_events_suppress = False
    org.bounce_policy.save()
    send = SendFactory(run__campaign__organization=org)

    event = apply_bounce_event(event=BounceEventFactory(send=send, matched_by=MatchedBy.ADDRESS))

    send.learner.refresh_from_db()
    assert event.outcome == EventOutcome.UNVERIFIED
    assert send.learner.status == DeliverabilityStatus.ACTIVE


def test_unverified_event_suppresses_by_default_and_stays_flagged(org):
    send = SendFactory(run__campaign__organization=org)

    event = apply_bounce_event(event=BounceEventFactory(send=send, matched_by=MatchedBy.ADDRESS))

    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.BOUNCED
    assert not event.is_verified


def test_applying_the_same_event_twice_counts_once(org):
    send = SendFactory(run__campaign__organization=org)
    event = BounceEventFactory(send=send, **SOFT)

    apply_bounce_event(event=event)
    apply_bounce_event(event=event)

    send.learner.refresh_from_db()
    assert send.learner.soft_bounce_count == 1


def test_an_open_clears_a_bounced_learner_with_an_audit_row(org):
    send = SendFactory(run__campaign__organization=org)
    apply_bounce_event(event=BounceEventFactory(send=send))

    record_open(send=send)

    learner = send.learner
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.ACTIVE
    assert learner.clearances.get().via == ClearedVia.OPEN


def test_automation_rule_tags_and_adds_to_resend_list(org):
    AutomationRule.objects.create(
        organization=org, category=Category.SOFT, subtype=Subtype.MAILBOX_FULL, action="tag", tag="mailbox-full"
    )
    AutomationRule.objects.create(organization=org, category=Category.SOFT, action="resend")
    send = SendFactory(run__campaign__organization=org)

    learner = soft_bounces(send, 1)

    assert learner.tags == ["mailbox-full"]
    assert learner.on_resend_list


def test_automation_rule_can_suppress_a_mail_block_at_once(org):
    AutomationRule.objects.create(organization=org, category=Category.BLOCK, action="suppress")
    send = SendFactory(run__campaign__organization=org)

    learner = soft_bounces(send, 1, kind=BLOCK)

    assert learner.status == DeliverabilityStatus.BOUNCED


def test_event_without_learner_is_recorded_as_unmatched(org):
    event = BounceEventFactory(send=None, learner=None, organization=org, address="ghost@nowhere.example")

    apply_bounce_event(event=event)

    assert event.outcome == EventOutcome.NO_LEARNER


@pytest.mark.postgres
def test_the_outcome_write_probes_the_events_primary_key_on_a_table_of_thousands(org):
    send = SendFactory(run__campaign__organization=org)
    stored = BounceEventFactory(send=send, **SOFT)
    columns = ", ".join(f.column for f in BounceEvent._meta.concrete_fields if not f.primary_key)
    with connection.cursor() as cursor:  # 15,000 more stored events: a sequential scan now costs the planner little
        cursor.execute(
            f"INSERT INTO campaigns_bounceevent ({columns}) SELECT {columns} FROM campaigns_bounceevent "
            "CROSS JOIN generate_series(1, 15000) WHERE id = %s",
            [stored.pk],
        )
    apply_bounce_event(event=stored)
    outcomes = prepared_write(containing="AS r(pk, outcome)")

    plan = generic_plan(outcomes, {"timestamptz": "now()", "bigint[]": "'{1}'", "text[]": "'{counted}'"})

    assert "campaigns_bounceevent_pkey" in plan and "Seq Scan on campaigns_bounceevent" not in plan, plan


def test_deferrals_move_sends_still_scheduled_or_sent_with_the_reply_as_it_was(org):
    waiting, bounced = SendFactory.create_batch(2, run__campaign__organization=org, status=SendStatus.SENT)
    bounced.status = SendStatus.BOUNCED
    bounced.save()
    reply = '451 4.7.1 "Try again", {later}, \\ é'
    now = timezone.now()

    record_deferrals(deferrals={waiting.pk: reply, bounced.pk: "451 later"}, now=now)

    waiting.refresh_from_db()
    bounced.refresh_from_db()
    assert (waiting.status, waiting.last_reply, waiting.status_changed_at) == (SendStatus.DEFERRED, reply, now)
    assert (bounced.status, bounced.last_reply) == (SendStatus.BOUNCED, "")
