"""Observers' organizations. Natural key: the name."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Organization, OrganizationKind
from .base import BATCH_SIZE, Column, Importer, Item, upsert

FIELDS = ["kind", "country", "website"]


class OrganizationImporter(Importer):
    kind = "organizations"
    model = Organization
    key_column = "name"
    columns = [
        Column("name", True, gettext_lazy("The organization's name, unique."), "Citizen Observers' Network"),
        Column("kind", True, gettext_lazy("domestic, party, international or media."), "domestic"),
        Column("country", False, gettext_lazy("ISO 3166-1 code."), "KZ"),
        Column("website", False, gettext_lazy("Web address."), "https://example.org"),
    ]

    def parse(self, cells):
        name = cells.text("name", required=True, max_length=255)
        values = {
            "name": name,
            "kind": cells.choice("kind", OrganizationKind, required=True),
            "country": cells.matching(
                "country", r"[A-Za-z]{2}", _("Give the two-letter ISO 3166-1 country code, e.g. KZ.")
            ).upper(),
            "website": cells.url("website", max_length=200),
        }
        return Item(line=cells.line, key=name, values=values)

    def flush(self, items, report, *, write):
        existing = Organization.objects.filter(name__in=[item.key for item in items])
        upsert(Organization, items, {org.name: org for org in existing}, FIELDS, report, write=write)

    def export_rows(self):
        rows = Organization.objects.order_by("name").values_list("name", "kind", "country", "website")
        yield from rows.iterator(chunk_size=BATCH_SIZE)
