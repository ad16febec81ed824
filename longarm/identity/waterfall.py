"""The waterfall of a pair's score, drawn on the server as inline SVG (in the manner of Splink's chart).

The match weight is the prior's log2 odds plus one log2 Bayes factor per
comparison. The chart starts from the prior, moves right for each comparison
that speaks for "same person" and left for each that speaks against, and
ends with the final weight and its probability. Nothing is fetched from the
internet; the page shows the same numbers in a table.
"""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

ROW_HEIGHT = 26
BAR_HEIGHT = 16
LABEL_WIDTH = 300
VALUE_WIDTH = 70
CHART_WIDTH = 820
AXIS_HEIGHT = 24
FOR, AGAINST, TOTAL, NEUTRAL = "#2e7d32", "#c62828", "#1f4e79", "#9e9e9e"


@dataclass(frozen=True)
class Step:
    """One row: its label, where the running weight starts and ends, and its kind."""

    label: str
    start: float
    end: float
    kind: str  # "prior", "comparison", "total"
    level: str = ""  # for a comparison: the level its two values reached

    @property
    def caption(self) -> str:
        return f"{self.label}: {self.level}" if self.level else self.label

    @property
    def delta(self) -> float:
        return self.end - self.start


def waterfall_steps(*, prior_weight: float, contributions: list[dict], match_weight: float) -> list[Step]:
    """Prior, then each comparison's log2 Bayes factor added to the running weight, then the final weight."""
    steps = [Step("prior (two random records are one person)", 0.0, prior_weight, "prior")]
    running = prior_weight
    for part in contributions:
        steps.append(Step(part["comparison"], running, running + part["bf"], "comparison", part["level"]))
        running += part["bf"]
    steps.append(Step("final match weight", 0.0, match_weight, "total"))
    return steps


def _colour(step: Step) -> str:
    if step.kind == "total":
        return TOTAL
    if abs(step.delta) < 1e-9:
        return NEUTRAL
    return FOR if step.delta > 0 else AGAINST


def waterfall_svg(steps: list[Step], *, probability: float) -> SafeString:
    """A horizontal waterfall: one bar per step on a log2-odds axis, with the zero line (odds 1:1) marked."""
    values = [0.0] + [s.start for s in steps] + [s.end for s in steps]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    low, high = low - span * 0.04, high + span * 0.04
    room = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH

    def x(value: float) -> float:
        return round(LABEL_WIDTH + room * (value - low) / (high - low), 1)

    height = AXIS_HEIGHT + ROW_HEIGHT * len(steps) + 6
    rows = []
    for i, step in enumerate(steps):
        y = AXIS_HEIGHT + i * ROW_HEIGHT
        left, right = sorted((x(step.start), x(step.end)))
        sign = "+" if step.delta >= 0 and step.kind == "comparison" else ""
        value = f"{sign}{step.delta:.2f}" if step.kind != "total" else f"{step.end:.2f}"
        rows.append((y + ROW_HEIGHT * 0.65, step.caption, LABEL_WIDTH, left, y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
                     max(right - left, 1.5), BAR_HEIGHT, _colour(step), f"{step.caption}: {value}",
                     right + 5, y + ROW_HEIGHT * 0.65, value, step.kind))
    body = format_html_join(
        "\n",
        '<text x="{2}" dx="-8" y="{0}" text-anchor="end" font-size="12">{1}</text>'
        '<rect x="{3}" y="{4}" width="{5}" height="{6}" fill="{7}" data-kind="{12}"><title>{8}</title></rect>'
        '<text x="{9}" y="{10}" font-size="12" font-family="monospace">{11}</text>',
        rows,
    )
    zero = x(0.0)
    ticks = format_html_join("", '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="#bbb" stroke-dasharray="2 3"/>'
                                 '<text x="{0}" y="14" font-size="10" text-anchor="middle">{3}</text>',
                             ((x(t), AXIS_HEIGHT - 4, height, t) for t in _ticks(low, high)))
    summary = "; ".join(f"{s.caption} {s.delta:+.2f}" if s.kind != "total" else f"{s.caption} {s.end:.2f}"
                        for s in steps)
    title = f"How the score was built: final match weight {steps[-1].end:.2f}, probability {probability:.4f}"
    return format_html(
        '<svg class="chart waterfall" role="img" aria-label="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}'
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/>{}</svg>',
        f"{title}. {summary}", CHART_WIDTH, height, title, ticks, zero, AXIS_HEIGHT - 4, zero, height, body,
    )


def _ticks(low: float, high: float) -> list[int]:
    span = high - low
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200) if span / s <= 10)
    first = int(low // step + 1) * step
    return list(range(first, int(high) + 1, step))
