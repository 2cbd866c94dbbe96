"""Per-mailbox poll locks in Redis.

A POP3 poll holds the lock throughout, so two workers never poll one such mailbox
at once; IMAP and Maildir polls take it only for a moment, to claim the next range
of a shared mailbox (``mailbox_claims``). The lock has an expiry (a worker that
dies frees it) and is renewed after every batch; a poller that finds its lock lost
stops before touching the mailbox again. Without Redis (the embedded demo: one process, eager tasks) there is
nothing to coordinate with and the lock is a no-op. The database's unique
digest is the second line of defence either way.
"""

from contextlib import contextmanager
from functools import lru_cache

from django.conf import settings

LOCK_TIMEOUT_SECONDS = 300


class LockLost(Exception):
    """The poll lock expired and was taken by another worker."""


class NoLock:
    def renew(self) -> None:
        pass


class _RedisLock:
    def __init__(self, lock):
        self._lock = lock

    def renew(self) -> None:
        from redis.exceptions import LockError

        try:
            self._lock.reacquire()
        except LockError:
            raise LockLost("The mailbox poll lock expired; another worker may be polling.") from None


@lru_cache(maxsize=4)
def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)


def lock_key(mailbox_id: int) -> str:
    return f"bounceportal:mailbox-poll:{mailbox_id}"


@contextmanager
def mailbox_poll_lock(mailbox_id: int, *, timeout: int = LOCK_TIMEOUT_SECONDS):
    """Yield a lock handle with ``renew()``, or None when another poll holds the mailbox."""
    if not settings.REDIS_URL:
        yield NoLock()
        return
    from redis.exceptions import LockError

    lock = redis_client(settings.REDIS_URL).lock(lock_key(mailbox_id), timeout=timeout, blocking=False)
    if not lock.acquire():
        yield None
        return
    try:
        yield _RedisLock(lock)
    finally:
        try:
            lock.release()
        except LockError:
            pass  # expired: whoever holds it now keeps it
