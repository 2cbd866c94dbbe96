"""Send one chunk of a run: claim the sends, talk SMTP, write the outcomes back in bulk.

Per chunk: ONE conditional UPDATE … RETURNING claims the due sends (so a
retried or duplicated task never sends a message twice while the claim is
held), one SMTP connection carries every message, and every FLUSH_EVERY
messages the outcomes are written back in one transaction: the sends in one
executemany, the bounce events of 5xx replies in one bulk insert plus the
policy (``apply_bounce_events``), and the lease of the rest renewed.

A 2xx makes the send ``sent``; a 5xx at RCPT or DATA is a bounce event at
once, classified from the reply; a 4xx or a connection failure defers the
send with backoff until SEND_RETRY_WINDOW_SECONDS after its first attempt,
and then it expires (an ``expired`` soft bounce). A 5xx to MAIL FROM is about
our sender, not the learner: the send fails and the learner is untouched.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from bounceportal.classifier import classify_smtp_reply, recipient_for_reason
from bounceportal.db import sql_names, update_fields_many, write_surviving_restarts
from campaigns.models import (
    BounceEvent,
    Campaign,
    CampaignRun,
    EspConnection,
    EventOutcome,
    EventSource,
    MatchedBy,
    RunStatus,
    Send,
    SendStatus,
)
from campaigns.services.esp.sending import EspSession
from campaigns.services.explanation import explanation_fields
from campaigns.services.guard import guard_runs
from campaigns.services.messages import MessageTemplate, smtp_address
from campaigns.services.policy import apply_bounce_events, lock_learners_in_order
from campaigns.services.ratelimit import RateLimiter
from campaigns.services.smtp import Reply, SmtpSession
from contacts.choices import Category, DeliverabilityStatus, Subtype
from contacts.models import Learner

logger = logging.getLogger(__name__)

# Outcomes are committed (and the claim on the rest renewed) every FLUSH_EVERY
# messages or FLUSH_SECONDS, whichever comes first: a slow, rate-limited chunk
# keeps its claim alive, and a crash can only lose the outcomes of one batch.
FLUSH_EVERY = 100
FLUSH_SECONDS = 60
PENDING_STATUSES = (SendStatus.SCHEDULED, SendStatus.DEFERRED)
STOPPED_RUN_STATUSES = (RunStatus.PAUSED, RunStatus.CANCELLED)
WRITTEN_FIELDS = [
    "status",
    "skip_reason",
    "attempts",
    "first_attempt_at",
    "next_attempt_at",
    "claimed_at",
    "sent_at",
    "bounced_at",
    "status_changed_at",
    "last_reply",
]


@dataclass
class ChunkResult:
    claimed: int = 0
    sent: int = 0
    bounced: int = 0
    deferred: int = 0
    expired: int = 0
    failed: int = 0
    skipped: int = 0


def lease_expiry(now):
    """Claims older than this belong to a worker that died."""
    return now - timedelta(seconds=settings.SEND_CLAIM_LEASE_SECONDS)


# Table and column names come from the models (bounceportal.db.sql_names); s: the send, l: its learner.
_CLAIM_SQL = """
UPDATE {s.table} AS s SET {s.claimed_at} = %(now)s,
  {s.email} = l.{l.email}, {s.domain} = lower(split_part(l.{l.email}, '@', 2))
FROM {l.table} AS l
WHERE l.{l.id} = s.{s.learner_id} AND s.{s.run_id} = %(run)s AND s.{s.id} BETWEEN %(first)s AND %(last)s
  AND NOT EXISTS (SELECT 1 FROM {r.table} AS r WHERE r.{r.id} = %(run)s AND r.{r.status} IN (%(paused)s, %(cancelled)s))
  AND s.{s.status} IN (%(scheduled)s, %(deferred)s)
  AND (s.{s.next_attempt_at} IS NULL OR s.{s.next_attempt_at} <= %(now)s)
  AND (s.{s.claimed_at} IS NULL OR s.{s.claimed_at} < %(lease)s)
RETURNING s.{s.id}, s.{s.organization_id}, s.{s.learner_id}, s.{s.token}, s.{s.email}, s.{s.attempts},
          s.{s.first_attempt_at}, s.{s.last_reply}, l.{l.status}, l.{l.first_name}, l.{l.last_name}, l.{l.department}
"""
_CLAIM_COLUMNS = (
    "id",
    "organization_id",
    "learner_id",
    "token",
    "email",
    "attempts",
    "first_attempt_at",
    "last_reply",
    "learner_status",
    "first_name",
    "last_name",
    "department",
)


class ClaimedSend:
    """The columns of a claimed send the worker needs (a Model instance costs more to build than to send)."""

    __slots__ = (
        *_CLAIM_COLUMNS,
        "run_id",
        "claimed_at",
        "status",
        "skip_reason",
        "next_attempt_at",
        "sent_at",
        "bounced_at",
        "status_changed_at",
    )
    id: int
    organization_id: int
    learner_id: int
    token: str
    email: str
    attempts: int
    first_attempt_at: datetime | None
    last_reply: str
    learner_status: str
    first_name: str
    last_name: str
    department: str
    run_id: int
    claimed_at: datetime | None
    status: str
    skip_reason: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    bounced_at: datetime | None
    status_changed_at: datetime

    def __init__(self, row: dict[str, Any], *, run_id: int, now: datetime):
        for name, value in row.items():
            setattr(self, name, value)
        self.run_id, self.claimed_at, self.status_changed_at = run_id, now, now
        self.skip_reason, self.next_attempt_at, self.sent_at, self.bounced_at = "", None, None, None


def claim_sends(*, run_id: int, first_id: int, last_id: int, now=None) -> list[ClaimedSend]:
    """Claim the run's due, unclaimed sends with ids in [first_id, last_id]; return them (in id order).

    Nothing is claimed from a paused or cancelled run: it sends nothing more.

    Each carries ``learner_status``, the learner's state now: a learner
    suppressed since the run was scheduled is skipped, not sent to. The send
    takes the learner's address as it is now (it may have been corrected since
    the run was scheduled).
    """
    now = now or timezone.now()
    params = {"now": now, "run": run_id, "first": first_id, "last": last_id, "lease": lease_expiry(now)}
    if connection.vendor == "postgresql":
        sql = _CLAIM_SQL.format(
            s=sql_names(Send, connection), l=sql_names(Learner, connection), r=sql_names(CampaignRun, connection)
        )
        params.update(
            scheduled=SendStatus.SCHEDULED,
            deferred=SendStatus.DEFERRED,
            paused=RunStatus.PAUSED,
            cancelled=RunStatus.CANCELLED,
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [dict(zip(_CLAIM_COLUMNS, row)) for row in cursor.fetchall()]
    else:  # SQLite serializes writers: select, then claim those still unclaimed
        if CampaignRun.objects.filter(pk=run_id, status__in=STOPPED_RUN_STATUSES).exists():
            return []
        with transaction.atomic():
            due = (
                Send.objects.filter(run_id=run_id, pk__gte=first_id, pk__lte=last_id, status__in=PENDING_STATUSES)
                .exclude(next_attempt_at__gt=now)
                .exclude(claimed_at__gte=params["lease"])
            )
            rows = list(
                due.values(
                    *_CLAIM_COLUMNS[:-4],
                    learner_status=F("learner__status"),
                    learner_email=F("learner__email"),
                    **{name: F(f"learner__{name}") for name in _CLAIM_COLUMNS[-3:]},
                )
            )
            Send.objects.filter(pk__in=[row["id"] for row in rows]).update(claimed_at=now)
            for row in rows:
                current = row.pop("learner_email")
                if current != row["email"]:
                    row["email"] = current
                    Send.objects.filter(pk=row["id"]).update(email=current, domain=current.rpartition("@")[2].lower())
    return [ClaimedSend(row, run_id=run_id, now=now) for row in sorted(rows, key=lambda r: r["id"])]


class _Chunk:
    """Outcomes of one chunk waiting to be written back."""

    def __init__(self, template: MessageTemplate, run_id: int):
        self.template = template
        self.run_id = run_id
        self.remote_mta = settings.SMTP_HOST  # or the ESP's name when the run goes through one
        self.result = ChunkResult()
        self.done: list[ClaimedSend] = []
        self.events: list[BounceEvent] = []
        self.skipped: dict[str, int] = {}

    def _start_attempt(self, send: ClaimedSend, now) -> None:
        send.attempts += 1
        send.first_attempt_at = send.first_attempt_at or now
        send.status_changed_at = now

    def skip(self, send: ClaimedSend, reason: str, now) -> None:
        send.status, send.skip_reason, send.status_changed_at = SendStatus.SKIPPED, reason, now
        self.result.skipped += 1
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        self.done.append(send)

    def record(self, send: ClaimedSend, reply: Reply, now) -> None:
        """Turn one SMTP reply into the send's new state (and a bounce event for a 5xx)."""
        self._start_attempt(send, now)
        send.last_reply = str(reply)[:2000]
        if reply.accepted:
            send.status, send.sent_at, send.next_attempt_at = SendStatus.SENT, now, None
            self.result.sent += 1
        elif reply.permanent and reply.stage == "MAIL":
            send.status = SendStatus.FAILED
            self.result.failed += 1
        elif reply.permanent:
            # Our relay is not the refusing party: it must not name a product (a relay at
            # smtp.google.com would make every refusal Google's), so it joins after classifying.
            recipient = classify_smtp_reply(reply.code, reply.text, address=send.email, command=reply.stage)
            recipient.remote_mta = self.remote_mta
            self._bounce(send, recipient, now)
            self.result.bounced += 1
        else:
            self._defer(send, reply, now)
        self.done.append(send)

    def _defer(self, send: ClaimedSend, reply: Reply, now) -> None:
        first_attempt = send.first_attempt_at or now  # set by _start_attempt
        deadline = first_attempt + timedelta(seconds=settings.SEND_RETRY_WINDOW_SECONDS)
        if now >= deadline:
            hours = settings.SEND_RETRY_WINDOW_SECONDS / 3600
            recipient = recipient_for_reason(
                "expired",
                address=send.email,
                status="4.4.7",
                reply_code=str(reply.code or ""),
                diagnostic=f"Delivery expired: retried {send.attempts} times over {hours:g} hours. Last reply: {reply}",
            )
            self._bounce(send, recipient, now)
            self.result.expired += 1
            return
        backoff = min(settings.SEND_RETRY_BASE_SECONDS * 2 ** (send.attempts - 1), settings.SEND_RETRY_MAX_SECONDS)
        send.status = SendStatus.DEFERRED
        send.next_attempt_at = min(now + timedelta(seconds=backoff), deadline)
        send.claimed_at = None
        self.result.deferred += 1

    def _bounce(self, send: ClaimedSend, recipient, now) -> None:
        send.status, send.bounced_at, send.next_attempt_at = SendStatus.BOUNCED, now, None
        category, subtype = recipient.category, recipient.subtype
        if category not in Category.values or subtype not in Subtype.values:
            category, subtype = Category.UNDETERMINED, Subtype.UNDETERMINED
        self.events.append(
            BounceEvent(
                organization_id=send.organization_id,
                send_id=send.id,
                learner_id=send.learner_id,
                source=EventSource.SMTP,
                address=send.email,
                action=recipient.action,
                status=recipient.status[:16],
                reply_code=recipient.reply_code[:3],
                reason=recipient.reason,
                category=category,
                subtype=subtype,
                hard=recipient.hard,
                diagnostic=recipient.diagnostic,
                remote_mta=recipient.remote_mta[:253],
                matched_by=MatchedBy.VERP,
                occurred_at=now,
                **explanation_fields(recipient),
            )
        )

    def flush(self, pending_ids: list[int]) -> bool:
        """Write outcomes, events, policy and the guard's counts in one transaction; renew the
        claim on ``pending_ids``, or give it back when the run is no longer sending (paused by
        the guard, here or by another worker). Return True while the run is still sending.

        A database restart meanwhile is waited out (``write_surviving_restarts``): the messages
        already handed to the server are recorded, not sent again after the lease.
        """
        if not self.done:
            return True
        first = self.done[0]  # every flush gives its sends a new status_changed_at: the proof it committed
        state = {"sending": True}

        def write() -> None:
            state["sending"] = self._write(pending_ids)

        def committed() -> bool:
            if not Send.objects.filter(pk=first.id, status_changed_at=first.status_changed_at).exists():
                return False
            state["sending"] = not CampaignRun.objects.filter(pk=self.run_id, status__in=STOPPED_RUN_STATUSES).exists()
            return True

        write_surviving_restarts(write, committed=committed)
        self.done, self.events, self.skipped = [], [], {}
        return state["sending"]

    def _write(self, pending_ids: list[int]) -> bool:
        now = timezone.now()
        for event in self.events:  # as built, in case an earlier attempt rolled back after inserting them
            event.pk, event.outcome, event.applied_at = None, EventOutcome.PENDING, None
            event._state.adding = True
        with transaction.atomic():
            # A deadlock-aborted flush would leave its claims to expire and its messages to be sent again.
            lock_learners_in_order(e.learner_id for e in self.events)
            update_fields_many(self.done, WRITTEN_FIELDS, model=Send)
            if self.events:
                apply_bounce_events(events=BounceEvent.objects.bulk_create(self.events), now=now, guard=False)
            sending = self._guard(now)
            if pending_ids:
                claim = now if sending else None  # unsent sends of a paused run stay scheduled, unclaimed
                Send.objects.filter(pk__in=pending_ids, status__in=PENDING_STATUSES).update(claimed_at=claim)
            if self.skipped:  # the run's left_out counts learners suppressed since it was scheduled too
                run = CampaignRun.objects.select_for_update().only("left_out").get(pk=self.run_id)
                for reason, count in self.skipped.items():
                    run.left_out[reason] = run.left_out.get(reason, 0) + count
                run.save(update_fields=["left_out"])
        return sending

    def _guard(self, now) -> bool:
        """Let the run guard judge the run's counters, this batch's outcomes counted; True while the run sends."""
        return self.run_id not in guard_runs([self.run_id], now=now)


def send_chunk(*, run_id: int, first_id: int, last_id: int) -> ChunkResult:
    """Send the run's due sends with ids in [first_id, last_id] over one SMTP connection.

    Returns the counts; the outcomes are in the database. Safe to run twice or
    concurrently for the same range: only the claimer sends.
    """
    sends = claim_sends(run_id=run_id, first_id=first_id, last_id=last_id)
    if not sends:
        return ChunkResult()
    campaign = Campaign.objects.select_related("organization").get(runs__pk=run_id)
    template = MessageTemplate(campaign, bounce_domain=settings.BOUNCE_DOMAIN, base_url=settings.PUBLIC_BASE_URL)
    limiter = RateLimiter(organization_id=campaign.organization_id, rate=campaign.organization.send_rate_per_second)
    chunk = _Chunk(template, run_id)
    chunk.result.claimed = len(sends)
    flushed_at = time.monotonic()
    esp = EspConnection.objects.filter(runs__pk=run_id).first()
    if esp is not None:
        chunk.remote_mta = esp.get_service_display()
    try:
        with EspSession(esp) if esp is not None else SmtpSession() as session:
            for index, send in enumerate(sends):
                _send_one(chunk, session, limiter, send)
                checkpoint("after_message")
                if len(chunk.done) >= FLUSH_EVERY or time.monotonic() - flushed_at >= FLUSH_SECONDS:
                    # The flush reads the run's status: paused by the guard or cancelled (cancel_run made
                    # the rest skipped), the chunk stops here.
                    if not chunk.flush([s.id for s in sends[index + 1 :]]):
                        logger.info("Run %s is no longer sending: chunk %s-%s stops", run_id, first_id, last_id)
                        break
                    flushed_at = time.monotonic()
    except (OperationalError, InterfaceError):
        raise  # the database itself: the flush already waited as long as it could
    except Exception:
        # Redis (the rate limit) or anything else failed mid-chunk: record what the server already
        # accepted, so only the unsent sends wait for the lease to expire and go again.
        _flush_after_failure(chunk)
        raise
    chunk.flush([])
    logger.info("Run %s chunk %s-%s: %s", run_id, first_id, last_id, chunk.result)
    return chunk.result


def _flush_after_failure(chunk: _Chunk) -> None:
    try:
        chunk.flush([])
    except Exception:  # the database is down too: those outcomes are lost, their sends go again after the lease
        logger.exception("Run %s: could not record %s outcomes after a failed chunk", chunk.run_id, len(chunk.done))


def checkpoint(name: str) -> None:
    """A point of a chunk where a service may fail ("after_message": one message handed to the server).

    Does nothing; the service-restart tests (tests/campaigns/test_service_restarts.py) replace it.
    """


def _send_one(chunk: _Chunk, session: SmtpSession | EspSession, limiter: RateLimiter, send: ClaimedSend) -> None:
    if send.learner_status != DeliverabilityStatus.ACTIVE:
        chunk.skip(send, send.learner_status, timezone.now())
        return
    recipient = smtp_address(send.email)
    if recipient is None:
        chunk.skip(send, "invalid_address", timezone.now())
        return
    limiter.acquire()
    values = {"first_name": send.first_name, "last_name": send.last_name, "department": send.department}
    message = chunk.template.render(token=send.token, to=recipient, values={**values, "email": send.email})
    reply = session.deliver(sender=chunk.template.envelope_sender(send.token), recipient=recipient, message=message)
    chunk.record(send, reply, timezone.now())
