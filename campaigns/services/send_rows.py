"""A run's send rows: one per targeted learner, scheduled or skipped with the reason, each with its token.

Deliverable learners get a ``scheduled`` send; learners left out get a
``skipped`` send whose ``skip_reason`` says why (their status, ``bounced`` or
``unsubscribed``, or ``invalid_address`` when ``smtp_address`` refuses the
address), so run details can list them. A scheduled run's sends carry their due
time (``campaigns.send_windows.DuePlan``) in ``next_attempt_at``.

On PostgreSQL the rows never come to Python: one ``INSERT … SELECT`` over the
audience's learners writes them all, each row's skip reason, token and due time
computed in the statement, and returns the left-out counts. The tokens are one
``secrets.token_bytes`` blob (18 bytes a send, the form of
``secrets.token_urlsafe(18)``) sent as one parameter and cut by row number. The
address check stays Python's (``smtp_address`` is its one definition): a
grouped read first gives the audience's domains and the active learners'
addresses whose local part is not a plain dot-atom; Python judges those few
strings, and the insert leaves out the addresses found invalid (the odd ones,
and every address at a refused domain). The learner's status is read by the
insert itself, so a learner suppressed meanwhile is never scheduled; an address
changed between the two statements to one the read did not see is caught when
its send is sent (``delivery`` checks every address again and skips it as
``invalid_address``). Elsewhere (SQLite, the demo) the rows are built in Python
and bulk-created.
"""

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import QuerySet

from bounceportal.db import concrete_fields, sql_names
from campaigns.models import CampaignRun, Send, SendStatus
from campaigns.send_windows import DuePlan
from campaigns.services.messages import smtp_address
from contacts.choices import DeliverabilityStatus

INVALID_ADDRESS = "invalid_address"
# An address whose local part is a plain dot-atom (the common case of Django's EmailValidator,
# ``messages._DOT_ATOM``) and which has exactly one "@"; with the length checks and a domain that
# smtp_address accepts, such an address is one smtp_address accepts.
PLAIN_ADDRESS = r"^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*@[^@]*$"
_ROW_FIELDS = ("learner_id", "token", "email", "domain", "status", "skip_reason", "next_attempt_at")


@dataclass(frozen=True)
class WrittenSends:
    left_out: dict[str, int]  # skipped sends by reason
    scheduled: int
    last_due_at: datetime | None  # the last scheduled send's due time (None without due times)


def write_sends(
    *, run: CampaignRun, learners: QuerySet, now: datetime, plan_for: Callable[[int], DuePlan] | None
) -> WrittenSends:
    """Write one send per learner of ``learners`` for ``run`` (created and changed at ``now``).

    ``plan_for(count)`` gives the due times of ``count`` scheduled sends (it may raise, and then
    nothing is written); without it the sends have none (an immediate run).
    """
    if connection.vendor == "postgresql":
        return _write_in_sql(run, learners, now, plan_for)
    return _write_in_python(run, learners, now, plan_for)


def skip_reason(status: str, email: str) -> str:
    """Why a learner of this status and address gets no message ("" when it gets one)."""
    if status != DeliverabilityStatus.ACTIVE:
        return status
    return "" if smtp_address(email) is not None else INVALID_ADDRESS


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()[:253]


def _write_in_python(run, learners, now, plan_for) -> WrittenSends:
    rows = list(learners.order_by("pk").values_list("pk", "email", "status").iterator(chunk_size=10_000))
    reasons = [skip_reason(status, email) for _pk, email, status in rows]
    count = reasons.count("")
    plan = plan_for(count) if plan_for else None
    sends: list[Send] = []
    left_out: dict[str, int] = {}
    n, last_due_at = 0, None
    for (learner_id, email, _status), reason in zip(rows, reasons):
        due = None
        if reason:
            left_out[reason] = left_out.get(reason, 0) + 1
        elif plan is not None:
            due = last_due_at = plan.due_at(n, count)
            n += 1
        status = SendStatus.SKIPPED if reason else SendStatus.SCHEDULED
        values = (learner_id, _token(), email, _domain(email), status, reason, due)
        sends.append(
            Send(
                organization_id=run.organization_id,
                run=run,
                created_at=now,
                status_changed_at=now,
                **dict(zip(_ROW_FIELDS, values)),
            )
        )
    Send.objects.bulk_create(sends, batch_size=500)
    return WrittenSends(left_out=left_out, scheduled=count, last_due_at=last_due_at)


def _token() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(18)).decode("ascii")


_DOMAIN_SQL = "split_part(l.email, '@', -1)"  # after the last "@": str.rpartition("@")[2]
_PLAIN_SQL = "(l.email ~ %s AND length(l.email) <= 254 AND position('@' in l.email) <= 65)"
# A row past the tokens drawn (a learner added between the read and the insert) draws 18 random
# bytes from three version-4 UUIDs, leaving out their version and variant bits (bytes 6 and 8).
_SPARE_TOKEN_SQL = (
    "substr(uuid_send(gen_random_uuid()), 1, 6) || substr(uuid_send(gen_random_uuid()), 10, 7)"
    " || substr(uuid_send(gen_random_uuid()), 1, 5)"
)
_TOKEN_SQL = (
    f"translate(encode(CASE WHEN l.k < %s THEN substr(%s::bytea, (l.k * 18 + 1)::int, 18) ELSE {_SPARE_TOKEN_SQL} END,"
    " 'base64'), '+/', '-_')"
)


def _audience_sql(learners: QuerySet) -> tuple[str, tuple]:
    sql, params = learners.order_by().values("id", "email", "status").query.sql_with_params()
    return sql, tuple(params)


@dataclass(frozen=True)
class _Checked:
    learners: int  # of the audience, any status
    valid: int  # active learners whose address smtp_address accepts
    invalid: list[str]  # active learners' addresses it refuses


def _check_addresses(audience: str, params: tuple) -> _Checked:
    """Judge the audience's addresses with smtp_address, reading only its domains and odd addresses."""
    active = DeliverabilityStatus.ACTIVE.value
    grouped = (
        f"SELECT {_DOMAIN_SQL}, count(*), count(*) FILTER (WHERE l.status = %s), "
        f"array_agg(l.email) FILTER (WHERE l.status = %s AND NOT coalesce({_PLAIN_SQL}, false)) "
        f"FROM ({audience}) l GROUP BY 1"
    )
    learners, valid, invalid, refused = 0, 0, [], []
    with connection.cursor() as cursor:
        cursor.execute(grouped, (active, active, PLAIN_ADDRESS, *params))
        for domain, count, active_count, odd in cursor.fetchall():
            learners += count
            if smtp_address(f"x@{domain}") is None:  # every address at this domain is refused
                refused.append(domain)
                continue
            odd_refused = [email for email in odd or () if smtp_address(email) is None]
            invalid += odd_refused
            valid += active_count - len(odd_refused)
        if refused:
            cursor.execute(
                f"SELECT l.email FROM ({audience}) l WHERE l.status = %s AND {_DOMAIN_SQL} = ANY(%s::text[])",
                (*params, active, refused),
            )
            invalid += [email for (email,) in cursor.fetchall()]
    return _Checked(learners=learners, valid=valid, invalid=invalid)


def _due_sql(plan: DuePlan | None, count: int) -> tuple[str, list]:
    """The due time of the scheduled row numbered ``l.n`` (from 0): DuePlan.due_at, in SQL.

    The offset is held inside the window's open time, so a learner added between the read and
    the insert (numbered past ``count``) is due at the window's end, not after it.
    """
    if plan is None:
        return "NULL::timestamptz", []
    x = "least(l.n::float8 * %s::float8, %s::float8)"
    x_params = [plan.step(count), float(max(plan.total - 1, 0))]
    *pieces, last = plan.pieces
    sql, params = "", []
    for begin, before, until in pieces:
        sql += f" WHEN {x} < %s::float8 THEN %s::timestamptz + interval '1 microsecond' * floor({x} - %s::float8)"
        params += [*x_params, float(until), begin, *x_params, float(before)]
    begin, before, _until = last
    tail = f"%s::timestamptz + interval '1 microsecond' * floor({x} - %s::float8)"
    params += [begin, *x_params, float(before)]
    return (f"CASE{sql} ELSE {tail} END" if sql else tail), params


def _write_in_sql(run, learners, now, plan_for) -> WrittenSends:
    audience, audience_params = _audience_sql(learners)
    checked = _check_addresses(audience, audience_params)
    plan = plan_for(checked.valid) if plan_for else None
    due, due_params = _due_sql(plan, checked.valid)
    # Every other column gets its model default, so a new field with a default needs no change here.
    given = {"organization_id": run.organization_id, "run_id": run.pk, "created_at": now, "status_changed_at": now}
    constant_fields = [f for f in Send._meta.concrete_fields if not f.primary_key and f.attname not in _ROW_FIELDS]
    constants = [f.get_db_prep_save(given.get(f.attname, f.get_default()), connection) for f in constant_fields]
    names = sql_names(Send, connection)
    columns = ", ".join(getattr(names, f.name) for f in [*constant_fields, *concrete_fields(Send, _ROW_FIELDS)])
    sql = f"""
        WITH written AS (
            INSERT INTO {names.table} ({columns})
            SELECT {", ".join(["%s"] * len(constants))}, l.id, {_TOKEN_SQL}, l.email,
                   left(lower({_DOMAIN_SQL}), 253), CASE WHEN l.reason = '' THEN %s ELSE %s END, l.reason,
                   CASE WHEN l.reason = '' THEN {due} END
            FROM (
                SELECT r.id, r.email, r.reason, row_number() OVER w - 1 AS k,
                       count(*) FILTER (WHERE r.reason = '') OVER w - 1 AS n
                FROM (
                    SELECT l.id, l.email,
                           CASE WHEN l.status <> %s THEN l.status
                                WHEN l.email = ANY(%s::text[]) THEN %s ELSE '' END AS reason
                    FROM ({audience}) l
                ) r
                WINDOW w AS (ORDER BY r.id ROWS UNBOUNDED PRECEDING)
            ) l
            ORDER BY l.id
            RETURNING {names.skip_reason}, {names.next_attempt_at}
        )
        SELECT {names.skip_reason}, count(*), max({names.next_attempt_at}) FROM written GROUP BY 1
    """
    params = [
        *constants,
        checked.learners,
        secrets.token_bytes(18 * checked.learners),
        SendStatus.SCHEDULED.value,
        SendStatus.SKIPPED.value,
        *due_params,
        DeliverabilityStatus.ACTIVE.value,
        checked.invalid,
        INVALID_ADDRESS,
        *audience_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = {reason: (count, last) for reason, count, last in cursor.fetchall()}
    scheduled, last_due_at = counts.pop("", (0, None))
    return WrittenSends(
        left_out={reason: count for reason, (count, _last) in counts.items()},
        scheduled=scheduled,
        last_due_at=last_due_at,
    )
