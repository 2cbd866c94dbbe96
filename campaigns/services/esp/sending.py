"""Sending a run's messages through an organization's ESP connection (django-anymail's backends).

``EspSession`` has the SMTP session's shape (``deliver(sender, recipient, message) -> Reply``), so
the chunk sender (``campaigns.services.delivery``) claims, renders, rate-limits and writes outcomes
back exactly as for SMTP. Each message is the one we render for SMTP, read back into its parts: our
Message-ID, ``X-BouncePortal-Token`` and List-Unsubscribe headers travel as headers, and the token
also as the service's metadata (``bp_token``), where its webhooks give it back.

The service's synchronous answer becomes an SMTP-like reply: accepted → 250; a recipient the
service refuses (its suppression list, an invalid address) → 550 at RCPT, which the chunk turns into
a bounce event classified from the text, like an SMTP 5xx; the API refusing our credentials or our
request → a 5xx at MAIL (the send fails, the learner is untouched); the API down, throttling or
unreachable → 4xx, retried with backoff.

The API host is checked by the egress guard before a session sends anything (public addresses
only; the tests' loopback endpoint passes because EGRESS_ALLOWED_NETWORKS allows it there). The
HTTP request itself is made by anymail's ``requests`` session, which resolves the name again: a DNS
answer changing between the check and the request is not caught here.
"""

from __future__ import annotations

import email
import email.policy
from urllib.parse import urlsplit

from anymail.exceptions import AnymailAPIError, AnymailError, AnymailRecipientsRefused
from anymail.message import AnymailMessage
from django.core.mail import get_connection

from bounceportal.egress import EgressRefused, resolve_public
from campaigns.esp_models import EspConnection
from campaigns.services.esp.events import TOKEN_KEY
from campaigns.services.smtp import Reply

# Per service: anymail's backend and the keyword its API credential goes in.
BACKENDS = {
    "postmark": ("anymail.backends.postmark.EmailBackend", "server_token"),
    "sendgrid": ("anymail.backends.sendgrid.EmailBackend", "api_key"),
    "mailgun": ("anymail.backends.mailgun.EmailBackend", "api_key"),
    "sparkpost": ("anymail.backends.sparkpost.EmailBackend", "api_key"),
    "brevo": ("anymail.backends.brevo.EmailBackend", "api_key"),
    "resend": ("anymail.backends.resend.EmailBackend", "api_key"),
    "postal": ("anymail.backends.postal.EmailBackend", "api_key"),
    "mailersend": ("anymail.backends.mailersend.EmailBackend", "api_token"),
}
_PASSED_HEADERS = ("message-id", "x-bounceportal-token", "list-unsubscribe", "list-unsubscribe-post")


class EspSendingError(Exception):
    """The connection cannot send (service without a sending backend here, or no API key)."""


def esp_backend(connection: EspConnection):
    """anymail's backend for the connection, with its API key (and API URL when one is set)."""
    if connection.service not in BACKENDS:
        raise EspSendingError(f"sending through {connection.get_service_display()} is not supported here")
    path, key_name = BACKENDS[connection.service]
    api_key = connection.get_secrets().get("api_key", "")
    if not api_key:
        raise EspSendingError(f"the connection “{connection.name}” has no API key")
    kwargs = {key_name: api_key, "ignore_unsupported_features": True}
    if connection.api_url:
        kwargs["api_url"] = connection.api_url
    return get_connection(path, fail_silently=False, **kwargs)


class EspSession:
    """Delivers rendered messages through one ESP connection; every outcome is a ``Reply``."""

    def __init__(self, connection: EspConnection):
        self.connection = connection
        self.label = connection.get_service_display()
        self.down = ""
        try:
            self.backend = esp_backend(connection)
            self._check_egress()
        except (EspSendingError, EgressRefused, AnymailError) as exc:
            self.backend, self.down = None, str(exc) or type(exc).__name__

    def _check_egress(self) -> None:
        url = getattr(self.backend, "api_url", "") or ""
        parts = urlsplit(url)
        if parts.hostname:
            resolve_public(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return None

    def deliver(self, *, sender: str, recipient: str, message: bytes) -> Reply:
        """Send one rendered message to ``recipient`` through the service; return its answer as a Reply."""
        if self.backend is None:
            return Reply(554, f"5.3.5 {self.label}: {self.down}", "MAIL")
        outgoing = _anymail_message(message, sender=sender, recipient=recipient, backend=self.backend)
        try:
            outgoing.send()
        except AnymailRecipientsRefused:
            return self._refused(outgoing, recipient)
        except AnymailAPIError as exc:
            return self._api_error(exc)
        except (AnymailError, OSError) as exc:
            return Reply(0, f"{self.label} unreachable: {type(exc).__name__}", "connection")
        status = outgoing.anymail_status.recipients.get(recipient.lower()) or outgoing.anymail_status.recipients.get(
            recipient
        )
        if status is not None and status.status in ("rejected", "invalid"):
            return self._refused(outgoing, recipient)
        return Reply(250, f"2.0.0 accepted by {self.label} id={outgoing.anymail_status.message_id}", "DATA")

    def _refused(self, outgoing, recipient: str) -> Reply:
        status = outgoing.anymail_status.recipients.get(recipient.lower()) or outgoing.anymail_status.recipients.get(
            recipient
        )
        kind = status.status if status is not None else "rejected"
        detail = _response_text(outgoing.anymail_status.esp_response)
        if kind == "invalid":
            return Reply(550, f"5.1.3 {self.label} refused an invalid recipient address: {detail}", "RCPT")
        return Reply(550, f"5.7.1 {self.label} refused the recipient (suppressed by the relay): {detail}", "RCPT")

    def _api_error(self, exc: AnymailAPIError) -> Reply:
        code = exc.status_code or 0
        text = " ".join(str(exc).split())[:500]
        if code == 429 or code >= 500 or code == 0:
            return Reply(451, f"4.3.2 {self.label} API answered {code or 'nothing'}: {text}", "connection")
        return Reply(554, f"5.7.0 {self.label} API refused the request ({code}): {text}", "MAIL")


def _anymail_message(raw: bytes, *, sender: str, recipient: str, backend) -> AnymailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    text_part = parsed.get_body(("plain",))
    html_part = parsed.get_body(("html",))
    headers = {name: str(parsed[name]) for name in _PASSED_HEADERS if parsed[name] is not None}
    token = str(parsed["X-BouncePortal-Token"] or "")
    outgoing = AnymailMessage(
        subject=str(parsed["Subject"] or ""),
        body=text_part.get_content() if text_part is not None else "",
        from_email=str(parsed["From"]),
        to=[recipient],
        headers={_header_name(name): value for name, value in headers.items()},
        connection=backend,
        metadata={TOKEN_KEY: token},
        envelope_sender=sender,
    )
    if html_part is not None:
        outgoing.attach_alternative(html_part.get_content(), "text/html")
    return outgoing


def _header_name(name: str) -> str:
    return {"message-id": "Message-ID", "x-bounceportal-token": "X-BouncePortal-Token"}.get(
        name, "-".join(part.capitalize() for part in name.split("-"))
    )


def _response_text(response) -> str:
    try:
        return " ".join(str(response.text).split())[:400]
    except AttributeError:
        return ""
