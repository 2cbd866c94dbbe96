"""Review of unmatched and unparseable inbound mail by an organization's admins (issue #19, item 4).

The queue is an organization's inbound messages that matched no send (a bounce for an
address that is no learner's, a forwarded report) or that could not be classified, and that
no admin has decided on yet. An admin either *attaches* a message to a learner, which applies
its reading through the deliverability package, or *dismisses* it with a note. Either way one
``InboundReview`` row, written in the same transaction, says who decided what and when.
"""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.models import (
    BounceEvent,
    InboundKind,
    InboundMessage,
    InboundReview,
    MatchedBy,
    ReviewDecision,
)
from campaigns.services.policy import apply_bounce_events
from contacts.models import Learner, Organization

# What could not be read at all: nothing to attach, only to dismiss (or to re-classify, support's tool).
UNREADABLE_KINDS = (InboundKind.UNPARSEABLE, InboundKind.TOO_COMPLEX)
# A copied event is a new audit row of its own: it keeps the classifier's reading, every column but
# those the attachment decides (learner, send, match) and those of the old row's life (key, outcome).
_NOT_COPIED = {"id", "learner", "send", "matched_by", "event_key", "outcome", "applied_at", "superseded_at"}
_READING_FIELDS = tuple(field.attname for field in BounceEvent._meta.concrete_fields if field.name not in _NOT_COPIED)


class ReviewError(Exception):
    """A review decision that cannot be taken; its text is shown to the admin."""


def inbound_to_review_for(organization: Organization) -> QuerySet[InboundMessage]:
    """The organization's messages awaiting an admin: unmatched bounces and unreadable mail, not yet reviewed."""
    waiting = Q(is_bounce=True, matched_by=MatchedBy.NONE) | Q(kind__in=UNREADABLE_KINDS)
    return InboundMessage.objects.filter(organization=organization, review__isnull=True).filter(waiting)


def unattached_events_of(message: InboundMessage) -> list[BounceEvent]:
    """The message's readings (events in force) that name no learner, in report order."""
    return list(message.events.filter(learner__isnull=True).order_by("recipient_index", "pk"))


def attach_inbound_message(
    *, message: InboundMessage, event: BounceEvent, learner: Learner, reviewed_by, note: str = ""
) -> InboundReview:
    """Attach one reading of an unmatched message to ``learner`` and apply it; return the review row.

    The event itself is an append-only audit row (bounceportal/audit.py): it is superseded and a copy
    naming the learner is applied in its place (``matched_by=review``, a verified match: an admin
    vouched for it), as a re-classify does. Raises ``ReviewError`` when the message was reviewed
    meanwhile, the event is not one of its unattached readings, or the learner is another
    organization's.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_unreviewed(message)
        if learner.organization_id != locked.organization_id:
            raise ReviewError(gettext("That learner is not in this organization."))
        if event.pk not in {e.pk for e in unattached_events_of(locked)}:
            raise ReviewError(gettext("That reading is not one of this message's unattached recipients."))
        BounceEvent.objects.filter(pk=event.pk).update(superseded_at=now)
        copy = BounceEvent(**{name: getattr(event, name) for name in _READING_FIELDS})
        copy.learner_id, copy.matched_by = learner.pk, MatchedBy.REVIEW
        copy.save()
        apply_bounce_events(events=[copy], now=now, guard=False)
        locked.matched_by = MatchedBy.REVIEW
        locked.save(update_fields=["matched_by"])
        return InboundReview.objects.create(
            organization_id=locked.organization_id,
            inbound_message=locked,
            decision=ReviewDecision.ATTACHED,
            learner=learner,
            note=note,
            reviewed_by=reviewed_by,
            reviewed_at=now,
        )


def dismiss_inbound_message(*, message: InboundMessage, reviewed_by, note: str) -> InboundReview:
    """Take the message out of the review queue without changing any learner; return the review row."""
    with transaction.atomic():
        locked = _lock_unreviewed(message)
        return InboundReview.objects.create(
            organization_id=locked.organization_id,
            inbound_message=locked,
            decision=ReviewDecision.DISMISSED,
            note=note,
            reviewed_by=reviewed_by,
        )


def _lock_unreviewed(message: InboundMessage) -> InboundMessage:
    """The message, locked so two admins cannot both decide; ``ReviewError`` if one already did."""
    locked = InboundMessage.objects.select_for_update().only("pk", "organization_id", "matched_by").get(pk=message.pk)
    if InboundReview.objects.filter(inbound_message=locked).exists():
        raise ReviewError(gettext("Another admin reviewed this message meanwhile."))
    return locked
