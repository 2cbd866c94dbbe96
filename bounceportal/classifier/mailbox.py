"""Reading messages from the places the CLI accepts: files, mbox files, Maildirs, stdin."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterator

from .mime import normalize_newlines

# An mbox "From " separator: sender, then a ctime-style date (weekday, month, day).
_FROM_LINE = re.compile(rb"^From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) +[A-Z][a-z]{2} +\d",
                        re.M)


def split_mbox(data: bytes) -> list[bytes]:
    """Return the messages of an mbox file, or ``[data]`` when it is a single message."""
    if not data.startswith(b"From "):
        return [data]
    text = normalize_newlines(data)
    starts = [m.start() for m in _FROM_LINE.finditer(text)]
    if len(starts) <= 1:
        return [data]
    if starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts[1:] + [len(text)]
    return [text[start:end] for start, end in zip(starts, bounds)]


def iter_maildir(folder: Path) -> Iterator[Path]:
    """Yield the message files of a Maildir (``new/`` then ``cur/``), sorted by name."""
    for sub in ("new", "cur"):
        directory = folder / sub
        if directory.is_dir():
            yield from sorted(p for p in directory.iterdir() if p.is_file())


def iter_path(path: Path) -> Iterator[tuple[str, bytes]]:
    """Yield ``(label, message_bytes)`` for a file, an mbox file or a Maildir folder.

    A directory that is not a Maildir is read file by file (sorted, not recursive).
    Several messages of one mbox are labelled ``path#1``, ``path#2``...
    """
    if path.is_dir():
        files = list(iter_maildir(path))
        if not files and (path / "cur").is_dir() is False:
            files = sorted(p for p in path.iterdir() if p.is_file())
        for file in files:
            yield from _file_messages(file)
    else:
        yield from _file_messages(path)


def _file_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    data = path.read_bytes()
    messages = split_mbox(data)
    if len(messages) == 1:
        yield os.fspath(path), messages[0]
        return
    for index, message in enumerate(messages, 1):
        yield f"{os.fspath(path)}#{index}", message
