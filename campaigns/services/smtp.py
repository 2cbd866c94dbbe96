"""One SMTP connection per chunk, one transaction per message, every reply kept.

smtplib's ``sendmail`` hides the reply to DATA and raises
``SMTPRecipientsRefused`` when its only recipient is refused, so each
message is sent with ``mail`` / ``rcpt`` / ``data`` and the first non-2xx
reply says at which stage it failed. The connection settings come from
SMTP_HOST, SMTP_PORT, SMTP_SECURITY (none, starttls, tls), SMTP_USERNAME and
SMTP_PASSWORD.
"""

import smtplib
import ssl
from dataclasses import dataclass

from django.conf import settings

# Stages a reply can come from; "connection" means no reply at all (refused, dropped, timed out).
CONNECTION = "connection"
AFTER_DATA = "after-data"


@dataclass(frozen=True)
class Reply:
    code: int  # 0 when there was no reply (connection failure)
    text: str
    stage: str  # MAIL, RCPT, DATA, after-data or connection

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 300

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600

    def __str__(self) -> str:
        return f"{self.code} {self.text}" if self.code else self.text


def _text(message: object) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    return " ".join(str(message).split())


class SmtpSession:
    """Sends messages over one connection, reconnecting once if the server drops it.

    A failure to connect is remembered for the rest of the session, so a chunk
    facing a server that is down fails fast instead of waiting for a timeout
    per message.
    """

    def __init__(self) -> None:
        self.connection: smtplib.SMTP | None = None
        self.down: str = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def _connect(self) -> smtplib.SMTP:
        host, port, timeout = settings.SMTP_HOST, settings.SMTP_PORT, settings.SMTP_TIMEOUT_SECONDS
        helo = settings.BOUNCE_DOMAIN  # skips smtplib's getfqdn(), which can hang on DNS
        connection: smtplib.SMTP
        if settings.SMTP_SECURITY == "tls":
            connection = smtplib.SMTP_SSL(
                host, port, local_hostname=helo, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(host, port, local_hostname=helo, timeout=timeout)
        try:
            connection.ehlo_or_helo_if_needed()
            if settings.SMTP_SECURITY == "starttls":
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if settings.SMTP_USERNAME:
                connection.login(settings.SMTP_USERNAME, settings.SMTP_PASSWORD)
        except BaseException:
            connection.close()
            raise
        self.connection = connection
        return connection

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    def _after_refusal(self, connection: smtplib.SMTP, code: int) -> None:
        """Ready the connection for the next message (421 means the server is closing it)."""
        if code == 421:
            self._drop()
            return
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def deliver(self, *, sender: str, recipient: str, message: bytes) -> Reply:
        """Send one message; return the reply that decided its fate."""
        if self.down:
            return Reply(0, self.down, CONNECTION)
        connection = self.connection
        if connection is None:
            try:
                connection = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                self.down = f"Could not connect to {settings.SMTP_HOST}:{settings.SMTP_PORT}: {exc}"
                return Reply(0, self.down, CONNECTION)
        try:
            return self._transaction(connection, sender, recipient, message)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as exc:
            self._drop()
            return Reply(0, f"Connection lost: {_text(exc) or type(exc).__name__}", CONNECTION)

    def _transaction(self, connection: smtplib.SMTP, sender: str, recipient: str, message: bytes) -> Reply:
        # putcmd rather than mail()/rcpt(), which re-parse each address with email.utils
        # (a fifth of the per-message time); both addresses are validated ASCII.
        connection.putcmd("mail", f"FROM:<{sender}>")
        text: bytes | str
        code, text = connection.getreply()
        if code != 250:
            self._after_refusal(connection, code)
            return Reply(code, _text(text), "MAIL")
        connection.putcmd("rcpt", f"TO:<{recipient}>")
        code, text = connection.getreply()
        if code not in (250, 251):
            self._after_refusal(connection, code)
            return Reply(code, _text(text), "RCPT")
        try:
            code, text = connection.data(message)
        except smtplib.SMTPDataError as exc:  # refused the DATA command itself
            self._after_refusal(connection, exc.smtp_code)
            return Reply(exc.smtp_code, _text(exc.smtp_error), "DATA")
        # The reply to the final "." (RFC 5321 §4.1.1.4): a refusal here comes from whatever read the
        # content (often a filter), so a "user unknown" after DATA is not proof the mailbox is gone.
        if code != 250:
            self._after_refusal(connection, code)
        return Reply(code, _text(text), AFTER_DATA)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
