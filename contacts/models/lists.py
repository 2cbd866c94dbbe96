"""The never-suppress list and the email status automation rules of an organization."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.choices import Category, Subtype
from contacts.models.organizations import Organization


class NeverSuppressQuerySet(models.QuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def current(self):
        return self.filter(removed_at__isnull=True)


class NeverSuppress(models.Model):
    """A never-suppress entry (DESIGN §3): an address, or a whole domain, whose bounces never suppress.

    Entries are never deleted: removing one stamps ``removed_at`` / ``removed_by``, so the
    list's history (who added what, why, who took it off) stays readable. ``entry`` is
    lower-case: ``someone@example.com`` for an address, ``example.com`` for a domain.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="never_suppress")
    entry = models.CharField(max_length=254, help_text=_("An address (a@b.example) or a whole domain (b.example)."))
    is_domain = models.BooleanField(default=False)
    reason = models.CharField(max_length=300, help_text=_("Why bounces of this address or domain never suppress."))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = NeverSuppressQuerySet.as_manager()

    class Meta:
        ordering = ["entry", "-created_at"]
        verbose_name = _("never-suppress entry")
        verbose_name_plural = _("never-suppress list")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "entry"],
                condition=models.Q(removed_at__isnull=True),
                name="never_suppress_current_unique",
            ),
        ]

    def __str__(self):
        return self.entry

    @property
    def kind_label(self) -> str:
        return gettext("Domain") if self.is_domain else gettext("Address")


class AutomationAction(models.TextChoices):
    SUPPRESS = "suppress", _("Suppress (mark bounced)")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")
    TAG = "tag", _("Tag the learner")
    NOTIFY = "notify", _("Notify the admins")
    RESEND = "resend", _("Add to the resend list")


class AutomationRule(models.Model):
    """Email status automation (DESIGN §3): an extra action for a category / subtype."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="automation_rules")
    category = models.CharField(max_length=12, choices=Category.choices)
    subtype = models.CharField(
        max_length=24,
        choices=Subtype.choices,
        blank=True,
        help_text=_("Leave empty to act on every subtype of the category."),
    )
    action = models.CharField(max_length=12, choices=AutomationAction.choices)
    tag = models.CharField(max_length=50, blank=True, help_text=_("The tag to add, for the tag action."))
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "subtype", "action"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "category", "subtype", "action"], name="automation_rule_unique"
            ),
        ]

    def __str__(self):
        target = self.get_subtype_display() if self.subtype else gettext("any subtype")
        return f"{self.get_category_display()} / {target}: {self.get_action_display()}"

    def matches(self, category: str, subtype: str) -> bool:
        return self.enabled and self.category == category and self.subtype in ("", subtype)
