"""Per-organization sending rate, shared by every worker through Redis.

The limiter keeps, per organization, the time at which the next message may
go (a "theoretical arrival time", as in GCRA). A worker reserves a batch of
``count`` messages with one atomic Lua call: the batch may start at that
time, which then moves ``count / rate`` seconds on. The caller sleeps for the
returned delay. Reserving in batches keeps Redis to a few calls per second,
and because the clock is Redis's own (``TIME``) workers on several hosts
share one schedule. Without REDIS_URL (the embedded demo) the same schedule
is kept in the process.
"""

import threading
import time
from functools import lru_cache

from django.conf import settings

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local after = tat + tonumber(ARGV[1]) / tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.6f', after), 'EX', math.ceil(after - now) + 2)
return string.format('%.6f', tat - now)
"""


@lru_cache(maxsize=4)
def _redis_script(url: str):
    import redis

    client = redis.Redis.from_url(url)
    return client.register_script(_RESERVE)


class _LocalSchedule:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_free: dict[str, float] = {}

    def reserve(self, key: str, count: int, rate: float) -> float:
        with self.lock:
            now = time.monotonic()
            start = max(self.next_free.get(key, 0.0), now)
            self.next_free[key] = start + count / rate
            return start - now


_local = _LocalSchedule()


def reserve(*, key: str, count: int, rate: float) -> float:
    """Reserve ``count`` sends at ``rate`` per second under ``key``; return seconds to wait first."""
    if settings.REDIS_URL:
        return max(
            0.0, float(_redis_script(settings.REDIS_URL)(keys=[f"bounceportal:send-rate:{key}"], args=[count, rate]))
        )
    return _local.reserve(key, count, rate)


class RateLimiter:
    """Hands out sending permits for one organization, reserving them in batches."""

    def __init__(self, *, organization_id: int, rate: int, sleep=time.sleep):
        self.key = f"org:{organization_id}"
        self.rate = max(1, rate)
        # About a tenth of a second's worth per reservation, so bursts stay small.
        self.batch = max(1, min(50, self.rate // 10))
        self.permits = 0
        self.sleep = sleep

    def acquire(self) -> None:
        """Wait until one more message may go."""
        if self.permits == 0:
            delay = reserve(key=self.key, count=self.batch, rate=self.rate)
            if delay > 0:
                self.sleep(delay)
            self.permits = self.batch
        self.permits -= 1
