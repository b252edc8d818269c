"""The time line of internet blockages, drawn on the server as SVG (``charts/blockage_timeline.svg``).

Each blockage is a bar from its start to its end on one time axis. A blockage
still going on runs to the axis's end and is drawn open (a dashed end, and the
word "ongoing" in its text). A blockage without a start begins where it was
reported to have happened.

The axis runs from the earliest start to the latest known end; while a blockage
goes on, it reaches at least ``ONGOING_SHOWN`` past the latest start, but never
past ``now``. Ticks fall on whole hours or days of the election's time zone,
five at most (four dates): their labels must fit 360 px.
"""

import datetime
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext

#: drawing units; the SVG scales to the width of the page
WIDTH = 320
LABEL_HEIGHT = 16
BAR_HEIGHT = 12
ROW_GAP = 8
AXIS_HEIGHT = 28
#: how far past the latest start an ongoing blockage is drawn (the axis never passes now)
ONGOING_SHOWN = datetime.timedelta(hours=12)
#: tick steps, smallest first; the first that gives six ticks or fewer is used
TICK_STEPS = [
    datetime.timedelta(hours=hours) for hours in (1, 2, 3, 6, 12, 24, 48, 24 * 7, 24 * 14, 24 * 30, 24 * 91, 24 * 365)
]
MAX_TICKS = 5
#: dates are wider than times: fewer of them
MAX_DATE_TICKS = 4


@dataclass(frozen=True)
class TimelineRow:
    """One blockage: ``key`` identifies it (a reference), ``label`` names it."""

    key: str
    label: str
    start: datetime.datetime
    end: datetime.datetime | None
    url: str = ""


@dataclass(frozen=True)
class TimelineBar:
    key: str
    label: str
    url: str
    x: float
    width: float
    y: float
    ongoing: bool
    text: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    bars: list
    ticks: list
    axis_start: datetime.datetime
    axis_end: datetime.datetime
    height: float
    axis_y: float
    width: int = WIDTH


def axis(rows, now):
    """``(start, end)`` of the axis for ``rows`` (see the module's docstring)."""
    start = min(row.start for row in rows)
    ends = [row.end for row in rows if row.end is not None]
    end = max([*ends, *(row.start for row in rows)])
    if any(row.end is None for row in rows):
        end = max(end, min(now, max(row.start for row in rows) + ONGOING_SHOWN))
    if end <= start:
        end = start + datetime.timedelta(hours=1)
    return start, end


def position(moment, start, end):
    """Where ``moment`` falls on the drawing's width: ``WIDTH × (moment − start) / (end − start)``, kept on the axis."""
    share = (moment - start) / (end - start)
    return round(min(max(share, 0.0), 1.0) * WIDTH, 1)


def ticks(start, end, zone):
    """Ticks on whole hours (or days) of ``zone``: those of the smallest step that gives ``MAX_TICKS`` or fewer."""
    for step in TICK_STEPS:
        found = _ticks_every(step, start, end, zone)
        if len(found) <= (MAX_TICKS if step < datetime.timedelta(days=1) else MAX_DATE_TICKS):
            return found
    return found


def _ticks_every(step, start, end, zone):
    local = start.astimezone(zone)
    if step < datetime.timedelta(days=1):
        hours = int(step.total_seconds() // 3600)
        first = local.replace(minute=0, second=0, microsecond=0)
        first = first.replace(hour=first.hour - first.hour % hours)
        form = "TIME_FORMAT"
    else:
        first = local.replace(hour=0, minute=0, second=0, microsecond=0)
        form = "SHORT_DATE_FORMAT"
    found = []
    moment = first
    while moment <= end:
        if moment >= start:
            found.append(Tick(position(moment, start, end), formats.date_format(moment, form)))
            if len(found) > MAX_TICKS:
                break
        # Add in UTC so that a change of clocks does not shift the ticks off the whole hours for long.
        moment = (moment.astimezone(datetime.UTC) + step).astimezone(zone)
    return found


def bar_text(row, zone):
    start = formats.date_format(row.start.astimezone(zone), "DATETIME_FORMAT")
    if row.end is None:
        return gettext("from %(start)s, ongoing") % {"start": start}
    end = formats.date_format(row.end.astimezone(zone), "DATETIME_FORMAT")
    return gettext("from %(start)s to %(end)s") % {"start": start, "end": end}


def blockage_timeline(rows, *, now, zone):
    """The drawing of ``rows`` (``TimelineRow``), oldest start first, or None when there is none."""
    rows = sorted(rows, key=lambda row: (row.start, row.key))
    if not rows:
        return None
    start, end = axis(rows, now)
    step = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    bars = []
    for index, row in enumerate(rows):
        left = position(row.start, start, end)
        right = position(row.end if row.end is not None else end, start, end)
        bars.append(
            TimelineBar(
                key=row.key,
                label=row.label,
                url=row.url,
                x=left,
                width=max(round(right - left, 1), 2.0),  # an instant is still seen
                y=index * step,
                ongoing=row.end is None,
                text=bar_text(row, zone),
            )
        )
    axis_y = len(rows) * step
    return Timeline(
        bars=bars,
        ticks=ticks(start, end, zone),
        axis_start=start,
        axis_end=end,
        height=axis_y + AXIS_HEIGHT,
        axis_y=axis_y,
    )


def row_of(incident):
    """The ``TimelineRow`` of a blockage in its public shape (``shape.PublicIncident``)."""
    facts = incident.blockage
    start = facts["started_at"].value if facts.get("started_at") and facts["started_at"].value else incident.occurred_at
    end = facts["ended_at"].value if facts.get("ended_at") else None
    return TimelineRow(key=incident.reference, label=incident.reference, start=start, end=end, url=incident.url)


def incidents_timeline(incidents, *, now, zone):
    """The time line of the blockages among ``incidents`` (public shapes)."""
    return blockage_timeline([row_of(incident) for incident in incidents if incident.blockage], now=now, zone=zone)
