"""Server-rendered SVG bar charts: geometry computed here, markup in templates/includes/_bar_chart.html.

No inline style and no script (the CSP forbids both): colours come from CSS
classes, sizes from SVG attributes, and every bar's number is printed beside it.
"""

from dataclasses import dataclass

from django.utils.formats import date_format

ROW_HEIGHT = 30
BAR_HEIGHT = 20
CHAR_WIDTH = 7.5  # of the 13px label font, on average
BAR_AREA = 300
VALUE_GAP = 8
VALUE_ROOM = 70


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    css_class: str
    url: str
    y: int
    width: int

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    label_width: int = 0

    @property
    def value_x(self) -> int:
        return self.label_width + self.width + VALUE_GAP


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list
    height: int
    label_width: int

    @property
    def width(self) -> int:
        return self.label_width + BAR_AREA + VALUE_ROOM

    @property
    def bar_x(self) -> int:
        return self.label_width

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @property
    def has_links(self) -> bool:
        """Bars that link somewhere make the chart a group of links for assistive technology, not an image."""
        return any(bar.url for bar in self.bars)

    @property
    def label_x(self) -> int:
        return self.label_width - VALUE_GAP


def bar_chart(title: str, items) -> BarChart:
    """Lay out horizontal bars for ``items`` — (label, value, css_class, url) tuples — scaled to the largest."""
    items = list(items)
    largest = max((value for _label, value, _css, _url in items), default=0) or 1
    label_width = round(max((len(str(label)) for label, *_rest in items), default=4) * CHAR_WIDTH) + 2 * VALUE_GAP
    bars = [
        Bar(
            label=label,
            value=value,
            css_class=css_class,
            url=url,
            y=index * ROW_HEIGHT + 4,
            width=max(2 if value else 0, round(BAR_AREA * value / largest)),
            label_width=label_width,
        )
        for index, (label, value, css_class, url) in enumerate(items)
    ]
    return BarChart(title=title, bars=bars, height=len(bars) * ROW_HEIGHT + 8, label_width=label_width)


COLUMN_AREA_HEIGHT = 180
COLUMN_TOP = 20  # room for the totals printed above the columns
COLUMN_AXIS = 24  # room for the period labels below


@dataclass(frozen=True)
class Segment:
    css_class: str
    y: float
    height: float


@dataclass(frozen=True)
class Column:
    label: str
    total: int
    x: float
    width: float
    segments: list
    show_label: bool
    url: str = ""

    @property
    def center(self) -> float:
        return self.x + self.width / 2

    @property
    def total_y(self) -> float:
        top = min((segment.y for segment in self.segments), default=COLUMN_TOP + COLUMN_AREA_HEIGHT)
        return top - 4


@dataclass(frozen=True)
class ColumnChart:
    title: str
    columns: list
    series: tuple
    width: int
    height: int = COLUMN_TOP + COLUMN_AREA_HEIGHT + COLUMN_AXIS
    baseline: int = COLUMN_TOP + COLUMN_AREA_HEIGHT

    @property
    def label_y(self) -> int:
        return self.baseline + 15

    @property
    def has_links(self) -> bool:
        """Columns that link somewhere make the chart a group of links for assistive technology, not an image."""
        return any(column.url for column in self.columns)


def column_chart(title: str, rows, series=("hard", "soft", "block"), period_key="period", url_of=None) -> ColumnChart:
    """Lay out stacked columns, one per row (a dict with ``period`` and a count per series key);
    ``url_of(row)`` makes each column a link."""
    rows = list(rows)
    largest = max((sum(row[key] for key in series) for row in rows), default=0) or 1
    slot = 28 if len(rows) <= 31 else 14
    label_every = 1 if len(rows) <= 12 else (7 if len(rows) <= 62 else 4)
    columns = []
    for index, row in enumerate(rows):
        y = COLUMN_TOP + COLUMN_AREA_HEIGHT
        segments = []
        for key in series:
            height = COLUMN_AREA_HEIGHT * row[key] / largest
            if height:
                y -= height
                segments.append(Segment(css_class=f"bar-{key}", y=round(y, 1), height=round(height, 1)))
        period = row[period_key]
        columns.append(
            Column(
                label=date_format(period, "MONTH_DAY_FORMAT") if hasattr(period, "strftime") else str(period),
                total=sum(row[key] for key in series),
                x=8 + index * slot,
                width=slot - 6,
                segments=segments,
                show_label=index % label_every == 0,
                url=url_of(row) if url_of else "",
            )
        )
    return ColumnChart(title=title, columns=columns, series=series, width=16 + len(rows) * slot)
