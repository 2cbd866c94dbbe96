"""The bounce mailbox form of the portal's Settings → Bounce mailboxes pages."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bounceportal import egress
from campaigns.mailboxes.base import is_loopback
from campaigns.mailboxes.oauth import OAuthError, check_token_endpoint
from campaigns.models import BounceMailbox, MailboxProtocol, MailboxSecurity, ProcessedAction

ACTIONS_BY_PROTOCOL = {
    MailboxProtocol.IMAP: {ProcessedAction.MOVE, ProcessedAction.FLAG, ProcessedAction.DELETE, ProcessedAction.LEAVE},
    MailboxProtocol.POP3: {ProcessedAction.DELETE, ProcessedAction.LEAVE},
}


class MailboxForm(forms.ModelForm):
    """An IMAP or POP3 bounce mailbox. Secrets are write-only: never rendered, empty keeps the stored one.

    Only validates; the view saves through ``save_bounce_mailbox`` (STYLE rule 6).
    Local Maildir mailboxes are set up by operators, not here, because their
    path is read with the worker's rights.
    """

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again."),
    )
    oauth_token_endpoint = forms.URLField(
        label=_("OAuth2 token endpoint"),
        required=False,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url"}),
        help_text=_("For providers that no longer accept passwords (XOAUTH2)."),
    )
    oauth_client_secret = forms.CharField(
        label=_("OAuth2 client secret"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )
    oauth_refresh_token = forms.CharField(
        label=_("OAuth2 refresh token"), required=False, strip=False, widget=forms.PasswordInput(render_value=False)
    )

    class Meta:
        model = BounceMailbox
        fields = [
            "name",
            "protocol",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "processed_action",
            "processed_folder",
            "poll_interval_seconds",
            "enabled",
            "oauth_client_id",
            "oauth_token_endpoint",
            "oauth_client_secret",
            "oauth_refresh_token",
        ]
        labels = {
            "name": _("Name"),
            "protocol": _("Protocol"),
            "host": _("Host"),
            "port": _("Port"),
            "security": _("Security"),
            "username": _("Username"),
            "processed_action": _("Processed action"),
            "processed_folder": _("Processed folder"),
            "enabled": _("Enabled"),
            "oauth_client_id": _("OAuth2 client id"),
            "folder": _("Folder"),
            "poll_interval_seconds": _("Poll every (seconds)"),
        }
        help_texts = {
            "folder": _("IMAP folder to read (POP3 has only one)."),
            "port": _("Empty: the standard port (IMAP 993 / 143, POP3 995 / 110)."),
            "processed_folder": _("Where processed bounces go with the “move” action."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].choices = [(p.value, p.label) for p in (MailboxProtocol.IMAP, MailboxProtocol.POP3)]
        self.fields["host"].required = True
        self.fields["port"].min_value, self.fields["port"].max_value = 1, 65535
        self.fields["port"].validators += [MinValueValidator(1), MaxValueValidator(65535)]
        if self.instance.pk:
            for name, present in (
                ("password", self.instance.has_password),
                ("oauth_client_secret", bool(self.instance.oauth_client_secret_encrypted)),
                ("oauth_refresh_token", bool(self.instance.oauth_refresh_token_encrypted)),
            ):
                if present:
                    self.fields[name].help_text = gettext("A value is stored. Leave empty to keep it.")

    def clean_host(self):
        host = self.cleaned_data["host"].strip()
        # Customers must not make our worker (and "Test connection") probe the internal network. The
        # guard that counts runs again at every connection (bounceportal/egress.py); this one only
        # says it early, with the same words.
        if host and egress.refused_now(host, 443):
            raise forms.ValidationError(egress.REFUSED_TEXT)
        return host

    def clean(self):
        cleaned = super().clean()
        protocol, security, host = cleaned.get("protocol"), cleaned.get("security"), cleaned.get("host", "")
        if security == MailboxSecurity.NONE and host and not is_loopback(host):
            self.add_error(
                "security",
                gettext(
                    "Without TLS the password would cross the network in clear text: "
                    "only allowed for this machine (localhost)."
                ),
            )
        action = cleaned.get("processed_action")
        if protocol in ACTIONS_BY_PROTOCOL and action and action not in ACTIONS_BY_PROTOCOL[protocol]:
            self.add_error("processed_action", gettext("POP3 has no folders or flags: choose delete or leave."))
        if cleaned.get("oauth_token_endpoint"):
            try:
                check_token_endpoint(cleaned["oauth_token_endpoint"])
            except OAuthError as exc:
                self.add_error("oauth_token_endpoint", str(exc))
            if protocol != MailboxProtocol.IMAP:
                self.add_error("oauth_token_endpoint", gettext("OAuth2 logins are supported for IMAP mailboxes."))
        uses_oauth = cleaned.get("oauth_token_endpoint") and (
            cleaned.get("oauth_refresh_token") or self.instance.oauth_refresh_token_encrypted
        )
        if not uses_oauth and not cleaned.get("password") and not self.instance.has_password:
            self.add_error("password", gettext("Enter the mailbox password (or set up OAuth2)."))
        return cleaned
