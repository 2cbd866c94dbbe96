"""Learners counted per organization: read the counters, or rebuild them.

PostgreSQL keeps them by statement triggers on the learners, each count summed over its shards:
``contacts_learnercounter`` (migration 0023), the key ``status:<status>``; ``contacts_learnerdaycounter``
(migration 0029), per day of the last bounce in the organization's time zone, of the learners whose last
bounce is one of ``BOUNCED_CATEGORIES``: ``cat:<category>:<subtype>``, ``domain:<domain>``, ``hard:<domain>``.
SQLite (the demo) has no triggers: the readers count the learners there.
"""

from collections import Counter
from datetime import date

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from bounceportal.counts import counters_kept_by_triggers, lock_for_recount
from contacts.choices import SOFT_COUNTING_CATEGORIES, Category
from contacts.models import Learner, LearnerCounter, LearnerDayCounter, Organization

# The last bounces the day counters count (hard, block, soft), as migration 0029 writes them out.
BOUNCED_CATEGORIES = (Category.HARD, *sorted(SOFT_COUNTING_CATEGORIES))


def counted_learners(organization_id: int | None = None) -> dict[int, Counter]:
    """``organization id -> Counter(status:<status>: n)`` counted from the learners themselves."""
    learners = Learner.objects.order_by()
    if organization_id is not None:
        learners = learners.filter(organization_id=organization_id)
    found: dict[int, Counter] = {}
    for org, status, n in learners.values_list("organization_id", "status").annotate(n=Count("*")):
        found.setdefault(org, Counter())[f"status:{status}"] = n
    return found


def learner_counts_for_organization(organization) -> dict[str, int]:
    """{status: learners} of the organization, every status present having a count (one query)."""
    if counters_kept_by_triggers():
        rows = (
            LearnerCounter.objects.filter(organization_id=organization.pk)
            .values_list("key")
            .annotate(n=Sum("count"))
            .order_by()
        )
        counts = Counter({key: n for key, n in rows if n})
    else:
        counts = counted_learners(organization.pk).get(organization.pk, Counter())
    return {key[len("status:") :]: n for key, n in counts.items() if key.startswith("status:")}


def day_keys(category: str, subtype: str, domain: str) -> list[str]:
    """The day counter keys one learner whose last bounce is of ``category`` counts toward."""
    keys = [f"cat:{category}:{subtype}", f"domain:{domain}"]
    return keys + [f"hard:{domain}"] if category == Category.HARD else keys


def counted_learner_days(organization=None, start=None, end=None) -> dict[tuple[int, date], Counter]:
    """``(organization id, day) -> Counter(key: n)`` counted from the learners' last bounces."""
    organizations = [organization] if organization is not None else Organization.objects.order_by("pk")
    found: dict[tuple[int, date], Counter] = {}
    for each in organizations:  # each organization's days in its own zone
        learners = Learner.objects.order_by().filter(
            organization_id=each.pk, last_bounced_at__isnull=False, last_bounce_category__in=BOUNCED_CATEGORIES
        )
        learners = learners.annotate(day=TruncDate("last_bounced_at", tzinfo=each.zone))
        if start is not None:
            learners = learners.filter(day__gte=start, day__lte=end)
        columns = ("day", "last_bounce_category", "last_bounce_subtype", "email_domain")
        for day, category, subtype, domain, n in learners.values_list(*columns).annotate(n=Count("*")):
            counts = found.setdefault((each.pk, day), Counter())
            for key in day_keys(category, subtype, domain):
                counts[key] += n
    return found


def bounced_days_for_organization(organization, start: date, end: date) -> Counter:
    """Counter(key: learners) of the learners whose last bounce fell in [start, end], summed over the
    days (one query: the counters' rows of those days, or the learners on SQLite)."""
    if not counters_kept_by_triggers():
        return sum(counted_learner_days(organization, start, end).values(), Counter())
    rows = (
        LearnerDayCounter.objects.filter(organization_id=organization.pk, day__gte=start, day__lte=end)
        .values_list("key")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return Counter({key: n for key, n in rows if n})


def _day_rows(days: dict[tuple[int, date], Counter]) -> list[LearnerDayCounter]:
    return [
        LearnerDayCounter(organization_id=org, day=day, key=key, shard=0, count=n)
        for (org, day), counts in days.items()
        for key, n in counts.items()
        if n
    ]


def rebuild_learner_counters() -> int:
    """Recount every organization's learners by status and by the day of their last bounce; return the
    rows written.

    The tables are locked (EXCLUSIVE: readers go on, writers of learners wait for the recount)."""
    with transaction.atomic():
        lock_for_recount(LearnerCounter, LearnerDayCounter)
        LearnerCounter.objects.all().delete()
        LearnerDayCounter.objects.all().delete()
        rows = [
            LearnerCounter(organization_id=org, key=key, shard=0, count=n)
            for org, counts in counted_learners().items()
            for key, n in counts.items()
        ]
        LearnerCounter.objects.bulk_create(rows, batch_size=5000)
        days = _day_rows(counted_learner_days())
        LearnerDayCounter.objects.bulk_create(days, batch_size=5000)
    return len(rows) + len(days)


def recount_learner_days_of_organization(organization) -> int:
    """Recount one organization's learner day counters (its time zone changed); return the rows written."""
    with transaction.atomic():
        lock_for_recount(LearnerDayCounter)
        LearnerDayCounter.objects.filter(organization_id=organization.pk).delete()
        days = _day_rows(counted_learner_days(organization))
        LearnerDayCounter.objects.bulk_create(days, batch_size=5000)
    return len(days)


def recount_learner_days_when_the_zone_changes(sender, organization, **kwargs) -> None:
    """Receiver of ``contacts.signals.organization_time_zone_changed`` (contacts/apps.py connects it)."""
    if counters_kept_by_triggers():  # elsewhere the days are counted from the learners on every read
        recount_learner_days_of_organization(organization)
