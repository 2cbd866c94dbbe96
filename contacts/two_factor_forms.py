"""Two-factor forms: a one-time code, and the organization's rule for its admins (validate and re-show only)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Organization


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text=_("The 6 digits your authenticator app shows now, or one of your backup codes."),
    )


class AppCodeForm(CodeForm):
    """The first code from a newly added app (backup codes do not exist yet)."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The 6 digits the app shows for BouncePortal."),
    )


class TwoFactorRuleForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["require_admin_two_factor"]
        labels = {"require_admin_two_factor": _("Require two-factor authentication for admins")}
