"""Members' digest subscriptions: set the frequency, unsubscribe by a signed link, and which period is due.

The digest itself (what it says, the mail, the beat task) is assembled in reports/digest.py, which
may read the campaigns' counters; this module owns the subscription rows.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from contacts.choices import MemberRole
from contacts.models import DigestFrequency, DigestSubscription, Membership

UNSUBSCRIBE_SALT = "contacts.digest.unsubscribe"


class UnsubscribeLinkInvalid(Exception):
    """The unsubscribe link is tampered with, or its subscription no longer exists."""


@dataclass(frozen=True)
class DigestPeriod:
    """Whole days of the organization's zone: [start, end), with ``first_day``..``last_day`` inclusive."""

    frequency: str
    start: datetime
    end: datetime
    first_day: date
    last_day: date


def subscription_for(membership: Membership) -> DigestSubscription:
    """The member's subscription (an unsaved "off" one when they never chose)."""
    found = DigestSubscription.objects.filter(membership=membership).first()
    return found or DigestSubscription(membership=membership)


@transaction.atomic
def set_digest_frequency(*, membership: Membership, frequency: str, now: datetime | None = None) -> DigestSubscription:
    """Set how often the member gets the digest (off, daily, weekly); a period already over is not sent."""
    if frequency not in DigestFrequency.values:
        raise ValueError(f"{frequency!r} is not a digest frequency")
    now = now or timezone.now()
    subscription, created = DigestSubscription.objects.select_for_update().get_or_create(
        membership=membership, defaults={"frequency": frequency, "changed_at": now}
    )
    if not created and subscription.frequency != frequency:
        subscription.frequency, subscription.changed_at = frequency, now
        subscription.save(update_fields=["frequency", "changed_at"])
    return subscription


def unsubscribe_token(subscription: DigestSubscription) -> str:
    """The signed token of a subscription's one-click unsubscribe link (it does not expire)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription.pk))


def subscription_for_token(token: str) -> DigestSubscription:
    """The subscription an unsubscribe link names; UnsubscribeLinkInvalid when tampered with or gone."""
    try:
        pk = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise UnsubscribeLinkInvalid("This unsubscribe link is not valid.") from None
    found = DigestSubscription.objects.select_related("membership__user", "membership__organization").filter(pk=pk)
    subscription = found.first()
    if subscription is None:
        raise UnsubscribeLinkInvalid("This unsubscribe link is not valid.")
    return subscription


def unsubscribe_digest(*, subscription: DigestSubscription) -> DigestSubscription:
    """Switch the subscription's digest off (the one-click link; doing it twice changes nothing)."""
    return set_digest_frequency(membership=subscription.membership, frequency=DigestFrequency.OFF)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def due_period(*, frequency: str, now: datetime, zone: ZoneInfo) -> DigestPeriod | None:
    """The latest period of ``frequency`` whose digest may go out at ``now`` (None when off).

    A daily digest covers yesterday, a weekly one last Monday to Sunday, in the organization's zone;
    both go out from DIGEST_SEND_HOUR local time (before it, the period before is still the latest).
    """
    if frequency == DigestFrequency.OFF:
        return None
    local = now.astimezone(zone)
    today = local.date() if local.hour >= settings.DIGEST_SEND_HOUR else local.date() - timedelta(days=1)
    if frequency == DigestFrequency.DAILY:
        first, last = today - timedelta(days=1), today - timedelta(days=1)
    else:
        monday = today - timedelta(days=today.weekday())
        first, last = monday - timedelta(days=7), monday - timedelta(days=1)
    start, end = _midnight(first, zone), _midnight(last + timedelta(days=1), zone)
    return DigestPeriod(frequency=frequency, start=start, end=end, first_day=first, last_day=last)


def digest_recipients():
    """Subscriptions that get digests: on, of an active admin member (a demoted admin's stops)."""
    return (
        DigestSubscription.objects.exclude(frequency=DigestFrequency.OFF)
        .filter(membership__role=MemberRole.ADMIN, membership__user__is_active=True)
        .select_related("membership__user", "membership__organization")
        .order_by("pk")
    )
