"""Region outlines come in with the regions: a GeoJSON column, checked."""

import json

from incidents.models import Region

from .conftest import refusals

SQUARE = {"type": "Polygon", "coordinates": [[[70, 50], [72, 50], [72, 52], [70, 52], [70, 50]]]}


def test_regions_import_takes_an_outline_column(run, write_csv):
    path = write_csv(
        [
            ["code", "name_en", "level", "geometry", "geometry_source"],
            ["KZ-75", "Almaty", "city", json.dumps(SQUARE), "Test source (CC0)"],
            ["KZ-61", "Turkestan", "region", "", ""],
        ]
    )
    assert refusals(run("regions", path)) == []
    region = Region.objects.get(code="KZ-75")
    assert json.loads(region.geometry) == SQUARE and region.geometry_source == "Test source (CC0)"
    assert Region.objects.get(code="KZ-61").geometry == ""


def test_an_outline_that_is_not_a_polygon_is_refused(run, write_csv):
    path = write_csv(
        [
            ["code", "name_en", "level", "geometry"],
            ["KZ-79", "Shymkent", "city", json.dumps({"type": "Point", "coordinates": [1, 2]})],
        ]
    )
    assert refusals(run("regions", path)) == [(2, "geometry")]
    assert not Region.objects.filter(code="KZ-79").exists()
