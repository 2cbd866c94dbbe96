"""Outbound webhooks (DESIGN §6): an organization's subscriptions, the outbox of deliveries, each attempt.

A ``WebhookDelivery`` is the outbox row: written by the transition that causes the event, in
its transaction (``contacts.webhooks.events``), and delivered after commit by the Celery worker
(``contacts.webhooks.delivery``); so an event is never sent for a change that rolled back, and
never lost when the worker or the broker is down at commit.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bounceportal.secrets_box import decrypt_secret, encrypt_secret


class WebhookEventType(models.TextChoices):
    LEARNER_SUPPRESSED = "learner.suppressed", _("learner.suppressed — a learner was bounced (suppressed)")
    LEARNER_CLEARED = "learner.cleared", _("learner.cleared — a learner's bounce status was cleared")
    LEARNER_UNSUBSCRIBED = "learner.unsubscribed", _("learner.unsubscribed — a learner unsubscribed or complained")
    RUN_PAUSED = "run.paused", _("run.paused — the run guard paused a campaign run")
    RUN_FINISHED = "run.finished", _("run.finished — a campaign run finished (done or cancelled)")


# Sent by "Send a test event" only; nobody subscribes to it.
TEST_EVENT = "webhook.test"


class WebhookSubscriptionQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def active(self):
        return self.filter(disabled_at__isnull=True)


class WebhookSubscription(models.Model):
    """A URL of the organization's that is POSTed the events it subscribes to, signed with its secret.

    The secret is stored encrypted (``bounceportal.secrets_box``) and shown once, when made or
    rotated. ``failing_since`` is the first failed attempt since the last success; a
    subscription failing for ``WEBHOOK_DISABLE_AFTER_SECONDS`` is disabled (``disabled_at``).
    """

    organization = models.ForeignKey(
        "contacts.Organization", on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(max_length=500, help_text=_("Where the events are POSTed (https)."))
    description = models.CharField(max_length=100, blank=True, help_text=_("What receives them, e.g. “HR system”."))
    events = models.JSONField(default=list, help_text=_("The event types sent to this URL."))
    secret_encrypted = models.TextField(editable=False)
    secret_hint = models.CharField(max_length=16, editable=False, help_text=_("The secret's first characters."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("webhook subscription")

    def __str__(self):
        return self.url

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def secret(self) -> str:
        return decrypt_secret(self.secret_encrypted)

    @secret.setter
    def secret(self, plain: str) -> None:
        self.secret_encrypted = encrypt_secret(plain)
        self.secret_hint = plain[:12]

    def subscribes_to(self, event_type: str) -> bool:
        return event_type in (self.events or ())


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class WebhookDelivery(models.Model):
    """One event for one subscription: the outbox row, retried until delivered or given up.

    ``event_id`` is the event's idempotency key: the same on every attempt (and for every
    subscription the event goes to), sent as ``Idempotency-Key``.
    """

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_event_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: when, how long, the response status or the error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery_id}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
