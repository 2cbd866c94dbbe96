"""Read-only queries of the reports (STYLE: selectors ``noun_for_x``); each is one grouped, indexed query.

The learner widgets (categories, domains) read the day counters the learner writes
keep (contacts/learner_counters.py), the trend, the Email Status Report and the
allowlisting alerts those the event writes keep (campaigns/counters.py): the cost
follows the days and keys, not the learners or events.
"""

from collections import Counter
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext

from bounceportal.pagination import capped_count
from campaigns.counters import counts_for_runs, day_counts_for_organization
from campaigns.models import Campaign, CampaignRun
from campaigns.selectors import alerts_for_runs
from contacts.choices import Category, DeliverabilityStatus
from contacts.learner_counters import bounced_days_for_organization, learner_counts_for_organization
from contacts.models import Learner
from contacts.selectors import near_threshold_q, repeat_bouncer_q

TREND_CATEGORIES = (Category.HARD, Category.SOFT, Category.BLOCK)


def status_counts_for_organization(organization) -> dict[str, int]:
    """How many learners are bounced and unsubscribed now (the counters the learner writes keep: one query)."""
    counts = learner_counts_for_organization(organization)
    return {
        status: counts.get(status, 0) for status in (DeliverabilityStatus.BOUNCED, DeliverabilityStatus.UNSUBSCRIBED)
    }


def _bucket(date_range) -> str:
    """Days for a range up to ~2 months, weeks up to a year, then months."""
    if date_range.days <= 62:
        return "day"
    if date_range.days <= 366:
        return "week"
    return "month"


def _period_of(day, bucket):
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def _days(organization, date_range, prefix: str, days=None):
    """The organization's day counters of the range whose key starts with ``prefix`` (one query, none
    when ``days``, read before with any shorter prefix, are given)."""
    if days is None:
        days = day_counts_for_organization(organization, date_range.start, date_range.end, prefix)
    return [(day, key, n) for day, key, n in days if key.startswith(prefix)]


def bounce_trend_for_organization(organization, date_range, days=None) -> tuple[str, list[dict]]:
    """Return (bucket name, rows of {period, hard, soft, block, total}) for every period of the range,
    from the organization's day counters (one query, none with ``days``)."""
    bucket = _bucket(date_range)
    counts: dict[object, dict[str, int]] = {}
    for day, key, n in _days(organization, date_range, "ev:", days):
        category = key.split(":", 3)[2]
        if category in TREND_CATEGORIES:
            period = counts.setdefault(_period_of(day, bucket), {})
            period[category] = period.get(category, 0) + n
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


def bounced_for_organization(organization, date_range) -> Counter:
    """Counter(key: learners) of the learners whose last bounce fell in the range, by
    ``cat:<category>:<subtype>``, ``domain:<domain>`` and ``hard:<domain>``: the day counters the learner
    writes keep (contacts/learner_counters.py), summed over the range's days (one query)."""
    return bounced_days_for_organization(organization, date_range.start, date_range.end)


def categories_for_organization(organization, date_range, bounced=None) -> list[dict]:
    """Learners whose last bounce fell in the range, by category and subtype, largest first (one query,
    none with ``bounced`` from ``bounced_for_organization``)."""
    bounced = bounced_for_organization(organization, date_range) if bounced is None else bounced
    counts = [(tuple(key.split(":", 2)[1:]), n) for key, n in bounced.items() if key.startswith("cat:")]
    return [
        {"category": category, "subtype": subtype, "learners": n}
        for (category, subtype), n in sorted(counts, key=lambda item: (-item[1], item[0]))
    ]


def top_domains_for_organization(organization, date_range, limit: int = 10, bounced=None) -> list[dict]:
    """Receiving domains with the most learners bounced in the range (one query, none with ``bounced``)."""
    bounced = bounced_for_organization(organization, date_range) if bounced is None else bounced
    learners = [(key[len("domain:") :], n) for key, n in bounced.items() if key.startswith("domain:")]
    ranked = sorted(learners, key=lambda item: (-item[1], item[0]))[:limit]
    return [{"domain": domain, "learners": n, "hard": bounced[f"hard:{domain}"]} for domain, n in ranked]


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
    count, more = capped_count(learners)
    # The closest ids first, from the index alone (learner_org_active_soft_cat holds the soft count and the
    # engagement date), then those rows: the engaged learners above the lower floor are skipped in the
    # index instead of read one by one.
    closest = learners.order_by("-soft_bounce_count", "pk").values("pk")[:limit]
    rows = Learner.objects.filter(pk__in=closest).order_by("-soft_bounce_count", "pk")
    return list(rows), count, more


MAX_ALERT_RUNS = 20


def allowlisting_alerts_for_organization(organization, date_range, *, share_percent: int, days=None):
    """Allowlisting alerts of the runs whose mail blocks arrived in the range (the most blocked
    ``MAX_ALERT_RUNS``), judged on each run's counters, with campaign names; three queries (two with ``days``)."""
    blocked: Counter = Counter()
    for _day, key, n in _days(organization, date_range, "blockrun:", days):
        blocked[int(key[len("blockrun:") :])] += n
    run_ids = [run_id for run_id, n in blocked.most_common(MAX_ALERT_RUNS) if n > 0]
    if not run_ids:
        return []
    names = dict(
        CampaignRun.objects.filter(organization=organization, pk__in=run_ids).values_list("pk", "campaign__name")
    )
    return alerts_for_runs(counts_for_runs(names), names, share_percent=share_percent)


def email_status_for_organization(organization, date_range) -> tuple[list[dict], list[dict]]:
    """Bounce events in the range per campaign: (rows by category, rows by category and subtype), from
    the organization's day counters (two queries).

    Events matched to no send are grouped under campaign None ("Not matched to a send").
    """
    grouped: Counter = Counter()
    for _day, key, n in _days(organization, date_range, "ev:"):
        _ev, campaign, category, subtype = key.split(":", 3)
        grouped[(int(campaign) or None, category, subtype)] += n
    names = dict(
        Campaign.objects.filter(organization=organization, pk__in={row[0] for row in grouped if row[0]}).values_list(
            "pk", "name"
        )
    )
    by_campaign: dict = {}
    details = []
    for (campaign_id, category, subtype), n in grouped.items():
        if n <= 0:
            continue
        row = by_campaign.setdefault(
            campaign_id,
            {
                "campaign_id": campaign_id,
                "campaign": names.get(campaign_id, gettext("Not matched to a send")),
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
    """Everything Your Learner Reports shows, as plain data."""
    days = day_counts_for_organization(organization, date_range.start, date_range.end, "")
    bounced = bounced_for_organization(organization, date_range)
    bucket, trend = bounce_trend_for_organization(organization, date_range, days)
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
        "categories": categories_for_organization(organization, date_range, bounced),
        "domains": top_domains_for_organization(organization, date_range, bounced=bounced),
        "alerts": allowlisting_alerts_for_organization(
            organization, date_range, share_percent=policy.allowlisting_alert_share, days=days
        ),
    }
