"""Aggregates over large data sets, computed at most once a minute.

Counting a run of a million sends by status, or a year of bounce events by
campaign, takes hundreds of milliseconds however it is indexed. Pages showing
such numbers for a large data set read them from the cache (Django's cache
framework) for ``AGGREGATE_TTL`` seconds and say how old they are; small data
sets are always counted live, so what an admin just did shows at once there.
"""

from django.core.cache import cache
from django.utils import timezone

from bounceportal.pagination import limited_count

AGGREGATE_TTL = 60
LARGE = 10_000  # rows; below this every aggregate is computed on each request


def is_large(queryset) -> bool:
    """True when ``queryset`` has more than LARGE rows (counts at most LARGE + 1 of them)."""
    return limited_count(queryset, LARGE + 1) > LARGE


def cached_when_large(key: str, compute, *, large: bool):
    """Return (value, as_of): as_of is when a cached value was computed, None when computed now."""
    if not large:
        return compute(), None
    hit = cache.get(key)
    if hit is not None:
        return hit
    value = compute()
    cache.set(key, (value, timezone.now()), AGGREGATE_TTL)
    return value, None
