"""Forms of the never-suppress settings page: add one entry, import a CSV (validate and re-show only)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.never_suppress import MAX_REASON, parse_entry

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class NeverSuppressEntryForm(forms.Form):
    entry = forms.CharField(
        max_length=254,
        label=_("Address or domain"),
        help_text=_("someone@example.com for one address; example.com for every address at the domain."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=MAX_REASON, help_text=_("Why these bounces must never suppress.")
    )

    def clean_entry(self):
        return parse_entry(self.cleaned_data["entry"])[0]


class NeverSuppressImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns entry and reason (the export's format); a header row is optional.")
    )
    default_reason = forms.CharField(
        label=_("Default reason"), max_length=MAX_REASON, required=False, help_text=_("For rows that give no reason.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(gettext("The file is larger than 2 MB: split it."))
        data = upload.read()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("latin-1")
