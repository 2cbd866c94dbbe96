"""Receiving one connection's webhook request: verify it with the connection's own secrets, normalize
its events with django-anymail, and hand them to the pipeline (``events.ingest_esp_events``).

Why not anymail's URLs and its ``tracking`` signal: those views read their secrets from the global
``ANYMAIL`` setting (one webhook secret, one Mailgun signing key, one SendGrid key for the whole
site) and announce events on a process-wide signal that does not say which customer they are for.
Here the view is built per request with the connection's secrets as its keyword arguments (what
anymail's ``View.as_view(**kwargs)`` does), so no secret is ever global and no event can reach
another organization; anymail's ``run_validators`` and ``parse_events`` do the checking and the
normalizing, and the signal is not used at all.
"""

from __future__ import annotations

import json
import logging
import warnings
from dataclasses import dataclass

from anymail.exceptions import AnymailError, AnymailWarning, AnymailWebhookValidationFailure
from anymail.webhooks.amazon_ses import AmazonSESTrackingWebhookView
from anymail.webhooks.base import AnymailBaseWebhookView
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailersend import MailerSendTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postal import PostalTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.resend import ResendTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from anymail.webhooks.sparkpost import SparkPostTrackingWebhookView
from django.utils import timezone

from bounceportal.counts import add_counts
from campaigns.models import EspConnection
from campaigns.services.esp.events import EspBatchResult, TrackingEvent, ingest_esp_events
from campaigns.services.esp.sns import SnsError, confirm_subscription, verify_sns_message

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000


class _SesView(AmazonSESTrackingWebhookView):
    """anymail's SES tracking view without its boto3 set-up (SNS is checked and confirmed in sns.py)."""

    def __init__(self, **kwargs):
        self.auto_confirm_enabled = False
        AnymailBaseWebhookView.__init__(self, **kwargs)


@dataclass(frozen=True)
class Secret:
    name: str  # our name, in EspConnection's encrypted secrets
    label: str
    kwarg: str  # the anymail view's keyword argument
    required: bool = False
    help: str = ""


BASIC_AUTH = Secret(
    "basic_auth",
    "Webhook basic auth (user:password)",
    "webhook_secret",
    help="Optional: when set, requests must carry it (put it in the URL you give the service: https://user:password@…).",
)
API_KEY = Secret("api_key", "API key (for sending)", "", help="Only needed to send runs through the service.")

# Per service: anymail's tracking view and the secrets that verify its requests.
SERVICES: dict[str, tuple[type, tuple[Secret, ...]]] = {
    "amazon_ses": (_SesView, (BASIC_AUTH, API_KEY)),
    "sendgrid": (
        SendGridTrackingWebhookView,
        (
            Secret(
                "verification_key",
                "Signed Event Webhook verification key",
                "tracking_webhook_verification_key",
                required=True,
                help="The public key SendGrid shows for its signed event webhook (base64, no PEM header lines).",
            ),
            BASIC_AUTH,
            API_KEY,
        ),
    ),
    "postmark": (PostmarkTrackingWebhookView, (BASIC_AUTH, API_KEY)),
    "mailgun": (
        MailgunTrackingWebhookView,
        (Secret("signing_key", "HTTP webhook signing key", "webhook_signing_key", required=True), BASIC_AUTH, API_KEY),
    ),
    "sparkpost": (SparkPostTrackingWebhookView, (BASIC_AUTH, API_KEY)),
    "brevo": (BrevoTrackingWebhookView, (BASIC_AUTH, API_KEY)),
    "mailjet": (MailjetTrackingWebhookView, (BASIC_AUTH, API_KEY)),
    "mailersend": (
        MailerSendTrackingWebhookView,
        (Secret("signing_secret", "Webhook signing secret", "signing_secret", required=True), BASIC_AUTH, API_KEY),
    ),
    "postal": (
        PostalTrackingWebhookView,
        (Secret("webhook_key", "Webhook public key", "webhook_key", required=True), BASIC_AUTH, API_KEY),
    ),
    "resend": (
        ResendTrackingWebhookView,
        (
            Secret("signing_secret", "Webhook signing secret (whsec_…)", "signing_secret", required=True),
            BASIC_AUTH,
            API_KEY,
        ),
    ),
}


class WebhookRefused(Exception):
    """The request is not the service's, or not for this connection: answered with ``status``."""

    def __init__(self, reason: str, status: int = 400, headers: dict | None = None):
        super().__init__(reason)
        self.status, self.headers = status, headers or {}


@dataclass
class Received:
    """A verified request's events (normalized), and whether it confirmed an SNS subscription."""

    events: list[TrackingEvent]
    confirmed: bool = False


def secrets_for(service: str) -> tuple[Secret, ...]:
    return SERVICES[service][1] if service in SERVICES else ()


def anymail_view(connection: EspConnection):
    """An instance of the service's anymail tracking view holding this connection's secrets."""
    view_class, specs = SERVICES[connection.service]
    stored = connection.get_secrets()
    kwargs: dict[str, object] = {}
    for spec in specs:
        if not spec.kwarg:
            continue
        if spec.required and not stored.get(spec.name):
            raise WebhookRefused(f"the connection has no {spec.label.lower()} yet", status=403)
        kwargs[spec.kwarg] = stored.get(spec.name) or ([] if spec.kwarg == "webhook_secret" else None)
    with warnings.catch_warnings():  # "insecure without basic auth": the unguessable URL is the credential
        warnings.simplefilter("ignore", AnymailWarning)
        try:
            return view_class(**kwargs)
        except (AnymailError, ValueError) as exc:
            raise WebhookRefused(f"the connection's secrets are not usable: {type(exc).__name__}", status=403) from None


def receive_webhook(*, connection: EspConnection, request) -> Received:
    """Verify and parse one webhook request; raise WebhookRefused for a request to refuse."""
    view = anymail_view(connection)
    if connection.service == "amazon_ses":
        events, confirmed = _sns_events(connection, view, request)
    else:
        events, confirmed = _verified_events(view, request), False
    return Received(events=TrackingEvent.many_from_anymail(events), confirmed=confirmed)


def _verified_events(view, request) -> list:
    try:
        view.run_validators(request)
    except AnymailWebhookValidationFailure as exc:
        raise WebhookRefused(f"signature or credentials refused: {exc}", status=403) from None
    try:
        return view.parse_events(request)
    except (AnymailError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise WebhookRefused(f"the payload is not the service's event format: {type(exc).__name__}") from None


def _sns_events(connection: EspConnection, view, request) -> tuple[list, bool]:
    if view.basic_auth and not request.META.get("HTTP_AUTHORIZATION"):  # SNS sends its auth only when asked
        raise WebhookRefused("basic auth required", status=401, headers={"WWW-Authenticate": 'Basic realm="SNS"'})
    try:
        view.run_validators(request)  # anymail: basic auth, SNS headers match the body
        message = json.loads(request.body)
        verify_sns_message(message)
    except (AnymailWebhookValidationFailure, SnsError) as exc:
        raise WebhookRefused(f"SNS message refused: {exc}", status=403) from None
    except (AnymailError, ValueError) as exc:
        raise WebhookRefused(f"not an SNS message: {type(exc).__name__}") from None
    if connection.sns_topic_arn and message.get("TopicArn") != connection.sns_topic_arn:
        raise WebhookRefused("the SNS topic is not this connection's", status=403)
    if message.get("Type") == "SubscriptionConfirmation":
        try:
            confirm_subscription(message)
        except SnsError as exc:
            raise WebhookRefused(str(exc), status=502) from None
        EspConnection.objects.filter(pk=connection.pk).update(subscription_confirmed_at=timezone.now())
        return [], True
    if message.get("Type") != "Notification":
        return [], False
    try:
        ses_event = json.loads(message.get("Message") or "")
    except ValueError:
        return [], False  # "Successfully validated SNS topic for Amazon SES event publishing."
    try:
        return view.esp_to_anymail_events(ses_event, message), False
    except (AnymailError, KeyError, TypeError, AttributeError) as exc:
        raise WebhookRefused(f"the SES event is not in the documented format: {type(exc).__name__}") from None


def ingest_in_batches(*, connection: EspConnection, events: list[TrackingEvent]) -> EspBatchResult:
    """Ingest the events in batches of 1,000 (one transaction each) and return the summed counts."""
    total = EspBatchResult()
    for start in range(0, len(events), BATCH_SIZE):
        add_counts(total, ingest_esp_events(connection=connection, events=events[start : start + BATCH_SIZE]))
    return total
