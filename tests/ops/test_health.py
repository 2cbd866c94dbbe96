"""/healthz says the process answers; /readyz names each dependency and what failed (real PostgreSQL and Redis)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.ops.models import Heartbeat
from reports.ops.tasks import BEAT, record_beat_heartbeat
from tests.factories import BounceMailboxFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_beat_heartbeat_task_records_when_it_ran():
    record_beat_heartbeat.delay()
    first = Heartbeat.objects.get(name=BEAT).beat_at

    record_beat_heartbeat.delay()

    assert Heartbeat.objects.get(name=BEAT).beat_at >= first
    assert Heartbeat.objects.count() == 1


def test_beat_heartbeat_is_on_beats_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "reports.ops.tasks.record_beat_heartbeat" in tasks


@pytest.mark.redis
def test_readyz_is_ok_when_database_redis_broker_and_beat_answer(client):
    record_beat_heartbeat.delay()

    response = client.get("/readyz")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert set(body["checks"]) == {"database", "redis", "broker", "beat", "mailbox_lag"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.redis
def test_readyz_fails_with_503_naming_redis_and_broker_when_redis_is_unreachable(client, settings, closed_port):
    record_beat_heartbeat.delay()
    settings.REDIS_URL = settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    settings.CACHE_URL = None

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failed"] == ["redis", "broker"]
    assert "refused" in body["checks"]["redis"]["detail"].lower()
    assert body["checks"]["database"]["ok"] and body["checks"]["beat"]["ok"]


@pytest.mark.redis
def test_readyz_fails_when_beat_never_recorded_a_heartbeat(client):
    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["beat"]
    assert "celery beat" in response.json()["checks"]["beat"]["detail"]


@pytest.mark.redis
def test_readyz_fails_when_the_beat_heartbeat_is_stale(client, settings):
    settings.READYZ_BEAT_MAX_AGE_SECONDS = 120
    Heartbeat.objects.create(name=BEAT, beat_at=timezone.now() - timedelta(minutes=10))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["beat"]
    assert response.json()["checks"]["beat"]["age_seconds"] >= 600


def test_readyz_fails_when_a_mailbox_poll_is_long_overdue(client, settings):
    settings.READYZ_MAX_MAILBOX_LAG_SECONDS = 600
    record_beat_heartbeat.delay()
    BounceMailboxFactory(poll_interval_seconds=300, last_polled_at=timezone.now() - timedelta(hours=1))

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["mailbox_lag"]
    assert 3200 < response.json()["checks"]["mailbox_lag"]["lag_seconds"] < 3400


def test_a_failing_mailbox_in_backoff_is_not_lag(client, settings):
    settings.READYZ_MAX_MAILBOX_LAG_SECONDS = 600
    settings.MAILBOX_RETRY_BACKOFF_SECONDS = 60
    record_beat_heartbeat.delay()
    # Eight failures in a row: the next try waits an hour (the customer's server refuses us, not our lag).
    BounceMailboxFactory(
        poll_interval_seconds=60, consecutive_failures=8, last_polled_at=timezone.now() - timedelta(minutes=50)
    )

    response = client.get("/readyz")

    assert response.json()["checks"]["mailbox_lag"]["ok"] is True


def test_readyz_and_metrics_refuse_anonymous_callers_in_production(client, production_ops):
    for path in ("/readyz", "/metrics"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert client.get(path, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401

    assert client.get("/healthz").status_code == 200


def test_readyz_and_metrics_accept_the_bearer_token_in_production(client, production_ops):
    record_beat_heartbeat.delay()

    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {production_ops}").status_code == 200
    assert client.get("/readyz", HTTP_AUTHORIZATION=f"Bearer {production_ops}").status_code == 200


def test_staff_may_read_metrics_in_production_and_other_users_may_not(client, settings):
    settings.PRODUCTION, settings.OPS_TOKEN = True, ""
    client.force_login(UserFactory(username="member"))
    assert client.get("/metrics").status_code == 401

    client.force_login(UserFactory(username="operator", is_staff=True))

    assert client.get("/metrics").status_code == 200
