"""Settings forms: the bounce policy, sending settings and automation rules (validate and re-show only)."""

import zoneinfo

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.choices import CATEGORY_OF_SUBTYPE, SOFT_COUNTING_CATEGORIES, Category, Subtype
from contacts.models import AutomationAction, AutomationRule, BouncePolicy, DigestFrequency, Organization

POSITIVE = _("Must be a whole number of at least %(limit_value)s.")
AT_MOST = _("Must be at most %(limit_value)s.")


def _bounded(field: forms.IntegerField, minimum: int, maximum: int) -> None:
    """Replace a number field's limits with plain messages (0 or negative: "at least 1", not "≥ 0")."""
    field.min_value, field.max_value = minimum, maximum
    field.validators = [v for v in field.validators if not hasattr(v, "limit_value")] + [
        MinValueValidator(minimum, message=POSITIVE),
        MaxValueValidator(maximum, message=AT_MOST),
    ]
    field.widget.attrs.update(min=minimum, max=maximum)


class BouncePolicyForm(forms.ModelForm):
    class Meta:
        model = BouncePolicy
        fields = [
            "soft_threshold_unengaged",
            "soft_threshold_engaged",
            "engaged_window_days",
            "allowlisting_alert_share",
            "unverified_events_suppress",
            "sender_side_counts",
            "run_guard_enabled",
            "run_guard_min_sends",
            "run_guard_hard_review",
            "run_guard_hard_pause",
            "run_guard_complaint_review",
            "run_guard_complaint_pause",
            "run_guard_block_pause",
            "soft_suppression_days",
            "soft_suppression_max_days",
        ]
        labels = {
            "soft_threshold_unengaged": _("Soft bounces before suppressing a learner who has not engaged"),
            "soft_threshold_engaged": _("Soft bounces before suppressing an engaged learner"),
            "engaged_window_days": _("Engaged window (days)"),
            "allowlisting_alert_share": _("Allowlisting alert share (%)"),
            "unverified_events_suppress": _("Let unverified bounces change a learner's status"),
            "sender_side_counts": _("Count sender-side bounces toward a learner's threshold"),
            "run_guard_enabled": _("Run guard: pause a run that is going wrong"),
            "run_guard_min_sends": _("Run guard: judge rates after this many sends"),
            "run_guard_hard_review": _("Hard-bounce rate for review (%)"),
            "run_guard_hard_pause": _("Hard-bounce rate that pauses (%)"),
            "run_guard_complaint_review": _("Complaint rate for review (%)"),
            "run_guard_complaint_pause": _("Complaint rate that pauses (%)"),
            "run_guard_block_pause": _("One product's block share that pauses (%)"),
            "soft_suppression_days": _("Retry a soft-suppressed learner after (days)"),
            "soft_suppression_max_days": _("Longest wait before a retry (days)"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bounded(self.fields["soft_threshold_unengaged"], 1, 1000)
        _bounded(self.fields["soft_threshold_engaged"], 1, 1000)
        _bounded(self.fields["engaged_window_days"], 1, 3650)
        _bounded(self.fields["allowlisting_alert_share"], 1, 100)
        _bounded(self.fields["run_guard_min_sends"], 1, 1_000_000)
        _bounded(self.fields["soft_suppression_days"], 0, 365)
        _bounded(self.fields["soft_suppression_max_days"], 1, 3650)

    def clean(self):
        cleaned = super().clean()
        for review, pause in (
            ("run_guard_hard_review", "run_guard_hard_pause"),
            ("run_guard_complaint_review", "run_guard_complaint_pause"),
        ):
            if cleaned.get(review) is not None and cleaned.get(pause) is not None and cleaned[review] > cleaned[pause]:
                self.add_error(review, gettext("The review rate must not be above the rate that pauses the run."))
        return cleaned


class SendingSettingsForm(forms.ModelForm):
    """The organization's time zone (send windows are read in it)."""

    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones() | {"UTC"})],
        help_text=_(
            "Every date and time on the portal's pages, in CSV exports and in date filters is in this time "
            "zone; send windows of scheduled runs (weekdays 09:00–17:00 …) are read in it too."
        ),
    )

    class Meta:
        model = Organization
        fields = ["time_zone"]


SUBTYPE_CHOICES = [("", _("Any subtype"))] + [
    (category_label, [(subtype.value, subtype.label) for subtype in subtypes])
    for category_label, subtypes in (
        (Category(category).label, [s for s, c in CATEGORY_OF_SUBTYPE.items() if c == category])
        for category in Category.values
    )
]


class AutomationRuleForm(forms.ModelForm):
    subtype = forms.ChoiceField(label=_("Subtype"), choices=SUBTYPE_CHOICES, required=False)

    class Meta:
        model = AutomationRule
        fields = ["category", "subtype", "action", "tag"]
        labels = {"category": _("Category"), "action": _("Action"), "tag": _("Tag")}
        help_texts = {"tag": _("Only for the tag action.")}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean(self):
        cleaned = super().clean()
        category, subtype, action = cleaned.get("category"), cleaned.get("subtype", ""), cleaned.get("action")
        if category and subtype and CATEGORY_OF_SUBTYPE.get(Subtype(subtype)) != category:
            self.add_error(
                "subtype",
                gettext("%(subtype)s is not a subtype of %(category)s.")
                % {"subtype": Subtype(subtype).label, "category": Category(category).label},
            )
        if action == AutomationAction.TAG and not cleaned.get("tag", "").strip():
            self.add_error("tag", gettext("Name the tag to add."))
        if action == AutomationAction.RESEND and category and category not in SOFT_COUNTING_CATEGORIES:
            self.add_error("action", gettext("Only soft bounces and mail blocks can go back on the resend list."))
        if (
            category
            and action
            and AutomationRule.objects.filter(
                organization=self.organization, category=category, subtype=subtype or "", action=action
            ).exists()
        ):
            raise forms.ValidationError(gettext("This rule exists already."))
        return cleaned


class DigestFrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Digest email"),
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A daily digest covers the day before, a weekly one Monday to Sunday, in your organization's time zone."
        ),
    )
