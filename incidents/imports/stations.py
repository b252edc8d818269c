"""Polling stations of one election. Natural key: election + station number."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import PollingStation, Region
from .base import BATCH_SIZE, Column, Importer, Item, upsert

FIELDS = ["region_id", "name", "address", "registered_voters", "latitude", "longitude"]


class PollingStationImporter(Importer):
    kind = "stations"
    model = PollingStation
    key_column = "number"
    needs_election = True
    columns = [
        Column("number", True, gettext_lazy("The station's number, unique in the election."), "75-001"),
        Column("region", True, gettext_lazy("Code of the station's region (already imported)."), "KZ-75"),
        Column("name", False, gettext_lazy("Name, e.g. the school it is in."), "School No. 12"),
        Column("address", False, gettext_lazy("Street address."), "12 Abay Avenue"),
        Column("registered_voters", False, gettext_lazy("Voters on the station's list."), "2140"),
        Column("latitude", False, gettext_lazy("Latitude, WGS 84 degrees."), "43.238949"),
        Column("longitude", False, gettext_lazy("Longitude, WGS 84 degrees."), "76.889709"),
    ]

    def prepare(self, header):
        self.region_ids = dict(Region.objects.values_list("code", "pk"))

    def parse(self, cells):
        number = cells.text("number", required=True, max_length=32)
        region_code = cells.text("region", required=True)
        region_id = self.region_ids.get(region_code)
        if region_code and region_id is None:
            cells.refuse("region", _("Unknown region code %(code)s.") % {"code": region_code})
        latitude, longitude = cells.point()
        values = {
            "election_id": self.election.pk,
            "number": number,
            "region_id": region_id,
            "name": cells.text("name", max_length=255),
            "address": cells.text("address", max_length=500),
            "registered_voters": cells.integer("registered_voters"),
            "latitude": latitude,
            "longitude": longitude,
        }
        return Item(line=cells.line, key=number, values=values)

    def flush(self, items, report, *, write):
        existing = PollingStation.objects.filter(election=self.election, number__in=[item.key for item in items])
        upsert(PollingStation, items, {station.number: station for station in existing}, FIELDS, report, write=write)

    def export_rows(self):
        rows = (
            PollingStation.objects.filter(election=self.election)
            .order_by("number")
            .values_list("number", "region__code", "name", "address", "registered_voters", "latitude", "longitude")
        )
        yield from rows.iterator(chunk_size=BATCH_SIZE)
