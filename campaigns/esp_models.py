"""Email-service (ESP) connections and the tracking events they deliver (DESIGN §4, "Email services").

A connection is one organization's account at one service: the secrets that
verify its webhooks (and send through it), encrypted like mailbox secrets and
never shown again, and an unguessable webhook key that is the connection's own
URL. Every event a webhook delivers is kept raw (``EspEvent``), unique by the
service's event id per connection, so a redelivered webhook changes nothing.

Defined here and imported by ``campaigns.models`` (Django registers them from
there); foreign keys to campaigns' models are by name, so this module never
imports ``campaigns.models``.
"""

import json
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bounceportal.secrets_box import decrypt_secret, encrypt_secret
from contacts.models import Organization


def new_webhook_key() -> str:
    """Return an unguessable URL-safe key (192 bits) naming one connection's webhook URL."""
    return secrets.token_urlsafe(24)


class EspService(models.TextChoices):
    """Services whose webhooks and sending django-anymail knows (the value is our name, the label theirs)."""

    AMAZON_SES = "amazon_ses", "Amazon SES (through SNS)"
    SENDGRID = "sendgrid", "SendGrid"
    POSTMARK = "postmark", "Postmark"
    MAILGUN = "mailgun", "Mailgun"
    SPARKPOST = "sparkpost", "SparkPost"
    BREVO = "brevo", "Brevo"
    MAILJET = "mailjet", "Mailjet"
    MAILERSEND = "mailersend", "MailerSend"
    MANDRILL = "mandrill", "Mandrill"
    POSTAL = "postal", "Postal"
    RESEND = "resend", "Resend"


class EspConnection(models.Model):
    """One organization's account at an email service: webhook URL, encrypted secrets, last event."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="esp_connections")
    name = models.CharField(max_length=100)
    service = models.CharField(max_length=12, choices=EspService.choices)
    webhook_key = models.CharField(max_length=64, default=new_webhook_key, editable=False)
    secrets_encrypted = models.TextField(blank=True, editable=False, help_text=_("JSON of the secrets, encrypted."))
    sns_topic_arn = models.CharField(
        max_length=256,
        blank=True,
        help_text=_(
            "Amazon SES: the SNS topic allowed to subscribe this URL (empty: any topic, confirmed only "
            "when the request also carries the connection's basic auth, if one is set)."
        ),
    )
    sending_enabled = models.BooleanField(default=False, help_text=_("Runs may be sent through this service."))
    api_url = models.URLField(
        blank=True, help_text=_("The service's API base URL for sending; empty: the service's own default.")
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_event_at = models.DateTimeField(null=True, blank=True)
    events_received = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True, help_text=_("The last refused request (no body)."))
    last_error_at = models.DateTimeField(null=True, blank=True)
    subscription_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [models.UniqueConstraint(fields=["webhook_key"], name="esp_webhook_key_unique")]

    def __str__(self):
        return f"{self.name} ({self.get_service_display()})"

    def get_secrets(self) -> dict[str, str]:
        """The stored secrets by name (decrypted); empty when none were set."""
        plain = decrypt_secret(self.secrets_encrypted)
        return json.loads(plain) if plain else {}

    def set_secrets(self, **values: str) -> None:
        """Replace the named secrets (an empty value keeps the stored one); call save() after."""
        current = self.get_secrets()
        current.update({name: value for name, value in values.items() if value})
        self.secrets_encrypted = encrypt_secret(json.dumps(current, sort_keys=True)) if current else ""

    @property
    def secret_names(self) -> list[str]:
        """Which secrets are set (names only: the values are never shown)."""
        return sorted(self.get_secrets())


class EspEventKind(models.TextChoices):
    """django-anymail's normalized event types (``anymail.signals.EventType``)."""

    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    REJECTED = "rejected", _("Rejected by the service")
    FAILED = "failed", _("Failed at the service")
    BOUNCED = "bounced", _("Bounced")
    DEFERRED = "deferred", _("Deferred")
    DELIVERED = "delivered", _("Delivered")
    AUTORESPONDED = "autoresponded", _("Auto reply")
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Clicked")
    COMPLAINED = "complained", _("Complaint")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    SUBSCRIBED = "subscribed", _("Subscribed")
    INBOUND = "inbound", _("Inbound")
    INBOUND_FAILED = "inbound_failed", _("Inbound failed")
    UNKNOWN = "unknown", _("Unknown")


class EspEventState(models.TextChoices):
    APPLIED = "applied", _("Applied")
    RECORDED = "recorded", _("Recorded (no learner change)")
    UNMATCHED = "unmatched", _("No matching send")
    UNKNOWN = "unknown", _("Unknown event type (for review)")
    DISMISSED = "dismissed", _("Reviewed and dismissed")


class EspEvent(models.Model):
    """One tracking event a service's webhook delivered, kept as received (the service's own JSON)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="esp_events")
    connection = models.ForeignKey(EspConnection, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=200, help_text=_("The service's event id (or a digest of the event)."))
    kind = models.CharField(max_length=16, choices=EspEventKind.choices)
    service_type = models.CharField(max_length=100, blank=True, help_text=_("The service's own event type."))
    recipient = models.CharField(max_length=254, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    send = models.ForeignKey(
        "campaigns.Send", null=True, blank=True, on_delete=models.SET_NULL, related_name="esp_events"
    )
    matched_by = models.CharField(max_length=12, default="none")
    state = models.CharField(max_length=10, choices=EspEventState.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    raw = models.JSONField(
        help_text=_("The service's event as it arrived (its short top-level fields only, once purged).")
    )
    raw_purged_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When retention cut the raw event to its short top-level fields.")
    )
    # The service's own verdict and the classifier's, kept both; ``decided_by`` names the rule that chose.
    service_verdict = models.JSONField(default=dict, blank=True)
    classifier_verdict = models.JSONField(default=dict, blank=True)
    decided_by = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["connection", "event_id"], name="esp_event_unique_per_conn")]
        indexes = [
            models.Index(fields=["organization", "state", "received_at"], name="esp_event_org_state"),
            # Retention's batches (campaigns/services/retention.py): the oldest raw events still whole.
            models.Index(
                fields=["received_at", "id"], name="esp_event_unpurged", condition=models.Q(raw_purged_at__isnull=True)
            ),
        ]

    def __str__(self):
        return f"{self.service_type or self.kind}: {self.recipient}"
