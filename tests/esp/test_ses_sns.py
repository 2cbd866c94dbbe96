"""Amazon SES through SNS: the signature verified with a certificate the test makes and serves on
loopback (allowed only because test settings name its host), the subscription confirmed by visiting
the SubscribeURL, and a Transient/General bounce that says "over quota" read as Mailbox full."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from campaigns.esp_models import EspEvent
from campaigns.models import BounceEvent
from campaigns.services.esp.sns import SnsError, check_sns_url
from tests.esp.conftest import hook_url
from tests.esp.signing import SnsCertServer, sns_notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def sns(settings):
    with SnsCertServer() as server:
        settings.SNS_TEST_HOSTS = (server.host,)
        yield server


def ses_bounce(send, bounce_type="Transient", sub_type="General"):
    # SES's documented bounce notification; the sent message's headers carry our Message-ID.
    return {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": sub_type,
            "bouncedRecipients": [
                {
                    "emailAddress": send.email,
                    "action": "failed",
                    "status": "4.2.2",
                    "diagnosticCode": "smtp; 452 4.2.2 The email account that you tried to reach is over quota.",
                }
            ],
            "timestamp": "2026-12-01T09:59:38.237Z",
            "feedbackId": "00000137860315fd-34208509-5b74-41f3-95c5-22c1edc3c924-000000",
            "remoteMtaIp": "127.0.2.0",
        },
        "mail": {
            "timestamp": "2026-12-01T09:59:37.000Z",
            "source": "training@sender.example",
            "messageId": "00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000",
            "destination": [send.email],
            "headersTruncated": False,
            "headers": [{"name": "Message-ID", "value": f"<{send.token}@bounces.bounceportal.test>"}],
        },
    }


def post_sns(client, connection, message):
    return client.post(
        hook_url(connection),
        data=json.dumps(message),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE=message["Type"],
        HTTP_X_AMZ_SNS_MESSAGE_ID=message["MessageId"],
    )


def test_signed_ses_transient_general_bounce_is_a_mailbox_full_soft_bounce(client, make_connection, send, sns):
    connection = make_connection("amazon_ses")
    message = sns.sign(sns_notification(ses_bounce(send)))

    response = post_sns(client, connection, message)
    again = post_sns(client, connection, message)

    assert response.status_code == 200 and again.json()["duplicates"] == 1
    event = BounceEvent.objects.get()
    assert (event.category, event.subtype, event.reason, event.matched_by) == (
        "soft",
        "mailbox_full",
        "mailboxfull",
        "message_id",
    )
    raw = EspEvent.objects.get()
    assert raw.service_verdict["words"] == "Transient/General" and raw.classifier_verdict["reason"] == "mailboxfull"
    assert raw.decided_by == "classifier: the service says only Transient/General"
    assert any(item["rule"] == "decided by" for item in event.evidence)
    send.learner.refresh_from_db()
    assert send.learner.status == "active" and send.learner.soft_bounce_count == 1


def test_ses_bounce_signed_by_another_key_is_refused(client, make_connection, send, sns):
    connection = make_connection("amazon_ses")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    message = sns.sign(sns_notification(ses_bounce(send)), key=stranger)

    response = post_sns(client, connection, message)

    assert response.status_code == 403
    assert not EspEvent.objects.exists()


def test_subscription_confirmation_visits_the_subscribe_url(client, make_connection, sns):
    connection = make_connection("amazon_ses")
    topic = "arn:aws:sns:us-east-1:123456789012:ses-events"
    confirmation = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "165545c9-2a5c-472c-8df2-7ff2be2b3b1b",
        "Token": "2336412f37f",
        "TopicArn": topic,
        "Message": f"You have chosen to subscribe to the topic {topic}.",
        "SubscribeURL": f"http://{sns.host}/confirm?Action=ConfirmSubscription&Token=2336412f37f",
        "Timestamp": "2026-12-01T10:00:00.000Z",
    }

    response = post_sns(client, connection, sns.sign(confirmation))

    assert response.status_code == 200
    assert sns.confirmations == ["/confirm?Action=ConfirmSubscription&Token=2336412f37f"]
    connection.refresh_from_db()
    assert connection.subscription_confirmed_at is not None


def test_a_confirmation_whose_subscribe_url_is_not_sns_is_never_fetched(client, make_connection, sns):
    connection = make_connection("amazon_ses")
    confirmation = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "265545c9",
        "Token": "t",
        "TopicArn": "arn:aws:sns:us-east-1:1:x",
        "Message": "subscribe",
        "SubscribeURL": "http://169.254.169.254/latest/meta-data/",
        "Timestamp": "2026-12-01T10:00:00.000Z",
    }

    response = post_sns(client, connection, sns.sign(confirmation))

    assert response.status_code == 502 and sns.confirmations == []


def test_only_amazon_sns_https_hosts_pass_outside_test_hosts(settings):
    settings.SNS_TEST_HOSTS = ()

    assert check_sns_url("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem", what="x")
    for url in (
        "http://sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem",
        "https://evil.example/sns.eu-west-1.amazonaws.com/cert.pem",
        "https://sns.eu-west-1.amazonaws.com:8443/cert.pem",
        "https://127.0.0.1/cert.pem",
    ):
        with pytest.raises(SnsError):
            check_sns_url(url, what="x")


def test_test_hosts_are_ignored_outside_test_settings(settings):
    settings.SNS_TEST_HOSTS = ("127.0.0.1:8080",)
    settings.DJANGO_ENV = "production"

    with pytest.raises(SnsError):
        check_sns_url("http://127.0.0.1:8080/cert.pem", what="x")
