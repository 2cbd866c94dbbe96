"""The webhook events of a run (``run.paused``, ``run.finished``), written in the transition's transaction.

Called by the run's one owner of each change: the guard (pause), sending (done) and
scheduling (cancelled). Costs one query when the organization has no subscription to the event.
"""

from django.db.models import Count

from campaigns.models import CampaignRun, Send
from contacts.webhooks.events import Event, record_events, wanted


def _iso(moment):
    return moment.isoformat() if moment else None


def run_data(run: CampaignRun, *, with_counts: bool) -> dict:
    """The ``data`` of a run event: the run as it is after the change (and its send counts when it ended)."""
    data = {
        "run": {
            "id": run.pk,
            "campaign": run.campaign_id,
            "campaign_name": run.campaign.name,
            "status": run.status,
            "started_at": _iso(run.started_at),
            "paused_at": _iso(run.paused_at),
            "pause_reason": run.pause_reason,
            "finished_at": _iso(run.finished_at),
        }
    }
    if with_counts:
        rows = Send.objects.filter(run_id=run.pk).order_by().values_list("status").annotate(n=Count("*"))
        data["run"]["send_counts"] = dict(rows)
    return data


def record_run_event(*, run_id: int, organization_id: int, event_type: str, now=None) -> int:
    """Record ``event_type`` for the run (read again only when someone subscribes); return the deliveries written."""
    if organization_id not in wanted([organization_id], event_type):
        return 0
    run = CampaignRun.objects.select_related("campaign").get(pk=run_id)
    data = run_data(run, with_counts=event_type == "run.finished")
    return record_events([Event(organization_id, event_type, data, now)], now=now)
