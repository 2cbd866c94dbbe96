"""Invitations to join an organization and the audit of every change to its members."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.choices import MemberRole
from contacts.models.organizations import Organization


class Invitation(models.Model):
    """An admin's invitation of a colleague; the mailed link carries its id signed with a timestamp."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.VIEWER)
    may_clear_bounces = models.BooleanField(default=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Revoked by an admin, or replaced by a resent invitation: its link no longer works.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} to {self.organization}"


class MemberAction(models.TextChoices):
    INVITED = "invited", _("Invited")
    JOINED = "joined", _("Joined")
    ROLE_CHANGED = "role_changed", _("Role changed")
    DEACTIVATED = "deactivated", _("Deactivated")
    # The member is the actor: each user turns their own two-factor authentication on or off.
    TWO_FACTOR_ON = "two_factor_on", _("Turned on two-factor authentication")
    TWO_FACTOR_OFF = "two_factor_off", _("Turned off two-factor authentication")
    TWO_FACTOR_RULE = "two_factor_rule", _("Changed the two-factor rule for admins")
    REACTIVATED = "reactivated", _("Reactivated")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    INVITATION_RESENT = "invitation_resent", _("Invitation resent")
    ADDED = "added", _("Added by support staff")


class MemberChange(models.Model):
    """Audit row: who changed which member (or invited whom), what, when. Written by contacts.members."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="member_changes")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=MemberAction.choices)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"
