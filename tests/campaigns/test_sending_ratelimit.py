"""The per-organization sending rate, kept in Redis so every worker shares one schedule."""

import secrets

import pytest
from django.conf import settings

from campaigns.services.ratelimit import RateLimiter, reserve
from campaigns.services.sending import create_run, launch_run
from tests.factories import CampaignFactory, LearnerFactory


@pytest.fixture
def key():
    assert settings.REDIS_URL, "these tests exercise the Redis limiter (make test sets REDIS_URL)"
    return f"test:{secrets.token_hex(8)}"


@pytest.mark.redis
def test_reservations_are_spaced_at_the_rate(key):
    delays = [reserve(key=key, count=5, rate=10) for _ in range(3)]

    assert delays[0] == 0
    assert delays[1] == pytest.approx(0.5, abs=0.1)
    assert delays[2] == pytest.approx(1.0, abs=0.1)


@pytest.mark.redis
def test_two_workers_share_one_organizations_schedule(key):
    waits = []
    first, second = (RateLimiter(organization_id=0, rate=5, sleep=waits.append) for _ in range(2))
    first.key = second.key = key

    for limiter in (first, second, first, second):
        limiter.acquire()

    assert waits == [pytest.approx(0.2, abs=0.1), pytest.approx(0.4, abs=0.1), pytest.approx(0.6, abs=0.1)]


@pytest.mark.redis
def test_a_limiter_reserves_permits_in_batches_of_a_tenth_of_a_second(key):
    waits = []
    limiter = RateLimiter(organization_id=0, rate=200, sleep=waits.append)
    limiter.key = key

    for _ in range(40):
        limiter.acquire()

    assert limiter.batch == 20
    assert waits == [pytest.approx(0.1, abs=0.05)]


@pytest.mark.django_db
def test_sending_never_goes_faster_than_the_organizations_rate(org, smtp_sink, django_capture_on_commit_callbacks):
    org.send_rate_per_second = 10
    org.save()
    LearnerFactory.create_batch(11, organization=org)

    with django_capture_on_commit_callbacks(execute=True):
        launch_run(run=create_run(campaign=CampaignFactory(organization=org)))

    received = [m.received_at for m in smtp_sink.messages]
    assert len(received) == 11
    assert received[-1] - received[0] >= 0.9  # 11 messages at 10/s span at least a second
