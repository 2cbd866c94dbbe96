"""Apply DESIGN §3's bounce policy: the one place a bounce, delivery or open changes a learner.

Each service is atomic and locks the learner row (SELECT … FOR UPDATE) before
reading its counters, so two workers applying events for the same learner
serialize instead of losing an update. The audit trail is the event's own
``outcome``/``applied_at`` (written in the same transaction) and, when an open
clears a bounce, a Clearance row.
"""

import logging
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from bounceportal.db import update_fields_many
from campaigns.models import BounceEvent, EventOutcome, Send, SendStatus
from contacts.choices import SOFT_COUNTING_CATEGORIES, Category, ClearedVia, DeliverabilityStatus
from contacts.models import AutomationAction, AutomationRule, BouncePolicy, Learner
from contacts.services import clear_bounce_statuses

logger = logging.getLogger(__name__)

# Send statuses a bounce may overwrite (an open or a later delivery proves more).
_BOUNCEABLE_SEND_STATUSES = (SendStatus.SCHEDULED, SendStatus.SENT, SendStatus.DEFERRED, SendStatus.DELIVERED)


def lock_learners_in_order(learner_ids) -> None:
    """Lock these learner rows in id order, before any send row, in the caller's transaction.

    Every writer that touches learners and sends together (the policy, ingestion,
    the sending write-back) takes learners first and in id order, so two of them
    can wait for each other but never deadlock.
    """
    ids = sorted({learner_id for learner_id in learner_ids if learner_id})
    if ids:
        list(Learner.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _lock_learners(learner_ids) -> dict[int, Learner]:
    """Lock the learners (in id order, so concurrent batches cannot deadlock) with their policies."""
    learners = (
        Learner.objects.select_related("organization__bounce_policy")
        .select_for_update(of=("self",))
        .filter(pk__in=learner_ids)
        .order_by("pk")
    )
    return {learner.pk: learner for learner in learners}


def _policy_of(learner: Learner) -> BouncePolicy:
    try:
        return learner.organization.bounce_policy
    except BouncePolicy.DoesNotExist:
        return BouncePolicy.objects.get_or_create(organization_id=learner.organization_id)[0]


def _rules_by_organization(organization_ids) -> dict[int, list[AutomationRule]]:
    rules: dict[int, list[AutomationRule]] = {}
    for rule in AutomationRule.objects.filter(organization_id__in=organization_ids, enabled=True):
        rules.setdefault(rule.organization_id, []).append(rule)
    return rules


def _set_status(learner: Learner, status: str, event: BounceEvent, now, changed: set) -> None:
    learner.status = status
    learner.status_reason = event.reason
    learner.status_since = now
    learner.status_event = event
    changed.update({"status", "status_reason", "status_since", "status_event"})


def _apply_category(learner, event, policy, now, changed) -> str:
    """Change the locked learner as the event's category says; return the outcome."""
    if event.category == Category.HARD:
        if learner.status != DeliverabilityStatus.ACTIVE:
            return EventOutcome.RECORDED
        _set_status(learner, DeliverabilityStatus.BOUNCED, event, now, changed)
        return EventOutcome.SUPPRESSED
    if event.category in SOFT_COUNTING_CATEGORIES:
        learner.soft_bounce_count += 1
        changed.add("soft_bounce_count")
        threshold = policy.soft_threshold_for(learner, now)
        if learner.status == DeliverabilityStatus.ACTIVE and learner.soft_bounce_count >= threshold:
            _set_status(learner, DeliverabilityStatus.BOUNCED, event, now, changed)
            return EventOutcome.SUPPRESSED
        return EventOutcome.COUNTED
    if event.category == Category.AUTOREPLY:
        learner.auto_replied_at = now
        changed.add("auto_replied_at")
        return EventOutcome.FLAGGED
    if event.category in (Category.COMPLAINT, Category.UNSUBSCRIBE):
        if learner.status == DeliverabilityStatus.UNSUBSCRIBED:
            return EventOutcome.RECORDED
        _set_status(learner, DeliverabilityStatus.UNSUBSCRIBED, event, now, changed)
        return EventOutcome.UNSUBSCRIBED
    return EventOutcome.RECORDED  # undetermined: kept for review, no change


def _apply_automation(learner, event, rules, outcome, now, changed) -> str:
    """Run the organization's email status automation rules that match the event."""
    for rule in rules:
        if not rule.matches(event.category, event.subtype):
            continue
        if rule.action == AutomationAction.SUPPRESS and learner.status == DeliverabilityStatus.ACTIVE:
            _set_status(learner, DeliverabilityStatus.BOUNCED, event, now, changed)
            outcome = EventOutcome.SUPPRESSED
        elif rule.action == AutomationAction.UNSUBSCRIBE and learner.status != DeliverabilityStatus.UNSUBSCRIBED:
            _set_status(learner, DeliverabilityStatus.UNSUBSCRIBED, event, now, changed)
            outcome = EventOutcome.UNSUBSCRIBED
        elif rule.action == AutomationAction.TAG and rule.tag and rule.tag not in learner.tags:
            learner.tags = [*learner.tags, rule.tag]
            changed.add("tags")
        elif rule.action == AutomationAction.RESEND and not learner.on_resend_list:
            learner.on_resend_list = True
            changed.add("on_resend_list")
        elif rule.action == AutomationAction.NOTIFY:
            transaction.on_commit(partial(_notify_admins, event.pk))
    return outcome


def _record_last_bounce(learner, event, now, changed) -> None:
    if event.category == Category.AUTOREPLY:
        return
    learner.last_bounce_category = event.category
    learner.last_bounce_subtype = event.subtype
    learner.last_bounced_at = event.occurred_at or now
    changed.update({"last_bounce_category", "last_bounce_subtype", "last_bounced_at"})
    if event.category in (Category.HARD, *SOFT_COUNTING_CATEGORIES):
        learner.bounce_count += 1
        changed.add("bounce_count")


def _outcome_for(learner, event, policy, rules, now, changed) -> str:
    _record_last_bounce(learner, event, now, changed)
    if not event.is_verified and not policy.unverified_events_suppress:
        return EventOutcome.UNVERIFIED
    outcome = _apply_category(learner, event, policy, now, changed)
    return _apply_automation(learner, event, rules, outcome, now, changed)


def _update_sends(events: list[BounceEvent], now) -> None:
    bounced = [e.send_id for e in events if e.send_id and e.category in (Category.HARD, *SOFT_COUNTING_CATEGORIES)]
    delivered = [e.send_id for e in events if e.send_id and e.category == Category.AUTOREPLY]
    if bounced:
        Send.objects.filter(pk__in=bounced, status__in=_BOUNCEABLE_SEND_STATUSES).update(
            status=SendStatus.BOUNCED, bounced_at=now, status_changed_at=now
        )
    if delivered:  # somebody's robot answered: the message was delivered
        Send.objects.filter(pk__in=delivered, status__in=(SendStatus.SENT, SendStatus.DEFERRED)).update(
            status=SendStatus.DELIVERED, delivered_at=now, status_changed_at=now
        )


def apply_bounce_events(*, events: list[BounceEvent], now=None) -> list[BounceEvent]:
    """Apply the organizations' policy to stored events, in order; return them with outcomes set.

    Hard → bounced at once; soft and mail blocks count consecutively up to the
    engaged/unengaged threshold; auto replies flag and never suppress;
    complaints and unsubscribe requests unsubscribe; automation rules add
    their actions. An event matched only by address changes nothing when the
    policy says unverified events may not. Already-applied events are skipped.

    Set-based so a batch costs a handful of statements whatever its size: lock
    the learners, compute in Python, write learners, events and sends back.
    """
    now = now or timezone.now()
    events = [event for event in events if event.applied_at is None]
    if not events:
        return []
    with transaction.atomic():
        learners = _lock_learners({e.learner_id for e in events if e.learner_id})
        rules = _rules_by_organization({learner.organization_id for learner in learners.values()}) if learners else {}
        changed: set[str] = set()
        for event in events:
            learner = learners.get(event.learner_id) if event.learner_id is not None else None
            if learner is None:
                event.outcome = EventOutcome.NO_LEARNER
            else:
                event.outcome = _outcome_for(
                    learner, event, _policy_of(learner), rules.get(learner.organization_id, ()), now, changed
                )
            event.applied_at = now
        if changed:
            update_fields_many(list(learners.values()), sorted(changed))
        update_fields_many(events, ["outcome", "applied_at"])
        _update_sends(events, now)
    return events


def apply_bounce_event(*, event: BounceEvent, now=None) -> BounceEvent:
    """Apply the policy to one stored event (see apply_bounce_events); return it with its outcome."""
    apply_bounce_events(events=[event], now=now)
    return event


def record_delivery(*, send: Send, now=None) -> Send:
    """Mark a send delivered (a DSN said so) and reset the learner's soft-bounce count."""
    now = now or timezone.now()
    with transaction.atomic():
        Learner.objects.select_for_update().filter(pk=send.learner_id).update(soft_bounce_count=0)
        Send.objects.filter(pk=send.pk, status__in=(SendStatus.SCHEDULED, SendStatus.SENT, SendStatus.DEFERRED)).update(
            status=SendStatus.DELIVERED, delivered_at=now, status_changed_at=now
        )
    send.refresh_from_db()
    return send


def record_open(*, send: Send, now=None) -> Send:
    """Record an open: the send is opened, the learner engaged, their soft count reset,
    their auto-reply flag removed and, if they were bounced, their bounce cleared."""
    now = now or timezone.now()
    with transaction.atomic():
        learner = Learner.objects.select_for_update().get(pk=send.learner_id)
        if learner.status == DeliverabilityStatus.BOUNCED:
            clear_bounce_statuses(
                learners=Learner.objects.filter(pk=learner.pk),
                cleared_by=None,
                via=ClearedVia.OPEN,
                note="Opened a message, so the address works.",
                now=now,
            )
        Learner.objects.filter(pk=learner.pk).update(
            last_opened_at=now, last_engaged_at=now, soft_bounce_count=0, auto_replied_at=None
        )
        Send.objects.filter(pk=send.pk).update(open_count=F("open_count") + 1)
        Send.objects.filter(pk=send.pk, opened_at__isnull=True).update(
            opened_at=now, status=SendStatus.OPENED, status_changed_at=now
        )
    send.refresh_from_db()
    return send


def _notify_admins(event_id: int) -> None:
    """Email the organization's admins about an event (automation action 'notify')."""
    from django.core.mail import send_mail

    from contacts.choices import MemberRole

    event = BounceEvent.objects.select_related("organization").get(pk=event_id)
    recipients = list(
        event.organization.memberships.filter(role=MemberRole.ADMIN)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return
    send_mail(
        subject=f"[BouncePortal] {event.get_category_display()}: {event.address}",
        message=(
            f"{event.address} — {event.get_category_display()} / {event.get_subtype_display()}\n"
            f"Reason: {event.reason}\nServer said: {event.diagnostic}\n"
        ),
        from_email=None,
        recipient_list=recipients,
        fail_silently=True,
    )
    logger.info("Notified %d admins of event %s", len(recipients), event_id)
