"""Region outlines as data: GeoJSON polygons checked, simplified and projected, in plain Python.

An outline is a GeoJSON ``Polygon`` or ``MultiPolygon`` geometry in WGS 84
degrees (longitude, latitude), stored as text on the region. Outlines come
from an open source (see docs/public.md) and are simplified before they are
stored, so that a country's regions weigh a few kilobytes and can be drawn
as SVG on the server.
"""

import json
import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: the largest outline accepted, in characters of GeoJSON (simplify larger ones first)
MAX_OUTLINE_CHARS = 200_000
OUTLINE_TYPES = ("Polygon", "MultiPolygon")


def polygons_of(geometry):
    """The polygons of a Polygon or MultiPolygon geometry, each a list of rings of ``[lon, lat]``."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def parse_outline(text):
    """The geometry (a dict) of a GeoJSON outline, or ``ValidationError`` saying what is wrong.

    Accepts a geometry, or a Feature holding one. Rings need at least four
    positions; longitudes within ±180, latitudes within ±90.
    """
    if len(text) > MAX_OUTLINE_CHARS:
        raise ValidationError(
            _("The outline is too large (%(size)d characters, at most %(limit)d): simplify it first.")
            % {"size": len(text), "limit": MAX_OUTLINE_CHARS}
        )
    try:
        geometry = json.loads(text)
    except (ValueError, RecursionError):
        raise ValidationError(_("The outline is not valid JSON.")) from None
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in OUTLINE_TYPES:
        raise ValidationError(_("The outline must be a GeoJSON Polygon or MultiPolygon."))
    try:
        polygons = polygons_of(geometry)
        for polygon in polygons:
            for ring in polygon:
                if len(ring) < 4:
                    raise ValidationError(_("Each ring of the outline needs at least four positions."))
                for lon, lat, *_rest in ring:
                    if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
                        raise ValidationError(_("The outline has a position outside the globe."))
    except (TypeError, ValueError, KeyError):
        raise ValidationError(_("The outline's coordinates must be lists of [longitude, latitude].")) from None
    if not polygons:
        raise ValidationError(_("The outline has no polygon."))
    return {"type": geometry["type"], "coordinates": geometry["coordinates"]}


def _distance_to_segment(point, start, end):
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def douglas_peucker(points, tolerance):
    """Ramer–Douglas–Peucker simplification of a line: keeps the ends and every point farther
    than ``tolerance`` from the simplified line (Douglas & Peucker, 1973). Iterative, no recursion."""
    if len(points) < 3:
        return list(points)
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, None
        for i in range(first + 1, last):
            distance = _distance_to_segment(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if index is not None and farthest > tolerance:
            keep.add(index)
            stack.extend([(first, index), (index, last)])
    return [points[i] for i in sorted(keep)]


def simplify_ring(ring, tolerance):
    """A closed ring simplified; None when it shrinks below a triangle (a speck at this scale)."""
    points = [(round(float(lon), 6), round(float(lat), 6)) for lon, lat, *_rest in ring]
    if points[0] == points[-1]:
        points = points[:-1]
    if len(points) < 3:
        return None
    # Split the ring at its farthest point from the start so both halves keep their shape.
    far = max(range(len(points)), key=lambda i: math.hypot(points[i][0] - points[0][0], points[i][1] - points[0][1]))
    half_one = douglas_peucker(points[: far + 1], tolerance)
    half_two = douglas_peucker([*points[far:], points[0]], tolerance)
    simplified = half_one[:-1] + half_two[:-1]
    if len(simplified) < 3:
        return None
    return [*simplified, simplified[0]]


def simplify(geometry, tolerance, digits=3):
    """``geometry`` simplified with Douglas–Peucker at ``tolerance`` degrees, positions rounded to ``digits``
    (3 digits ≈ 100 m). Holes and islands that shrink to nothing are dropped; a region smaller than the
    tolerance keeps its largest outline, only rounded, so that no region disappears."""
    polygons = []
    for polygon in polygons_of(geometry):
        outer = simplify_ring(polygon[0], tolerance)
        if outer is None:
            continue
        rings = [outer] + [ring for ring in (simplify_ring(hole, tolerance) for hole in polygon[1:]) if ring]
        polygons.append([[[round(lon, digits), round(lat, digits)] for lon, lat in ring] for ring in rings])
    if not polygons:
        largest = max(polygons_of(geometry), key=lambda polygon: len(polygon[0]))
        ring = [[round(float(position[0]), digits), round(float(position[1]), digits)] for position in largest[0]]
        return {"type": "Polygon", "coordinates": [ring]}
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def dumps(geometry):
    """Compact GeoJSON text of a geometry, as stored on the region."""
    return json.dumps(geometry, separators=(",", ":"))


# Drawing --------------------------------------------------------------------------------------------------------


def bounds(geometries):
    """``(west, south, east, north)`` of the geometries, or None."""
    lons, lats = [], []
    for geometry in geometries:
        for polygon in polygons_of(geometry):
            for lon, lat, *_rest in polygon[0]:
                lons.append(lon)
                lats.append(lat)
    if not lons:
        return None
    return min(lons), min(lats), max(lons), max(lats)


class Projection:
    """An equirectangular projection centred on the area: x = (lon − west)·cos(φ₀), y = north − lat, scaled
    to ``width``. Good enough for one country (distortion grows away from the middle latitude φ₀)."""

    def __init__(self, box, width, padding=4):
        west, south, east, north = box
        self.west, self.north = west, north
        self.stretch = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * self.stretch, 1e-9)
        self.scale = (width - 2 * padding) / span_x
        self.padding = padding
        self.width = width
        self.height = round((north - south) * self.scale + 2 * padding, 1)

    def point(self, lon, lat):
        x = (lon - self.west) * self.stretch * self.scale + self.padding
        y = (self.north - lat) * self.scale + self.padding
        return round(x, 1), round(y, 1)

    def path(self, geometry):
        """SVG path data of a geometry (even-odd fill keeps the holes)."""
        parts = []
        for polygon in polygons_of(geometry):
            for ring in polygon:
                points = [self.point(lon, lat) for lon, lat, *_rest in ring]
                parts.append("M" + "L".join(f"{x:g} {y:g}" for x, y in points) + "Z")
        return "".join(parts)
