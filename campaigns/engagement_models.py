"""Opens and clicks as they arrived, each told human or machine (DESIGN §3: "Engagement counts humans only").

Defined here and imported by ``campaigns.models`` (Django registers it from
there); foreign keys to campaigns' models are by name, so this module never
imports ``campaigns.models``.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EngagementKind(models.TextChoices):
    OPEN = "open", _("Open")
    CLICK = "click", _("Click")


class MachineReason(models.TextChoices):
    """Why a request was taken for a machine (a link scanner, a security gateway, a prefetcher)."""

    HEAD_REQUEST = "head_request", _("HEAD request (a link checker, not a mail program)")
    SCANNER_AGENT = "scanner_agent", _("Known link-scanner user agent")
    NO_AGENT = "no_agent", _("No user agent")
    SCANNER_NETWORK = "scanner_network", _("From an address range configured as scanners")
    RIGHT_AFTER_DELIVERY = "after_delivery", _("Within seconds of delivery")
    ALL_LINKS = "all_links", _("Every link of the message clicked at once")


class EngagementEvent(models.Model):
    """One open (pixel fetch) or click (tracked redirect) of a send, human or machine."""

    organization = models.ForeignKey("contacts.Organization", on_delete=models.CASCADE, related_name="+")
    send = models.ForeignKey("campaigns.Send", on_delete=models.CASCADE, related_name="engagement_events")
    learner = models.ForeignKey("contacts.Learner", on_delete=models.CASCADE, related_name="engagement_events")
    kind = models.CharField(max_length=5, choices=EngagementKind.choices)
    link_index = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("Which link of the HTML body."))
    url = models.TextField(blank=True, help_text=_("Where the click was sent."))
    occurred_at = models.DateTimeField(default=timezone.now)
    machine = models.BooleanField(default=False)
    machine_reason = models.CharField(max_length=16, choices=MachineReason.choices, blank=True)
    method = models.CharField(
        max_length=8, blank=True, help_text=_("GET or HEAD; empty when recorded by the application.")
    )
    user_agent = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["send", "occurred_at"], name="engagement_send_occurred"),
            models.Index(fields=["learner", "occurred_at"], name="engagement_learner_occurred"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of send {self.send_id} ({'machine' if self.machine else 'human'})"
