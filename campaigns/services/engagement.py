"""Opens and clicks: every one recorded (``EngagementEvent``), only a person's counted.

A request that shows a machine's signal (``campaigns.engagement_signals``) is
recorded as ``machine`` with the reason and changes nothing else: the send's
opened/clicked columns and counts, the run's rates and the learner's
engagement (the deliverability package's ``record_open`` / ``record_click``:
engaged, soft count reset, auto-reply flag removed, a bounce cleared) are
for people only. When the clicks of the last ENGAGEMENT_ALL_LINKS_SECONDS
cover every link of a message of two links or more, a scanner followed them
all: those clicks become machine, and what the earlier ones had counted is
taken back (the send's counts and dates, the learner's click date). A clearance
or flag change such an earlier click made stays, audited as it was.

Each send's engagement is serialized by a lock on its row, so a scanner's
parallel requests are judged one after the other.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from campaigns.engagement_signals import machine_reason
from campaigns.models import EngagementEvent, EngagementKind, MachineReason, Send, SendStatus
from contacts import deliverability


@dataclass(frozen=True)
class Hit:
    """What a tracking request says about who made it."""

    method: str = "GET"
    user_agent: str = ""
    ip: str | None = None
    at: datetime | None = None


def record_open(*, send: Send, hit: Hit | None = None, now=None) -> EngagementEvent:
    """Record an open of the send; return the event, human or machine.

    ``hit`` is the tracking request; without one the caller vouches for a person (the demo's data).
    """
    return _record(send, EngagementKind.OPEN, hit, now, link_index=None, url="", link_count=0)


def record_click(*, send: Send, link_index: int, url: str, link_count: int, hit: Hit | None = None, now=None):
    """Record a click on the message's link ``link_index`` (of ``link_count``); return the event."""
    return _record(send, EngagementKind.CLICK, hit, now, link_index=link_index, url=url, link_count=link_count)


def _machine_reason(send: Send, hit: Hit | None, now) -> str:
    if hit is None:
        return ""
    return machine_reason(
        method=hit.method,
        user_agent=hit.user_agent,
        ip=hit.ip,
        at=now,
        delivered_at=send.delivered_at or send.sent_at,
        networks=settings.ENGAGEMENT_SCANNER_NETWORKS,
        after_delivery_seconds=settings.ENGAGEMENT_AFTER_DELIVERY_SECONDS,
    )


def _record(send: Send, kind: str, hit: Hit | None, now, *, link_index, url: str, link_count: int):
    now = (hit.at if hit else None) or now or timezone.now()
    request = hit or Hit(method="", user_agent="")
    with transaction.atomic():
        send = Send.objects.select_for_update().get(pk=send.pk)
        reason = _machine_reason(send, hit, now)
        event = EngagementEvent.objects.create(
            organization_id=send.organization_id,
            send=send,
            learner_id=send.learner_id,
            kind=kind,
            link_index=link_index,
            url=url[:4000],
            occurred_at=now,
            machine=bool(reason),
            machine_reason=reason,
            method=request.method.upper()[:8],
            user_agent=request.user_agent[:500],
            ip_address=request.ip,
        )
        if not reason:
            _count_person(send, kind, now)
        if kind == EngagementKind.CLICK and link_count >= 2 and _all_links_at_once(send, link_count, now):
            event.refresh_from_db()
    return event


def _count_person(send: Send, kind: str, now) -> None:
    if kind == EngagementKind.OPEN:
        deliverability.record_open(learner_id=send.learner_id, now=now)
        send.open_count += 1
    else:
        deliverability.record_click(learner_id=send.learner_id, now=now)
        send.click_count += 1
        send.clicked_at = send.clicked_at or now
    if send.opened_at is None:  # a click proves the message was opened too
        send.opened_at, send.status, send.status_changed_at = now, SendStatus.OPENED, now
    send.save(update_fields=["open_count", "click_count", "clicked_at", "opened_at", "status", "status_changed_at"])


def _all_links_at_once(send: Send, link_count: int, now) -> bool:
    """Relabel the burst as machine when the recent clicks cover every link; return True if they did."""
    since = now - timedelta(seconds=settings.ENGAGEMENT_ALL_LINKS_SECONDS)
    burst = EngagementEvent.objects.filter(send=send, kind=EngagementKind.CLICK, occurred_at__gte=since)
    if set(burst.values_list("link_index", flat=True)) < set(range(link_count)):
        return False
    counted = burst.filter(machine=False).count()
    burst.update(machine=True, machine_reason=MachineReason.ALL_LINKS)
    if counted:
        _take_back_clicks(send)
    return True


def _take_back_clicks(send: Send) -> None:
    """Recount the send's human engagement, and the learner's click date, from the events left human."""
    human = EngagementEvent.objects.filter(send=send, machine=False)
    totals = human.aggregate(
        opens=Min("occurred_at"),
        first_click=Min("occurred_at", filter=Q(kind=EngagementKind.CLICK)),
    )
    send.click_count = human.filter(kind=EngagementKind.CLICK).count()
    send.clicked_at, send.opened_at = totals["first_click"], totals["opens"]
    if send.opened_at is None and send.status == SendStatus.OPENED:
        send.status = SendStatus.DELIVERED if send.delivered_at else SendStatus.SENT
    send.save(update_fields=["click_count", "clicked_at", "opened_at", "status"])
    last_click = EngagementEvent.objects.filter(
        learner_id=send.learner_id, kind=EngagementKind.CLICK, machine=False
    ).aggregate(last=Max("occurred_at"))["last"]
    deliverability.correct_last_click(learner_id=send.learner_id, last_clicked_at=last_click)
