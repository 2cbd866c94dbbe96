from django import forms
from django.http import QueryDict
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from contacts.filters import LearnerFilter
from contacts.models import Learner


class LearnerEditForm(forms.ModelForm):
    """The learner's own fields; bounced learners must acknowledge the address to clear it.

    The form only validates: the view calls ``clear_bounce_status`` or
    ``change_learner_email`` with what it cleaned (STYLE rule 6).
    """

    acknowledge_valid = forms.BooleanField(
        required=False,
        label=_("I acknowledge this email address is valid"),
        help_text=_("Clears the bounce status so this learner receives campaigns again."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the address is valid (kept in the audit log)."),
    )

    class Meta:
        model = Learner
        fields = ["email", "first_name", "last_name", "department"]
        labels = {
            "email": _("Email"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "department": _("Department"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.was_bounced = self.instance.is_bounced
        self.was_cleared_before = self.instance.times_cleared > 0
        self.original_email = self.instance.email
        if not self.was_bounced:
            del self.fields["acknowledge_valid"]

    @property
    def email_changed(self) -> bool:
        return self.cleaned_data.get("email", "").lower() != self.original_email.lower()

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        duplicate = (
            Learner.objects.filter(organization_id=self.instance.organization_id, email__iexact=email)
            .exclude(pk=self.instance.pk)
            .exists()
        )
        if duplicate:
            raise forms.ValidationError(gettext("Another learner in this organization already uses this address."))
        return email

    def clean(self):
        cleaned = super().clean()
        clearing = cleaned.get("acknowledge_valid")
        if clearing and self.was_cleared_before and not cleaned.get("note", "").strip():
            self.add_error(
                "note", gettext("This address was cleared before and bounced again: say why it is valid now.")
            )
        return cleaned


class BulkClearSelectionForm(forms.Form):
    """The learners a portal bulk clear starts from: the selected ones, or every one matching the
    list's filters. ``cleaned_data["learners"]`` is a queryset of the organization's learners."""

    select = forms.ModelMultipleChoiceField(
        queryset=Learner.objects.none(), widget=forms.MultipleHiddenInput, required=False
    )
    matching = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        max_length=2000,
        help_text=_("The learner list's query string, for 'all matching these filters'."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organization, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization, self.policy = organization, policy
        self.fields["select"].queryset = Learner.objects.for_organization(organization)

    def clean(self):
        cleaned = super().clean()
        matching = cleaned.get("matching", "")
        if matching:
            filterset = LearnerFilter(
                QueryDict(matching),
                queryset=Learner.objects.for_organization(self.organization),
                organization=self.organization,
                policy=self.policy,
            )
            if not filterset.is_valid():
                raise forms.ValidationError(
                    gettext("These filters are not valid any more: go back and apply them again.")
                )
            cleaned["learners"] = filterset.qs
        elif cleaned.get("select"):
            cleaned["learners"] = cleaned["select"]
        elif "select" not in self.errors:
            self.add_error("select", gettext("Select at least one learner."))
        return cleaned


class BulkClearConfirmForm(forms.Form):
    """Confirmation of a bulk-clear job (portal and admin): the required note and, when the job
    holds learners cleared several times before, the explicit choice to clear them again."""

    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        max_length=2000,
        help_text=_(
            "Required. Why these statuses are cleared (e.g. the ticket, who confirmed the addresses); "
            "kept in the audit log of each learner."
        ),
    )
    repeat_confirmed = forms.BooleanField(
        required=False,
        label=_("Clear the repeatedly cleared learners listed above as well"),
    )

    def __init__(self, *args, repeat_count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.repeat_count = repeat_count
        if not repeat_count:
            del self.fields["repeat_confirmed"]

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(gettext("A note is required: say why these addresses are valid."))
        return note

    def clean_repeat_confirmed(self):
        if not self.cleaned_data["repeat_confirmed"]:
            raise forms.ValidationError(
                ngettext(
                    "%(count)s learner bounced again after being cleared three or more times: "
                    "tick the box to clear them anyway.",
                    "%(count)s learners bounced again after being cleared three or more times: "
                    "tick the box to clear them anyway.",
                    self.repeat_count,
                )
                % {"count": self.repeat_count}
            )
        return True
