"""Bounce mailbox adapters: IMAP, POP3 and local Maildir, behind one small interface.

``open_mailbox(mailbox)`` returns a context manager yielding a source with:

- ``batches(size)``: lists of :class:`Fetched` (an adapter-specific ``ref`` and
  the raw bytes), oldest first, nothing changed on the server;
- ``mark_processed(refs)``: the mailbox's processed action (move, flag, delete
  or leave) for messages whose results are committed; returns how many;
- ``count()``: messages waiting in the folder.

Every failure to reach, log in to or read a mailbox is a :class:`MailboxError`
whose text is safe to show and store (it never contains the password).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from campaigns.mailboxes.base import Fetched, MailboxError, MailboxSource
from campaigns.models import BounceMailbox, MailboxProtocol


@contextmanager
def open_mailbox(mailbox: BounceMailbox) -> Iterator[MailboxSource]:
    """Connect (and log in), yield the source, and always disconnect."""
    source_class: Callable[[BounceMailbox], MailboxSource]
    if mailbox.protocol == MailboxProtocol.IMAP:
        from campaigns.mailboxes.imap import ImapSource as source_class
    elif mailbox.protocol == MailboxProtocol.POP3:
        from campaigns.mailboxes.pop3 import Pop3Source as source_class
    elif mailbox.protocol == MailboxProtocol.MAILDIR:
        from campaigns.mailboxes.maildir import MaildirSource as source_class
    else:
        raise MailboxError(f"Unknown mailbox protocol {mailbox.protocol!r}.")
    source = source_class(mailbox)
    source.connect()
    try:
        yield source
    finally:
        source.close()


def check_connection(mailbox: BounceMailbox) -> tuple[bool, str]:
    """Try to connect and log in; return (ok, a message for the person who asked)."""
    try:
        with open_mailbox(mailbox) as source:
            waiting = source.count()
    except MailboxError as exc:
        return False, str(exc)
    return True, f"Connected. {waiting} message{'s' if waiting != 1 else ''} waiting in {source.folder_label}."


__all__ = ["Fetched", "MailboxError", "check_connection", "open_mailbox"]
