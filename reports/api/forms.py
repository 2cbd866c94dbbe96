from django import forms

from reports.api.models import ApiScope


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use this key, e.g. “HR sync”.")
    scope = forms.ChoiceField(choices=ApiScope.choices, initial=ApiScope.READ)
    can_clear = forms.BooleanField(
        required=False, label="May clear bounce statuses", help_text="Only with read and write; every clear is audited."
    )

    def clean(self):
        data = super().clean()
        if data.get("can_clear") and data.get("scope") != ApiScope.WRITE:
            self.add_error("can_clear", "Only a read-write key may clear bounce statuses.")
        return data
