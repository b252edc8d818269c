"""The forensics charts' geometry, drawn as SVG by templates/results/charts/*.svg.

Like ``incidents/charts.py``: no script, no request elsewhere, a table of
the same figures beside each chart; sizes in drawing units, the SVG scales
to the page (readable at 360 px: text is 16 units in a 360-unit-wide plot).
"""

import math
from dataclasses import dataclass

from django.utils.formats import number_format

PLOT = 300
MARGIN = 40
TICKS = [0, 20, 40, 60, 80, 100]


#: shades of the heat map: a cell's voters (log scale) pick one; one path is drawn per shade
SHADES = 12


def number(value):
    """A coordinate in at most two decimals, without trailing zeros (SVG paths get long)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Shade:
    opacity: float
    path: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class HeatMap:
    shades: list
    cells: int
    plot: int
    margin: int
    width: int
    height: int
    ticks: list
    corner_x: float
    corner_y: float
    corner_size: float
    corner_text: str


def heat_map(fingerprint):
    """Cells of the fingerprint: turnout across (x), share up (y), darker for more voters (log scale)."""
    counts = fingerprint.counts
    bins = counts.shape[0]
    size = PLOT / bins
    top = math.log1p(float(counts.max())) or 1.0
    paths = [[] for _shade in range(SHADES)]
    cells = 0
    for i in range(bins):
        for j in range(bins):
            voters = float(counts[i, j])
            if voters <= 0:
                continue
            cells += 1
            shade = min(SHADES - 1, int(math.log1p(voters) / top * SHADES))
            side = number(size)
            paths[shade].append(f"M{number(MARGIN + i * size)} {number(PLOT - (j + 1) * size)}h{side}v{side}h-{side}z")
    shades = [
        Shade(opacity=round(0.1 + 0.9 * (shade + 1) / SHADES, 3), path="".join(path))
        for shade, path in enumerate(paths)
        if path
    ]
    corner = fingerprint.corner / 100 * PLOT
    return HeatMap(
        shades=shades,
        cells=cells,
        plot=PLOT,
        margin=MARGIN,
        width=PLOT + MARGIN + 10,
        height=PLOT + MARGIN,
        ticks=[Tick(position=round(tick / 100 * PLOT, 2), label=str(tick)) for tick in TICKS],
        corner_x=round(MARGIN + corner, 2),
        corner_y=0,
        corner_size=round(PLOT - corner, 2),
        corner_text=f"{number_format(fingerprint.corner_fraction * 100, 2)}%",
    )


@dataclass(frozen=True)
class HistogramChart:
    #: one path of the bars of bins off a whole percentage, one of those on one
    other_path: str
    whole_path: str
    bar_width: float
    plot_width: int
    plot_height: int
    margin: int
    width: int
    height: int
    ticks: list
    top_text: str


def histogram(histogram_figures, *, plot_width=500, plot_height=150):
    """Bars of stations per bin; bins centred on a whole percentage are drawn in the accent colour."""
    counts = histogram_figures.counts
    bins = len(counts)
    top = int(counts.max()) or 1
    width = plot_width / bins
    other, whole = [], []
    for index, count in enumerate(counts):
        if not count:
            continue
        height = float(count) / top * plot_height
        left, tall = number(MARGIN + index * width), number(height)
        bar = f"M{left} {plot_height}v-{tall}h{number(width)}v{tall}z"
        (whole if histogram_figures.whole[index] else other).append(bar)
    return HistogramChart(
        other_path="".join(other),
        whole_path="".join(whole),
        bar_width=round(width, 3),
        plot_width=plot_width,
        plot_height=plot_height,
        margin=MARGIN,
        width=plot_width + MARGIN + 10,
        height=plot_height + 40,
        ticks=[
            Tick(position=round(MARGIN + tick / 100 * (plot_width - width) + width / 2, 2), label=f"{tick}%")
            for tick in range(0, 101, 10)
        ],
        top_text=number_format(top, 0, force_grouping=True),
    )
