"""Read-only queries of the reports (STYLE: selectors ``noun_for_x``); each is one grouped, indexed query.

Learner widgets read the learner row's last-bounce columns (kept by the policy
service) through the (organization, last_bounced_at) index, the trend reads
bounce events through (organization, occurred_at): the cost follows the rows in
the date range, not the organization's size.
"""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncMonth, TruncWeek

from bounceportal.pagination import capped_count
from campaigns.models import BounceEvent, Campaign
from campaigns.selectors import allowlisting_alerts, block_groups
from contacts.choices import SOFT_COUNTING_CATEGORIES, Category, DeliverabilityStatus
from contacts.models import Learner
from contacts.selectors import near_threshold_q, repeat_bouncer_q

BOUNCE_CATEGORIES = (Category.HARD, *sorted(SOFT_COUNTING_CATEGORIES))  # hard, block, soft
TREND_CATEGORIES = (Category.HARD, Category.SOFT, Category.BLOCK)


def status_counts_for_organization(organization) -> dict[str, int]:
    """How many learners are bounced and unsubscribed now."""
    rows = (
        Learner.objects.for_organization(organization)
        .exclude(status=DeliverabilityStatus.ACTIVE)
        .order_by()
        .values_list("status")
        .annotate(n=Count("*"))
    )
    counts = dict(rows)
    return {
        status: counts.get(status, 0) for status in (DeliverabilityStatus.BOUNCED, DeliverabilityStatus.UNSUBSCRIBED)
    }


def _bucket(date_range):
    """Days for a range up to ~2 months, weeks up to a year, then months."""
    if date_range.days <= 62:
        return "day", TruncDate
    if date_range.days <= 366:
        return "week", TruncWeek
    return "month", TruncMonth


def bounce_trend_for_organization(organization, date_range) -> tuple[str, list[dict]]:
    """Return (bucket name, rows of {period, hard, soft, block, total}) for every period of the range."""
    bucket, trunc = _bucket(date_range)
    events = BounceEvent.objects.filter(
        organization=organization,
        occurred_at__gte=date_range.start_at,
        occurred_at__lt=date_range.end_before,
        category__in=TREND_CATEGORIES,
    )
    grouped = (
        events.order_by().annotate(period=trunc("occurred_at")).values_list("period", "category").annotate(n=Count("*"))
    )
    counts: dict[object, dict[str, int]] = {}
    for period, category, n in grouped:
        period = period.date() if hasattr(period, "date") else period
        counts.setdefault(period, {})[category] = n
    rows = []
    for period in _periods(date_range, bucket):
        row: dict[str, Any] = {"period": period, **{c: counts.get(period, {}).get(c, 0) for c in TREND_CATEGORIES}}
        row["total"] = sum(row[c] for c in TREND_CATEGORIES)
        rows.append(row)
    return bucket, rows


def _periods(date_range, bucket):
    day = date_range.start
    if bucket == "week":
        day -= timedelta(days=day.weekday())
    elif bucket == "month":
        day = day.replace(day=1)
    while day <= date_range.end:
        yield day
        if bucket == "day":
            day += timedelta(days=1)
        elif bucket == "week":
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _bounced_in_range(organization, date_range):
    return Learner.objects.for_organization(organization).filter(
        last_bounced_at__gte=date_range.start_at,
        last_bounced_at__lt=date_range.end_before,
        last_bounce_category__in=BOUNCE_CATEGORIES,
    )


def categories_for_organization(organization, date_range) -> list[dict]:
    """Learners whose last bounce fell in the range, by category and subtype, largest first."""
    rows = (
        _bounced_in_range(organization, date_range)
        .order_by()
        .values_list("last_bounce_category", "last_bounce_subtype")
        .annotate(n=Count("*"))
        .order_by("-n")
    )
    return [{"category": category, "subtype": subtype, "learners": n} for category, subtype, n in rows]


def top_domains_for_organization(organization, date_range, limit: int = 10) -> list[dict]:
    """Receiving domains with the most learners bounced in the range."""
    rows = (
        _bounced_in_range(organization, date_range)
        .order_by()
        .values_list("email_domain")
        .annotate(n=Count("*"), hard=Count("last_bounce_category", filter=Q(last_bounce_category=Category.HARD)))
        .order_by("-n", "email_domain")[:limit]
    )
    return [{"domain": domain, "learners": n, "hard": hard} for domain, n, hard in rows]


def _sample_with_total(queryset, limit):
    """The first ``limit`` rows and how many match: (rows, count, more) with the count capped
    (an exact count of a quarter of a million near-threshold learners costs most of a second)."""
    count, more = capped_count(queryset)
    return list(queryset[:limit]), count, more


def repeat_bouncers_for_organization(organization, limit: int = 5):
    """Learners bounced again after a clearance: (the most recent ``limit``, count, more)."""
    learners = Learner.objects.for_organization(organization).filter(repeat_bouncer_q())
    return _sample_with_total(learners.order_by("-last_bounced_at", "pk"), limit)


def near_threshold_for_organization(organization, policy, limit: int = 5):
    """Active learners close to the soft-bounce threshold: (the closest ``limit``, count, more)."""
    learners = Learner.objects.for_organization(organization).filter(near_threshold_q(policy))
    return _sample_with_total(learners.order_by("-soft_bounce_count", "pk"), limit)


def allowlisting_alerts_for_organization(organization, date_range, *, share_percent: int):
    """Allowlisting alerts of the runs whose mail blocks arrived in the range, with campaign names."""
    events = BounceEvent.objects.filter(
        organization=organization, occurred_at__gte=date_range.start_at, occurred_at__lt=date_range.end_before
    )
    return allowlisting_alerts(block_groups(events), share_percent=share_percent)


def email_status_for_organization(organization, date_range) -> tuple[list[dict], list[dict]]:
    """Bounce events in the range per campaign: (rows by category, rows by category and subtype).

    Events matched to no send are grouped under campaign None ("Not matched to a send").
    """
    events = BounceEvent.objects.filter(
        organization=organization, occurred_at__gte=date_range.start_at, occurred_at__lt=date_range.end_before
    )
    grouped = list(
        events.order_by().values_list("send__run__campaign_id", "category", "subtype").annotate(n=Count("*"))
    )
    names = dict(
        Campaign.objects.filter(organization=organization, pk__in={row[0] for row in grouped if row[0]}).values_list(
            "pk", "name"
        )
    )
    by_campaign: dict = {}
    details = []
    for campaign_id, category, subtype, n in grouped:
        row = by_campaign.setdefault(
            campaign_id,
            {
                "campaign_id": campaign_id,
                "campaign": names.get(campaign_id, "Not matched to a send"),
                **dict.fromkeys(Category.values, 0),
                "total": 0,
            },
        )
        row[category] = row.get(category, 0) + n
        row["total"] += n
        details.append(
            {
                "campaign_id": campaign_id,
                "campaign": row["campaign"],
                "category": category,
                "subtype": subtype,
                "events": n,
            }
        )
    rows = sorted(by_campaign.values(), key=lambda r: (r["campaign_id"] is None, -r["total"], r["campaign"]))
    details.sort(key=lambda r: (r["campaign_id"] is None, r["campaign"], -r["events"]))
    return rows, details


def learner_report_for_organization(organization, date_range, policy) -> dict:
    """Everything Your Learner Reports shows, as plain data (so it can be cached)."""
    bucket, trend = bounce_trend_for_organization(organization, date_range)
    repeat, repeat_total, repeat_more = repeat_bouncers_for_organization(organization)
    near, near_total, near_more = near_threshold_for_organization(organization, policy)
    return {
        "bucket": bucket,
        "trend": trend,
        "repeat": repeat,
        "repeat_total": repeat_total,
        "near": near,
        "near_total": near_total,
        "repeat_more": repeat_more,
        "near_more": near_more,
        "statuses": status_counts_for_organization(organization),
        "categories": categories_for_organization(organization, date_range),
        "domains": top_domains_for_organization(organization, date_range),
        "alerts": allowlisting_alerts_for_organization(
            organization, date_range, share_percent=policy.allowlisting_alert_share
        ),
    }


def events_in_range(organization, date_range):
    return BounceEvent.objects.filter(
        organization=organization, occurred_at__gte=date_range.start_at, occurred_at__lt=date_range.end_before
    )
