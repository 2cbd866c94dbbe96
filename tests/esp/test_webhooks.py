"""ESP webhooks through the real view on the real database: each service's documented event shape,
re-signed with keys the test makes, becomes a bounce event (or a delivery) on the learner; a
redelivered webhook changes nothing; a badly signed one is a 4xx logged without its body."""

import json
import logging

import pytest
from django.urls import reverse

from campaigns.esp_models import EspEvent, EspEventState
from campaigns.models import BounceEvent, EventSource, MatchedBy, SendStatus
from contacts.choices import DeliverabilityStatus
from tests.esp.conftest import hook_url
from tests.esp.signing import SendGridKey, mailgun_signature

pytestmark = pytest.mark.django_db


def sendgrid_bounce(send, **extra):
    # SendGrid's documented "bounce" event, with our token in its custom args (merged into the event).
    return {
        "email": send.email,
        "timestamp": 1764583200,
        "smtp-id": "<14c5d75ce93.dfd.64b469@ismtpd-555>",
        "event": "bounce",
        "category": "cat facts",
        "sg_event_id": "6g4ZI7SA-xmRDv57GoPIPw==",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        "reason": "550 5.1.1 The email account that you tried to reach does not exist.",
        "status": "5.1.1",
        "type": "bounce",
        "bounce_classification": "Invalid Address",
        "bp_token": send.token,
        **extra,
    }


def post_sendgrid(client, connection, key, events):
    body = json.dumps(events).encode()
    return client.post(hook_url(connection), data=body, content_type="application/json", **key.headers(body))


def test_signed_sendgrid_bounce_suppresses_learner_and_redelivery_changes_nothing(client, make_connection, send):
    key = SendGridKey()
    connection = make_connection("sendgrid", verification_key=key.public_b64)

    first = post_sendgrid(client, connection, key, [sendgrid_bounce(send)])
    again = post_sendgrid(client, connection, key, [sendgrid_bounce(send)])

    assert first.status_code == 200 and first.json()["stored"] == 1
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    event = BounceEvent.objects.get()
    assert (event.source, event.category, event.reason, event.matched_by) == (
        EventSource.WEBHOOK,
        "hard",
        "userunknown",
        MatchedBy.ESP_METADATA,
    )
    assert event.esp_event.decided_by.startswith("agree: bounce/Invalid Address")
    send.learner.refresh_from_db()
    send.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.BOUNCED
    assert send.status == SendStatus.BOUNCED
    connection.refresh_from_db()
    assert connection.events_received == 1 and connection.last_event_at is not None


def test_wrongly_signed_sendgrid_request_is_refused_and_logged_without_its_body(client, make_connection, send, caplog):
    connection = make_connection("sendgrid", verification_key=SendGridKey().public_b64)
    body = json.dumps([sendgrid_bounce(send, reason="secret-words-in-the-body")]).encode()
    other_key = SendGridKey()

    with caplog.at_level(logging.WARNING):
        unsigned = client.post(hook_url(connection), data=body, content_type="application/json")
        forged = client.post(
            hook_url(connection), data=body, content_type="application/json", **other_key.headers(body)
        )

    assert unsigned.status_code == 403 and forged.status_code == 403
    assert not EspEvent.objects.exists() and not BounceEvent.objects.exists()
    assert "ESP webhook refused" in caplog.text and "secret-words-in-the-body" not in caplog.text
    connection.refresh_from_db()
    assert "signature" in connection.last_error


def test_unknown_webhook_key_is_a_404(client, make_connection):
    make_connection("postmark")

    response = client.post("/hooks/esp/" + "x" * 32 + "/", data="{}", content_type="application/json")

    assert response.status_code == 404


def test_mailgun_permanent_failure_with_hmac_signature(client, make_connection, send):
    connection = make_connection("mailgun", signing_key="key-test-signing-secret")
    payload = {
        "signature": mailgun_signature("key-test-signing-secret"),
        "event-data": {
            "event": "failed",
            "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "timestamp": 1764583200.5,
            "severity": "permanent",
            "reason": "bounce",
            "recipient": send.email,
            "user-variables": {"bp_token": send.token},
            "delivery-status": {
                "code": 550,
                "message": "5.1.1 The email account that you tried to reach does not exist.",
                "description": "",
            },
            "message": {"headers": {"message-id": "20130503182626.18666.16540@sandbox.mailgun.org"}},
        },
    }

    response = client.post(hook_url(connection), data=json.dumps(payload), content_type="application/json")
    again = client.post(hook_url(connection), data=json.dumps(payload), content_type="application/json")
    payload["signature"]["signature"] = "0" * 64
    forged = client.post(hook_url(connection), data=json.dumps(payload), content_type="application/json")

    assert response.status_code == 200 and forged.status_code == 403
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    event = BounceEvent.objects.get()
    assert (event.category, event.reason, event.reply_code) == ("hard", "userunknown", "550")
    assert event.esp_event.decided_by.startswith("classifier: the service says only permanent/bounce")
    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.BOUNCED and send.learner.bounce_count == 1


def test_postmark_soft_bounce_reads_the_diagnostic_mailbox_full(client, make_connection, send):
    connection = make_connection("postmark", basic_auth="postmark:hook-pass")
    payload = {
        "RecordType": "Bounce",
        "MessageStream": "outbound",
        "ID": 4323372036854775807,
        "Type": "SoftBounce",
        "TypeCode": 4096,
        "Name": "Soft bounce",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Metadata": {"bp_token": send.token},
        "Description": "The server could not temporarily deliver your message (ex: Message is delayed due to network troubles).",
        "Details": "smtp;452 4.2.2 The email account that you tried to reach is over quota.",
        "Email": send.email,
        "BouncedAt": "2026-12-01T10:00:00Z",
    }

    without_auth = client.post(hook_url(connection), data=json.dumps(payload), content_type="application/json")
    response = client.post(
        hook_url(connection),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic cG9zdG1hcms6aG9vay1wYXNz",  # postmark:hook-pass
    )

    again = client.post(
        hook_url(connection),
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic cG9zdG1hcms6aG9vay1wYXNz",
    )

    assert without_auth.status_code == 403 and response.status_code == 200
    assert again.json()["duplicates"] == 1
    event = BounceEvent.objects.get()
    assert (event.category, event.subtype, event.reason) == ("soft", "mailbox_full", "mailboxfull")
    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.ACTIVE and send.learner.soft_bounce_count == 1


def test_sparkpost_bounce_class_and_a_delivery_in_one_batch(client, make_connection, send, org):
    from tests.factories import SendFactory

    delivered = SendFactory(run=send.run, email="kim@school.example", learner__email="kim@school.example")
    connection = make_connection("sparkpost")
    bounce = {
        "type": "bounce",
        "bounce_class": "10",
        "error_code": "554",
        "event_id": "92356927693813856",
        "raw_rcpt_to": send.email,
        "rcpt_to": send.email,
        "raw_reason": "554 5.5.0 The email account that you tried to reach does not exist.",
        "rcpt_meta": {"bp_token": send.token},
        "timestamp": "1764583200",
        "transmission_id": "65832150921904138",
    }
    delivery = {
        "type": "delivery",
        "event_id": "92356927693813857",
        "raw_rcpt_to": delivered.email,
        "rcpt_meta": {"bp_token": delivered.token},
        "timestamp": "1764583200",
        "transmission_id": "65832150921904139",
    }
    body = [{"msys": {"message_event": bounce}}, {"msys": {"message_event": delivery}}]

    response = client.post(hook_url(connection), data=json.dumps(body), content_type="application/json")
    again = client.post(hook_url(connection), data=json.dumps(body), content_type="application/json")

    assert response.status_code == 200 and response.json()["stored"] == 2
    assert again.json()["duplicates"] == 2
    event = BounceEvent.objects.get()
    assert (event.category, event.reason, event.learner_id) == ("hard", "userunknown", send.learner_id)
    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.BOUNCED and send.learner.bounce_count == 1
    delivered.refresh_from_db()
    assert delivered.status == SendStatus.DELIVERED


def test_a_deferral_and_a_delivery_in_one_batch_leave_the_send_delivered_with_the_deferral_as_last_reply(
    client, make_connection, send
):
    """As a mailbox batch with a delay notice and a delivery report does (tests/campaigns/test_ingestion.py):
    the two paths record deferrals, then deliveries."""
    key = SendGridKey()
    connection = make_connection("sendgrid", verification_key=key.public_b64)
    common = {"email": send.email, "timestamp": 1764583200, "bp_token": send.token}
    delivered = {**common, "event": "delivered", "sg_event_id": "d-1", "response": "250 2.0.0 OK"}
    deferred = {**common, "event": "deferred", "sg_event_id": "d-2", "response": "451 4.7.1 Try again later"}

    response = post_sendgrid(client, connection, key, [delivered, deferred])

    assert response.status_code == 200 and response.json()["stored"] == 2
    send.refresh_from_db()
    assert send.status == SendStatus.DELIVERED and send.last_reply == "451 4.7.1 Try again later"


def test_unknown_event_type_is_stored_and_listed_for_review(admin_client, make_connection, send):
    key = SendGridKey()
    connection = make_connection("sendgrid", verification_key=key.public_b64)
    event = {"email": send.email, "timestamp": 1764583200, "event": "brand_new_kind", "sg_event_id": "n3w"}

    response = post_sendgrid(admin_client, connection, key, [event])
    page = admin_client.get(reverse("campaigns:esp-edit", args=[connection.pk]))

    assert response.status_code == 200 and response.json()["stored"] == 1
    stored = EspEvent.objects.get()
    assert stored.state == EspEventState.UNKNOWN and stored.raw["event"] == "brand_new_kind"
    assert not BounceEvent.objects.exists()
    assert "Events to review" in page.content.decode() and "brand_new_kind" in page.content.decode()


def test_one_batch_reads_each_text_with_its_own_service_verdict_and_keeps_both_per_event(
    client, make_connection, send, org
):
    from tests.factories import SendFactory

    key = SendGridKey()
    connection = make_connection("sendgrid", verification_key=key.public_b64)
    kim = SendFactory(run=send.run, email="kim@school.example", learner__email="kim@school.example")
    full = "452 4.2.2 The email account that you tried to reach is over quota."
    events = [
        sendgrid_bounce(send, sg_event_id="a", reason=full, bounce_classification="Unclassified"),
        sendgrid_bounce(kim, email=kim.email, bp_token=kim.token, sg_event_id="b", reason=full),
        sendgrid_bounce(kim, email=kim.email, bp_token=kim.token, sg_event_id="c", reason=full),
    ]

    response = post_sendgrid(client, connection, key, events)

    assert response.json()["stored"] == 3
    rows = {row.event_id.split("/")[0]: row for row in EspEvent.objects.all()}
    assert rows["a"].decided_by == "classifier: the service says only bounce/Unclassified"
    assert rows["b"].decided_by.startswith("classifier over service: the diagnostic reads mailboxfull")
    assert (
        rows["b"].service_verdict["reason"] == "userunknown" and rows["b"].classifier_verdict["reason"] == "mailboxfull"
    )
    assert rows["c"].decided_by == rows["b"].decided_by
    bounces = {e.esp_event.event_id.split("/")[0]: e for e in BounceEvent.objects.select_related("esp_event")}
    assert (bounces["a"].address, bounces["a"].learner_id) == (send.email, send.learner_id)
    assert (bounces["b"].address, bounces["b"].learner_id) == (kim.email, kim.learner_id)
    assert {e.reason for e in bounces.values()} == {"mailboxfull"}
    assert all(sum(item["rule"] == "decided by" for item in e.evidence) == 1 for e in bounces.values())
    kim.learner.refresh_from_db()
    assert kim.learner.soft_bounce_count == 2


def test_an_event_without_our_token_falls_back_to_the_recent_send_of_its_address(client, make_connection, send):
    key = SendGridKey()
    connection = make_connection("sendgrid", verification_key=key.public_b64)
    event = sendgrid_bounce(send)
    del event["bp_token"]

    post_sendgrid(client, connection, key, [event])

    bounce = BounceEvent.objects.get()
    assert bounce.matched_by == MatchedBy.ADDRESS and bounce.send_id == send.pk


def test_another_organizations_connection_never_touches_our_learners(client, other_org, send):
    from campaigns.esp_models import EspConnection

    key = SendGridKey()
    theirs = EspConnection(organization=other_org, name="theirs", service="sendgrid")
    theirs.set_secrets(verification_key=key.public_b64)
    theirs.save()

    post_sendgrid(client, theirs, key, [sendgrid_bounce(send)])

    bounce = BounceEvent.objects.get()
    assert bounce.organization_id == other_org.pk and bounce.learner_id is None
    send.learner.refresh_from_db()
    assert send.learner.status == DeliverabilityStatus.ACTIVE


def test_postmark_spam_complaint_unsubscribes_and_an_open_is_recorded(client, make_connection, send):
    connection = make_connection("postmark")
    complaint = {
        "RecordType": "SpamComplaint",
        "ID": 42,
        "Type": "SpamComplaint",
        "TypeCode": 512,
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "Metadata": {"bp_token": send.token},
        "Email": send.email,
        "BouncedAt": "2026-12-01T10:00:00Z",
        "Description": "The subscriber explicitly marked this message as spam.",
    }
    opened = {
        "RecordType": "Open",
        "MessageID": "00000000-0000-0000-0000-000000000001",
        "Metadata": {"bp_token": send.token},
        "Recipient": send.email,
        "ReceivedAt": "2026-12-01T09:00:00Z",
        "UserAgent": "Mozilla/5.0",
    }

    client.post(hook_url(connection), data=json.dumps(opened), content_type="application/json")
    client.post(hook_url(connection), data=json.dumps(complaint), content_type="application/json")

    send.refresh_from_db()
    send.learner.refresh_from_db()
    assert send.opened_at is not None and send.learner.last_opened_at is not None
    assert send.learner.status == DeliverabilityStatus.UNSUBSCRIBED
    assert BounceEvent.objects.get().category == "complaint"
