"""Server-rendered SVG bar charts: geometry computed here, markup in templates/includes/_bar_chart.html.

No inline style and no script (the CSP forbids both): colours come from CSS
classes, sizes from SVG attributes, and every bar's number is printed beside it.
"""

from dataclasses import dataclass

ROW_HEIGHT = 30
BAR_HEIGHT = 20
LABEL_WIDTH = 190
BAR_AREA = 380
VALUE_GAP = 8
WIDTH = LABEL_WIDTH + BAR_AREA + 80


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

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + self.width + VALUE_GAP


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_x: int = LABEL_WIDTH

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)

    @property
    def label_x(self) -> int:
        return self.label_width - VALUE_GAP


def bar_chart(title: str, items) -> BarChart:
    """Lay out horizontal bars for ``items`` — (label, value, css_class, url) tuples — scaled to the largest."""
    items = list(items)
    largest = max((value for _label, value, _css, _url in items), default=0) or 1
    bars = [
        Bar(label=label, value=value, css_class=css_class, url=url, y=index * ROW_HEIGHT + 4,
            width=max(2 if value else 0, round(BAR_AREA * value / largest)))
        for index, (label, value, css_class, url) in enumerate(items)
    ]
    return BarChart(title=title, bars=bars, height=len(bars) * ROW_HEIGHT + 8)
