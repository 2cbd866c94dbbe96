from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.api.models import ApiScope


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What will use this key, e.g. “HR sync”."))
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiScope.choices, initial=ApiScope.READ)
    can_clear = forms.BooleanField(
        required=False,
        label=_("May clear bounce statuses"),
        help_text=_("Only with read and write; every clear is audited."),
    )

    def clean(self):
        data = super().clean()
        if data.get("can_clear") and data.get("scope") != ApiScope.WRITE:
            self.add_error("can_clear", gettext("Only a read-write key may clear bounce statuses."))
        return data
