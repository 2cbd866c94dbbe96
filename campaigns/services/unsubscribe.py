"""Unsubscribing a learner from the link in a message (or the RFC 8058 one-click POST).

The audit row is a BounceEvent of category "Unsubscribe request" with source
``link`` (matched by the send's token, so it is verified), applied through the
policy like any unsubscribe request: the learner becomes ``unsubscribed`` with
the event as ``status_event``, and the organization's automation rules for
unsubscribe requests run. Asking again changes nothing and writes nothing.
"""

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns.models import BounceEvent, EventSource, MatchedBy, Send
from campaigns.services.policy import apply_bounce_event
from contacts.choices import Category, DeliverabilityStatus, Reason, Subtype
from contacts.models import Learner


class UnsubscribeVia(models.TextChoices):
    LINK = "link", _("the unsubscribe page")
    ONE_CLICK = "one_click", _("the mail program's one-click unsubscribe (RFC 8058)")


def unsubscribe_learner(*, send: Send, via: str, now=None) -> BounceEvent | None:
    """Make the send's learner unsubscribed; return the audit event, or None if they already were."""
    now = now or timezone.now()
    with transaction.atomic():
        learner = Learner.objects.select_for_update().get(pk=send.learner_id)
        if learner.status == DeliverabilityStatus.UNSUBSCRIBED:
            return None
        event = BounceEvent.objects.create(
            organization_id=send.organization_id,
            send=send,
            learner=learner,
            source=EventSource.LINK,
            address=send.email,
            action="",
            reason=Reason.FEEDBACK,
            category=Category.UNSUBSCRIBE,
            subtype=Subtype.UNSUBSCRIBE_REQUEST,
            feedback_type="opt-out",
            matched_by=MatchedBy.VERP,
            diagnostic=f"Unsubscribed through {UnsubscribeVia(via).label}.",
            occurred_at=now,
        )
        return apply_bounce_event(event=event, now=now)
