"""Forms of the learner import: the upload, and the column mapping (one choice per column of the file)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.learner_import import FIELD_LABELS, MAX_BYTES

IGNORE = ""


class LearnerImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (any separator; UTF-8, with or without BOM, or Latin-1) or Excel .xlsx.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(megabytes)s MB: split it.")
                % {"megabytes": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class ColumnMappingForm(forms.Form):
    """``column_<index>``: which learner field the file's column fills, or ignore it."""

    def __init__(self, *args, header: list[str], initial_mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(IGNORE, gettext("— ignore this column —")), *FIELD_LABELS.items()]
        for index, name in enumerate(header):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=name or gettext("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=initial_mapping.get(str(index), IGNORE),
            )

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("column_"): value for name, value in self.cleaned_data.items() if value}
