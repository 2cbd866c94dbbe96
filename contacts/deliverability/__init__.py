"""A learner's deliverability state, and the only code that writes it (STYLE rule 16).

Status, reason, since, status event, the soft-bounce and bounce counters, the
last-bounce columns, the auto-reply flag, engagement dates, times cleared,
automation's tags and resend list, and the Clearance audit rows are written
here and nowhere else; every other module calls one of these transitions with
plain facts (ids, an event's classification, an actor, a channel) and gets
back what changed. This package never imports ``campaigns``.

Where a learner becomes bounced (or unsubscribed)
    ``bounces.apply_bounces`` — a hard bounce at once, soft bounces and mail
    blocks at the policy's threshold, complaints and unsubscribe requests, and
    the automation rules "suppress" / "unsubscribe".

Where a learner is cleared (always with a Clearance naming actor and channel)
    ``clearing.clear_bounce_statuses`` / ``clear_bounce_status`` — portal edit,
    portal and admin bulk clears, address lists (via ``BulkClearJob``);
    ``clearing.change_learner_email`` — a new address; ``engagement.record_open``
    / ``record_click`` — the learner proved the address works;
    ``bounces.revert_bounces`` — re-classify took back the event that suppressed them;
    ``expiry.release_expired_suppressions`` — a soft suppression's waiting period ended.

Never-suppress list: ``protection.never_suppress_entries`` says which learners
it protects; ``apply_bounces`` records their bounces and never suppresses them.

Counters only: ``engagement.record_deliveries`` resets the soft-bounce count;
``engagement.correct_last_click`` takes back the click date of a scanner's clicks.
Every transition locks learners in id order (``locks.lock_learners_in_order``); a batch that must
lock before it reads (ingestion) locks them with ``locks.lock_learners_with_policy`` and hands what it
got to ``apply_bounces`` and ``record_deliveries``, which then do not lock them again.
"""

from contacts.deliverability.bounces import apply_bounces, revert_bounces
from contacts.deliverability.clearing import (
    LearnerStateError,
    change_learner_email,
    clear_bounce_status,
    clear_bounce_statuses,
)
from contacts.deliverability.engagement import correct_last_click, record_click, record_deliveries, record_open
from contacts.deliverability.expiry import release_expired_suppressions
from contacts.deliverability.facts import BounceFact, BounceResult, EngagementResult, Outcome
from contacts.deliverability.locks import lock_learners_in_order, lock_learners_with_policy
from contacts.deliverability.protection import never_suppress_entry_for

__all__ = [
    "BounceFact",
    "BounceResult",
    "EngagementResult",
    "LearnerStateError",
    "Outcome",
    "apply_bounces",
    "change_learner_email",
    "clear_bounce_status",
    "clear_bounce_statuses",
    "correct_last_click",
    "lock_learners_in_order",
    "lock_learners_with_policy",
    "never_suppress_entry_for",
    "record_click",
    "record_deliveries",
    "record_open",
    "release_expired_suppressions",
    "revert_bounces",
]
