"""Read-only queries behind the run details page and the dashboards' allowlisting alerts."""

from dataclasses import dataclass

from django.db.models import Count

from campaigns.models import BounceEvent, Send, SendStatus
from contacts.choices import Category


def status_counts_for_run(run) -> dict[str, int]:
    """Return {send status: count} for every status (zeros included), in one grouped query."""
    counts = dict(Send.objects.filter(run=run).order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in SendStatus.values}


@dataclass(frozen=True)
class AllowlistingAlert:
    run_id: int
    kind: str  # "domain" or "remote server"
    name: str
    blocked: int
    attempted: int

    @property
    def share(self) -> float:
        return 100 * self.blocked / self.attempted if self.attempted else 0.0


def attempted_sends_by_run(run_ids) -> dict[int, int]:
    """Sends that left (neither skipped nor still scheduled), per run."""
    rows = (Send.objects.filter(run_id__in=run_ids).exclude(status__in=(SendStatus.SKIPPED, SendStatus.SCHEDULED))
            .order_by().values_list("run_id").annotate(n=Count("pk")))
    return dict(rows)


def allowlisting_alerts_for_runs(run_ids, *, share_percent: int, attempted: dict[int, int] | None = None):
    """Return the alerts of DESIGN §3: one domain or remote server blocked more than ``share_percent``
    of a run's attempted sends. Three grouped queries whatever the number of runs."""
    run_ids = list(run_ids)
    if not run_ids:
        return []
    attempted = attempted if attempted is not None else attempted_sends_by_run(run_ids)
    blocks = BounceEvent.objects.filter(send__run_id__in=run_ids, category=Category.BLOCK).order_by()
    groups = [
        ("domain", blocks.values_list("send__run_id", "send__domain")),
        ("remote server", blocks.exclude(remote_mta="").values_list("send__run_id", "remote_mta")),
    ]
    alerts = []
    for kind, rows in groups:
        for run_id, name, blocked in rows.annotate(n=Count("send_id", distinct=True)):
            total = attempted.get(run_id, 0)
            if name and total and blocked * 100 > share_percent * total:
                alerts.append(AllowlistingAlert(run_id=run_id, kind=kind, name=name, blocked=blocked,
                                                attempted=total))
    alerts.sort(key=lambda alert: (-alert.share, alert.kind, alert.name))
    return alerts

