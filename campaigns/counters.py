"""Summary counters of runs and of organizations' days: read them, or rebuild them from the source rows.

PostgreSQL keeps them (triggers on sends and bounce events, campaigns/migrations/0022): every
statement that inserts, changes or deletes sends or bounce events adds its net change, in its
own transaction, to a shard no other open transaction writes (``bp_free_counter_shard()``,
contacts/migrations/0027). A count is the sum of its shards, so readers group by key. The keys (``run_keys_of_send`` / ``event_keys`` here say the same as the SQL):

- per run: ``status:<status>``, ``opened``, ``clicked``, ``opened_after_bounce`` (sends
  ``opened_after_bounce()`` flags, migration 0025), ``machine:open`` and ``machine:click`` (its sends'
  engagement events a machine made); of its sends' current events ``cat:<category>``,
  ``sub:<category>:<subtype>``, ``block.<kind>:<name>`` (kind: product, blocklist, domain, remote
  server), ``block.<kind>@<name>@<domain>`` (the domains behind a product's or list's blocks),
  ``content:<reason>:<subtype>`` and ``content.domain:<reason>:<domain>``;
- per organization and day of ``occurred_at`` in the organization's time zone: ``ev:<campaign id or 0>:<category>:<subtype>``
  and ``blockrun:<run id>``.

Counts are of events, not of distinct sends (a send with two current block events counts twice;
de-duplicated re-deliveries never become a second event). SQLite (the demo) has no triggers: the
readers count from the source rows there.
"""

from collections import Counter, defaultdict
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.db.models.lookups import IsNull

from bounceportal.counts import counters_kept_by_triggers, lock_for_recount
from campaigns.models import BounceEvent, EngagementEvent, EngagementKind, OrgDayCounter, RunCounter, Send, SendStatus
from contacts.choices import SOFT_COUNTING_CATEGORIES, Category
from contacts.learner_counters import rebuild_learner_counters
from contacts.models import Organization

# Reasons that refuse the message's content (DESIGN §3: a template alert on the campaign, not a suppression).
CONTENT_REASONS = ("mesgtoobig", "virusdetected", "spamdetected", "contenterror")
BLOCK_KINDS = (("product", "filter_product"), ("blocklist", "blocklist"), ("domain", None), ("remote server", None))


# Statuses that never left: they do not count toward a run's attempted sends.
NOT_ATTEMPTED = ("skipped", "scheduled")


def attempted_of(counts) -> int:
    """A run's sends that left at least once (every status but scheduled and skipped)."""
    return sum(n for key, n in counts.items() if key.startswith("status:") and key[7:] not in NOT_ATTEMPTED)


# The bounce categories that make an opened send suspicious (an autoreply or a complaint does not).
BOUNCE_CATEGORIES = (Category.HARD, *SOFT_COUNTING_CATEGORIES)


def opened_after_bounce(*, probe: bool = False) -> Q:
    """Sends that bounced and were also opened or clicked: the bounce may be false, or a scanner opened it.

    Either a bounced send with an open or click of anyone's (a machine's does not change its status),
    or an opened one that had bounced before (``bounced_at``) or got a bounce after the open. The
    triggers of migration 0025 count the same per run (``opened_after_bounce``).

    ``probe``: test each send with a scalar subquery, one index probe per send, for a page of rows.
    PostgreSQL may plan an EXISTS under OR as one hashed scan of every bounce event instead (it
    estimates the calls from the whole run, not from the page's LIMIT): right for a recount, not for 50 rows.
    """

    def has(rows):
        return IsNull(Subquery(rows.values("pk")[:1]), False) if probe else Exists(rows)

    engaged = EngagementEvent.objects.filter(send=OuterRef("pk"))
    bounced = BounceEvent.objects.filter(send=OuterRef("pk"), category__in=BOUNCE_CATEGORIES)
    return (Q(status=SendStatus.BOUNCED) & Q(has(engaged))) | (
        Q(status=SendStatus.OPENED) & (Q(bounced_at__isnull=False) | Q(has(bounced)))
    )


def event_keys(*, category, subtype, reason, product, blocklist, mta, domain, run_id, campaign_id):
    """The (scope, key) pairs one current event counts toward: scope "r" (its run) or "o" (its day)."""
    keys = [("o", f"ev:{campaign_id or 0}:{category}:{subtype}")]
    if run_id is None:
        return keys
    domain = domain or ""
    keys += [("r", f"cat:{category}"), ("r", f"sub:{category}:{subtype}")]
    if category == "block":
        keys.append(("o", f"blockrun:{run_id}"))
        for kind, name in (("product", product), ("blocklist", blocklist), ("domain", domain), ("remote server", mta)):
            if name:
                keys.append(("r", f"block.{kind}:{name}"))
        for kind, name in (("product", product), ("blocklist", blocklist)):
            if name and domain:
                keys.append(("r", f"block.{kind}@{name}@{domain}"))
    if reason in CONTENT_REASONS:
        keys.append(("r", f"content:{reason}:{subtype}"))
        if domain:
            keys.append(("r", f"content.domain:{reason}:{domain}"))
    return keys


# ------------------------------------------------------------------------------------------- from sources


def counted_runs(run_ids=None) -> dict[int, Counter]:
    """``run id -> Counter(key: n)`` counted from the sends and events themselves (all runs when None)."""
    sends, events = Send.objects.order_by(), BounceEvent.objects.filter(send__isnull=False).order_by()
    if run_ids is not None:
        sends, events = sends.filter(run_id__in=list(run_ids)), events.filter(send__run_id__in=list(run_ids))
    found: dict[int, Counter] = defaultdict(Counter)
    # One query (the demo counts from here on every page): the sends joined to their engagement events,
    # each send counted once (DISTINCT), each machine event once.
    machine = {kind: Q(engagement_events__machine=True, engagement_events__kind=kind) for kind in EngagementKind.values}
    for run_id, status, n, opened, clicked, flagged, *machines in sends.values_list("run_id", "status").annotate(
        n=Count("pk", distinct=True),
        opened=Count("pk", distinct=True, filter=Q(opened_at__isnull=False)),
        clicked=Count("pk", distinct=True, filter=Q(clicked_at__isnull=False)),
        flagged=Count("pk", distinct=True, filter=opened_after_bounce()),
        **{f"machine_{kind}": Count("engagement_events", filter=q) for kind, q in machine.items()},
    ):
        found[run_id][f"status:{status}"] += n
        found[run_id]["opened"] += opened
        found[run_id]["clicked"] += clicked
        found[run_id]["opened_after_bounce"] += flagged
        for kind, count in zip(machine, machines, strict=True):
            found[run_id][f"machine:{kind}"] += count
    columns = (
        "send__run_id",
        "send__domain",
        "category",
        "subtype",
        "reason",
        "filter_product",
        "blocklist",
        "remote_mta",
    )
    for run_id, domain, category, subtype, reason, product, blocklist, mta, n in events.values_list(*columns).annotate(
        n=Count("*")
    ):
        keys = event_keys(
            category=category,
            subtype=subtype,
            reason=reason,
            product=product,
            blocklist=blocklist,
            mta=mta,
            domain=domain,
            run_id=run_id,
            campaign_id=None,
        )
        for scope, key in keys:
            if scope == "r":
                found[run_id][key] += n
    return {run_id: +counts for run_id, counts in found.items() if +counts}


def counted_days(organization=None, start=None, end=None) -> dict[tuple[int, date], Counter]:
    """``(organization id, day) -> Counter(key: n)`` counted from the events themselves."""
    # One organization (an Organization: its zone is known, no query) or every one.
    organizations = [organization] if organization is not None else Organization.objects.order_by("pk")
    columns = ("organization_id", "day", "send__run_id", "send__run__campaign_id", "category", "subtype")
    found: dict[tuple[int, date], Counter] = defaultdict(Counter)
    for each in organizations:  # each organization's days in its own zone
        events = BounceEvent.objects.order_by().filter(organization_id=each.pk)
        events = events.annotate(day=TruncDate("occurred_at", tzinfo=each.zone))
        if start is not None:
            events = events.filter(day__gte=start, day__lte=end)
        for org, day, run_id, campaign_id, category, subtype, n in events.values_list(*columns).annotate(n=Count("*")):
            found[(org, day)][f"ev:{campaign_id or 0}:{category}:{subtype}"] += n
            if run_id is not None and category == "block":
                found[(org, day)][f"blockrun:{run_id}"] += n
    return dict(found)


# ------------------------------------------------------------------------------------------------ readers


def counts_for_runs(run_ids) -> dict[int, Counter]:
    """``run id -> Counter(key: n)`` of the summary keys (one query; zero counts left out)."""
    run_ids = [int(pk) for pk in run_ids]
    if not run_ids:
        return {}
    if not counters_kept_by_triggers():
        return counted_runs(run_ids)
    rows = (
        RunCounter.objects.filter(run_id__in=run_ids).values_list("run_id", "key").annotate(n=Sum("count")).order_by()
    )
    found: dict[int, Counter] = defaultdict(Counter)
    for run_id, key, n in rows:
        if n:
            found[run_id][key] = n
    return dict(found)


def counts_for_run(run_id: int) -> Counter:
    return counts_for_runs([run_id]).get(run_id, Counter())


def day_counts_for_organization(
    organization: Organization, start: date, end: date, prefix: str
) -> list[tuple[date, str, int]]:
    """(day, key, n) of the organization's days in [start, end] whose key starts with ``prefix`` (one query)."""
    if not counters_kept_by_triggers():
        return [
            (day, key, n)
            for (_org, day), counts in counted_days(organization, start, end).items()
            for key, n in counts.items()
            if key.startswith(prefix) and n
        ]
    rows = (
        OrgDayCounter.objects.filter(
            organization_id=organization.pk, day__gte=start, day__lte=end, key__startswith=prefix
        )
        .values_list("day", "key")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return [(day, key, n) for day, key, n in rows if n]


# ---------------------------------------------------------------------------------------------- rebuilding


def rebuild_counters() -> tuple[int, int]:
    """Recount every summary counter from the sends and events, and the learners by status; return (run
    rows, day rows) written.

    The counter tables are locked for the recount (EXCLUSIVE: readers go on, writers wait), so a
    write that committed before is in the recount and one that waits adds its change after it.
    """
    with transaction.atomic():
        lock_for_recount(RunCounter, OrgDayCounter)
        RunCounter.objects.all().delete()
        OrgDayCounter.objects.all().delete()
        runs = [
            RunCounter(run_id=run_id, key=key, shard=0, count=n)
            for run_id, counts in counted_runs().items()
            for key, n in counts.items()
        ]
        days = [
            OrgDayCounter(organization_id=org, day=day, key=key, shard=0, count=n)
            for (org, day), counts in counted_days().items()
            for key, n in counts.items()
            if n
        ]
        RunCounter.objects.bulk_create(runs, batch_size=5000)
        OrgDayCounter.objects.bulk_create(days, batch_size=5000)
        rebuild_learner_counters()  # the organizations' learners by status (contacts/learner_counters.py)
    return len(runs), len(days)


def recount_days_of_organization(organization: Organization) -> int:
    """Recount one organization's day counters from its events (its time zone changed); return rows written.

    Under the same EXCLUSIVE lock as ``rebuild_counters``: other writers wait for the recount.
    """
    with transaction.atomic():
        lock_for_recount(OrgDayCounter)
        OrgDayCounter.objects.filter(organization_id=organization.pk).delete()
        days = [
            OrgDayCounter(organization_id=org, day=day, key=key, shard=0, count=n)
            for (org, day), counts in counted_days(organization).items()
            for key, n in counts.items()
            if n
        ]
        OrgDayCounter.objects.bulk_create(days, batch_size=5000)
    return len(days)


def recount_days_when_the_zone_changes(sender, organization, **kwargs) -> None:
    """Receiver of ``contacts.signals.organization_time_zone_changed`` (campaigns/apps.py connects it)."""
    if counters_kept_by_triggers():  # elsewhere days are counted from the events on every read
        recount_days_of_organization(organization)
