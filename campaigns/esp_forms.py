"""The ESP connection form (portal settings and Django admin): secrets are write-only.

A secret field is never rendered with its value; empty keeps the stored one. Only validates; the
portal view saves through ``save_esp_connection`` (STYLE rule 6), the admin through ``save()``.
"""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from campaigns.esp_models import EspConnection, EspService
from campaigns.services.esp.webhooks import SERVICES, secrets_for

KEEP = gettext_lazy("A value is stored. Leave empty to keep it.")
_ALL_SECRETS = {spec.name: spec for _, specs in SERVICES.values() for spec in specs}


class EspConnectionForm(forms.ModelForm):
    # Declared so that a scheme-less URL is read as https (the model field's form default is http).
    api_url = forms.URLField(
        label=gettext_lazy("Api url"),
        required=False,
        assume_scheme="https",
        help_text=EspConnection._meta.get_field("api_url").help_text,
    )

    class Meta:
        model = EspConnection
        fields = ["name", "service", "sns_topic_arn", "sending_enabled", "api_url", "enabled"]
        labels = {
            "sns_topic_arn": gettext_lazy("SNS topic ARN (Amazon SES)"),
            "name": gettext_lazy("Name"),
            "service": gettext_lazy("Service"),
            "sending_enabled": gettext_lazy("Sending enabled"),
            "enabled": gettext_lazy("Enabled"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = set(self.instance.secret_names) if self.instance.pk else set()
        for name in stored & set(_ALL_SECRETS):
            self.fields[f"secret_{name}"].help_text = (
                gettext("A value is stored. Leave empty to keep it.")
                + " "
                + gettext("Stored encrypted and never shown again.")
            )

    def secrets(self) -> dict[str, str]:
        """The secrets typed into the form (empty ones left out: they keep the stored value)."""
        service = self.cleaned_data.get("service", "")
        names = {spec.name for spec in secrets_for(service)}
        return {
            name: self.cleaned_data.get(f"secret_{name}", "")
            for name in names
            if self.cleaned_data.get(f"secret_{name}")
        }

    def clean(self):
        cleaned = super().clean()
        service = cleaned.get("service")
        stored = set(self.instance.secret_names) if self.instance.pk else set()
        for spec in secrets_for(service or ""):
            if spec.required and not cleaned.get(f"secret_{spec.name}") and spec.name not in stored:
                label = EspService(service).label
                self.add_error(
                    f"secret_{spec.name}", gettext("Needed to verify %(service)s's webhooks.") % {"service": label}
                )
        auth = cleaned.get("secret_basic_auth", "")
        if auth and ":" not in auth:
            self.add_error("secret_basic_auth", gettext("Write it as user:password."))
        return cleaned

    def save(self, commit=True):
        connection = super().save(commit=False)
        connection.set_secrets(**self.secrets())
        if commit:
            connection.save()
        return connection


def _secret_field(spec) -> forms.CharField:
    services = ", ".join(EspService(s).label for s, (_, specs) in SERVICES.items() if spec in specs)
    return forms.CharField(
        label=spec.label,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=f"{spec.help or 'For ' + services + '.'} Stored encrypted and never shown again.",
    )


# Declared on the class (not in __init__) so the Django admin's fieldsets can name them too.
for _name, _spec in _ALL_SECRETS.items():
    EspConnectionForm.base_fields[f"secret_{_name}"] = EspConnectionForm.declared_fields[f"secret_{_name}"] = (
        _secret_field(_spec)
    )
SECRET_FIELDS = [f"secret_{name}" for name in _ALL_SECRETS]
