"""German date formats of the portal: day.month.year, 24-hour times (numbers keep Django's de: 1.234,5)."""

DATE_FORMAT = "j. M Y"
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i:s"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j. M"
YEAR_MONTH_FORMAT = "F Y"
