"""Readiness checks for ``/readyz``: each returns a Check saying whether its dependency is usable.

Every check is bounded in time (1–2 s connect and read timeouts), so a dead
dependency makes ``/readyz`` answer 503 quickly instead of hanging the probe.
Without a broker (``REDIS_URL`` unset: the embedded demo, tasks run in-process)
Redis, the broker and beat are not part of the deployment and report "not used".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import connection

from reports.ops.lags import beat_heartbeat_age_seconds, mailbox_poll_lag_seconds

CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
NOT_USED = "not used: REDIS_URL is unset, tasks run in-process"


@dataclass
class Check:
    ok: bool
    detail: str = "ok"
    values: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(data.pop("values"))
        return data


def check_database() -> Check:
    """The default database answers a query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Check(True)


def _ping_redis(url: str) -> Check:
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS, socket_timeout=READ_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()
    return Check(True)


def check_redis() -> Check:
    """Redis (REDIS_URL: poll locks, the sending rate limit) and the shared cache (CACHE_URL) answer PING."""
    if not settings.REDIS_URL:
        return Check(True, NOT_USED)
    _ping_redis(settings.REDIS_URL)
    if settings.CACHE_URL and settings.CACHE_URL != settings.REDIS_URL:
        _ping_redis(settings.CACHE_URL)
    return Check(True)


def check_broker() -> Check:
    """Celery's broker accepts a connection (kombu, the same transport the workers use)."""
    if not settings.REDIS_URL:
        return Check(True, NOT_USED)
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CONNECT_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=0, timeout=READ_TIMEOUT_SECONDS)
    return Check(True)


def check_beat() -> Check:
    """Beat's heartbeat task ran on a worker recently (ops.tasks.record_beat_heartbeat)."""
    if not settings.REDIS_URL:
        return Check(True, NOT_USED)
    age = beat_heartbeat_age_seconds()
    limit = settings.READYZ_BEAT_MAX_AGE_SECONDS
    if age is None:
        return Check(False, "no beat heartbeat recorded yet: is celery beat running?", {"max_age_seconds": limit})
    values = {"age_seconds": round(age, 1), "max_age_seconds": limit}
    if age > limit:
        return Check(False, f"the last beat heartbeat is {age:.0f} s old (limit {limit} s)", values)
    return Check(True, values=values)


def check_mailbox_lag() -> Check:
    """No enabled mailbox waits for its poll longer than READYZ_MAX_MAILBOX_LAG_SECONDS past its due time."""
    lag = mailbox_poll_lag_seconds()
    limit = settings.READYZ_MAX_MAILBOX_LAG_SECONDS
    values = {"lag_seconds": round(lag, 1), "max_lag_seconds": limit}
    if lag > limit:
        return Check(False, f"a mailbox poll is {lag:.0f} s overdue (limit {limit} s)", values)
    return Check(True, values=values)


CHECKS: dict[str, Callable[[], Check]] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "beat": check_beat,
    "mailbox_lag": check_mailbox_lag,
}
NEEDS_DATABASE = ("beat", "mailbox_lag")


def run_checks() -> dict[str, Check]:
    """Run every check; a check that raises is a failure named after the exception (never its traceback)."""
    results: dict[str, Check] = {}
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and not results["database"].ok:
            results[name] = Check(False, "skipped: the database is unavailable")
            continue
        started = time.monotonic()
        try:
            result = check()
        except Exception as exc:  # any failure of a dependency is a "not ready", whatever its type
            result = Check(False, f"{type(exc).__name__}: {exc}"[:300])
        result.values["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    if not results["database"].ok:
        connection.close()  # a broken connection must not be reused by the next request
    return results
