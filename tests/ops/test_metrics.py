"""/metrics: Prometheus text computed from the database, so every process reports the same totals."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from campaigns.mailboxes import MailboxError
from campaigns.models import RunStatus, SendStatus
from campaigns.services.ingestion import poll_mailbox_once
from tests.factories import (
    SOFT,
    BounceEventFactory,
    BounceMailboxFactory,
    CampaignRunFactory,
    InboundMessageFactory,
    SendFactory,
)

pytestmark = pytest.mark.django_db


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_metrics_count_ingested_messages_and_events_by_category(client, org):
    InboundMessageFactory.create_batch(3, organization=org)
    BounceEventFactory.create_batch(2, send__run__campaign__organization=org)
    BounceEventFactory(send__run__campaign__organization=org, **SOFT)

    samples = scrape(client)

    assert samples[("bounceportal_messages_ingested_total", ())] == 3
    assert samples[("bounceportal_bounce_events_total", (("category", "hard"),))] == 2
    assert samples[("bounceportal_bounce_events_total", (("category", "soft"),))] == 1
    assert samples[("bounceportal_bounce_events_total", (("category", "complaint"),))] == 0


def test_metrics_show_send_outcomes_by_status(client, org):
    run = CampaignRunFactory(campaign__organization=org)
    SendFactory.create_batch(2, run=run, status=SendStatus.SENT)
    SendFactory(run=run, status=SendStatus.DEFERRED)

    samples = scrape(client)

    assert samples[("bounceportal_sends", (("status", "sent"),))] == 2
    assert samples[("bounceportal_sends", (("status", "deferred"),))] == 1
    assert samples[("bounceportal_sends", (("status", "bounced"),))] == 0


def test_failed_polls_are_counted_and_survive_a_later_success(client, org, tmp_path):
    mailbox = BounceMailboxFactory(organization=org, folder=str(tmp_path / "missing"))
    for _ in range(2):
        with pytest.raises(MailboxError):
            poll_mailbox_once(mailbox=mailbox, use_lock=False)
    (tmp_path / "missing").mkdir()
    for sub in ("cur", "new", "tmp"):
        (tmp_path / "missing" / sub).mkdir()

    poll_mailbox_once(mailbox=mailbox, use_lock=False)

    samples = scrape(client)
    assert samples[("bounceportal_mailbox_poll_failures_total", ())] == 2
    assert samples[("bounceportal_mailboxes_failing", ())] == 0


def test_queue_lag_is_the_age_of_the_oldest_due_unclaimed_send(client, org):
    run = CampaignRunFactory(campaign__organization=org, status=RunStatus.SENDING)
    now = timezone.now()
    SendFactory(run=run, status=SendStatus.DEFERRED, next_attempt_at=now - timedelta(minutes=10))
    SendFactory(run=run, status=SendStatus.DEFERRED, next_attempt_at=now + timedelta(minutes=10))
    SendFactory(run=run, status=SendStatus.SCHEDULED, created_at=now - timedelta(hours=2), claimed_at=now)

    lag = scrape(client)[("bounceportal_send_queue_lag_seconds", ())]

    assert 590 < lag < 700
