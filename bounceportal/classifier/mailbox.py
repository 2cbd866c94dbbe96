"""Reading messages from the places the CLI accepts: files, mbox files, Maildirs, stdin."""

from __future__ import annotations

import os
import re

from .mime import normalize_newlines

TYPE_CHECKING = False  # collections.abc costs start-up; annotations are strings here
if TYPE_CHECKING:
    from collections.abc import Iterator

# An mbox "From " separator: sender, then a ctime-style date (weekday, month, day).
_FROM_LINE = rb"^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +[A-Z][a-z]{2} +\d"  # compiled for mbox files only


def split_mbox(data: bytes) -> list[bytes]:
    """Return the messages of an mbox file, or ``[data]`` when it is a single message."""
    if not data.startswith(b"From "):
        return [data]
    text = normalize_newlines(data)
    starts = [m.start() for m in re.finditer(_FROM_LINE, text, re.M)]
    if len(starts) <= 1:
        return [data]
    if starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts[1:] + [len(text)]
    return [text[start:end] for start, end in zip(starts, bounds)]


def _files_in(directory: str) -> list[str]:
    names = sorted(os.listdir(directory))
    return [p for p in (os.path.join(directory, n) for n in names) if os.path.isfile(p)]


def iter_maildir(folder: str) -> Iterator[str]:
    """Yield the message file paths of a Maildir (``new/`` then ``cur/``), sorted by name."""
    for sub in ("new", "cur"):
        directory = os.path.join(folder, sub)
        if os.path.isdir(directory):
            yield from _files_in(directory)


def iter_path(path: str) -> Iterator[tuple[str, bytes]]:
    """Yield ``(label, message_bytes)`` for a file, an mbox file or a Maildir folder.

    A directory with neither ``cur/`` nor ``new/`` is read file by file (sorted, not
    recursive). Several messages of one mbox are labelled ``path#1``, ``path#2``...
    (os.path rather than pathlib: the command line starts faster without it.)
    """
    if os.path.isdir(path):
        is_maildir = any(os.path.isdir(os.path.join(path, s)) for s in ("cur", "new"))
        for file in iter_maildir(path) if is_maildir else _files_in(path):
            yield from _file_messages(file)
    else:
        yield from _file_messages(path)


def _file_messages(path: str) -> Iterator[tuple[str, bytes]]:
    with open(path, "rb") as handle:
        data = handle.read()
    messages = split_mbox(data)
    if len(messages) == 1:
        yield path, messages[0]
        return
    for index, message in enumerate(messages, 1):
        yield f"{path}#{index}", message
