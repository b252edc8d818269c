"""The PVT chart: each estimate's 95% interval as a bar, the official figure as a mark (server-side SVG).

Drawn by ``templates/incidents/charts/pvt_interval.svg``; the same figures are in a
table beside it (``templates/incidents/results/_pvt_table.html``).
"""

import math
from dataclasses import dataclass

from django.utils.formats import number_format

from ..public.charts import BAR_HEIGHT, LABEL_HEIGHT, ROW_GAP, WIDTH


@dataclass(frozen=True)
class IntervalRow:
    label: str
    colour: str
    y: float
    low_x: float
    bar_width: float
    estimate_x: float
    official_x: float | None
    outside: bool
    text: str


@dataclass(frozen=True)
class IntervalChart:
    rows: list
    height: float
    scale_top: int  # percent at the right edge
    plot_width: float
    ticks: list  # (x, label)
    width: int = WIDTH


def percent_text(share, places=1):
    return f"{number_format(share * 100, places)}%"


def intervals(comparisons):
    """Geometry for the rows that have an estimate; None when none has. One scale for all rows, from 0."""
    rows = [row for row in comparisons if row.estimate.enough]
    if not rows:
        return None
    largest = max(max(row.estimate.high, row.official or 0) for row in rows)
    top = min(100, max(10, math.ceil(largest * 110 / 10) * 10))
    plot = WIDTH - 8
    step = 2 * LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP  # label above the bar, figures below it

    def x(share):
        return round(min(share * 100, top) / top * plot, 1)

    drawn = []
    for index, row in enumerate(rows):
        estimate = row.estimate
        text = f"{percent_text(estimate.value)} ({percent_text(estimate.low)}–{percent_text(estimate.high)})"
        if row.official is not None:
            text += f" · {percent_text(row.official, 2)}"
        drawn.append(
            IntervalRow(
                label=row.label or "",
                colour=row.colour,
                y=index * step,
                low_x=x(estimate.low),
                bar_width=max(1.5, x(estimate.high) - x(estimate.low)),
                estimate_x=x(estimate.value),
                official_x=None if row.official is None else x(row.official),
                outside=row.outside,
                text=text,
            )
        )
    ticks = [(round(value / top * plot, 1), f"{value}%") for value in range(0, top + 1, max(10, top // 5))]
    return IntervalChart(rows=drawn, height=len(drawn) * step + 14, scale_top=top, plot_width=plot, ticks=ticks)
