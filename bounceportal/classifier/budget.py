"""A per-message time budget: past it, classification stops and the message is "too complex".

Every pattern and scan of the classifier is linear in its input, but a message can still be
made of very many parts, recipients or lines. ``classify(raw, time_budget=S)`` starts a
deadline; the loops that grow with the input (parts, recipient groups and blocks, embedded
messages) call :func:`check`, which raises :class:`TooComplex` once it has passed, and
``classify`` answers ``error="too complex: ..."`` (the caller keeps the message for review).
A context variable holds the deadline, so threads and nested calls each have their own.
"""

from __future__ import annotations

import time
from contextvars import ContextVar

TOO_COMPLEX = "too complex"
_DEADLINE: ContextVar[float | None] = ContextVar("classifier_deadline", default=None)


class TooComplex(Exception):
    """The message's time budget ran out."""


def start(seconds: float | None) -> object:
    """Set the deadline ``seconds`` from now (None: no budget); return the token :func:`stop` takes."""
    return _DEADLINE.set(None if seconds is None else time.monotonic() + seconds)


def stop(token: object) -> None:
    """Restore the deadline that was set before :func:`start`."""
    _DEADLINE.reset(token)  # type: ignore[arg-type]


def check() -> None:
    """Raise TooComplex when the current message's deadline has passed."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() >= deadline:
        raise TooComplex
