"""The digest email of an organization's period: assembled from the summary counters, mailed once per period.

What it says (``digest_for``): bounce events by category from the organization's day counters
(campaigns/counters.py, no scan of the events), learners suppressed in the period (their status
began in it and holds), the allowlisting alerts of the runs blocked in it (as the dashboard judges
them) and the runs the guard paused in it that are still paused. Rendered in the recipient's
language and the organization's time zone, named in the text.

Sending (``send_due_digests``, beat every DIGEST_SWEEP_SECONDS): one digest per subscription and
period. The subscription row is locked with SKIP LOCKED while its digest is claimed (a unique
``DigestDelivery`` row) and mailed: a second worker running at the same moment skips the row, and
once the first commits it finds the period claimed. The mail goes out inside that transaction on
purpose: a backend that fails rolls the claim back, so the next sweep tries again (a commit that
fails after the mail was accepted would repeat it: far rarer than a refused connection).
"""

import logging
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from campaigns.counters import day_counts_for_organization
from campaigns.models import CampaignRun, RunStatus
from contacts.choices import Category, DeliverabilityStatus
from contacts.digest_subscriptions import DigestPeriod, digest_recipients, due_period, unsubscribe_token
from contacts.models import DigestDelivery, DigestSubscription, Learner
from contacts.preferences import language_for
from contacts.services import policy_for
from reports.forms import DateRange
from reports.selectors import allowlisting_alerts_for_organization

logger = logging.getLogger(__name__)

SUPPRESSED = (DeliverabilityStatus.BOUNCED, DeliverabilityStatus.UNSUBSCRIBED)


def digest_for(organization, period: DigestPeriod) -> dict:
    """What the organization's digest for ``period`` says, as plain data (four queries and the alerts')."""
    by_category: Counter = Counter()
    for _day, key, n in day_counts_for_organization(organization, period.first_day, period.last_day, "ev:"):
        by_category[key.split(":", 3)[2]] += n
    bounces = [
        {"category": category, "label": label, "events": by_category[category]}
        for category, label in Category.choices
        if by_category[category]
    ]
    suppressed = Counter(
        dict(
            Learner.objects.for_organization(organization)
            .filter(status__in=SUPPRESSED, status_since__gte=period.start, status_since__lt=period.end)
            .order_by()
            .values_list("status")
            .annotate(n=Count("*"))
        )
    )
    with timezone.override(organization.zone):  # DateRange's days are read in the current zone
        alerts = allowlisting_alerts_for_organization(
            organization,
            DateRange(start=period.first_day, end=period.last_day),
            share_percent=policy_for(organization.pk).allowlisting_alert_share,
        )
    paused = list(
        CampaignRun.objects.filter(
            organization=organization, status=RunStatus.PAUSED, paused_at__gte=period.start, paused_at__lt=period.end
        )
        .select_related("campaign")
        .order_by("paused_at", "pk")
    )
    return {
        "bounces": bounces,
        "bounce_total": sum(row["events"] for row in bounces),
        "bounced": suppressed[DeliverabilityStatus.BOUNCED],
        "unsubscribed": suppressed[DeliverabilityStatus.UNSUBSCRIBED],
        "alerts": alerts,
        "paused": paused,
    }


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def digest_message(subscription: DigestSubscription, period: DigestPeriod, digest: dict) -> EmailMultiAlternatives:
    """The digest mail for the subscription's member, with the RFC 8058 one-click unsubscribe headers.

    ``digest`` (from ``digest_for``) holds no words of a language: its labels are lazy, so one
    organization's digest serves each of its admins in their own language."""
    membership = subscription.membership
    organization = membership.organization
    unsubscribe = _absolute(reverse("digest-unsubscribe", args=[unsubscribe_token(subscription)]))
    with translation.override(language_for(membership.user)), timezone.override(organization.zone):
        context = {
            "organization": organization,
            "period": period,
            "zone": organization.time_zone,
            "digest": digest,
            "unsubscribe_url": unsubscribe,
            "settings_url": _absolute(reverse("contacts:settings-digest")),
            "dashboard_url": _absolute(reverse("reports:learner-report")),
            "user": membership.user,
        }
        subject = " ".join(render_to_string("reports/digest_subject.txt", context).split())
        body = render_to_string("reports/digest_email.txt", context)
    return EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[membership.user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )


def send_digest(*, subscription_id: int, now: datetime, assembled: dict | None = None) -> DigestDelivery | None:
    """Mail the subscription's due digest unless it went out already (or another worker is on it).

    ``assembled`` keeps each (organization, period)'s digest for the next admin of the same one."""
    with transaction.atomic():
        subscription = (
            digest_recipients().select_for_update(skip_locked=True, of=("self",)).filter(pk=subscription_id).first()
        )
        if subscription is None or not subscription.membership.user.email:
            return None  # switched off, no longer an admin, locked by another worker, or no address
        period = due_period(frequency=subscription.frequency, now=now, zone=subscription.membership.organization.zone)
        if period is None or period.end <= subscription.changed_at:
            return None  # the period ended before the member asked for this frequency
        if DigestDelivery.objects.filter(subscription=subscription, period_start=period.start).exists():
            return None
        delivery = DigestDelivery.objects.create(
            subscription=subscription,
            frequency=period.frequency,
            period_start=period.start,
            period_end=period.end,
            sent_at=now,
            to=subscription.membership.user.email,
        )
        organization = subscription.membership.organization
        key = (organization.pk, period.start, period.end)
        assembled = {} if assembled is None else assembled
        if key not in assembled:
            assembled[key] = digest_for(organization, period)
        digest_message(subscription, period, assembled[key]).send()
        subscription.last_sent_at = now
        subscription.save(update_fields=["last_sent_at"])
    return delivery


def send_due_digests(*, now: datetime | None = None) -> int:
    """Mail every digest that is due; return how many went out (safe to run on several workers at once)."""
    now = now or timezone.now()
    sent = 0
    assembled: dict[tuple, dict] = {}
    for subscription_id in digest_recipients().values_list("pk", flat=True):
        try:
            sent += send_digest(subscription_id=subscription_id, now=now, assembled=assembled) is not None
        except Exception:  # one member's failing mail must not hold up the others'; retried next sweep
            logger.exception("digest of subscription %s not sent", subscription_id)
    return sent
