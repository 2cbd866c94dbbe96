"""A learner's activity log: clearances and what other apps add (sends, opens, bounces), newest first, paged by keyset.

The sources live in different tables; ``ActivityLog.page`` reads each one from
the page's cursor on (one index range per source, ``per_page + 1`` rows) and
merges them on (time, kind, id), so a page deep in a busy learner's history
costs what the first one does. Its length (the total shown) comes from counts
annotated on the learner (``with_activity_counts``). Sources other than
clearances come from the learner pages' extension point (``contacts.extensions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.dateparse import parse_datetime

from bounceportal.keyset import (
    NEXT,
    PREVIOUS,
    KeysetPage,
    after,
    key_of,
    make_cursor,
    order_by_of,
    read_cursor,
    reversed_key,
)
from contacts.extensions import KIND_RANK, ActivityEntry, learner_pages
from contacts.models import Clearance, Learner

COUNT_PREFIX = "activity_"


def count_of(queryset):
    """A subquery counting the rows of ``queryset`` (filtered on ``learner=OuterRef("pk")``), 0 when none."""
    counted = queryset.order_by().values("learner_id").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_activity_counts(queryset):
    """Annotate each learner with how many entries of each kind its activity log has."""
    learner = OuterRef("pk")
    counts = {"clearances": count_of(Clearance.objects.filter(learner=learner))}
    counts.update(learner_pages().activity_counts(learner))
    return queryset.annotate(**{COUNT_PREFIX + name: expression for name, expression in counts.items()})


class ActivityLog:
    """The learner's merged activity; ``learner`` must come from ``with_activity_counts`` (for ``len``)."""

    def __init__(self, learner: Learner):
        self.learner = learner

    def __len__(self) -> int:
        return sum(value for name, value in vars(self.learner).items() if name.startswith(COUNT_PREFIX))

    def page(self, *, per_page: int, cursor: str | None) -> KeysetPage:
        """The page of entries that ``cursor`` names (the newest when None), newest first, by keyset.

        Each source is read from its cursor on (``older_than``), ``per_page + 1`` rows at most, and the
        sources are merged on (time, kind, id): a page costs one index range per source however deep it
        is, and entries added meanwhile do not shift the older pages. Raises InvalidCursor.
        """
        position = read_position(cursor) if cursor else None
        newer = position is not None and position.newer
        entries = self._merged(per_page + 1, position)
        if newer and len(entries) <= per_page:
            return self.page(per_page=per_page, cursor=None)
        if newer:
            entries = entries[:per_page][::-1]
            return _activity_page(entries, more_newer=True, more_older=True)
        return _activity_page(entries[:per_page], more_newer=position is not None, more_older=len(entries) > per_page)

    def _merged(self, limit: int, position: Position | None) -> list[ActivityEntry]:
        learner = self.learner
        entries = learner_pages().activity(learner, limit, position)
        clearances = older_than(learner.clearances.select_related("cleared_by"), "created_at", "clearance", position)
        entries += [ActivityEntry("clearance", c.created_at, c) for c in clearances[:limit]]
        entries.sort(key=lambda entry: entry.sort_key, reverse=position is None or not position.newer)
        return entries[:limit]


CURSOR_SALT = "keyset:contacts.activity"


@dataclass(frozen=True)
class Position:
    """A page boundary in the log: the boundary entry's key, and whether the page wanted is the newer side."""

    at: datetime
    kind: str
    pk: int
    newer: bool = False


def older_than(queryset, at_field: str, kind: str, position: Position | None):
    """``queryset`` (one source of the log, rows of ``kind``) from ``position`` on, in the page's order.

    Going older, rows of this kind come after the boundary when (at, rank, id) is smaller: ``at < t``
    for a kind ranked above the boundary's, ``at <= t`` below it, ``(at, id) < (t, id)`` for its own
    (``bounceportal.keyset.after``, the form that an (learner, at) index serves). Newer is the mirror.
    """
    key = key_of(f"-{at_field}", "-id")
    if position is not None and position.newer:
        key = reversed_key(key)
    queryset = queryset.order_by(*order_by_of(key))
    if position is None:
        return queryset
    rank, boundary = KIND_RANK[kind], KIND_RANK[position.kind]
    if rank == boundary:
        return queryset.filter(after(key, [position.at, position.pk]))
    # At the boundary's instant, a lower-ranked kind is older than it, a higher-ranked one newer.
    inclusive = rank > boundary if position.newer else rank < boundary
    op = ("gt" if position.newer else "lt") + ("e" if inclusive else "")
    return queryset.filter(**{f"{at_field}__{op}": position.at})


def read_position(token: str) -> Position:
    """The Position a page link's cursor holds; InvalidCursor for one we did not make."""
    direction, (at, kind, pk) = read_cursor(token, salt=CURSOR_SALT, parsers=(_parse_at, _parse_kind, int))
    return Position(at, kind, pk, newer=direction == PREVIOUS)


def _parse_at(value) -> datetime:
    parsed = parse_datetime(value)
    if parsed is None:
        raise ValueError("not a time")
    return parsed


def _parse_kind(value) -> str:
    if value not in KIND_RANK:
        raise ValueError("not a kind")
    return value


def _cursor(entry: ActivityEntry, direction: str) -> str:
    at, _rank, pk = entry.sort_key
    return make_cursor(CURSOR_SALT, direction, [at, entry.kind, pk])


def _activity_page(entries: list[ActivityEntry], *, more_newer: bool, more_older: bool) -> KeysetPage:
    return KeysetPage(
        object_list=entries,
        next_cursor=_cursor(entries[-1], NEXT) if more_older and entries else None,
        previous_cursor=_cursor(entries[0], PREVIOUS) if more_newer and entries else None,
        is_first=not more_newer,
    )
