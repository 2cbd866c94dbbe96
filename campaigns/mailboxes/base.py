"""What every mailbox adapter shares: the fetched-message type, the error, and hygiene helpers."""

import ipaddress
import socket
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from bounceportal import egress


class MailboxError(Exception):
    """The mailbox could not be reached, logged in to, or read. The text is safe to show."""


@dataclass(frozen=True)
class Fetched:
    """One message as fetched: the adapter's handle for it and its raw bytes.

    An adapter that streamed an oversized message keeps only its first bytes in
    ``raw`` and gives the full ``size`` and ``digest`` itself.
    """

    ref: object
    raw: bytes
    size: int | None = None
    digest: str | None = None


class MailboxSource(Protocol):
    """What ``open_mailbox`` yields (see campaigns/mailboxes/__init__.py); one class per protocol."""

    folder_label: str  # the folder as named to the person who set the mailbox up

    def connect(self) -> None: ...

    def close(self) -> None: ...

    def count(self) -> int: ...

    def batches(self, size: int, max_bytes: int) -> Iterator[list[Fetched]]: ...

    def mark_processed(self, refs: Sequence[object]) -> int: ...


def scrub(text: str, *secrets: str) -> str:
    """Return ``text`` with any secret replaced, shortened for storage (servers may echo input)."""
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "********")
    return text[:1000]


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: the only hosts a plain-text login may go to.
    (Whether a customer may reach them at all is the egress guard's question.)"""
    name = egress.normalize_host(host)
    if name in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def describe_os_error(host: str, port: int, exc: BaseException) -> str:
    """A short human sentence for a connection failure."""
    if isinstance(exc, UnicodeError):
        return f"Cannot resolve {host}: it is not a valid host name."
    if isinstance(exc, socket.gaierror):
        return f"Cannot resolve {host}: {exc.strerror or exc}."
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"Timed out connecting to {host}:{port}."
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"Cannot connect to {host}:{port}: {reason}."


def byte_capped(messages: Iterable[Fetched | None], max_bytes: int) -> Iterator[list[Fetched]]:
    """The messages in lists, each closed as soon as its raw bytes reach ``max_bytes`` (one message at
    least; a ``None``, a message gone since the listing, is left out). Read as they are taken, so a batch
    of large messages is never held whole: at most ``max_bytes`` plus one message."""
    batch: list[Fetched] = []
    held = 0
    for message in messages:
        if message is None:
            continue
        batch.append(message)
        held += len(message.raw)
        if held >= max_bytes:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
