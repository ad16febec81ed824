"""Bar charts drawn on the server as inline SVG: no script, no web font, nothing fetched from the internet.

Each chart is an image with a text alternative (`aria-label` and a `<title>`
per bar); the page shows the same numbers in a table next to it.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

ROW_HEIGHT = 22
BAR_HEIGHT = 15
LABEL_WIDTH = 210
VALUE_WIDTH = 48
CHART_WIDTH = 640


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value and an optional CSS class (a colour of the stylesheet)."""

    label: str
    value: int
    kind: str = ""


def bar_chart(bars: list[Bar], *, title: str) -> SafeString:
    """A horizontal bar chart, bars scaled to the largest value; empty bars keep their row so labels line up."""
    largest = max((bar.value for bar in bars), default=0) or 1
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW_HEIGHT * len(bars) + 4
    rows = []
    for i, bar in enumerate(bars):
        y = 2 + i * ROW_HEIGHT
        width = round(room * bar.value / largest, 1)
        rows.append((y + ROW_HEIGHT * 0.68, bar.label, LABEL_WIDTH, y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                     max(width, 0), BAR_HEIGHT, f"bar {bar.kind}".strip(), bar.label, bar.value,
                     LABEL_WIDTH + width + 6, y + ROW_HEIGHT * 0.68, bar.value))
    body = format_html_join(
        "\n",
        '<text class="label" x="{2}" dx="-8" y="{0}" text-anchor="end">{1}</text>'
        '<rect x="{2}" y="{3}" width="{4}" height="{5}" class="{6}"><title>{7}: {8}</title></rect>'
        '<text class="value" x="{9}" y="{10}">{11}</text>',
        rows,
    )
    summary = "; ".join(f"{bar.label}: {bar.value}" for bar in bars)
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        f"{title}. {summary}", CHART_WIDTH, height, title, body,
    )
