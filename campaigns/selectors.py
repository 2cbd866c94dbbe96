"""Read-only queries behind the run details page and the dashboards' allowlisting alerts."""

from collections import Counter
from dataclasses import dataclass

from campaigns.counters import attempted_of, counts_for_run, counts_for_runs
from campaigns.guidance import page_for_name
from campaigns.models import CampaignRun, EngagementKind, RunStatus, SendStatus
from contacts.choices import Category, Subtype

MAX_ALERT_CANDIDATES = 10


def status_counts_for_run(run, counts: Counter | None = None) -> dict[str, int]:
    """Return {send status: count} for every status (zeros included), from the run's counters."""
    counts = counts_for_run(run.pk) if counts is None else counts
    return {status: counts[f"status:{status}"] for status in SendStatus.values}


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


def block_groups(run_counts: dict[int, Counter], campaign_names: dict[int, str]) -> list[tuple]:
    """Group the runs' mail blocks (their counters) by each of: the product or blocklist named, the
    receiving domain, the remote server.

    Returns (run_id, campaign name, kind, name, block events, domains) rows, largest first.
    """
    rows = []
    for run_id, counts in run_counts.items():
        behind: Counter = Counter()
        for key, n in counts.items():
            if key.startswith("block.") and "@" in key and n > 0:
                kind, name = key[len("block.") :].split("@", 2)[:2]
                behind[(kind, name)] += 1
        for key, n in counts.items():
            kind, sep, name = key.partition(":")
            if sep and kind.startswith("block.") and "@" not in kind and n > 0:
                kind = kind[len("block.") :]
                rows.append((run_id, campaign_names.get(run_id, ""), kind, name, n, behind.get((kind, name), 1)))
    rows.sort(key=lambda row: -row[4])
    return rows


def allowlisting_alerts(groups, *, share_percent: int, attempted: dict[int, int]):
    """Return the alerts of DESIGN §3 for ``groups`` (from ``block_groups``): a product, blocklist, domain
    or remote server that blocked more than ``share_percent`` of its run's attempted sends."""
    candidates = groups[:MAX_ALERT_CANDIDATES]
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


def alerts_for_runs(run_counts: dict[int, Counter], campaign_names: dict[int, str], *, share_percent: int):
    """The allowlisting alerts of these runs, from their counters."""
    attempted = {run_id: attempted_of(counts) for run_id, counts in run_counts.items()}
    return allowlisting_alerts(
        block_groups(run_counts, campaign_names), share_percent=share_percent, attempted=attempted
    )


def summary_for_run(run, *, share_percent: int, counters: Counter | None = None):
    """Return (send counts per status, allowlisting alerts, the run's counters) of the run: one query, none when
    its ``counters`` are given."""
    counts = counts_for_run(run.pk) if counters is None else counters
    alerts = alerts_for_runs({run.pk: counts}, {run.pk: run.campaign.name}, share_percent=share_percent)
    return status_counts_for_run(run, counts), alerts, counts


@dataclass(frozen=True)
class TemplateAlert:
    """Receiving domains refused the campaign's content for one reason ("attachment or virus detected")."""

    reason: str
    label: str
    domains: int
    sends: int
    examples: tuple[str, ...]


def template_alerts_for_campaign(campaign, *, run=None, run_counts: dict[int, Counter] | None = None):
    """Return the content refusals of the campaign's sends (of one run when given), by reason, with how
    many domains and refusals; from the runs' counters (one query, none when ``run_counts`` are given)."""
    if run_counts is None:
        run_ids = [run.pk] if run is not None else list(campaign.runs.values_list("pk", flat=True))
        run_counts = counts_for_runs(run_ids)
    refusals: Counter = Counter()
    domains: dict[str, set[str]] = {}
    for counts in run_counts.values():
        for key, n in counts.items():
            if n <= 0:
                continue
            if key.startswith("content:"):
                refusals[tuple(key[len("content:") :].split(":", 1))] += n
            elif key.startswith("content.domain:"):
                reason, _sep, domain = key[len("content.domain:") :].partition(":")
                domains.setdefault(reason, set()).add(domain)
    alerts = [
        TemplateAlert(
            reason=reason,
            label=Subtype(subtype).label,
            domains=len(domains.get(reason, ())),
            sends=n,
            examples=tuple(sorted(domains.get(reason, ()))[:5]),
        )
        for (reason, subtype), n in refusals.items()
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


# Sends that left and were not refused: the base of a run's open, click and complaint rates. A send
# a person opened after it bounced is "opened" again (the open proves it arrived).
DELIVERED_STATUSES = (SendStatus.SENT, SendStatus.DELIVERED, SendStatus.OPENED)


@dataclass(frozen=True)
class RunEngagement:
    """A run's open, click and complaint rates over its delivered sends, people only, and what
    machines did beside them."""

    delivered: int  # sends that left and did not bounce or fail: sent, delivered, opened
    opened: int
    clicked: int
    complained: int
    machine_opens: int
    machine_clicks: int
    opened_after_bounce: int

    def rate(self, count: int) -> float:
        return 100 * count / self.delivered if self.delivered else 0.0

    @property
    def open_rate(self) -> float:
        return self.rate(self.opened)

    @property
    def click_rate(self) -> float:
        return self.rate(self.clicked)

    @property
    def complaint_rate(self) -> float:
        return self.rate(self.complained)


def engagement_for_run(run, counts: Counter) -> RunEngagement:
    """The run's rates over its delivered sends (``counts``: the run's counters), people's opens and
    clicks only, machine activity and the sends opened after bouncing; no query (the triggers keep
    every one of them, campaigns/counters.py)."""
    return RunEngagement(
        delivered=sum(counts[f"status:{status}"] for status in DELIVERED_STATUSES),
        opened=counts["opened"],
        clicked=counts["clicked"],
        complained=counts[f"cat:{Category.COMPLAINT}"],
        machine_opens=counts[f"machine:{EngagementKind.OPEN}"],
        machine_clicks=counts[f"machine:{EngagementKind.CLICK}"],
        opened_after_bounce=counts["opened_after_bounce"],
    )
