"""Charts drawn on the server as SVG: no script, no request elsewhere, readable on a phone.

Each function turns figures into the geometry its template draws
(``templates/incidents/charts/*.svg``). The same figures are always in a
table beside the chart, for screen readers and for copying.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format

#: drawing units; the SVG scales to the width of the page
WIDTH = 320
LABEL_HEIGHT = 16
BAR_HEIGHT = 13
ROW_GAP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    width: float
    colour: str
    y: float


@dataclass(frozen=True)
class PartyVotesChart:
    bars: list
    height: float
    width: int = WIDTH


def party_votes(party_results):
    """Horizontal bars of each party's share of the valid vote."""
    rows = [row for row in party_results if row.share is not None]
    if not rows:
        return None
    top = max(row.share for row in rows) or Decimal(1)
    step = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    bars = [
        Bar(
            label=row.party.name,
            value_text=f"{number_format(row.share, 2)}%",
            width=round(float(row.share / top) * (WIDTH - 60), 1),
            colour=row.party.colour,
            y=index * step,
        )
        for index, row in enumerate(rows)
    ]
    return PartyVotesChart(bars=bars, height=len(bars) * step)


@dataclass(frozen=True)
class RegionRow:
    name: str
    url: str
    y: float
    turnout_text: str
    turnout_width: float
    turnout_text_x: float
    turnout_text_inside: bool
    incidents: int
    incidents_width: float


@dataclass(frozen=True)
class TurnoutIncidentsChart:
    rows: list
    height: float
    half: float
    incidents_x: float
    national_x: float | None
    national_text: str
    width: int = WIDTH


def turnout_and_incidents(summaries, national_turnout):
    """Per region, turnout (left half, 0–100%) beside published incidents (right half).

    Regions are in the order given; a vertical line marks the national turnout.
    """
    if not summaries:
        return None
    half = WIDTH / 2 - 4
    most = max((summary.incidents for summary in summaries), default=0) or 1
    step = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    rows = []
    for index, summary in enumerate(summaries):
        turnout = summary.turnout
        turnout_width = round(float(turnout) / 100 * half, 1) if turnout is not None else 0
        # The figure sits inside its bar when there is room, else just after it.
        inside = turnout_width >= 40
        rows.append(
            RegionRow(
                name=summary.region.name,
                url=summary.region.get_absolute_url(),
                y=index * step,
                turnout_text=f"{number_format(turnout, 1)}%" if turnout is not None else "—",
                turnout_width=turnout_width,
                turnout_text_x=turnout_width - 3 if inside else turnout_width + 3,
                turnout_text_inside=inside,
                incidents=summary.incidents,
                incidents_width=round(summary.incidents / most * (half - 24), 1),
            )
        )
    national_x = round(float(national_turnout) / 100 * half, 1) if national_turnout is not None else None
    return TurnoutIncidentsChart(
        rows=rows,
        height=len(rows) * step,
        half=half,
        incidents_x=half + 8,
        national_x=national_x,
        national_text=f"{number_format(national_turnout, 2)}%" if national_turnout is not None else "",
    )
