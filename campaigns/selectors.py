"""Read-only queries behind the run details page and the dashboards' allowlisting alerts."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import CharField, Count, F, Q, Value

from bounceportal.db import sql_names
from campaigns.guidance import page_for_name
from campaigns.models import BounceEvent, CampaignRun, EngagementEvent, EngagementKind, RunStatus, Send, SendStatus
from contacts.choices import Category, Subtype

# Statuses that never left: they do not count toward a run's attempted sends.
NOT_ATTEMPTED = (SendStatus.SKIPPED, SendStatus.SCHEDULED)
MAX_ALERT_CANDIDATES = 10


def status_counts_for_run(run) -> dict[str, int]:
    """Return {send status: count} for every status (zeros included), in one grouped query."""
    counts = dict(Send.objects.filter(run=run).order_by().values_list("status").annotate(n=Count("*")))
    return {status: counts.get(status, 0) for status in SendStatus.values}


@dataclass(frozen=True)
class AllowlistingAlert:
    run_id: int
    kind: str  # "product", "blocklist", "domain" or "remote server"
    name: str
    blocked: int
    attempted: int
    campaign_name: str = ""
    domains: int = 1  # receiving domains behind a product's or list's blocks

    @property
    def share(self) -> float:
        return 100 * self.blocked / self.attempted if self.attempted else 0.0

    @property
    def guide_slug(self) -> str:
        """The Sending configurations page of the product or list named ("" for a domain or server)."""
        page = page_for_name(self.name) if self.kind in ("product", "blocklist") else None
        return page.slug if page else ""


# What mail blocks are grouped by: the product or list the classifier named, the receiving domain, the server.
_GROUPINGS = (
    ("product", "filter_product"),
    ("blocklist", "blocklist"),
    ("domain", "send__domain"),
    ("remote server", "remote_mta"),
)


def block_groups(events) -> list[tuple[int, str, str, str, int, int]]:
    """Group mail-block ``events`` by run and each of: the product or blocklist named, the receiving
    domain, the remote server.

    Returns (run_id, campaign name, kind, name, sends blocked, domains) rows, largest first; one query.
    """
    blocks = events.filter(category=Category.BLOCK, send__isnull=False).order_by()
    first, *rest = (
        blocks.exclude(**{field: ""})
        .annotate(kind=Value(kind, output_field=CharField()), name=F(field))
        .values_list("send__run_id", "send__run__campaign__name", "kind", "name")
        .annotate(n=Count("send_id", distinct=True), domains=Count("send__domain", distinct=True))
        for kind, field in _GROUPINGS
    )
    rows = list(first.union(*rest, all=True))  # one round trip
    rows.sort(key=lambda row: -row[4])
    return rows


def attempted_sends_up_to(run_ids, cap: int) -> dict[int, int]:
    """Count each run's attempted sends, stopping at ``cap`` (one query; the cost is bounded by the cap).

    An alert needs "blocked > share × attempted", so counting past
    blocked × 100 / share can never change the answer: a run of a million
    sends costs no more than a small one here.
    """
    run_ids = [int(run_id) for run_id in run_ids]
    if not run_ids:
        return {}
    s, r = sql_names(Send, connection), sql_names(CampaignRun, connection)
    marks = ", ".join(["%s"] * len(run_ids))
    sql = (
        f"SELECT r.{r.id}, (SELECT COUNT(*) FROM (SELECT 1 FROM {s.table} s WHERE s.{s.run_id} = r.{r.id} "
        f"AND s.{s.status} NOT IN (%s, %s) LIMIT %s) AS limited) FROM {r.table} r WHERE r.{r.id} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*NOT_ATTEMPTED, int(cap), *run_ids])
        return dict(cursor.fetchall())


def allowlisting_alerts(groups, *, share_percent: int, attempted: dict[int, int] | None = None):
    """Return the alerts of DESIGN §3 for ``groups`` (from ``block_groups``): a domain or remote server
    that blocked more than ``share_percent`` of its run's attempted sends.

    Without ``attempted`` the largest candidates' runs are counted with a cap (one query).
    """
    candidates = groups[:MAX_ALERT_CANDIDATES]
    if not candidates:
        return []
    if attempted is None:
        cap = max(row[4] for row in candidates) * 100 // share_percent + 1
        attempted = attempted_sends_up_to({run_id for run_id, *_rest in candidates}, cap)
    alerts = [
        AllowlistingAlert(
            run_id=run_id,
            kind=kind,
            name=name,
            blocked=blocked,
            attempted=attempted.get(run_id, 0),
            campaign_name=campaign,
            domains=domains,
        )
        for run_id, campaign, kind, name, blocked, domains in candidates
        if attempted.get(run_id) and blocked * 100 > share_percent * attempted[run_id]
    ]
    order = [kind for kind, _ in _GROUPINGS]
    alerts.sort(key=lambda alert: (-alert.share, order.index(alert.kind), alert.name))
    return alerts


def allowlisting_alerts_for_run(run, *, share_percent: int, attempted: int):
    """The run's alerts. A blocked send is marked bounced (or it was opened after all, and is not
    blocked): reading only bounced sends' events keeps a million-send run to a tenth of its rows."""
    events = BounceEvent.objects.filter(
        organization_id=run.organization_id, send__run=run, send__status=SendStatus.BOUNCED
    )
    return allowlisting_alerts(block_groups(events), share_percent=share_percent, attempted={run.pk: attempted})


def summary_for_run(run, *, share_percent: int):
    """Return (send counts per status, allowlisting alerts) of the run: three grouped queries."""
    counts = status_counts_for_run(run)
    attempted = sum(n for status, n in counts.items() if status not in NOT_ATTEMPTED)
    return counts, allowlisting_alerts_for_run(run, share_percent=share_percent, attempted=attempted)


# Reasons that refuse the message's content (DESIGN §3: a template alert on the campaign, not a suppression).
CONTENT_REASONS = ("mesgtoobig", "virusdetected", "spamdetected", "contenterror")


@dataclass(frozen=True)
class TemplateAlert:
    """Receiving domains refused the campaign's content for one reason ("attachment or virus detected")."""

    reason: str
    label: str
    domains: int
    sends: int
    examples: tuple[str, ...]


def template_alerts_for_campaign(campaign, *, run=None) -> list[TemplateAlert]:
    """Return the content refusals of the campaign's sends (of one run when given), by reason,
    with how many domains and sends; two grouped queries."""
    events = BounceEvent.objects.filter(
        organization_id=campaign.organization_id, send__run__campaign=campaign, reason__in=CONTENT_REASONS
    ).order_by()
    if run is not None:
        events = events.filter(send__run=run)
    rows = events.values_list("reason", "subtype").annotate(
        domains=Count("send__domain", distinct=True), sends=Count("send_id", distinct=True)
    )
    examples: dict[str, list[str]] = {}
    for reason, domain in events.values_list("reason", "send__domain").distinct()[:200]:
        examples.setdefault(reason, []).append(domain)
    alerts = [
        TemplateAlert(
            reason=reason,
            label=Subtype(subtype).label,
            domains=domains,
            sends=sends,
            examples=tuple(sorted(examples.get(reason, []))[:5]),
        )
        for reason, subtype, domains, sends in rows
    ]
    alerts.sort(key=lambda alert: (-alert.domains, alert.reason))
    return alerts


def paused_runs_for_organization(organization, limit: int = 10):
    """The organization's runs the guard paused, newest pause first (live: never cached)."""
    return list(
        CampaignRun.objects.filter(organization=organization, status=RunStatus.PAUSED)
        .select_related("campaign")
        .order_by("-paused_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class RunEngagement:
    """A run's open and click rates, people only, and what machines did beside them."""

    reached: int  # sends that left and did not bounce or fail: sent, delivered, opened
    opened: int
    clicked: int
    machine_opens: int
    machine_clicks: int

    def rate(self, count: int) -> float:
        return 100 * count / self.reached if self.reached else 0.0

    @property
    def open_rate(self) -> float:
        return self.rate(self.opened)

    @property
    def click_rate(self) -> float:
        return self.rate(self.clicked)


def engagement_for_run(run, counts: dict[str, int]) -> RunEngagement:
    """The run's human open and click rates (``counts``: status_counts_for_run) and machine activity; two queries."""
    sends = Send.objects.filter(run=run).order_by()
    people = sends.aggregate(
        opened=Count("pk", filter=Q(opened_at__isnull=False)), clicked=Count("pk", filter=Q(clicked_at__isnull=False))
    )
    machines = dict(
        EngagementEvent.objects.filter(send__run=run, machine=True)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("*"))
    )
    return RunEngagement(
        reached=counts[SendStatus.SENT] + counts[SendStatus.DELIVERED] + counts[SendStatus.OPENED],
        opened=people["opened"],
        clicked=people["clicked"],
        machine_opens=machines.get(EngagementKind.OPEN, 0),
        machine_clicks=machines.get(EngagementKind.CLICK, 0),
    )
