"""Make realistic bounce messages for our own sends (the demo, the tests and the benchmark).

Each builder returns the raw bytes a bounce mailbox would receive in reply to
one send, in the style of one MTA: a Postfix RFC 3464 DSN, an Exim text
bounce, an Exchange non-delivery report, a delayed DSN, a successful-delivery
DSN, an RFC 3834 auto-reply, an ARF complaint, or a human reply. They are
written for this project from the RFCs and what these MTAs are known to say;
none is a copy of a collected bounce. Pure Python (no Django), so the
benchmark can make 100,000 of them cheaply.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime


@dataclass(frozen=True)
class Original:
    """What we sent: enough to build a reply to it."""

    token: str
    email: str
    bounce_domain: str = "bounces.bounceportal.test"
    from_email: str = "training@acme.example"
    subject: str = "Your training starts Monday"
    sent_at: datetime | None = None

    @property
    def verp(self) -> str:
        return f"bounces+{self.token}@{self.bounce_domain}"

    @property
    def message_id(self) -> str:
        return f"<{self.token}@{self.bounce_domain}>"

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]


def _date(original: Original, minutes: int = 3) -> str:
    sent = original.sent_at or datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    return format_datetime(sent + timedelta(minutes=minutes))


def _returned_headers(original: Original) -> str:
    return (
        f"Return-Path: <{original.verp}>\n"
        f"From: Training Team <{original.from_email}>\n"
        f"To: <{original.email}>\n"
        f"Subject: {original.subject}\n"
        f"Date: {_date(original, 0)}\n"
        f"Message-ID: {original.message_id}\n"
        f"X-BouncePortal-Token: {original.token}\n"
        f"MIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n"
    )


def _returned_part(original: Original, returned: bytes | None) -> str:
    if returned is None:
        return (
            "Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n"
            + _returned_headers(original)
        )
    text = returned.replace(b"\r\n", b"\n").decode("latin-1")
    return "Content-Description: Undelivered Message\nContent-Type: message/rfc822\n\n" + text


def _to_header(original: Original, verp: bool) -> str:
    """Where the bounce is addressed: our VERP address, or (forwarded, token lost) a plain one."""
    return original.verp if verp else f"bounces@{original.bounce_domain}"


def postfix_dsn(
    original: Original,
    *,
    status: str = "5.1.1",
    diagnostic: str = "",
    action: str = "failed",
    verp: bool = True,
    boundary: str = "B0UNDARY.1",
    returned: bytes | None = None,
) -> bytes:
    """A Postfix-style multipart/report (RFC 3464) with the returned headers attached,
    or with ``returned`` (the whole message as it was sent) attached as message/rfc822."""
    diagnostic = diagnostic or (
        f"550 5.1.1 <{original.email}>: Recipient address rejected: User unknown in virtual mailbox table"
    )
    mta = f"mx1.{original.domain}"
    if action == "delayed":
        subject, intro = (
            "Delayed Mail (still being retried)",
            "This is the mail system at host mail.bounceportal.test.\n\n"
            "####################################################################\n"
            "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
            "####################################################################\n\n"
            "Your message could not be delivered for 4.0 hours.\n"
            "It will be retried until it is 5.0 days old.\n",
        )
    elif action == "delivered":
        subject, intro = (
            "Successful Mail Delivery Report",
            "This is the mail system at host mail.bounceportal.test.\n\n"
            "Your message was successfully delivered to the destination(s)\n"
            "listed below.\n",
        )
    else:
        subject, intro = (
            "Undelivered Mail Returned to Sender",
            "This is the mail system at host mail.bounceportal.test.\n\n"
            "I'm sorry to have to inform you that your message could not\n"
            "be delivered to one or more recipients. It's attached below.\n\n"
            "                   The mail system\n",
        )
    text = f"{intro}\n<{original.email}>: host {mta}[192.0.2.25] said: {diagnostic}\n"
    return (
        f"Return-Path: <>\n"
        f"Delivered-To: {_to_header(original, verp)}\n"
        f"Date: {_date(original)}\n"
        f"From: MAILER-DAEMON@mail.bounceportal.test (Mail Delivery System)\n"
        f"Subject: {subject}\n"
        f"To: {_to_header(original, verp)}\n"
        f"Auto-Submitted: auto-replied\n"
        f"MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\n'
        f"Message-Id: <{boundary}.{original.token[:8]}@mail.bounceportal.test>\n\n"
        f"This is a MIME-encapsulated message.\n\n"
        f"--{boundary}\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n"
        f"{text}\n"
        f"--{boundary}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; mail.bounceportal.test\n"
        f"X-Postfix-Queue-ID: 4Q{original.token[:8].upper()}\n"
        f"Arrival-Date: {_date(original, 0)}\n\n"
        f"Final-Recipient: rfc822; {original.email}\n"
        f"Original-Recipient: rfc822;{original.email}\n"
        f"Action: {action}\n"
        f"Status: {status}\n"
        f"Remote-MTA: dns; {mta}\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n\n"
        f"--{boundary}\n{_returned_part(original, returned)}\n"
        f"--{boundary}--\n"
    ).encode("latin-1")


def exim_text(original: Original, *, diagnostic: str = "", verp: bool = True) -> bytes:
    """An Exim-style plain-text bounce quoting the SMTP error and the returned message."""
    diagnostic = diagnostic or "552 5.2.2 Mailbox full: user is over quota"
    return (
        f"Return-path: <>\n"
        f"Envelope-to: {_to_header(original, verp)}\n"
        f"Delivery-date: {_date(original)}\n"
        f"X-Failed-Recipients: {original.email}\n"
        f"Auto-Submitted: auto-replied\n"
        f"From: Mail Delivery System <Mailer-Daemon@relay.bounceportal.test>\n"
        f"To: {_to_header(original, verp)}\n"
        f"Subject: Mail delivery failed: returning message to sender\n"
        f"Message-Id: <E1t{original.token[:10]}-000Abc-7Q@relay.bounceportal.test>\n"
        f"Date: {_date(original)}\n\n"
        f"This message was created automatically by mail delivery software.\n\n"
        f"A message that you sent could not be delivered to one or more of its\n"
        f"recipients. This is a permanent error. The following address(es) failed:\n\n"
        f"  {original.email}\n"
        f"    host mx.{original.domain} [198.51.100.7]\n"
        f"    SMTP error from remote mail server after RCPT TO:<{original.email}>:\n"
        f"    {diagnostic}\n\n"
        f"------ This is a copy of the message, including all the headers. ------\n\n"
        f"{_returned_headers(original)}\n"
        f"Hello,\n\n{original.subject}.\n"
    ).encode()


def exchange_ndr(original: Original, *, verp: bool = True) -> bytes:
    """An Exchange-style NDR: HTML notice plus a delivery-status part (5.1.10 recipient not found)."""
    boundary = f"_000_NDR{original.token[:12]}_"
    diagnostic = (
        f"Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
        f"Recipient {original.email} not found by SMTP address lookup'"
    )
    return (
        f"From: Microsoft Outlook <postmaster@{original.domain}>\n"
        f"To: <{_to_header(original, verp)}>\n"
        f"Date: {_date(original)}\n"
        f"Subject: Undeliverable: {original.subject}\n"
        f'Content-Type: multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"\n'
        f"Message-ID: <ndr{original.token[:12]}@{original.domain}.mail.protection.outlook.com>\n"
        f"MIME-Version: 1.0\n"
        f"X-MS-Exchange-Message-Is-Ndr:\n\n"
        f"--{boundary}\nContent-Type: text/html; charset=us-ascii\n\n"
        f'<html><body><p><b><font color="#000066" size="3">Your message to {original.email} '
        f"couldn't be delivered.</font></b></p>\n"
        f"<p>{original.email.split('@')[0]} wasn't found at {original.domain}.</p>\n"
        f"<p><b>Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
        f"Recipient not found by SMTP address lookup'</b></p></body></html>\n\n"
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns;{original.domain}.mail.protection.outlook.com\n"
        f"Received-From-MTA: dns;mail.bounceportal.test\n"
        f"Arrival-Date: {_date(original, 1)}\n\n"
        f"Final-Recipient: rfc822;{original.email}\n"
        f"Action: failed\n"
        f"Status: 5.1.10\n"
        f"Diagnostic-Code: smtp;{diagnostic}\n\n"
        f"--{boundary}\nContent-Type: message/rfc822\n\n"
        f"{_returned_headers(original)}\n"
        f"Hello,\n\n{original.subject}.\n\n"
        f"--{boundary}--\n"
    ).encode()


def auto_reply(original: Original, *, verp: bool = True) -> bytes:
    """An RFC 3834 out-of-office reply from the learner's mailbox."""
    return (
        f"From: <{original.email}>\n"
        f"To: {_to_header(original, verp)}\n"
        f"Subject: Automatic reply: {original.subject}\n"
        f"Date: {_date(original, 1)}\n"
        f"Message-ID: <ooo.{original.token[:12]}@{original.domain}>\n"
        f"In-Reply-To: {original.message_id}\n"
        f"References: {original.message_id}\n"
        f"Auto-Submitted: auto-replied\n"
        f"X-Auto-Response-Suppress: All\n"
        f"Content-Type: text/plain; charset=utf-8\n\n"
        f"Thank you for your message. I am out of the office until Monday 14 December\n"
        f"with limited access to email. For urgent matters please contact the service desk.\n"
    ).encode()


def arf_complaint(original: Original, *, verp: bool = True) -> bytes:
    """An RFC 5965 abuse report (a feedback loop complaint) about our message."""
    boundary = f"ARF_{original.token[:10]}"
    return (
        f"From: <feedback-loop@fbl.{original.domain}>\n"
        f"To: {_to_header(original, verp)}\n"
        f"Subject: FW: {original.subject}\n"
        f"Date: {_date(original, 30)}\n"
        f"Message-ID: <fbl.{original.token[:12]}@fbl.{original.domain}>\n"
        f"MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; report-type=feedback-report; boundary="{boundary}"\n\n'
        f"--{boundary}\nContent-Type: text/plain; charset=us-ascii\n\n"
        f"This is an email abuse report for an email message received from IP 203.0.113.25.\n\n"
        f"--{boundary}\nContent-Type: message/feedback-report\n\n"
        f"Feedback-Type: abuse\n"
        f"User-Agent: BouncePortalGenerator/1.0\n"
        f"Version: 1\n"
        f"Original-Mail-From: <{original.verp}>\n"
        f"Original-Rcpt-To: <{original.email}>\n"
        f"Arrival-Date: {_date(original, 1)}\n"
        f"Source-IP: 203.0.113.25\n\n"
        f"--{boundary}\nContent-Type: message/rfc822\n\n"
        f"{_returned_headers(original)}\n"
        f"Hello,\n\n{original.subject}.\n\n"
        f"--{boundary}--\n"
    ).encode()


def delayed_dsn(original: Original, *, verp: bool = True) -> bytes:
    """A Postfix 'delayed mail' warning: the send is deferred, not bounced."""
    return postfix_dsn(
        original,
        status="4.4.1",
        action="delayed",
        verp=verp,
        diagnostic="connect to mx.example.net[192.0.2.9]:25: Connection timed out",
    )


def delivered_dsn(original: Original, *, verp: bool = True) -> bytes:
    """A successful-delivery DSN (requested with NOTIFY=SUCCESS)."""
    return postfix_dsn(
        original, status="2.0.0", action="delivered", verp=verp, diagnostic="250 2.0.0 Ok: queued as 4QxYz"
    )


def human_reply(original: Original) -> bytes:
    """A person answering the campaign: not a bounce, kept for a human to read."""
    return (
        f"From: {original.email.split('@')[0].title()} <{original.email}>\n"
        f"To: Training Team <{original.from_email}>\n"
        f"Subject: Re: {original.subject}\n"
        f"Date: {_date(original, 45)}\n"
        f"Message-ID: <reply.{original.token[:12]}@{original.domain}>\n"
        f"In-Reply-To: {original.message_id}\n"
        f"Content-Type: text/plain; charset=utf-8\n\n"
        f"Hi, which room is the training in? Thanks!\n\n"
        f"> {original.subject}\n"
    ).encode()


SOFT_DIAGNOSTICS = [
    ("4.2.2", "452 4.2.2 The email account that you tried to reach is over quota."),
    ("5.2.2", "552 5.2.2 Mailbox full: user is over quota"),
    ("4.7.0", "421 4.7.0 Too many concurrent SMTP connections; please try again later"),
]
BLOCK_DIAGNOSTICS = [
    ("5.7.1", "550 5.7.1 Message rejected: this message was classified as SPAM by the content filter"),
    ("5.7.1", "554 5.7.1 Service unavailable; Client host [203.0.113.25] blocked using zen.spamhaus.org"),
]

# (kind, weight): roughly the mix a bounce mailbox receives.
MIX = [
    ("postfix_hard", 25),
    ("postfix_soft", 20),
    ("postfix_block", 10),
    ("exim_soft", 10),
    ("exchange_hard", 10),
    ("auto_reply", 10),
    ("arf_complaint", 3),
    ("delayed", 7),
    ("delivered", 2),
    ("human_reply", 3),
]


def build(kind: str, original: Original, rng: random.Random | None = None) -> bytes:
    """Return a message of the named kind (see MIX) replying to ``original``."""
    rng = rng or random.Random(original.token)
    if kind == "postfix_hard":
        return postfix_dsn(original)
    if kind == "postfix_soft":
        status, diagnostic = SOFT_DIAGNOSTICS[rng.randrange(len(SOFT_DIAGNOSTICS))]
        return postfix_dsn(original, status=status, diagnostic=diagnostic)
    if kind == "postfix_block":
        status, diagnostic = BLOCK_DIAGNOSTICS[rng.randrange(len(BLOCK_DIAGNOSTICS))]
        return postfix_dsn(original, status=status, diagnostic=diagnostic)
    builders = {
        "exim_soft": exim_text,
        "exchange_hard": exchange_ndr,
        "auto_reply": auto_reply,
        "arf_complaint": arf_complaint,
        "delayed": delayed_dsn,
        "delivered": delivered_dsn,
        "human_reply": lambda o: human_reply(o),
    }
    return builders[kind](original)


def generate(originals, *, seed: int = 1):
    """Yield (kind, raw bytes) for each original, kinds drawn from MIX with a fixed seed."""
    rng = random.Random(seed)
    kinds, weights = zip(*MIX)
    for original in originals:
        kind = rng.choices(kinds, weights)[0]
        yield kind, build(kind, original, rng)
