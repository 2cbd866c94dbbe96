"""Send windows: when each send of a scheduled run falls due (pure Python, no database).

A window is a set of weekdays and daily hours in the organization's time zone
(weekdays 09:00–17:00 in Europe/Paris) over a number of window days. A run
scheduled with one has its sends spread evenly over the window's open time, in
send id order, so the release task can hand out a contiguous range of ids each
tick; without one, every send is due at the scheduled time and the rate limiter
paces them. The window must be long enough for the run at the organization's
rate, or ``WindowError`` says how long it needs to be.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
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
            raise WindowError("Choose at least one weekday for the send window.")
        if self.end <= self.start:
            raise WindowError("The send window must end after it starts (the same day).")
        if not 1 <= self.days <= MAX_WINDOW_DAYS:
            raise WindowError(f"The send window lasts from 1 to {MAX_WINDOW_DAYS} days.")

    @property
    def weekday_code(self) -> str:
        """The weekdays as ISO digits in order ("12345" for Monday to Friday), as a run stores them."""
        return "".join(str(day) for day in sorted(self.weekdays))

    def describe(self) -> str:
        days = ", ".join(WEEKDAY_NAMES[day - 1][:3] for day in sorted(self.weekdays))
        return f"{days} {self.start:%H:%M}–{self.end:%H:%M}, over {self.days} day{'s' if self.days > 1 else ''}"


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


def due_times(count: int, *, start: datetime, window: SendWindow | None, zone: ZoneInfo, rate: int) -> list[datetime]:
    """Return when each of ``count`` sends falls due, in order (UTC).

    Without a window all are due at ``start``. With one they are spread evenly
    over its open time; raises WindowError when the window cannot hold them at
    ``rate`` messages per second.
    """
    start = start.astimezone(UTC)
    if window is None or count == 0:
        return [start] * count
    intervals = open_intervals(window, start=start, zone=zone)
    total = sum((end - begin).total_seconds() for begin, end in intervals)
    needed = count / rate
    if total <= 0:
        raise WindowError("The send window has no open time after the scheduled start.")
    if needed > total:
        raise WindowError(
            f"{count} messages at {rate} per second need {needed / 3600:.1f} hours of window; "
            f"this one is open {total / 3600:.1f} hours. Widen the hours or add days."
        )
    step = total / count
    times: list[datetime] = []
    offset = 0.0  # seconds of open time before the current interval
    for begin, end in intervals:
        length = (end - begin).total_seconds()
        while len(times) < count and len(times) * step < offset + length:
            times.append(begin + timedelta(seconds=len(times) * step - offset))
        offset += length
    return times
