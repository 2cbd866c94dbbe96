"""A SendGrid burst of 10,000 events in one request: over ESP_WEBHOOK_SYNC_EVENTS it is answered 202 at
once and ingested by the worker (eager here) in batches of 1,000; every event is stored once."""

import json

import pytest

from campaigns.esp_models import EspEvent
from campaigns.models import BounceEvent, SendStatus
from tests.esp.conftest import hook_url
from tests.esp.signing import SendGridKey

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_ten_thousand_events_in_one_request_are_queued_and_all_stored(client, make_connection, send):
    key = SendGridKey()
    connection = make_connection("sendgrid", verification_key=key.public_b64)
    events = [
        {
            "email": send.email,
            "timestamp": 1764583200,
            "event": "delivered" if n % 2 else "processed",
            "sg_event_id": f"burst-{n}",
            "response": "250 2.0.0 OK",
            "bp_token": send.token,
        }
        for n in range(10_000)
    ]
    body = json.dumps(events).encode()

    response = client.post(hook_url(connection), data=body, content_type="application/json", **key.headers(body))

    assert response.status_code == 202 and response.json() == {"queued": 10_000}
    assert EspEvent.objects.filter(connection=connection).count() == 10_000
    assert not BounceEvent.objects.exists()
    send.refresh_from_db()
    assert send.status == SendStatus.DELIVERED
