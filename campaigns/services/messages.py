"""Campaign messages as bytes: the invariant parts rendered once per campaign, the rest per send.

Building every message with ``email.message.EmailMessage`` costs about a
millisecond of Python here, more than the SMTP exchange itself. A campaign's
messages differ only in the recipient, the token (envelope sender, Message-ID,
``X-BouncePortal-Token``, the unsubscribe link and the open pixel), the Date
and the merge fields (``campaigns.merge_fields``), so :class:`MessageTemplate`
encodes the headers and bodies once and each :meth:`MessageTemplate.render`
joins pre-encoded pieces with a few short per-send pieces; a subject or body
with merge fields is filled in and encoded per send, and so is an HTML body
with links, whose hrefs become each send's tracked redirects
(``campaigns.services.links``). Bodies are quoted-printable (``binascii.b2a_qp``, in C), so
any text is 7-bit safe; the boundary starts with ``=_``, which quoted-printable
output can never contain.
"""

import binascii
import html
import re
import secrets
from email.headerregistry import Address
from email.utils import formataddr, formatdate
from functools import lru_cache
from time import time

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from campaigns.merge_fields import MergeText, html_merge
from campaigns.services.links import MARKER, click_path, rewrite_links

_validator = EmailValidator()
_BODY_CLOSE = re.compile(r"</body\s*>", re.IGNORECASE)
_HEADER_BREAKS = re.compile(r"[\r\n\t]+")
# The common case of Django's user_regex, without IGNORECASE (several times faster on 100,000 addresses).
_DOT_ATOM = re.compile(r"[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*\Z")


@lru_cache(maxsize=4096)
def _ascii_domain(domain: str) -> str | None:
    """Return the domain as SMTP needs it (IDNA for non-ASCII), or None when it is not valid."""
    if not _validator.validate_domain_part(domain):
        return None
    try:
        return domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def smtp_address(email: str) -> str | None:
    """Return the address in the ASCII form used on the wire, or None when its syntax is not valid.

    Valid means Django's EmailValidator accepts it, the local part has at most
    64 characters (RFC 5321) and is ASCII (no SMTPUTF8), and the domain can be
    written in IDNA. Domains are cached: a run has few.
    """
    if not email or len(email) > 254 or "\n" in email or "\r" in email:
        return None
    local, _, domain = email.rpartition("@")
    if not local or not domain or len(local) > 64 or not local.isascii():
        return None
    if not (_DOT_ATOM.match(local) or _validator.user_regex.match(local)):
        return None
    ascii_domain = _ascii_domain(domain)
    return f"{local}@{ascii_domain}" if ascii_domain else None


def is_valid_sender(email: str) -> bool:
    """True when ``email`` may be used as a campaign's From address."""
    try:
        _validator(email)
    except ValidationError:
        return False
    return smtp_address(email) is not None


def _header_text(value: str) -> str:
    """Collapse line breaks so user text can never add a header."""
    return _HEADER_BREAKS.sub(" ", value).strip()


def _encoded_header(name: str, value: str) -> str:
    value = _header_text(value)
    if not value.isascii():
        from email.header import Header

        value = Header(value, "utf-8", header_name=name).encode()
    return f"{name}: {value}\n"


def _qp(text: str) -> bytes:
    """Quoted-printable bytes of ``text`` with CRLF line ends (a trailing line break included)."""
    if not text.endswith("\n"):
        text += "\n"
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    return encoded.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def html_from_text(text: str) -> str:
    """A minimal HTML version of a plain-text body: escaped paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


class MessageTemplate:
    """The invariant parts of one campaign's messages; ``render`` makes one send's bytes."""

    def __init__(self, campaign, *, bounce_domain: str, base_url: str):
        self.bounce_domain = bounce_domain
        self.base_url = base_url.rstrip("/")
        boundary = f"=_bp_{secrets.token_hex(12)}"
        sender = Address(addr_spec=campaign.from_email)  # validated before a run starts
        self._subject = MergeText(campaign.subject)
        head = (
            f"From: {formataddr((_header_text(campaign.from_name), sender.addr_spec), 'utf-8')}\n"
            + ("" if self._subject.has_fields else _encoded_header("Subject", campaign.subject))
            + "MIME-Version: 1.0\n"
            + "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
            + f'Content-Type: multipart/alternative; boundary="{boundary}"\n'
        )
        self._head = head.replace("\n", "\r\n").encode("ascii")
        part = "Content-Type: text/{}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        self._text_open = (
            f"\r\nThis is a multipart message in MIME format.\r\n\r\n--{boundary}\r\n" + part.format("plain")
        ).encode("ascii")
        self._html_open = f"--{boundary}\r\n{part.format('html')}".encode("ascii")
        self._close = f"--{boundary}--\r\n".encode("ascii")
        self._text = MergeText(campaign.body_text.replace("\r\n", "\n"))
        self._text_body = _qp(self._text.pieces[0]) if not self._text.has_fields else b""
        body_html, self.links = rewrite_links(campaign.body_html.strip() or html_from_text(campaign.body_text))
        match = None
        for match in _BODY_CLOSE.finditer(body_html):  # noqa: B007 -- the last closing tag is the one wanted
            pass
        before, after = (body_html[: match.start()], body_html[match.start() :]) if match else (body_html, "")
        self._html = (html_merge(before), html_merge(after))
        # Which tracked links each part holds; a part with neither links nor merge fields is encoded once.
        self._links_in = tuple(
            [i for i in range(len(self.links)) if MARKER.format(i) in text] for text in (before, after)
        )
        self._html_static = tuple(
            None if merged.has_fields or links else (_qp(text) if text else b"")
            for merged, links, text in zip(self._html, self._links_in, (before, after))
        )
        self._date = ("", 0)

    def envelope_sender(self, token: str) -> str:
        return f"bounces+{token}@{self.bounce_domain}"

    def unsubscribe_url(self, token: str) -> str:
        return f"{self.base_url}/u/{token}/"

    def pixel_url(self, token: str) -> str:
        return f"{self.base_url}/t/{token}/open.gif"

    def _date_header(self) -> str:
        now = int(time())
        if self._date[1] != now:  # formatdate costs more than the rest of the headers
            self._date = (formatdate(now, usegmt=True), now)
        return self._date[0]

    def _html_part(self, part: int, token: str, values: dict[str, str]) -> bytes:
        """One send's HTML before (0) or after (1) the footer: merge fields filled in, links tracked."""
        static = self._html_static[part]
        if static is not None:
            return static
        text = self._html[part].render(values)
        for index in self._links_in[part]:
            target = self.base_url + click_path(token, index, self.links[index])
            text = text.replace(MARKER.format(index), target)
        return _qp(text)

    def render(self, *, token: str, to: str, values: dict[str, str] | None = None) -> bytes:
        """Return the whole message for one send (CRLF line ends, 7-bit).

        ``values`` are the learner's merge fields (``first_name``, ``last_name``,
        ``department``, ``email``); a missing one is empty.
        """
        values = values or {}
        unsubscribe = self.unsubscribe_url(token)
        subject = _encoded_header("Subject", self._subject.render(values)) if self._subject.has_fields else ""
        headers = (
            f"To: {to}\r\nDate: {self._date_header()}\r\nMessage-ID: <{token}@{self.bounce_domain}>\r\n"
            f"X-BouncePortal-Token: {token}\r\nList-Unsubscribe: <{unsubscribe}>\r\n"
        ).encode("ascii") + subject.replace("\n", "\r\n").encode("ascii")
        text_footer = _qp(f"\n-- \nTo stop receiving these messages, unsubscribe: {unsubscribe}\n")
        html_footer = _qp(
            f'\n<p><a href="{unsubscribe}">Unsubscribe</a></p>\n'
            f'<img src="{self.pixel_url(token)}" width="1" height="1" alt="">\n'
        )
        return b"".join(
            (
                headers,
                self._head,
                self._text_open,
                self._text_body or _qp(self._text.render(values)),
                text_footer,
                self._html_open,
                self._html_part(0, token, values),
                html_footer,
                self._html_part(1, token, values),
                self._close,
            )
        )
