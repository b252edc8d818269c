"""Regions, with their parents. Natural key: the region code.

A region's parent may be an existing region or one further up or down the
same file. Regions are few (hundreds, a few thousand), so the importer holds
the file's rows until the end to resolve parents and refuse loops.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..geometry import MAX_OUTLINE_CHARS, dumps, parse_outline
from ..models import Region, RegionLevel
from .base import BATCH_SIZE, Column, Importer, Item, Refusal, count_and_diff, update_rows

CODE_PATTERN = r"[A-Z0-9][A-Z0-9.-]*"
FIELDS = [
    "name_en",
    "name_ru",
    "name_kk",
    "level",
    "country",
    "centre",
    "centre_ru",
    "centre_kk",
    "latitude",
    "longitude",
    "geometry",
    "geometry_source",
]


class RegionImporter(Importer):
    kind = "regions"
    model = Region
    key_column = "code"
    columns = [
        Column(
            "code", True, gettext_lazy("ISO 3166-2 code where one exists; capital letters, digits, - and ."), "KZ-75"
        ),
        Column("name_en", True, gettext_lazy("Name in English."), "Almaty"),
        Column("level", True, gettext_lazy("region, city, district or locality."), "city"),
        Column("parent", False, gettext_lazy("Code of the region this one is part of; empty at the top."), ""),
        Column("name_ru", False, gettext_lazy("Name in Russian."), "Алматы"),
        Column("name_kk", False, gettext_lazy("Name in Kazakh."), "Алматы"),
        Column("country", False, gettext_lazy("ISO 3166-1 code; by default the code's first part."), "KZ"),
        Column("centre", False, gettext_lazy("Administrative centre."), "Almaty"),
        Column("centre_ru", False, gettext_lazy("Administrative centre in Russian."), "Алматы"),
        Column("centre_kk", False, gettext_lazy("Administrative centre in Kazakh."), "Алматы"),
        Column("latitude", False, gettext_lazy("Centre latitude, WGS 84 degrees."), "43.238949"),
        Column("longitude", False, gettext_lazy("Centre longitude, WGS 84 degrees."), "76.889709"),
        Column(
            "geometry",
            False,
            gettext_lazy(
                "Outline: a GeoJSON Polygon or MultiPolygon in WGS 84 degrees, simplified to a few kilobytes."
            ),
            '{"type":"Polygon","coordinates":[[[76.8,43.3],[77.0,43.3],[77.0,43.1],[76.8,43.3]]]}',
        ),
        Column(
            "geometry_source",
            False,
            gettext_lazy("Where the outline comes from, with its licence."),
            "Natural Earth (public domain)",
        ),
    ]

    def prepare(self, header):
        self.items = []

    def parse(self, cells):
        code = cells.matching(
            "code",
            CODE_PATTERN,
            _("Use capital letters, digits, '-' and '.', e.g. KZ-75."),
            required=True,
            max_length=16,
        )
        parent = cells.text("parent", max_length=16)
        if parent and parent == code:
            cells.refuse("parent", _("A region cannot be its own parent."))
        country = cells.text("country") or code.split("-")[0]
        if code and len(country) != 2:
            cells.refuse("country", _("Give the two-letter ISO 3166-1 country code, e.g. KZ."))
        latitude, longitude = cells.point()
        geometry = cells.text("geometry", max_length=MAX_OUTLINE_CHARS)
        if geometry:
            try:
                geometry = dumps(parse_outline(geometry))
            except ValidationError as error:
                cells.refuse("geometry", " ".join(error.messages))
        values = {
            "code": code,
            "name_en": cells.text("name_en", required=True, max_length=255),
            "name_ru": cells.text("name_ru", max_length=255),
            "name_kk": cells.text("name_kk", max_length=255),
            "level": cells.choice("level", RegionLevel, required=True),
            "country": country.upper(),
            "centre": cells.text("centre", max_length=255),
            "centre_ru": cells.text("centre_ru", max_length=255),
            "centre_kk": cells.text("centre_kk", max_length=255),
            "latitude": latitude,
            "longitude": longitude,
            "geometry": geometry,
            "geometry_source": cells.text("geometry_source", max_length=255),
        }
        return Item(line=cells.line, key=code, values=values, extra={"parent": parent or None})

    def flush(self, items, report, *, write):
        self.items.extend(items)

    def finish(self, report, *, write):
        existing = {region.code: region for region in Region.objects.all()}
        code_by_pk = {region.pk: code for code, region in existing.items()}
        parents = {code: code_by_pk.get(region.parent_id) for code, region in existing.items()}
        parents.update({item.key: item.extra["parent"] for item in self.items})
        accepted = []
        for item in self.items:
            problem = self.parent_problem(item, parents)
            if problem:
                report.refuse([Refusal(item.line, "parent", problem)])
            else:
                accepted.append(item)

        to_create, to_update = [], []
        for item in accepted:
            region = existing.get(item.key)
            if region is None:
                to_create.append(Region(**item.values))
                continue
            diff = count_and_diff(item, region, FIELDS)
            if diff or code_by_pk.get(region.parent_id) != item.extra["parent"]:
                for name, (_before, after) in diff.items():
                    setattr(region, name, after)
                to_update.append(region)
            else:
                report.unchanged += 1
        report.created += len(to_create)
        report.updated += len(to_update)
        if not write:
            return
        Region.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        update_rows(Region, to_update, FIELDS)
        pk_by_code = {code: region.pk for code, region in existing.items()}
        pk_by_code.update({region.code: region.pk for region in to_create})
        reparented = []
        for region in [*to_create, *to_update]:
            wanted = parents[region.code]
            parent_id = pk_by_code[wanted] if wanted else None
            if region.parent_id != parent_id:
                region.parent_id = parent_id
                reparented.append(region)
        update_rows(Region, reparented, ["parent"])

    @staticmethod
    def parent_problem(item, parents):
        parent = item.extra["parent"]
        if parent is None:
            return None
        if parent not in parents:
            return _("Unknown region code %(code)s (not in the database nor in this file).") % {"code": parent}
        seen, code = {item.key}, parent
        while code is not None:
            if code in seen:
                return _("The chain of parents from %(code)s goes round in a loop.") % {"code": item.key}
            seen.add(code)
            code = parents.get(code)
        return None

    def export_rows(self):
        rows = Region.objects.order_by("code").values_list(
            "code",
            "name_en",
            "level",
            "parent__code",
            "name_ru",
            "name_kk",
            "country",
            "centre",
            "centre_ru",
            "centre_kk",
            "latitude",
            "longitude",
            "geometry",
            "geometry_source",
        )
        yield from rows.iterator(chunk_size=BATCH_SIZE)
