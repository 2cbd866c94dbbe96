"""Send windows: when each send of a scheduled run falls due (pure Python, no database).

A window is a set of weekdays and daily hours in the organization's time zone
(weekdays 09:00–17:00 in Europe/Paris) over a number of window days. A run
scheduled with one has its sends spread evenly over the window's open time, in
send id order, so the release task can hand out a contiguous range of ids each
tick; without one, every send is due at the scheduled time and the rate limiter
paces them. The window must be long enough for the run at the organization's
rate, or ``WindowError`` says how long it needs to be.
"""

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_lazy, ngettext

WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
WEEKDAY_ABBREVIATIONS = (
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
)
MAX_WINDOW_DAYS = 31


class WindowError(ValueError):
    """The window is not valid, or too short for the run; the message says why."""


@dataclass(frozen=True)
class SendWindow:
    """Daily hours ``start``–``end`` on ISO ``weekdays`` (1 = Monday), for ``days`` window days."""

    weekdays: frozenset[int]
    start: time
    end: time
    days: int

    def __post_init__(self):
        if not self.weekdays or not self.weekdays <= set(range(1, 8)):
            raise WindowError(gettext("Choose at least one weekday for the send window."))
        if self.end <= self.start:
            raise WindowError(gettext("The send window must end after it starts (the same day)."))
        if not 1 <= self.days <= MAX_WINDOW_DAYS:
            raise WindowError(gettext("The send window lasts from 1 to %(days)s days.") % {"days": MAX_WINDOW_DAYS})

    @property
    def weekday_code(self) -> str:
        """The weekdays as ISO digits in order ("12345" for Monday to Friday), as a run stores them."""
        return "".join(str(day) for day in sorted(self.weekdays))

    def describe(self) -> str:
        days = ", ".join(str(WEEKDAY_ABBREVIATIONS[day - 1]) for day in sorted(self.weekdays))
        return ngettext(
            "%(days)s %(start)s–%(end)s, over %(count)s day",
            "%(days)s %(start)s–%(end)s, over %(count)s days",
            self.days,
        ) % {"days": days, "start": f"{self.start:%H:%M}", "end": f"{self.end:%H:%M}", "count": self.days}


def open_intervals(window: SendWindow, *, start: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """Return the window's open (UTC start, UTC end) intervals from ``start`` on, ``window.days`` of them.

    Days are local calendar days of ``zone`` (daylight-saving changes move the
    UTC hours, not the local ones); a window day already partly over at
    ``start`` counts as one of the days, and one already over is skipped.
    """
    intervals: list[tuple[datetime, datetime]] = []
    day: date = start.astimezone(zone).date()
    for _ in range(MAX_WINDOW_DAYS * 7 + 1):  # enough for one weekday a week
        if len(intervals) == window.days:
            break
        if day.isoweekday() in window.weekdays:
            opens = datetime.combine(day, window.start, tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(day, window.end, tzinfo=zone).astimezone(UTC)
            opens = max(opens, start)
            if closes > opens:
                intervals.append((opens, closes))
        day += timedelta(days=1)
    return intervals


@dataclass(frozen=True)
class DuePlan:
    """When the n-th send of a scheduled run (0-based, in id order) falls due.

    Its due time is ``n * step`` microseconds of open time after the start: in the
    first piece whose open time reaches past that, ``floor(n * step - before)``
    microseconds after the piece opens. Only float multiplication, subtraction
    and ``floor`` on whole microseconds, so the SQL that writes a run's sends
    (``campaigns.services.send_rows``) computes the very same instants.
    """

    pieces: tuple[tuple[datetime, int, int], ...]  # (UTC opening, open µs before it, open µs to its close)
    total: int  # open µs in the whole window (0: every send is due at the start)

    def step(self, count: int) -> float:
        return self.total / count if count else 0.0

    def due_at(self, n: int, count: int) -> datetime:
        x = n * self.step(count)
        begin, before, _until = self.pieces[-1]
        for piece in self.pieces:
            if x < piece[2]:
                begin, before, _until = piece
                break
        return begin + timedelta(microseconds=math.floor(x - before))


def due_plan(count: int, *, start: datetime, window: SendWindow | None, zone: ZoneInfo, rate: int) -> DuePlan:
    """Return the plan spreading ``count`` sends from ``start`` (all due then without a window).

    Raises WindowError when the window cannot hold them at ``rate`` messages per second.
    """
    start = start.astimezone(UTC)
    if window is None or count == 0:
        return DuePlan(pieces=((start, 0, 0),), total=0)
    intervals = open_intervals(window, start=start, zone=zone)
    lengths = [(end - begin) // timedelta(microseconds=1) for begin, end in intervals]
    total = sum(lengths)
    needed = count / rate
    if total <= 0:
        raise WindowError(gettext("The send window has no open time after the scheduled start."))
    if needed > total / 1e6:
        raise WindowError(
            f"{count} messages at {rate} per second need {needed / 3600:.1f} hours of window; "
            f"this one is open {total / 3.6e9:.1f} hours. Widen the hours or add days."
        )
    pieces, before = [], 0
    for (begin, _end), length in zip(intervals, lengths):
        pieces.append((begin, before, before + length))
        before += length
    return DuePlan(pieces=tuple(pieces), total=total)


def due_times(count: int, *, start: datetime, window: SendWindow | None, zone: ZoneInfo, rate: int) -> list[datetime]:
    """Return when each of ``count`` sends falls due, in order (UTC): see ``DuePlan``.

    Without a window all are due at ``start``. With one they are spread evenly
    over its open time; raises WindowError when the window cannot hold them at
    ``rate`` messages per second.
    """
    plan = due_plan(count, start=start, window=window, zone=zone, rate=rate)
    return [plan.due_at(n, count) for n in range(count)]
