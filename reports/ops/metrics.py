"""Prometheus metrics, computed from the database at scrape time.

Why not counters in process memory (or prometheus-client's multiprocess mode):
the work is done by gunicorn workers, Celery workers and beat, on several hosts,
restarted at every deploy. In-memory counters would each see a slice and reset
on restart; multiprocess mode only merges the processes of one host through a
shared directory, and still loses the counts of a host that is replaced. The
database already holds every fact (each inbound message, event and send is a
row; the mailbox keeps a running count of failed polls), so any web process
answers with the same numbers and nothing is lost or counted twice. The cost is
a handful of indexed aggregate queries per scrape.

Counters only grow: bounce events are append-only in the database (a re-classified
event is superseded, not deleted; bounceportal/audit.py), inbound messages are
never deleted outside retention, and ``BounceMailbox.poll_failures`` is only
incremented. Send outcomes are gauges (a send moves from scheduled to sent to
delivered or bounced).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count, Sum
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from campaigns.models import BounceEvent, BounceMailbox, InboundMessage, Send, SendStatus
from contacts.choices import Category
from reports.ops.lags import beat_heartbeat_age_seconds, mailbox_poll_lag_seconds, send_queue_lag_seconds

PREFIX = "bounceportal"


class DatabaseCollector(Collector):
    """Yields every BouncePortal metric from the database (and the broker's queue length from Redis)."""

    def collect(self) -> Iterator[Metric]:
        yield from self._ingestion()
        yield from self._sending()
        yield from self._lags()

    def _ingestion(self) -> Iterator[Metric]:
        ingested = CounterMetricFamily(
            f"{PREFIX}_messages_ingested", "Inbound messages stored from bounce mailboxes (each unique message once)."
        )
        ingested.add_metric([], InboundMessage.objects.count())
        yield ingested
        events = CounterMetricFamily(
            f"{PREFIX}_bounce_events",
            "Bounce events recorded, by category (events a re-classify later replaced included).",
            labels=["category"],
        )
        counts = dict(BounceEvent.objects.values_list("category").annotate(n=Count("pk")).values_list("category", "n"))
        for category in Category.values:
            events.add_metric([category], counts.get(category, 0))
        yield events
        failures = CounterMetricFamily(
            f"{PREFIX}_mailbox_poll_failures", "Mailbox polls that failed (any mailbox, since it was created)."
        )
        failures.add_metric([], BounceMailbox.objects.aggregate(n=Sum("poll_failures"))["n"] or 0)
        yield failures
        failing = GaugeMetricFamily(f"{PREFIX}_mailboxes_failing", "Enabled mailboxes whose last poll failed.")
        failing.add_metric([], BounceMailbox.objects.filter(enabled=True, consecutive_failures__gt=0).count())
        yield failing

    def _sending(self) -> Iterator[Metric]:
        sends = GaugeMetricFamily(
            f"{PREFIX}_sends", "Sends by current status (their outcome so far).", labels=["status"]
        )
        counts = dict(Send.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        for status in SendStatus.values:
            sends.add_metric([status], counts.get(status, 0))
        yield sends

    def _lags(self) -> Iterator[Metric]:
        gauges = {
            "mailbox_poll_lag_seconds": (
                "How long the most overdue mailbox poll is past due.",
                mailbox_poll_lag_seconds(),
            ),
            "send_queue_lag_seconds": (
                "Age of the oldest due send no live worker has claimed.",
                send_queue_lag_seconds(),
            ),
        }
        heartbeat = beat_heartbeat_age_seconds()
        if heartbeat is not None:
            gauges["beat_heartbeat_age_seconds"] = ("Age of the last beat heartbeat a worker recorded.", heartbeat)
        queued = celery_queue_length()
        if queued is not None:
            gauges["celery_queue_length"] = ("Tasks waiting in Celery's default queue.", queued)
        for name, (documentation, value) in gauges.items():
            gauge = GaugeMetricFamily(f"{PREFIX}_{name}", documentation)
            gauge.add_metric([], value)
            yield gauge


def celery_queue_length() -> int | None:
    """Return the length of Celery's default queue in the Redis broker (None without a broker or when unreachable)."""
    if not settings.REDIS_URL:
        return None
    import redis

    from bounceportal.celery import app

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        return int(client.llen(app.conf.task_default_queue))
    except redis.RedisError:
        return None
    finally:
        client.close()


def render_metrics() -> bytes:
    """Return the Prometheus text exposition of every metric."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector())
    return generate_latest(registry)
