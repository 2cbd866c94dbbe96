"""The date range every report takes (default: the last 30 days, today included)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.filters import DATE_BOUNDS

DEFAULT_DAYS = 30
MAX_DAYS = 731


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_before(self) -> datetime:
        """Midnight after the last day: ranges are [start_at, end_before)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def learner_params(self) -> dict:
        """The learner list's filter for "last bounce within this range"."""
        return {"bounced_after": self.start.isoformat(), "bounced_before": self.end.isoformat()}

    @property
    def params(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def default(cls) -> "DateRange":
        today = timezone.localdate()
        return cls(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)


class DateRangeForm(forms.Form):
    start = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), validators=DATE_BOUNDS
    )
    end = forms.DateField(
        required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}), validators=DATE_BOUNDS
    )

    def clean(self):
        cleaned = super().clean()
        default = DateRange.default()
        start, end = cleaned.get("start") or None, cleaned.get("end") or None
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        end = end or default.end
        start = start or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            self.add_error("start", gettext("The start must be on or before the end."))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", gettext("Pick a range of at most %(days)s days.") % {"days": MAX_DAYS})
        cleaned["range"] = DateRange(start=start, end=end)
        return cleaned

    def date_range(self) -> DateRange:
        """The valid range asked for, or the default one when the input is invalid (errors are shown)."""
        if self.is_valid():
            return self.cleaned_data["range"]
        return DateRange.default()
