"""Forms of the support admin's bulk-clear pages: the confirmation and the address list."""

import re

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Learner, Organization

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ADDRESSES = 200_000
_SEPARATORS = re.compile(r"[\s,;]+")
_WRAPPING = "\"'<>()[]"


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """Return (valid addresses, invalid entries) found in a pasted list or a CSV/text file.

    Entries are split on white space, commas and semicolons; a CSV's other
    columns (names, headers) are skipped because they hold no "@". Valid
    addresses are de-duplicated case-insensitively, keeping the first spelling.
    """
    valid, invalid, seen = [], [], set()
    for token in _SEPARATORS.split(text):
        token = token.strip(_WRAPPING)
        if token.lower().startswith("mailto:"):
            token = token[len("mailto:") :]
        if "@" not in token:
            continue
        try:
            validate_email(token)
        except ValidationError:
            invalid.append(token[:254])
            continue
        if token.lower() not in seen:
            seen.add(token.lower())
            valid.append(token)
    return valid, invalid


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class AddressListForm(forms.Form):
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.all(),
        widget=AutocompleteSelect(Learner._meta.get_field("organization"), admin.site),
    )
    addresses = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text=_("One per line, or separated by commas or semicolons (up to about 50,000; upload a file for more)."),
    )
    file = forms.FileField(
        required=False,
        label=_("Or upload a file"),
        help_text=_("A text or CSV file (up to 10 MB); every cell holding an address is used."),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(gettext("The file is larger than 10 MB: split it into several lists."))
        return upload

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("addresses") or ""
        upload = cleaned.get("file")
        if upload:
            text += "\n" + _decode(upload.read())
        if "\x00" in text:
            # A binary file (a spreadsheet saved as .xlsx, UTF-16 text): nothing of it could be stored.
            raise ValidationError(
                gettext(
                    "The list holds NUL bytes, so it is not a text or CSV file (UTF-16, or a spreadsheet?): "
                    "save it as CSV (UTF-8) and upload it again."
                )
            )
        valid, invalid = parse_addresses(text)
        if not valid and not self.errors:
            message = gettext("No valid address found.") if invalid else gettext("Paste addresses or upload a file.")
            raise ValidationError(message)
        if len(valid) > MAX_ADDRESSES:
            raise ValidationError(
                gettext("%(count)s addresses is more than %(limit)s: split the list.")
                % {
                    "count": number_format(len(valid), force_grouping=True),
                    "limit": number_format(MAX_ADDRESSES, force_grouping=True),
                }
            )
        cleaned["valid"], cleaned["invalid"] = valid, invalid
        return cleaned
