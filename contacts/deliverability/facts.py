"""The plain facts the deliverability transitions take, and what they return.

Nothing here knows the campaigns app: a bounce event reaches this package as a
``BounceFact`` (its id, learner, classification, whether it carried our token,
when it happened), and the outcome each event was given comes back as one of
``Outcome``'s strings, which campaigns stores on ``BounceEvent.outcome``.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """What applying an event did to its learner (the vocabulary of ``BounceEvent.outcome``)."""

    PENDING = "pending", _("Not applied yet")
    SUPPRESSED = "suppressed", _("Learner suppressed (bounced)")
    COUNTED = "counted", _("Counted toward the soft-bounce threshold")
    UNSUBSCRIBED = "unsubscribed", _("Learner unsubscribed")
    FLAGGED = "flagged", _("Auto reply flagged")
    RECORDED = "recorded", _("Recorded, no change")
    PROTECTED = "protected", _("Recorded, never suppressed (never-suppress list)")
    SENDER_SIDE = "sender_side", _("Sender's side: recorded, not counted (policy)")
    UNVERIFIED = "unverified", _("Unverified, not applied (policy)")
    NO_LEARNER = "no_learner", _("No matching learner")


@dataclass(frozen=True, slots=True)
class BounceFact:
    """One bounce event as the policy needs it.

    ``verified`` is true when the bounce carried our token (VERP, Message-ID or
    our own SMTP session): a forged bounce cannot. ``outcome`` is the outcome the
    event was applied with, empty when it never was (what a revert takes back).
    ``sender_side`` is true when the cause is the sender's (blocklist, reputation,
    authentication, rate, content), not the learner's address.
    """

    event_id: int
    learner_id: int | None
    category: str
    subtype: str
    reason: str
    verified: bool
    occurred_at: datetime | None = None
    outcome: str = ""
    sender_side: bool = False


@dataclass(slots=True)
class BounceResult:
    """What a bounce transition changed.

    ``outcomes`` maps each applied event's id to its outcome; ``suppressed`` holds
    the learners it made bounced or unsubscribed, ``cleared`` those a revert left
    active after a suppression (one Clearance each); ``notify`` the events an
    automation rule asks the organization's admins to hear about.
    """

    outcomes: dict[int, str] = field(default_factory=dict)
    suppressed: set[int] = field(default_factory=set)
    cleared: set[int] = field(default_factory=set)
    notify: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EngagementResult:
    """What an open or click changed: whether it cleared the learner's bounce (with a Clearance)."""

    learner_id: int
    cleared: bool
