"""Parties (contestants) on the ballot of one election. Natural key: election + short name."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Party
from ..models.elections import COLOUR_PATTERN
from .base import Column, Importer, Item, Refusal, upsert

FIELDS = ["name_en", "name_ru", "name_kk", "ballot_number", "colour"]
DEFAULT_COLOUR = "#777777"


class PartyImporter(Importer):
    kind = "parties"
    model = Party
    key_column = "short_name"
    needs_election = True
    columns = [
        Column(
            "short_name",
            True,
            gettext_lazy("Short name, unique in the election; results name parties by it."),
            "AMANAT",
        ),
        Column("name_en", True, gettext_lazy("Full name in English."), "Nur Otan"),
        Column("name_ru", False, gettext_lazy("Full name in Russian."), "Нур Отан"),
        Column("name_kk", False, gettext_lazy("Full name in Kazakh."), "Нұр Отан"),
        Column("ballot_number", False, gettext_lazy("Position on the ballot, unique in the election."), "1"),
        Column("colour", False, gettext_lazy("Colour on charts, like #1f5fa8 (grey if empty)."), "#1f5fa8"),
    ]

    def prepare(self, header):
        self.items = []
        self.ballot_numbers = {}  # ballot number -> (short name, line) within the file

    def parse(self, cells):
        short_name = cells.text("short_name", required=True, max_length=64)
        ballot_number = cells.integer("ballot_number", maximum=32767)
        if ballot_number is not None:
            other = self.ballot_numbers.setdefault(ballot_number, (short_name, cells.line))
            if other[0] != short_name:
                cells.refuse(
                    "ballot_number",
                    _("Ballot number %(number)s is also on line %(line)d.")
                    % {"number": ballot_number, "line": other[1]},
                )
        values = {
            "election_id": self.election.pk,
            "short_name": short_name,
            "name_en": cells.text("name_en", required=True, max_length=255),
            "name_ru": cells.text("name_ru", max_length=255),
            "name_kk": cells.text("name_kk", max_length=255),
            "ballot_number": ballot_number,
            "colour": cells.matching("colour", COLOUR_PATTERN.strip("^$"), _("A colour like #1f5fa8."))
            or DEFAULT_COLOUR,
        }
        return Item(line=cells.line, key=short_name, values=values)

    def flush(self, items, report, *, write):
        self.items.extend(items)  # parties are few: checked together at the end

    def finish(self, report, *, write):
        existing = {party.short_name: party for party in Party.objects.filter(election=self.election)}
        in_file = {item.key for item in self.items}
        # A ballot number stays with a party the file does not mention.
        taken = {
            party.ballot_number: short_name
            for short_name, party in existing.items()
            if party.ballot_number is not None and short_name not in in_file
        }
        accepted = []
        for item in self.items:
            holder = taken.get(item.values["ballot_number"])
            if holder:
                report.refuse(
                    [
                        Refusal(
                            item.line,
                            "ballot_number",
                            _("Ballot number %(number)s belongs to %(party)s.")
                            % {"number": item.values["ballot_number"], "party": holder},
                        )
                    ]
                )
            else:
                accepted.append(item)
        if write:
            # Free the ballot numbers that move first, so that two parties may swap places.
            moving = [
                existing[item.key].pk
                for item in accepted
                if item.key in existing and existing[item.key].ballot_number != item.values["ballot_number"]
            ]
            Party.objects.filter(pk__in=moving).update(ballot_number=None)
        upsert(Party, accepted, existing, FIELDS, report, write=write)

    def export_rows(self):
        rows = (
            Party.objects.filter(election=self.election)
            .order_by("ballot_number", "short_name")
            .values_list("short_name", "name_en", "name_ru", "name_kk", "ballot_number", "colour")
        )
        yield from rows
