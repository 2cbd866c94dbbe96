"""Command line: ``python -m bounceportal.classifier PATH...`` prints JSON Lines.

Each PATH is a message file, an mbox file, a Maildir folder (``cur/`` and ``new/``) or
``-`` for one message (or an mbox) on standard input. One JSON object per message, with
``path`` first; unreadable paths give an object with ``error``. Exit status is 0 unless
no PATH was given.
"""

from __future__ import annotations

import json
import sys

from .core import classify
from .mailbox import iter_path, split_mbox


def _messages(arg: str):
    if arg == "-":
        data = sys.stdin.buffer.read()
        messages = split_mbox(data)
        for index, message in enumerate(messages, 1):
            yield ("-" if len(messages) == 1 else f"-#{index}"), message
        return
    yield from iter_path(arg)


def main(argv: list[str] | None = None) -> int:
    """Classify every message under the given paths and print one JSON line each."""
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2 if not args else 0
    write = sys.stdout.write
    for arg in args:
        try:
            for label, message in _messages(arg):
                data = {"path": label}
                data.update(classify(message).to_dict())
                write(json.dumps(data, ensure_ascii=False) + "\n")
        except OSError as exc:
            data = {
                "path": arg,
                "is_bounce": False,
                "kind": "not_bounce",
                "recipients": [],
                "error": f"cannot read: {exc.strerror or exc}",
            }
            write(json.dumps(data) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
