"""POP3 bounce mailboxes (poplib): TLS, STLS, or plain text to loopback only.

POP3 has no folders or flags: a processed message is deleted (DELE, which the
server carries out only at QUIT, so a crash before then deletes nothing) or left
for the next poll, where its digest shows it is already stored.
"""

import poplib
import ssl

from bounceportal import egress
from campaigns.mailboxes.base import Fetched, MailboxError, byte_capped, chunks, describe_os_error, is_loopback, scrub
from campaigns.models import BounceMailbox, MailboxSecurity, ProcessedAction

TIMEOUT_SECONDS = 60


class GuardedPOP3(poplib.POP3):
    """poplib's POP3 connecting through ``bounceportal.egress`` (STLS verifies against the host name)."""

    def _create_socket(self, timeout):
        return egress.open_socket(self.host, self.port, timeout=timeout)


class GuardedPOP3_SSL(poplib.POP3_SSL):
    """POP3 over TLS through the egress guard, the certificate verified against the host name."""

    def _create_socket(self, timeout):
        return egress.open_socket(self.host, self.port, timeout=timeout, tls=self.context)


class Pop3Source:
    def __init__(self, mailbox: BounceMailbox) -> None:
        self.mailbox = mailbox
        self.client: poplib.POP3 | None = None
        self.folder_label = "the POP3 mailbox"
        self._password = ""

    def connect(self) -> None:
        mailbox = self.mailbox
        host = mailbox.host.strip()
        if not host:
            raise MailboxError("No POP3 host is set.")
        if mailbox.security == MailboxSecurity.NONE and not is_loopback(host):
            raise MailboxError("A connection without TLS is only allowed to this machine (loopback).")
        port = mailbox.port or (995 if mailbox.security == MailboxSecurity.TLS else 110)
        context = ssl.create_default_context()
        try:
            if mailbox.security == MailboxSecurity.TLS:
                self.client = GuardedPOP3_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
            else:
                self.client = GuardedPOP3(host, port, timeout=TIMEOUT_SECONDS)
                if mailbox.security == MailboxSecurity.STARTTLS:
                    self.client.stls(context)
        except egress.EgressRefused as exc:
            raise MailboxError(str(exc)) from None
        except (OSError, ssl.SSLError, UnicodeError) as exc:  # UnicodeError: not encodable as a host name
            raise MailboxError(describe_os_error(host, port, exc)) from None
        except poplib.error_proto as exc:
            raise MailboxError(f"{host}:{port} did not speak POP3 as expected: {_text(exc)}") from None
        self._password = mailbox.get_password()
        try:
            self.client.user(mailbox.username)
            self.client.pass_(self._password)
        except poplib.error_proto as exc:
            raise MailboxError(scrub(f"Login failed for {mailbox.username}: {_text(exc)}", self._password)) from None
        except (OSError, ssl.SSLError) as exc:
            raise MailboxError(f"Connection lost during login: {exc}") from None

    @property
    def _connected(self) -> poplib.POP3:
        """The client of a source that is connected (and logged in): connect() comes first."""
        if self.client is None:
            raise MailboxError("The mailbox is not connected.")
        return self.client

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.quit()  # commits the DELEs of processed messages
        except (poplib.error_proto, OSError, ssl.SSLError):
            try:
                self.client.close()
            except OSError:
                pass
        self.client = None

    def _listing(self) -> list[tuple[int, str]]:
        _, lines, _ = self._call(self._connected.uidl)
        listing = []
        for line in lines:
            number, _, uid = line.decode("latin-1").partition(" ")
            listing.append((int(number), uid.strip()))
        return listing

    def count(self) -> int:
        return self._call(self._connected.stat)[0]

    def batches(self, size: int, max_bytes: int):
        for group in chunks(self._listing(), size):
            yield from byte_capped((self._retrieve(number, uid) for number, uid in group), max_bytes)

    def _retrieve(self, number: int, uid: str) -> Fetched:
        _, lines, _ = self._call(self._connected.retr, number)
        return Fetched(ref=(number, uid), raw=b"\r\n".join(lines) + b"\r\n")

    def mark_processed(self, refs) -> int:
        if self.mailbox.processed_action != ProcessedAction.DELETE:
            return 0
        for number, _uid in refs:
            self._call(self._connected.dele, number)
        return len(refs)

    def _call(self, method, *args):
        try:
            return method(*args)
        except poplib.error_proto as exc:
            raise MailboxError(scrub(f"POP3 error: {_text(exc)}", self._password)) from None
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            raise MailboxError(f"Connection lost: {exc}") from None


def _text(exc: BaseException) -> str:
    arg = exc.args[0] if exc.args else b""
    return arg.decode("latin-1", "replace") if isinstance(arg, bytes) else str(arg or type(exc).__name__)
