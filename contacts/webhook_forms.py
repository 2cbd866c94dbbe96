"""The form of Settings → Webhooks (validates and re-shows; the views call contacts.webhooks.subscriptions)."""

from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bounceportal.egress import REFUSED_TEXT, EgressRefused, plain_http_allowed, refused_now, resolve_public
from contacts.webhook_models import WebhookEventType


class WebhookSubscriptionForm(forms.Form):
    url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        label=_("URL"),
        help_text=_("https://… of your receiver; events are POSTed."),
    )
    description = forms.CharField(
        label=_("Description"), max_length=100, required=False, help_text=_("What receives them, e.g. “HR system”.")
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Which events to send."),
    )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        parts = urlsplit(url)
        if parts.username or parts.password:
            raise forms.ValidationError(
                gettext("Leave the user name and password out of the URL; requests are signed.")
            )
        if parts.scheme == "https":
            if refused_now(parts.hostname or "", parts.port or 443):
                raise forms.ValidationError(REFUSED_TEXT)
            return url
        # Plain http only to the networks the operator allows (the tests' and the demo's local receivers).
        try:
            target = resolve_public(parts.hostname or "", parts.port or 80)
        except EgressRefused:
            raise forms.ValidationError(REFUSED_TEXT) from None
        if parts.scheme != "http" or not plain_http_allowed(target):
            raise forms.ValidationError(gettext("Use an https:// URL: the events carry your learners' addresses."))
        return url
