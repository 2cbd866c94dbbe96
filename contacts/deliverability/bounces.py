"""Where a learner becomes bounced or unsubscribed: DESIGN §3's policy applied to bounce facts.

Hard → bounced at once (for good: a soft suppression it meets becomes a hard
one); soft bounces and mail blocks count consecutively up to the engaged /
unengaged threshold, except those whose cause is the sender's (outcome
``sender_side``, unless the policy's ``sender_side_counts`` says count them), and
the suppression they cause expires (``retry_at``, doubling with each one in a
row, released by ``expiry``); auto replies flag and never suppress; complaints
and unsubscribe requests unsubscribe; the organization's automation
rules add their actions (suppress, unsubscribe, tag, resend list, notify). A
bounce matched only by address changes nothing when the policy says unverified
events may not. A learner on the organization's never-suppress list
(``protection``) is never bounced by a bounce: the event is recorded and counted,
with the outcome ``protected``; complaints and unsubscribe requests, which the
person asked for, still unsubscribe. ``revert_bounces`` takes events' effects
back (re-classify).

Set-based so a batch costs a handful of statements whatever its size: lock
the learners in id order, compute in Python, write the learners back at once.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from bounceportal.db import pk_in, update_fields_many
from contacts.choices import SOFT_COUNTING_CATEGORIES, Category, ClearedVia, DeliverabilityStatus
from contacts.deliverability.clearing import insert_clearances
from contacts.deliverability.facts import BounceFact, BounceResult, Outcome
from contacts.deliverability.locks import lock_learners_with_policy, policy_of, rules_by_organization
from contacts.deliverability.protection import never_suppress_entries
from contacts.models import AutomationAction, Learner
from contacts.webhook_models import WebhookEventType
from contacts.webhooks.events import record_learner_events

_BOUNCES = (Category.HARD, *SOFT_COUNTING_CATEGORIES)
_COUNTED = (Outcome.COUNTED, Outcome.SUPPRESSED)
_STATUS_FIELDS = ("status", "status_reason", "status_since", "status_event_id", "retry_at")
# A person's own request: honoured even for a learner on the never-suppress list.
_ASKED_BY_THE_PERSON = (Category.COMPLAINT, Category.UNSUBSCRIBE)


def apply_bounces(*, bounces: Sequence[BounceFact], now=None, locked: dict[int, Learner] | None = None) -> BounceResult:
    """Apply the organizations' policy to these events, in order; return each one's outcome.

    The caller stores the outcomes on its events; ``result.notify`` names the
    events whose automation asks for the admins to be told. ``locked``: what
    ``lock_learners_with_policy`` returned earlier in the caller's transaction, nothing written
    to those learners since (a batch that locks before it reads what it must not count twice);
    its learners are used instead of locking them again, unless one of the events' is missing.
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        learners = _learners_of(bounces, locked)
        before = {pk: learner.status for pk, learner in learners.items()}
        changed: set[str] = set()
        result = BounceResult()
        _apply_all(bounces, learners, now, changed, result)
        if changed:
            update_fields_many(list(learners.values()), sorted(changed))
            record_status_events(learners.values(), before, now=now)
    return result


def revert_bounces(
    *,
    bounces: Sequence[BounceFact],
    replacements: Sequence[BounceFact] = (),
    cleared_by,
    via: str = ClearedVia.RECLASSIFY,
    note: str = "",
    now=None,
) -> BounceResult:
    """Take back what these applied events did, apply their replacements, and return the replacements' outcomes.

    Each counted soft bounce / mail block comes off the consecutive count and
    each bounce off ``bounce_count`` (never below zero); a learner whose status
    one of them set is active again. The replacements are then applied as fresh
    events. A learner that ends up active after a suppression by a reverted event
    gets a Clearance naming ``cleared_by`` and ``via`` (and counts in
    ``times_cleared``); one the replacements suppress again gets none.

    Not taken back: auto-reply flags, tags and resend-list entries added by
    automation, notifications sent, the "last bounce" columns (replacements
    overwrite them); a count an open or delivery reset meanwhile may end lower
    than exact. Guessing there would be worse than keeping what people may have acted on.
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        learners = lock_learners_with_policy(b.learner_id for b in (*bounces, *replacements))
        changed: set[str] = set()
        before = {pk: learner.status for pk, learner in learners.items()}
        unsuppressed = _take_back(bounces, learners, now, changed)
        result = BounceResult()
        _apply_all(replacements, learners, now, changed, result)
        result.cleared = {pk for pk in unsuppressed if learners[pk].status == DeliverabilityStatus.ACTIVE}
        if result.cleared:
            # The rows still hold the state before the revert: that is what each Clearance records.
            insert_clearances(
                Learner.objects.filter(pk_in(result.cleared)), cleared_by=cleared_by, via=via, note=note, now=now
            )
            for pk in result.cleared:
                learners[pk].times_cleared += 1
            changed.add("times_cleared")
        if changed:
            update_fields_many(list(learners.values()), sorted(changed))
            cleared = [learners[pk] for pk in result.cleared]
            record_learner_events(cleared, WebhookEventType.LEARNER_CLEARED, now=now, via=via)
            record_status_events(learners.values(), before, now=now)
    return result


def _learners_of(bounces: Sequence[BounceFact], locked: dict[int, Learner] | None) -> dict[int, Learner]:
    """The events' learners, locked: those of ``locked`` when it holds them all, else locked now."""
    ids = {bounce.learner_id for bounce in bounces if bounce.learner_id}
    if locked is not None and ids <= locked.keys():
        return {pk: locked[pk] for pk in sorted(ids)}
    return lock_learners_with_policy(ids)


_EVENT_OF_STATUS = {
    DeliverabilityStatus.BOUNCED: WebhookEventType.LEARNER_SUPPRESSED,
    DeliverabilityStatus.UNSUBSCRIBED: WebhookEventType.LEARNER_UNSUBSCRIBED,
}


def record_status_events(learners, before: dict[int, str], *, now) -> None:
    """Webhook events of the learners whose status these bounces changed to bounced or unsubscribed
    (no query unless their organization has an active subscription: the learner lock says so)."""
    moved = [
        each
        for each in learners
        if each.status in _EVENT_OF_STATUS
        and before.get(each.pk) != each.status
        and _has(each, "organization_has_webhooks")
    ]
    for status, event_type in _EVENT_OF_STATUS.items():
        record_learner_events([learner for learner in moved if learner.status == status], event_type, now=now)


def _take_back(bounces, learners: dict[int, Learner], now, changed: set) -> set[int]:
    """Undo the applied events' counts and statuses in memory; return the learners made active."""
    for bounce in bounces:
        learner = learners.get(bounce.learner_id)
        if learner is None or bounce.outcome in ("", Outcome.PENDING):
            continue
        if bounce.category in SOFT_COUNTING_CATEGORIES and bounce.outcome in _COUNTED:
            learner.soft_bounce_count = max(learner.soft_bounce_count - 1, 0)
            changed.add("soft_bounce_count")
        if bounce.category in _BOUNCES:
            learner.bounce_count = max(learner.bounce_count - 1, 0)
            changed.add("bounce_count")
        if bounce.category in SOFT_COUNTING_CATEGORIES and bounce.outcome == Outcome.SUPPRESSED:
            learner.soft_suppressions = max(learner.soft_suppressions - 1, 0)
            changed.add("soft_suppressions")
    reverted_ids = {bounce.event_id for bounce in bounces}
    unsuppressed = set()
    for learner in learners.values():
        if learner.status_event_id in reverted_ids:
            learner.status, learner.status_reason = DeliverabilityStatus.ACTIVE, ""
            learner.status_since, learner.status_event_id, learner.retry_at = now, None, None
            changed.update(_STATUS_FIELDS)
            unsuppressed.add(learner.pk)
    return unsuppressed


def _apply_all(bounces, learners: dict[int, Learner], now, changed: set, result: BounceResult) -> None:
    """Apply each bounce to its locked learner in memory, filling ``result``."""
    locked = learners.values()
    rules = rules_by_organization({one.organization_id for one in locked if _has(one, "organization_has_rules")})
    protected = never_suppress_entries(one for one in locked if _has(one, "organization_has_never_suppress"))
    for bounce in bounces:
        learner = learners.get(bounce.learner_id)
        if learner is None:
            result.outcomes[bounce.event_id] = Outcome.NO_LEARNER
            continue
        before = learner.status
        result.outcomes[bounce.event_id] = _outcome_for(
            learner, bounce, rules.get(learner.organization_id, ()), now, changed, result, learner.pk in protected
        )
        if learner.status != before and learner.status != DeliverabilityStatus.ACTIVE:
            result.suppressed.add(learner.pk)


def _has(learner: Learner, flag: str) -> bool:
    """The lock's flag (see lock_learners_with_policy); a learner locked without it may have anything."""
    return getattr(learner, flag, True)


def _outcome_for(learner, bounce: BounceFact, rules, now, changed: set, result: BounceResult, protected: bool) -> str:
    """Apply one event to its learner; a learner on the never-suppress list is recorded, never suppressed."""
    _record_last_bounce(learner, bounce, now, changed)
    policy = policy_of(learner)
    if not bounce.verified and not policy.unverified_events_suppress:
        return Outcome.UNVERIFIED
    outcome = _apply_category(learner, bounce, policy, now, changed, protected)
    return _apply_automation(learner, bounce, rules, outcome, now, changed, result, protected)


def _record_last_bounce(learner, bounce: BounceFact, now, changed: set) -> None:
    if bounce.category == Category.AUTOREPLY:
        return
    learner.last_bounce_category = bounce.category
    learner.last_bounce_subtype = bounce.subtype
    learner.last_bounced_at = bounce.occurred_at or now
    changed.update({"last_bounce_category", "last_bounce_subtype", "last_bounced_at"})
    if bounce.category in _BOUNCES:
        learner.bounce_count += 1
        changed.add("bounce_count")


def _set_status(learner, status: str, bounce: BounceFact, now, changed: set) -> None:
    """Put the learner in ``status`` because of ``bounce``; a soft suppression gets its release time."""
    learner.status = status
    learner.status_reason = bounce.reason
    learner.status_since = now
    learner.status_event_id = bounce.event_id
    learner.retry_at = None
    if status == DeliverabilityStatus.BOUNCED and bounce.category in SOFT_COUNTING_CATEGORIES:
        wait = policy_of(learner).soft_suppression_wait(learner.soft_suppressions + 1)
        if wait is not None:  # the policy lets soft suppressions expire
            learner.soft_suppressions += 1
            learner.retry_at = now + wait
            changed.add("soft_suppressions")
    changed.update(_STATUS_FIELDS)


def _apply_category(learner, bounce: BounceFact, policy, now, changed: set, protected: bool = False) -> str:
    """Change the locked learner as the event's category says; return the outcome."""
    if bounce.category == Category.HARD:
        if learner.status != DeliverabilityStatus.ACTIVE and not learner.is_soft_suppressed:
            return Outcome.RECORDED  # a soft suppression (one that would expire) becomes a hard one below
        if protected:
            return Outcome.PROTECTED
        _set_status(learner, DeliverabilityStatus.BOUNCED, bounce, now, changed)
        return Outcome.SUPPRESSED
    if bounce.category in SOFT_COUNTING_CATEGORIES and bounce.sender_side and not policy.sender_side_counts:
        return Outcome.SENDER_SIDE  # our IP, domain, rate or content was refused, not the learner's address
    if bounce.category in SOFT_COUNTING_CATEGORIES:
        learner.soft_bounce_count += 1
        changed.add("soft_bounce_count")
        threshold = policy.soft_threshold_for(learner, now)
        if learner.status == DeliverabilityStatus.ACTIVE and learner.soft_bounce_count >= threshold:
            if protected:
                return Outcome.PROTECTED
            _set_status(learner, DeliverabilityStatus.BOUNCED, bounce, now, changed)
            return Outcome.SUPPRESSED
        return Outcome.COUNTED
    if bounce.category == Category.AUTOREPLY:
        learner.auto_replied_at = now
        changed.add("auto_replied_at")
        return Outcome.FLAGGED
    if bounce.category in (Category.COMPLAINT, Category.UNSUBSCRIBE):
        if learner.status == DeliverabilityStatus.UNSUBSCRIBED:
            return Outcome.RECORDED
        _set_status(learner, DeliverabilityStatus.UNSUBSCRIBED, bounce, now, changed)
        return Outcome.UNSUBSCRIBED
    return Outcome.RECORDED  # undetermined: kept for review, no change


def _apply_automation(
    learner, bounce: BounceFact, rules, outcome: str, now, changed: set, result, protected: bool = False
) -> str:
    """Run the organization's email status automation rules that match the event."""
    for rule in rules:
        if not rule.matches(bounce.category, bounce.subtype):
            continue
        suppressing = rule.action in (AutomationAction.SUPPRESS, AutomationAction.UNSUBSCRIBE)
        if suppressing and protected and bounce.category not in _ASKED_BY_THE_PERSON:
            outcome = Outcome.PROTECTED if learner.status == DeliverabilityStatus.ACTIVE else outcome
        elif rule.action == AutomationAction.SUPPRESS and learner.status == DeliverabilityStatus.ACTIVE:
            _set_status(learner, DeliverabilityStatus.BOUNCED, bounce, now, changed)
            outcome = Outcome.SUPPRESSED
        elif rule.action == AutomationAction.UNSUBSCRIBE and learner.status != DeliverabilityStatus.UNSUBSCRIBED:
            _set_status(learner, DeliverabilityStatus.UNSUBSCRIBED, bounce, now, changed)
            outcome = Outcome.UNSUBSCRIBED
        elif rule.action == AutomationAction.TAG and rule.tag and rule.tag not in learner.tags:
            learner.tags = [*learner.tags, rule.tag]
            changed.add("tags")
        elif rule.action == AutomationAction.RESEND and not learner.on_resend_list:
            learner.on_resend_list = True
            changed.add("on_resend_list")
        elif rule.action == AutomationAction.NOTIFY:
            result.notify.append(bounce.event_id)
    return outcome
