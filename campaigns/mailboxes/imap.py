"""IMAP bounce mailboxes (imapclient): TLS, STARTTLS, or plain text to loopback only.

Messages are read with ``BODY.PEEK[]`` so nothing is marked seen by reading:
human replies stay unread for a person. Processed bounces are moved (``UID
MOVE``, or COPY + delete + expunge where the server lacks MOVE), flagged
``\\Seen``, deleted, or left. With the flag action only unseen messages are listed.
Logins use the password, or XOAUTH2 with an access token refreshed from the
mailbox's OAuth2 refresh token.
"""

import imaplib
import ssl

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from bounceportal import egress
from campaigns.mailboxes.base import Fetched, MailboxError, chunks, describe_os_error, is_loopback, scrub
from campaigns.mailboxes.oauth import OAuthError, access_token_for
from campaigns.models import BounceMailbox, MailboxSecurity, ProcessedAction

TIMEOUT_SECONDS = 60
SEEN = b"\\Seen"


class _GuardedIMAP4(imaplib.IMAP4):
    """imaplib's IMAP4 connecting through the egress guard (to a checked address, TLS when given)."""

    def __init__(self, host: str, port: int, timeout: float | None, ssl_context: ssl.SSLContext | None) -> None:
        self._tls = ssl_context
        super().__init__(host, port, timeout=timeout)

    def _create_socket(self, timeout=None):
        return egress.open_socket(self.host, self.port, timeout=timeout, tls=self._tls)


class GuardedIMAPClient(IMAPClient):
    """IMAPClient whose connection goes through ``bounceportal.egress`` (STARTTLS then verifies
    the certificate against the host name, as IMAPClient does)."""

    def _create_IMAP4(self):
        tls = (self.ssl_context or ssl.create_default_context()) if self.ssl else None
        return _GuardedIMAP4(self.host, self.port, getattr(self._timeout, "connect", None), tls)


class ImapSource:
    splittable = True  # several pollers may share it, each fetching the UID ranges it claimed
    # Marking costs the server time in proportion to the folder, per command (Dovecot on a Maildir: a
    # UID MOVE of 100 messages took 59 ms in a folder of 500, 577 ms in one of 5,000, 3.8 s in one of
    # 20,000): the poll marks what it committed in few large commands (ingestion.PendingMarks).
    marks_per_command = True

    def __init__(self, mailbox: BounceMailbox) -> None:
        self.mailbox = mailbox
        self.client: IMAPClient | None = None
        self.uidvalidity: int | None = None  # the folder's, as the server gave it at SELECT
        self.start_after = 0  # UIDs up to this one were processed by earlier polls: not listed
        self.folder_label = mailbox.folder or "INBOX"
        self._secrets: tuple[str, ...] = ()

    def connect(self) -> None:
        mailbox = self.mailbox
        host = mailbox.host.strip()
        if not host:
            raise MailboxError("No IMAP host is set.")
        secure = mailbox.security != MailboxSecurity.NONE
        if not secure and not is_loopback(host):
            raise MailboxError("A connection without TLS is only allowed to this machine (loopback).")
        port = mailbox.port or (993 if mailbox.security == MailboxSecurity.TLS else 143)
        context = ssl.create_default_context()
        try:
            self.client = GuardedIMAPClient(
                host,
                port=port,
                ssl=mailbox.security == MailboxSecurity.TLS,
                ssl_context=context,
                timeout=TIMEOUT_SECONDS,
            )
            if mailbox.security == MailboxSecurity.STARTTLS:
                self.client.starttls(context)
        except egress.EgressRefused as exc:
            raise MailboxError(str(exc)) from None
        except (OSError, ssl.SSLError, UnicodeError) as exc:  # UnicodeError: not encodable as a host name
            raise MailboxError(describe_os_error(host, port, exc)) from None
        except (IMAPClientError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"{host}:{port} did not speak IMAP as expected: {exc}") from None
        self._login()
        self._select()

    def _login(self) -> None:
        mailbox = self.mailbox
        try:
            if mailbox.uses_oauth:
                token = access_token_for(mailbox)
                self._secrets = (token,)
                self._connected.oauth2_login(mailbox.username, token)
            else:
                password = mailbox.get_password()
                self._secrets = (password,)
                self._connected.login(mailbox.username, password)
        except OAuthError as exc:
            raise MailboxError(str(exc)) from None
        except (LoginError, IMAPClientError, imaplib.IMAP4.error) as exc:
            raise MailboxError(scrub(f"Login failed for {mailbox.username}: {_text(exc)}", *self._secrets)) from None
        except (OSError, ssl.SSLError) as exc:
            raise MailboxError(f"Connection lost during login: {exc}") from None

    def _select(self) -> None:
        try:
            selected = self._connected.select_folder(self.folder_label)
            self._resume_from(selected.get(b"UIDVALIDITY"))
            if self.mailbox.processed_action == ProcessedAction.MOVE:
                target = self.mailbox.processed_folder or "Processed"
                if not self._connected.folder_exists(target):
                    self._create_folder(target)
        except (IMAPClientError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"Cannot open folder {self.folder_label!r}: {_text(exc)}") from None
        except (OSError, ssl.SSLError) as exc:
            raise MailboxError(f"Connection lost: {exc}") from None

    def _resume_from(self, uidvalidity) -> None:
        """List only UIDs above the mailbox's highest processed one, while the folder's UIDVALIDITY is
        the one it was recorded under; after a change (the server renumbered), list everything: the
        digests recognize what is stored already, so nothing is lost and nothing counted twice."""
        self.uidvalidity = int(uidvalidity) if uidvalidity is not None else None
        recorded = self.mailbox.imap_uidvalidity
        if self.uidvalidity is not None and recorded == self.uidvalidity:
            self.start_after = self.mailbox.imap_last_uid or 0

    def _create_folder(self, name: str) -> None:
        try:
            self._connected.create_folder(name)
        except (IMAPClientError, imaplib.IMAP4.error):
            if not self._connected.folder_exists(name):  # not a concurrent poller's creation: a real failure
                raise

    @property
    def _connected(self) -> IMAPClient:
        """The client of a source that is connected (and logged in): connect() comes first."""
        if self.client is None:
            raise MailboxError("The mailbox is not connected.")
        return self.client

    def close(self) -> None:
        if self.client is None:
            return
        try:
            self.client.logout()
        except Exception:
            try:
                self.client.shutdown()
            except Exception:
                pass
        self.client = None

    def _uids(self, after: int = 0) -> list[int]:
        criteria = ["UNSEEN"] if self.mailbox.processed_action == ProcessedAction.FLAG else []
        criteria += ["UID", f"{after + 1}:*"] if after else ([] if criteria else ["ALL"])
        # "n:*" matches the highest UID even when it is below n (RFC 3501): hence the filter.
        return sorted(uid for uid in self._call(self._connected.search, criteria) if uid > after)

    def count(self) -> int:
        return len(self._uids())

    def listing(self) -> list[int]:
        """The UIDs to poll, ascending: those above the highest processed one (see ``_resume_from``)."""
        return self._uids(self.start_after)

    @staticmethod
    def order_key(ref) -> int:
        return ref

    def fetch(self, uids) -> list[Fetched]:
        """Fetch these messages without marking them seen; one expunged since the listing is left out."""
        uids = list(uids)
        if not uids:
            return []
        fetched = self._call(self._connected.fetch, uids, ["BODY.PEEK[]"])
        return [
            Fetched(ref=uid, raw=bytes(fetched[uid][b"BODY[]"]))
            for uid in uids
            if uid in fetched and b"BODY[]" in fetched[uid]
        ]

    def fetch_batches(self, uids, max_bytes: int):
        """Fetch these messages in lists of about ``max_bytes`` at most: their sizes first (one command),
        then one FETCH per list, so a batch of large messages is never downloaded whole."""
        uids = list(uids)
        if not uids:
            return
        sizes = self._call(self._connected.fetch, uids, ["RFC822.SIZE"])
        group: list[int] = []
        held = 0
        for uid in uids:
            group.append(uid)
            held += sizes.get(uid, {}).get(b"RFC822.SIZE", 0)
            if held >= max_bytes:
                yield self.fetch(group)
                group, held = [], 0
        if group:
            yield self.fetch(group)

    def batches(self, size: int, max_bytes: int):
        for group in chunks(self.listing(), size):
            yield from self.fetch_batches(group, max_bytes)

    def mark_processed(self, refs) -> int:
        listed = sorted(set(refs))
        action = self.mailbox.processed_action
        if not listed or action == ProcessedAction.LEAVE:
            return 0
        uids = uid_set(listed)
        if action == ProcessedAction.FLAG:
            self._call(self._connected.add_flags, uids, [SEEN], True)  # silent: a UID set, no reply to read
        elif action == ProcessedAction.MOVE:
            target = self.mailbox.processed_folder or "Processed"
            if self._connected.has_capability("MOVE"):
                self._call(self._connected.move, uids, target)
            else:
                self._call(self._connected.copy, uids, target)
                self._delete(uids)
        else:
            self._delete(uids)
        return len(listed)

    def _delete(self, uids: str) -> None:
        self._call(self._connected.delete_messages, uids, True)
        if self._connected.has_capability("UIDPLUS"):
            self._call(self._connected.uid_expunge, uids)
        else:
            self._call(self._connected.expunge)

    def _call(self, method, *args):
        try:
            return method(*args)
        except (IMAPClientError, imaplib.IMAP4.error) as exc:
            raise MailboxError(scrub(f"IMAP error: {_text(exc)}", *self._secrets)) from None
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            raise MailboxError(f"Connection lost: {exc}") from None


def uid_set(uids: list[int]) -> str:
    """The IMAP sequence set of these ascending UIDs, runs of consecutive ones as ``first:last``
    ("3:5,9"): a command over thousands of UIDs stays short (servers cap a command line's length)."""
    runs: list[list[int]] = []
    for uid in uids:
        if runs and uid == runs[-1][1] + 1:
            runs[-1][1] = uid
        else:
            runs.append([uid, uid])
    return ",".join(str(low) if low == high else f"{low}:{high}" for low, high in runs)


def _text(exc: BaseException) -> str:
    text = str(exc)
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return text or type(exc).__name__
