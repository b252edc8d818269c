"""Charts drawn on the server as SVG: no script, no request elsewhere, readable on a phone.

Each function turns figures into the geometry its template draws
(``templates/incidents/charts/*.svg``). The same figures are always in a
table beside the chart, for screen readers and for copying.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from .. import collation
from ..geometry import Projection, bounds, parse_outline

#: drawing units; the SVG scales to the width of the page
WIDTH = 320
LABEL_HEIGHT = 15
BAR_HEIGHT = 10
ROW_GAP = 7
#: room kept right of a bar for its figure, so no figure sits on a bar or on the national mark
VALUE_ROOM = 40


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
    incidents_text_x: float = 0


@dataclass(frozen=True)
class TurnoutIncidentsChart:
    rows: list
    height: float
    half: float
    incidents_x: float
    national_x: float | None
    national_text: str
    track: float = 0
    bar_top: float = 0
    bar_height: float = BAR_HEIGHT
    text_y: float = 0
    width: int = WIDTH


def turnout_and_incidents(summaries, national_turnout):
    """Per region, turnout (left, 0–100%) beside published incidents (right).

    Each row is the region's name on a line of its own, then the two bars with their figures just
    after them. The national turnout is a dashed mark drawn across the turnout bars only, and named
    once in a key above the rows, so it crosses no text. Regions are in the order given.
    """
    if not summaries:
        return None
    half = WIDTH / 2 - 4
    track = half - VALUE_ROOM
    most = max((summary.incidents for summary in summaries), default=0) or 1
    step = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    rows = []
    for index, summary in enumerate(summaries):
        turnout = summary.turnout
        turnout_width = round(float(turnout) / 100 * track, 1) if turnout is not None else 0
        incidents_width = round(summary.incidents / most * (half - VALUE_ROOM), 1)
        rows.append(
            RegionRow(
                name=summary.region.name,
                url=summary.region.get_absolute_url(),
                y=index * step,
                turnout_text=f"{number_format(turnout, 1)}%" if turnout is not None else "—",
                turnout_width=turnout_width,
                turnout_text_x=round(track + 3, 1),
                turnout_text_inside=False,
                incidents=summary.incidents,
                incidents_width=incidents_width,
                incidents_text_x=round(half + 8 + incidents_width + 3, 1),
            )
        )
    national_x = round(float(national_turnout) / 100 * track, 1) if national_turnout is not None else None
    return TurnoutIncidentsChart(
        rows=rows,
        height=len(rows) * step,
        half=half,
        track=track,
        incidents_x=half + 8,
        national_x=national_x,
        national_text=f"{number_format(national_turnout, 2)}%" if national_turnout is not None else "",
        bar_top=LABEL_HEIGHT + 1,
        bar_height=BAR_HEIGHT,
        text_y=LABEL_HEIGHT + BAR_HEIGHT,
    )


# The choropleth ---------------------------------------------------------------------------------------------------

MAP_WIDTH = 320
#: light to dark, for "more" (colour-blind safe sequential ramps, ColorBrewer Blues and OrRd, 5 classes)
RAMPS = {
    "turnout": ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
    "incidents": ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"),
}
NO_DATA = "#d9dce1"
CITY_RADIUS = 5


@dataclass(frozen=True)
class MapShape:
    code: str
    name: str
    url: str
    value_text: str
    colour: str
    path: str = ""
    x: float | None = None
    y: float | None = None
    is_current: bool = False

    @property
    def is_circle(self):
        return not self.path


@dataclass(frozen=True)
class LegendItem:
    colour: str
    text: str


@dataclass(frozen=True)
class Choropleth:
    measure: str
    title: str
    shapes: list
    legend: list
    sources: list
    width: int
    height: float
    note: str = ""

    @property
    def names(self):
        """The shapes in the alphabetical order of the reader's language, for the list under the map."""
        return collation.sorted_names(self.shapes, key=lambda shape: shape.name)


def classes(values, count=5):
    """Equal-interval class breaks over ``values``: ``count + 1`` edges from the lowest to the highest value.

    Worked example: values 30, 50, 80 with 5 classes give the edges 30, 40, 50, 60, 70, 80.
    """
    low, high = min(values), max(values)
    if low == high:
        return [low, high]
    step = (high - low) / count
    return [low + step * index for index in range(count)] + [high]


def class_of(value, edges):
    """The index of the class ``value`` falls in (the last class includes its upper edge)."""
    for index in range(len(edges) - 1):
        if value < edges[index + 1]:
            return index
    return len(edges) - 2


def choropleth(summaries, measure, *, current=None):
    """Regions shaded by ``measure``: "turnout" (percent) or "incidents" (per 100,000 registered voters where
    every shaded region publishes its voters, else the count of published incidents, and the note says so).

    Regions with an outline (``Region.geometry``) are drawn as their outline; cities, and regions without
    one but with a centre, as a circle at the centre (a city's outline is a speck at this scale). The
    projection is equirectangular around the drawn regions (``geometry.Projection``). None when no
    region can be drawn.
    """
    drawable = []
    for summary in summaries:
        region = summary.region
        outline = None
        if region.geometry and region.level != "city":
            try:
                outline = parse_outline(region.geometry)
            except ValidationError:  # an outline that no longer validates is drawn as its centre
                outline = None
        if outline is None and not region.has_point:
            continue
        drawable.append((summary, outline))
    if not drawable:
        return None

    note = ""
    if measure == "turnout":
        title = _("Turnout by region")
        values = {s.region.code: s.turnout for s, _o in drawable}
        texts = {code: f"{number_format(value, 1)}%" for code, value in values.items() if value is not None}
    else:
        per_voters = all(s.per_100k is not None for s, _o in drawable)
        if per_voters:
            title = _("Published incidents per 100,000 registered voters")
            values = {s.region.code: s.per_100k for s, _o in drawable}
            texts = {code: number_format(value, 2) for code, value in values.items()}
        else:
            title = _("Published incidents by region")
            values = {s.region.code: s.incidents for s, _o in drawable}
            texts = {code: number_format(value, 0, force_grouping=True) for code, value in values.items()}
            note = _(
                "Shaded by the number of incidents: per 100,000 registered voters needs every region's number "
                "of registered voters, which the commission did not publish for all of them."
            )
    ramp = RAMPS["turnout" if measure == "turnout" else "incidents"]
    known = sorted({float(value) for value in values.values() if value is not None})
    counting = measure != "turnout" and bool(note)
    if counting and len(known) <= len(ramp):
        # few distinct counts: one class each, the lightest for the fewest
        last = len(known) - 1
        steps = [ramp[round(i * (len(ramp) - 1) / last)] for i in range(len(known))] if last else ramp[-1:]
        colour_of = dict(zip(known, steps, strict=True))
        legend_items = [LegendItem(colour_of[value], number_format(value, 0)) for value in known]
    elif known:
        edges = classes(known, len(ramp))
        digits = 1 if measure == "turnout" else 0 if counting else 2
        suffix = "%" if measure == "turnout" else ""
        colour_of = {value: ramp[class_of(value, edges)] for value in known}
        legend_items = [
            LegendItem(colour, f"{number_format(edges[i], digits)}–{number_format(edges[i + 1], digits)}{suffix}")
            for i, colour in enumerate(ramp[: len(edges) - 1])
        ]
    else:
        colour_of, legend_items = {}, []

    points = []
    for summary, outline in drawable:
        region = summary.region
        if outline is not None:
            points.append(outline)
        else:
            lon, lat = float(region.longitude), float(region.latitude)
            points.append({"type": "Polygon", "coordinates": [[[lon, lat], [lon, lat], [lon, lat], [lon, lat]]]})
    projection = Projection(bounds(points), MAP_WIDTH, padding=CITY_RADIUS + 2)

    shapes, circles = [], []
    for summary, outline in drawable:
        region = summary.region
        value = values.get(region.code)
        colour = NO_DATA if value is None else colour_of[float(value)]
        common = {
            "code": region.code,
            "name": region.name,
            "url": region.get_absolute_url(),
            "value_text": texts.get(region.code, "—"),
            "colour": colour,
            "is_current": current is not None and region.pk == current.pk,
        }
        if outline is not None:
            shapes.append(MapShape(path=projection.path(outline), **common))
        else:
            x, y = projection.point(float(region.longitude), float(region.latitude))
            circles.append(MapShape(x=x, y=y, **common))

    legend = legend_items
    if any(value is None for value in values.values()):
        legend.append(LegendItem(NO_DATA, _("no figure published")))
    sources = sorted({s.region.geometry_source for s, o in drawable if o is not None and s.region.geometry_source})
    return Choropleth(
        measure=measure,
        title=title,
        shapes=shapes + circles,
        legend=legend,
        sources=sources,
        width=MAP_WIDTH,
        height=projection.height,
        note=note,
    )
