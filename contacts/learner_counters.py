"""Learners counted by deliverability status per organization: read the counters, or rebuild them.

PostgreSQL keeps ``contacts_learnercounter`` (statement triggers on the learners, migration 0023): the
key ``status:<status>``, summed over its shards. SQLite (the demo) has no triggers: the readers count
the learners there.
"""

from collections import Counter

from django.db import transaction
from django.db.models import Count, Sum

from bounceportal.counts import counters_kept_by_triggers, lock_for_recount
from contacts.models import Learner, LearnerCounter


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


def rebuild_learner_counters() -> int:
    """Recount every organization's learners by status; return the rows written.

    The table is locked (EXCLUSIVE: readers go on, writers of learners wait for the recount)."""
    with transaction.atomic():
        lock_for_recount(LearnerCounter)
        LearnerCounter.objects.all().delete()
        rows = [
            LearnerCounter(organization_id=org, key=key, shard=0, count=n)
            for org, counts in counted_learners().items()
            for key, n in counts.items()
        ]
        LearnerCounter.objects.bulk_create(rows, batch_size=5000)
    return len(rows)
