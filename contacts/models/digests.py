"""The digest email an organization admin may ask for: how often, and every digest sent."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models.organizations import Membership


class DigestFrequency(models.TextChoices):
    OFF = "off", _("Off")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class DigestSubscription(models.Model):
    """One member's choice of digest; written by contacts/digest_subscriptions.py, read by reports/digest.py."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="digest")
    frequency = models.CharField(max_length=6, choices=DigestFrequency.choices, default=DigestFrequency.OFF)
    # When the frequency was last set: a period that ended before it is never sent (switching the
    # digest on at 15:00 does not mail yesterday's digest at once).
    changed_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["frequency"], name="digest_subscribed", condition=~models.Q(frequency=DigestFrequency.OFF)
            )
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} digest of {self.membership}"


class DigestDelivery(models.Model):
    """One digest mailed: its period is claimed once per subscription (the unique constraint)."""

    subscription = models.ForeignKey(DigestSubscription, on_delete=models.CASCADE, related_name="deliveries")
    frequency = models.CharField(max_length=6, choices=DigestFrequency.choices)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    to = models.EmailField()

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "period_start"], name="digest_delivery_once_per_period")
        ]

    def __str__(self):
        return f"digest to {self.to} for {self.period_start:%Y-%m-%d}"
