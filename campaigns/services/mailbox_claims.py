"""Sharing one big mailbox between pollers: each claims the next range of its listing under the mailbox lock.

The state of a mailbox's current *round* lives in one Redis hash: the round's id, the UIDVALIDITY it
runs under, the *cursor* (the highest listing key claimed so far) and one field per open claim (its
key range and when its lease runs out). A poller takes the mailbox lock only for the few
milliseconds a claim or a release takes, so several pollers (Celery workers) read one mailbox at
once, each a different range:

- a claim is the next ``size`` keys of the poller's listing above the cursor, or the range of a
  claim whose lease ran out (its poller died): that range is done again, and the unique digests
  make the second pass a no-op for whatever the first one stored;
- a release drops the claim once its messages are committed and marked; a range that could not be
  stored is not released, so its lease runs out and another poller tries again;
- the round ends when a poller finds nothing above the cursor and no open claim: the next poll
  starts a new one and lists the mailbox afresh. A poller whose round ended (or whose UIDVALIDITY
  differs) stops: its listing is stale. One whose round vanished altogether (Redis restarted)
  stops with ``LockLost``: whatever it did not release is done again by the next poll.

The lock itself is the existing per-mailbox poll lock (``locks.mailbox_poll_lock``'s key), so a
POP3 poll, which holds it throughout, and a claim never run together.
"""

from __future__ import annotations

import json
import time
import uuid
from bisect import bisect_right
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from campaigns.models import MailboxProtocol
from campaigns.services.locks import LockLost, lock_key

# Protocols whose mailboxes several pollers may share (POP3 locks its maildrop to one session).
SHARED_PROTOCOLS = (MailboxProtocol.IMAP, MailboxProtocol.MAILDIR)

LEASE_SECONDS = 300  # a claim not released by then was abandoned (a batch takes seconds)
LOCK_SECONDS = 30  # the lock is held for one claim or release; it expires should the holder die
CLAIM_WAIT_SECONDS = 10.0  # how long a poller waits for the lock before it gives up the poll
STATE_TTL_SECONDS = 24 * 3600


class MailboxBusy(Exception):
    """The mailbox lock stayed held longer than CLAIM_WAIT_SECONDS (a whole-mailbox poll holds it)."""


@dataclass(frozen=True)
class Claim:
    """A range of the listing this poller may process: its refs (those of its own listing in the range)."""

    field: str
    refs: list


def _dump(key) -> str:
    return json.dumps(key)


def _load(text):
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


class ClaimBoard:
    """One poller's view of a mailbox's round (see the module docstring)."""

    def __init__(self, client, mailbox_id: int, *, validity=None, lease: float = LEASE_SECONDS) -> None:
        self.client = client
        self.key = f"bounceportal:mailbox-claims:{mailbox_id}"
        self.lock_key = lock_key(mailbox_id)
        self.validity = "" if validity is None else str(validity)
        self.lease = lease
        self.round: str | None = None

    @contextmanager
    def _locked(self):
        lock = self.client.lock(self.lock_key, timeout=LOCK_SECONDS, blocking_timeout=CLAIM_WAIT_SECONDS)
        if not lock.acquire():
            raise MailboxBusy("another poll holds this mailbox")
        try:
            yield
        finally:
            try:
                lock.release()
            except Exception:  # expired meanwhile: nothing of ours to release
                pass

    def _state(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.client.hgetall(self.key).items()}

    def claim(self, refs: Sequence, size: int, order: Callable) -> Claim | None:
        """Claim the next range for this poller among ``refs`` (sorted by ``order``); None when the round
        has nothing left for it."""
        while True:
            with self._locked():
                found = self._claim_locked(refs, size, order)
            if found is None or found.refs:
                return found
            self.release(found)  # an abandoned range none of whose messages this poller sees: done

    def _claim_locked(self, refs: Sequence, size: int, order: Callable) -> Claim | None:
        state = self._state()
        if self.round is None:
            if state.get("round") and "ended" not in state and state.get("validity") == self.validity:
                self.round = state["round"]
            else:  # no round, an ended one, or one under another UIDVALIDITY: start afresh
                self.round = uuid.uuid4().hex
                state = {"round": self.round, "validity": self.validity}
                self.client.delete(self.key)
                self._write(state)
        elif not state:
            raise LockLost("The mailbox's claims and lock vanished (Redis restarted?): the next poll goes on.")
        elif state.get("round") != self.round or "ended" in state:
            return None  # the round ended: this poller's listing is stale
        now = time.time()
        claims = {name: json.loads(value) for name, value in state.items() if name.startswith("claim:")}
        for name, claim in sorted(claims.items(), key=lambda item: item[1]["expires"]):
            if claim["expires"] < now:  # abandoned: take it over
                claim["expires"] = now + self.lease
                self._write({name: json.dumps(claim)})
                low, high = _load(claim["low"]), _load(claim["high"])
                return Claim(name, [ref for ref in refs if low <= order(ref) <= high])
        # ``refs`` is sorted by ``order``: bisecting with it as the key reads log(n) of them under the
        # lock, where listing every ref's key (100,000 for a big Maildir) held it for each claim.
        start = bisect_right(refs, _load(state["cursor"]), key=order) if "cursor" in state else 0
        chunk = list(refs[start : start + size])
        if chunk:
            name = f"claim:{uuid.uuid4().hex}"
            low, high = order(chunk[0]), order(chunk[-1])
            claim = {"low": _dump(low), "high": _dump(high), "expires": now + self.lease}
            self._write({name: json.dumps(claim), "cursor": _dump(high)})
            return Claim(name, chunk)
        if not claims:  # everything claimed is done: the round is over (said for a while, for its stragglers)
            self.client.delete(self.key)
            self.client.hset(self.key, mapping={"round": self.round, "ended": "1"})
            self.client.expire(self.key, int(self.lease) + LOCK_SECONDS)
        return None

    def _write(self, fields: dict[str, str]) -> None:
        self.client.hset(self.key, mapping=fields)
        self.client.expire(self.key, STATE_TTL_SECONDS)

    def release(self, *claims: Claim) -> int | None:
        """Drop done claims (under one lock). For integer keys (IMAP UIDs) return the highest key at or
        below which everything this round claimed is done (the mailbox's processed-UID mark); None otherwise."""
        fields = {claim.field for claim in claims}
        with self._locked():
            state = self._state()
            if not state:
                raise LockLost("The mailbox's claims and lock vanished (Redis restarted?): the next poll goes on.")
            if state.get("round") != self.round:
                return None
            self.client.hdel(self.key, *fields)
            lows = [
                _load(json.loads(value)["low"])
                for name, value in state.items()
                if name.startswith("claim:") and name not in fields
            ]
        if lows:
            low = min(lows)
            return low - 1 if isinstance(low, int) else None
        cursor = _load(state["cursor"]) if "cursor" in state else None
        return cursor if isinstance(cursor, int) else None
