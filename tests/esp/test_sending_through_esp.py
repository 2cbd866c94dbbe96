"""End to end: a run sent through a Postmark connection whose API is a fake the test runs on loopback,
then Postmark's bounce webhook for one of its messages, and the learner suppressed. The service's
synchronous refusal of another recipient is a bounce event at once, like an SMTP 5xx."""

import http.server
import json
import threading

import pytest

from campaigns.esp_models import EspConnection
from campaigns.models import BounceEvent, EventSource, Send, SendStatus
from campaigns.services.sending import RunError, create_run, launch_run
from contacts.choices import DeliverabilityStatus
from tests.esp.conftest import hook_url
from tests.factories import CampaignFactory, LearnerFactory

pytestmark = pytest.mark.django_db
INACTIVE = "refused@school.example"


class FakePostmark:
    """Answers POST /email as Postmark's API does (an inactive recipient: 422, ErrorCode 406)."""

    def __init__(self):
        self.requests: list[dict] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "token": self.headers["X-Postmark-Server-Token"], **payload})
                if payload["To"] == INACTIVE:
                    status, body = (
                        422,
                        {
                            "ErrorCode": 406,
                            "Message": f"You tried to send to recipient(s) that have been marked as inactive. Found "
                            f"inactive addresses: {INACTIVE}. Inactive recipients are ones that have generated a hard "
                            "bounce, a spam complaint, or a manual suppression.",
                        },
                    )
                else:
                    status, body = (
                        200,
                        {
                            "To": payload["To"],
                            "SubmittedAt": "2026-12-01T10:00:00Z",
                            "MessageID": f"pm-{len(outer.requests)}",
                            "ErrorCode": 0,
                            "Message": "OK",
                        },
                    )
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def postmark_api():
    api = FakePostmark()
    yield api
    api.close()


@pytest.fixture
def connection(org, postmark_api):
    connection = EspConnection(
        organization=org, name="Postmark", service="postmark", sending_enabled=True, api_url=postmark_api.url
    )
    connection.set_secrets(api_key="server-token-123")
    connection.save()
    return connection


def test_run_through_postmark_then_its_bounce_webhook_suppresses_the_learner(
    org, connection, postmark_api, client, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory(organization=org)
    jane = LearnerFactory(organization=org, email="jane@school.example")
    refused = LearnerFactory(organization=org, email=INACTIVE)

    with django_capture_on_commit_callbacks(execute=True):
        run = launch_run(run=create_run(campaign=campaign, esp_connection=connection))

    sent = {r["To"]: r for r in postmark_api.requests}
    jane_send = Send.objects.get(run=run, learner=jane)
    request = sent[jane.email]
    headers = {h["Name"]: h["Value"] for h in request["Headers"]}
    assert request["token"] == "server-token-123" and request["Metadata"] == {"bp_token": jane_send.token}
    assert headers["Message-ID"] == f"<{jane_send.token}@bounces.bounceportal.test>"
    assert headers["X-BouncePortal-Token"] == jane_send.token
    assert headers["List-Unsubscribe"].startswith("<") and f"/u/{jane_send.token}/" in headers["List-Unsubscribe"]
    assert jane_send.status == SendStatus.SENT
    refusal = BounceEvent.objects.get(learner=refused)
    assert refusal.source == EventSource.SMTP and refusal.reply_code == "550"
    assert Send.objects.get(run=run, learner=refused).status == SendStatus.BOUNCED

    bounce = {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": "pm-1",
        "Metadata": request["Metadata"],
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": jane.email,
        "BouncedAt": "2026-12-01T10:05:00Z",
    }
    response = client.post(hook_url(connection), data=json.dumps(bounce), content_type="application/json")

    assert response.status_code == 200
    jane.refresh_from_db()
    assert jane.status == DeliverabilityStatus.BOUNCED
    event = BounceEvent.objects.get(learner=jane)
    assert (event.source, event.category, event.send_id) == (EventSource.WEBHOOK, "hard", jane_send.pk)


def test_an_unreachable_api_defers_the_send_and_leaves_the_learner(
    org, connection, postmark_api, django_capture_on_commit_callbacks
):
    connection.set_secrets(api_key="")  # no change: the key stays
    connection.api_url = "http://127.0.0.1:1/"  # nothing listens: the API is unreachable
    connection.save()
    campaign = CampaignFactory(organization=org)
    learner = LearnerFactory(organization=org, email="kim@school.example")

    with django_capture_on_commit_callbacks(execute=True):
        run = launch_run(run=create_run(campaign=campaign, esp_connection=connection))

    send = Send.objects.get(run=run)
    assert send.status == SendStatus.DEFERRED and "Postmark" in send.last_reply
    learner.refresh_from_db()
    assert learner.status == DeliverabilityStatus.ACTIVE and not BounceEvent.objects.exists()


def test_a_connection_not_enabled_for_sending_cannot_carry_a_run(org, connection):
    connection.sending_enabled = False
    connection.save()

    with pytest.raises(RunError):
        create_run(campaign=CampaignFactory(organization=org), esp_connection=connection)


def test_the_launch_form_offers_the_connections_enabled_for_sending(org, connection, admin_client, postmark_api):
    campaign = CampaignFactory(organization=org)
    LearnerFactory(organization=org, email="lee@school.example")

    page = admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    response = admin_client.post(f"/campaigns/{campaign.pk}/runs/new/", {"send_through": connection.pk})

    assert "Send through" in page and "Postmark" in page
    assert response.status_code == 302
    run = campaign.runs.get()
    assert run.esp_connection == connection
