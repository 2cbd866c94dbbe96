"""State changes of the contacts app that are not deliverability: organizations, policy
settings, automation rules and a learner's own details (STYLE rules 1–2).

A learner's deliverability state (status, counters, flags, clearances) is
written by ``contacts.deliverability`` only; ``edit_learner`` calls it for the
address change and the acknowledge-to-clear of a portal edit.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from contacts.choices import ClearedVia
from contacts.deliverability import change_learner_email, clear_bounce_status
from contacts.models import AutomationRule, BouncePolicy, Learner, Organization, validate_time_zone
from contacts.signals import organization_time_zone_changed


class LearnerEdit(models.TextChoices):
    """What a portal edit of a learner did, for the page's message."""

    SAVED = "saved", _("Learner saved.")
    EMAIL_CHANGED = "email_changed", _("Email address changed.")
    CLEARED = "cleared", _("Bounce status cleared: this learner will receive campaigns again.")


def adopt_browser_time_zone(*, organization: Organization, time_zone: str) -> bool:
    """Take ``time_zone`` (an admin's browser's) as the organization's zone unless one was chosen.

    Returns whether it was taken. A conditional UPDATE, so two first logins at once take one zone.
    """
    try:
        validate_time_zone(time_zone)
    except ValidationError:
        return False
    with transaction.atomic():
        return _adopt_time_zone(organization, time_zone)


def _adopt_time_zone(organization: Organization, time_zone: str) -> bool:
    taken = Organization.objects.filter(pk=organization.pk, time_zone_chosen=False).update(
        time_zone=time_zone, time_zone_chosen=True
    )
    if taken:
        changed = organization.time_zone != time_zone
        organization.time_zone, organization.time_zone_chosen = time_zone, True
        if changed:
            organization_time_zone_changed.send(sender=Organization, organization=organization)
    return bool(taken)


def create_organization(*, name: str, slug: str) -> Organization:
    """Create an organization together with its default bounce policy."""
    with transaction.atomic():
        organization = Organization.objects.create(name=name, slug=slug)
        BouncePolicy.objects.create(organization=organization)
    return organization


def policy_for(organization_id: int) -> BouncePolicy:
    """Return the organization's bounce policy, creating the defaults if it has none."""
    policy, _created = BouncePolicy.objects.get_or_create(organization_id=organization_id)
    return policy


def update_learner_details(*, learner: Learner, first_name: str, last_name: str, department: str) -> Learner:
    """Save the learner's name and department (not the address: see change_learner_email)."""
    learner.first_name, learner.last_name, learner.department = first_name, last_name, department
    learner.save(update_fields=["first_name", "last_name", "department"])
    return learner


def edit_learner(
    *,
    learner: Learner,
    first_name: str,
    last_name: str,
    department: str,
    email: str,
    acknowledge_valid: bool,
    edited_by,
    note: str = "",
) -> LearnerEdit:
    """Save a portal admin's edit of a learner in one transaction; return what it did.

    The details, the address (a new address clears a bounced learner, audited
    ``via=email_change``; a change of letter case only is saved and clears
    nothing) and the acknowledge-to-clear (``via=portal``) commit together: when
    one of them raises LearnerStateError (the address was taken meanwhile, the
    learner is no longer bounced) nothing of the edit is saved.
    """
    with transaction.atomic():
        locked = Learner.objects.select_for_update().get(pk=learner.pk)
        update_learner_details(learner=locked, first_name=first_name, last_name=last_name, department=department)
        email_changed = email.strip().lower() != locked.email.lower()
        if email.strip() != locked.email:
            change_learner_email(learner=locked, new_email=email, changed_by=edited_by, note=note)
        if email_changed:
            return LearnerEdit.EMAIL_CHANGED
        if acknowledge_valid:
            clear_bounce_status(learner=locked, cleared_by=edited_by, via=ClearedVia.PORTAL, note=note)
            return LearnerEdit.CLEARED
        return LearnerEdit.SAVED


def update_bounce_policy(*, policy: BouncePolicy, changes: dict) -> BouncePolicy:
    """Save validated policy settings (thresholds, windows, switches) on the organization's policy."""
    with transaction.atomic():
        for name, value in changes.items():
            setattr(policy, name, value)
        policy.full_clean()
        policy.save(update_fields=[*changes])
    return policy


def update_sending_settings(*, organization: Organization, changes: dict) -> Organization:
    """Save validated sending settings (the time zone) on the organization.

    Saving marks the zone as chosen, even unchanged: a browser's zone no longer replaces it.
    """
    with transaction.atomic():
        for name, value in changes.items():
            setattr(organization, name, value)
        organization.time_zone_chosen = True
        organization.full_clean(exclude=["slug"])
        organization.save(update_fields=[*changes, "time_zone_chosen"])
        if "time_zone" in changes:
            organization_time_zone_changed.send(sender=Organization, organization=organization)
    return organization


def add_automation_rule(
    *, organization: Organization, category: str, subtype: str, action: str, tag: str = ""
) -> AutomationRule:
    """Add an email status automation rule; the policy service applies it to the next events."""
    with transaction.atomic():
        return AutomationRule.objects.create(
            organization=organization, category=category, subtype=subtype or "", action=action, tag=tag.strip()
        )


def set_automation_rule_enabled(*, rule: AutomationRule, enabled: bool) -> AutomationRule:
    rule.enabled = enabled
    rule.save(update_fields=["enabled"])
    return rule


def remove_automation_rule(*, rule: AutomationRule) -> None:
    rule.delete()
