"""A local Maildir (``new/`` and ``cur/``), e.g. where the MTA delivers the bounce address.

Processed messages move to the Maildir++ subfolder ``.<processed_folder>``
(default ``.Processed``), get the Seen flag in place, are deleted, or are left.
Another process may have moved a file between listing and reading: such a file
is skipped, never an error. Maildir mailboxes are configured by operators (the
portal offers IMAP and POP3 only) because the path is read with the worker's rights.
"""

import errno
import hashlib
import logging
import os
from pathlib import Path

from django.conf import settings

from campaigns.mailboxes.base import Fetched, MailboxError, byte_capped, chunks
from campaigns.models import BounceMailbox, ProcessedAction

READ_CHUNK = 1024 * 1024
logger = logging.getLogger(__name__)


def _no_follow(path, flags):
    return os.open(path, flags | os.O_NOFOLLOW)


class MaildirSource:
    splittable = True  # several pollers may share it, each reading the ranges it claimed

    def __init__(self, mailbox: BounceMailbox) -> None:
        self.mailbox = mailbox
        self.root = Path(mailbox.folder).expanduser()
        self._root = str(self.root)
        self.folder_label = str(self.root)

    def connect(self) -> None:
        missing = [d for d in ("cur", "new", "tmp") if not (self.root / d).is_dir()]
        if missing:
            raise MailboxError(f"{self.root} is not a Maildir (no {', '.join(missing)} folder).")
        if self.mailbox.processed_action == ProcessedAction.MOVE:
            for sub in ("cur", "new", "tmp"):
                (self.processed_root / sub).mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        pass

    @property
    def processed_root(self) -> Path:
        return self.root / f".{self.mailbox.processed_folder.strip('./') or 'Processed'}"

    def _names(self) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for sub in ("new", "cur"):
            try:
                entries = os.listdir(self.root / sub)
            except OSError as exc:
                raise MailboxError(f"Cannot list {self.root / sub}: {exc.strerror}.") from None
            found.extend((sub, name) for name in sorted(entries) if not name.startswith("."))
        if self.mailbox.processed_action == ProcessedAction.FLAG:
            found = [(sub, name) for sub, name in found if "S" not in _flags(name)]
        return found

    def count(self) -> int:
        return len(self._names())

    def listing(self) -> list[tuple[str, str]]:
        """The refs of the messages waiting, in the order they are polled (``order_key`` ascending)."""
        return self._names()

    @staticmethod
    def order_key(ref) -> tuple[int, str]:
        """What orders the listing (``new/`` by name, then ``cur/`` by name): claims are ranges of it."""
        sub, name = ref
        return (0 if sub == "new" else 1, name)

    def fetch(self, refs) -> list[Fetched]:
        """Read these messages; one moved away since the listing is left out."""
        fetched = [self._read(sub, name) for sub, name in refs]
        return [f for f in fetched if f is not None]

    def fetch_batches(self, refs, max_bytes: int):
        """Read these messages in lists of about ``max_bytes`` at most (``byte_capped``), one file at a time."""
        return byte_capped((self._read(sub, name) for sub, name in refs), max_bytes)

    def batches(self, size: int, max_bytes: int):
        for group in chunks(self._names(), size):
            yield from self.fetch_batches(group, max_bytes)

    def _read(self, sub: str, name: str) -> Fetched | None:
        limit = settings.INBOUND_MAX_BYTES
        try:
            # Never follow a symlink: the worker must read mail, not whatever a link points at.
            with open(f"{self._root}/{sub}/{name}", "rb", opener=_no_follow) as handle:
                head = handle.read(limit + 1)
                if len(head) <= limit:
                    return Fetched(ref=(sub, name), raw=head)
                digest, size = hashlib.sha256(head), len(head)  # oversized: stream the rest
                for block in iter(lambda: handle.read(READ_CHUNK), b""):
                    digest.update(block)
                    size += len(block)
                return Fetched(ref=(sub, name), raw=head[:limit], size=size, digest=digest.hexdigest())
        except FileNotFoundError:
            return None  # moved by another poller since the listing
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                logger.warning("Skipped %s in mailbox %s: a symbolic link, not a message", name, self.mailbox.pk)
                return None
            raise MailboxError(f"Cannot read {self.root / sub / name}: {exc.strerror}.") from None

    def mark_processed(self, refs) -> int:
        action = self.mailbox.processed_action
        if action == ProcessedAction.LEAVE:
            return 0
        done = 0
        # Paths as strings: a pathlib join costs more than the rename itself, thousands of times a poll.
        target = f"{self.processed_root if action == ProcessedAction.MOVE else self.root}/cur"
        for sub, name in refs:
            source = f"{self._root}/{sub}/{name}"
            try:
                if action in (ProcessedAction.MOVE, ProcessedAction.FLAG):
                    os.rename(source, f"{target}/{_with_flags(name, 'S')}")
                else:
                    os.unlink(source)
            except FileNotFoundError:
                continue  # already moved by another poller
            except OSError as exc:
                raise MailboxError(f"Cannot move {source}: {exc.strerror}.") from None
            done += 1
        return done


def _flags(name: str) -> str:
    _base, sep, info = name.partition(":2,")
    return info if sep else ""


def _with_flags(name: str, add: str) -> str:
    base = name.partition(":")[0]
    return f"{base}:2,{''.join(sorted(set(_flags(name)) | set(add)))}"
