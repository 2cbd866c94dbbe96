"""The bounce mailbox form of the admin: secrets are write-only (an empty field keeps the old one).

The admin saves through ``save_bounce_mailbox`` (campaigns/mailbox_admin.py), which stores the secrets.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import BounceMailbox

KEEP = "Leave empty to keep the current value; it is stored encrypted and never shown."


class BounceMailboxAdminForm(forms.ModelForm):
    password = forms.CharField(
        required=False, strip=False, widget=forms.PasswordInput(render_value=False), help_text=KEEP
    )
    oauth_client_secret = forms.CharField(
        required=False,
        strip=False,
        label=_("OAuth client secret"),
        widget=forms.PasswordInput(render_value=False),
        help_text=KEEP,
    )
    oauth_refresh_token = forms.CharField(
        required=False,
        strip=False,
        label=_("OAuth refresh token"),
        widget=forms.PasswordInput(render_value=False),
        help_text=KEEP,
    )

    oauth_token_endpoint = forms.URLField(required=False, assume_scheme="https", label=_("OAuth token endpoint"))
    port = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=65535,
        help_text=_("Empty: the standard port of the protocol and security."),
    )

    class Meta:
        model = BounceMailbox
        fields = "__all__"  # noqa: DJ007 -- the admin shows every column; secrets are write-only fields
