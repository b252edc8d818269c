"""Official results per region or per polling station, with votes per party.

Natural key: election + region code, or election + station number. Votes
come in one column per party, named ``votes:<short name>``. Importing over
an existing result updates it and records what changed (a ResultChange);
the final result replaces the preliminary one, never the other way round.

A party's votes are what the file says: a number sets them, an empty cell
removes them; parties without a column in the file are left as they are.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import OfficialResult, Party, PartyResult, PollingStation, Region, ResultChange, ResultStage
from .base import BATCH_SIZE, Column, Importer, Item, Refusal, update_rows
from .reader import ImportFileError

VOTES_PREFIX = "votes:"
FIELDS = [
    "stage",
    "registered_voters",
    "ballots_cast",
    "valid_votes",
    "invalid_votes",
    "turnout_percent",
    "source",
    "source_url",
    "as_of",
]


def as_json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


class ResultImporter(Importer):
    kind = "results"
    model = OfficialResult
    key_column = "region"
    needs_election = True
    columns = [
        Column("region", False, gettext_lazy("Region code, for a region's result (or give a station)."), "KZ-75"),
        Column(
            "station", False, gettext_lazy("Polling station number, for a station's result (or give a region)."), ""
        ),
        Column(
            "stage", False, gettext_lazy("preliminary or final; if empty, the stage chosen for the import."), "final"
        ),
        Column("registered_voters", False, gettext_lazy("Voters on the lists."), "1100000"),
        Column("ballots_cast", False, gettext_lazy("Ballots cast; not above registered voters."), "330000"),
        Column("valid_votes", False, gettext_lazy("Valid votes; the parties' votes add up to them."), "320000"),
        Column("invalid_votes", False, gettext_lazy("Invalid (spoilt) ballots."), "10000"),
        Column(
            "turnout_percent",
            False,
            gettext_lazy("Turnout as published, only when the counts it comes from are not."),
            "",
        ),
        Column("source", False, gettext_lazy("Who published it; if empty, the source given for the import."), "CEC"),
        Column("source_url", False, gettext_lazy("Web address of the publication."), "https://www.election.kz/"),
        Column("as_of", False, gettext_lazy("When published, e.g. 2021-01-11 12:00 (the election's time zone)."), ""),
    ]

    def __init__(self, *, stage="", source="", tolerance_percent=None, **options):
        super().__init__(**options)
        self.default_stage = stage
        self.default_source = source
        self.tolerance = Decimal(
            str(settings.OBSERVER_IMPORT_VOTES_TOLERANCE_PERCENT if tolerance_percent is None else tolerance_percent)
        )

    @classmethod
    def required_permissions(cls):
        return [*super().required_permissions(), "incidents.add_partyresult", "incidents.change_partyresult"]

    def header_columns(self):
        columns = super().header_columns()
        if self.election is not None:
            parties = Party.objects.filter(election=self.election).order_by("ballot_number", "short_name")
            columns += [f"{VOTES_PREFIX}{short_name}" for short_name in parties.values_list("short_name", flat=True)]
        return columns

    def key_column_of(self, item):
        return item.key[0]

    def is_extra_column(self, name):
        return name.startswith(VOTES_PREFIX)

    def check_header(self, header):
        if "region" not in header and "station" not in header:
            raise ImportFileError(
                _(
                    "Required columns are missing: region or station (one of them). "
                    "The file's first line names: %(found)s."
                )
                % {"found": ", ".join(header)}
            )
        return super().check_header(header)

    def prepare(self, header):
        self.region_ids = dict(Region.objects.values_list("code", "pk"))
        parties = dict(Party.objects.filter(election=self.election).values_list("short_name", "pk"))
        folded = {short_name.casefold(): pk for short_name, pk in parties.items()}
        self.short_names = {pk: short_name for short_name, pk in parties.items()}
        #: column -> party pk, or None for a party not on this election's ballot
        self.party_columns = {}
        for name in header:
            if name.startswith(VOTES_PREFIX):
                short_name = name.removeprefix(VOTES_PREFIX)
                self.party_columns[name] = parties.get(short_name, folded.get(short_name.casefold()))
        self.zone = self.election.zone

    def parse(self, cells):
        region_code, number = cells.text("region"), cells.text("station")
        if bool(region_code) == bool(number):
            cells.refuse("region", _("Give either a region code or a station number (one of the two)."))
        region_id = self.region_ids.get(region_code)
        if region_code and region_id is None:
            cells.refuse("region", _("Unknown region code %(code)s.") % {"code": region_code})
        stage = cells.choice("stage", ResultStage) or self.default_stage
        if not stage:
            cells.refuse("stage", _("Give the stage (preliminary or final) in the file or for the import."))
        registered = cells.integer("registered_voters")
        ballots = cells.integer("ballots_cast")
        valid = cells.integer("valid_votes")
        invalid = cells.integer("invalid_votes")
        turnout = cells.decimal("turnout_percent", places=2, minimum=0, maximum=100)
        if ballots is not None and registered is not None and ballots > registered:
            cells.refuse(
                "ballots_cast",
                _("%(ballots)s ballots cast is above the %(registered)s registered voters.")
                % {"ballots": ballots, "registered": registered},
            )
        for column, count in (("valid_votes", valid), ("invalid_votes", invalid)):
            if count is not None and ballots is not None and count > ballots:
                cells.refuse(column, _("Above the %(ballots)s ballots cast.") % {"ballots": ballots})
        if turnout is not None and registered is not None and ballots is not None:
            cells.refuse("turnout_percent", _("Turnout comes from the counts: leave it empty when they are given."))
        votes = {}
        for column, party_id in self.party_columns.items():
            count = cells.integer(column)
            if party_id is None:
                if cells.has(column):
                    cells.refuse(
                        column,
                        _("%(party)s is not on the ballot of this election.")
                        % {"party": column.removeprefix(VOTES_PREFIX)},
                    )
                continue
            votes[party_id] = count
        self.check_votes_add_up(cells, valid, votes)
        source = cells.text("source", max_length=500) or self.default_source
        if not source:
            cells.refuse("source", _("Give the source in the file or for the import."))
        values = {
            "election_id": self.election.pk,
            "region_id": region_id,
            "polling_station_id": None,
            "stage": stage,
            "registered_voters": registered,
            "ballots_cast": ballots,
            "valid_votes": valid,
            "invalid_votes": invalid,
            "turnout_percent": turnout,
            "source": source,
            "source_url": cells.url("source_url"),
            "as_of": self.parse_time(cells, "as_of"),
        }
        key = ("station", number) if number else ("region", region_code)
        return Item(line=cells.line, key=key, values=values, extra={"votes": votes})

    def check_votes_add_up(self, cells, valid, votes):
        given = [count for count in votes.values() if count is not None]
        if valid is None or not given:
            return
        total = sum(given)
        if abs(total - valid) * 100 > self.tolerance * valid:
            cells.refuse(
                "valid_votes",
                _(
                    "The parties' votes add up to %(total)s, not to the %(valid)s valid votes "
                    "(more than the %(tolerance)s%% tolerance)."
                )
                % {"total": total, "valid": valid, "tolerance": self.tolerance},
            )

    def parse_time(self, cells, column):
        value = cells.text(column)
        if not value:
            return None
        try:
            moment = parse_datetime(value.replace(" ", "T", 1)) or parse_datetime(f"{value}T00:00")
        except ValueError:
            moment = None
        if moment is None:
            cells.refuse(column, _("Not a date and time like 2021-01-11 12:00."))
            return None
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=self.zone)
        return moment

    def flush(self, items, report, *, write):
        numbers = [item.key[1] for item in items if item.key[0] == "station"]
        station_ids = dict(
            PollingStation.objects.filter(election=self.election, number__in=numbers).values_list("number", "pk")
        )
        accepted = []
        for item in items:
            if item.key[0] == "station":
                item.values["polling_station_id"] = station_ids.get(item.key[1])
                if item.values["polling_station_id"] is None:
                    message = _("Unknown polling station number %(number)s in this election.") % {"number": item.key[1]}
                    report.refuse([Refusal(item.line, "station", message)])
                    continue
            accepted.append(item)
        existing = self.existing(accepted)

        to_create, to_update, changes, changed_fields = [], [], [], {"updated_at"}
        votes_create, votes_delete = [], []
        for item in accepted:
            result = existing.get(item.key)
            if result is None:
                to_create.append((OfficialResult(**item.values), item))
                continue
            if result.stage == ResultStage.FINAL and item.values["stage"] == ResultStage.PRELIMINARY:
                report.refuse(
                    [
                        Refusal(
                            item.line, "stage", _("The final result is recorded; a preliminary one cannot replace it.")
                        )
                    ]
                )
                continue
            diff = {
                name: [as_json(getattr(result, name)), as_json(item.values[name])]
                for name in FIELDS
                if getattr(result, name) != item.values[name]
            }
            by_party = {party_result.party_id: party_result for party_result in result.party_results.all()}
            for party_id, votes in item.extra["votes"].items():
                party_result = by_party.get(party_id)
                before = party_result.votes if party_result else None
                if before == votes:
                    continue
                diff[f"{VOTES_PREFIX}{self.short_names[party_id]}"] = [before, votes]
                # A changed party result is replaced: one DELETE and one INSERT per batch.
                if party_result is not None:
                    votes_delete.append(party_result.pk)
                if votes is not None:
                    seats = party_result.seats if party_result else None
                    votes_create.append(PartyResult(result=result, party_id=party_id, votes=votes, seats=seats))
            if not diff:
                report.unchanged += 1
                continue
            for name in FIELDS:
                if name in diff:
                    setattr(result, name, item.values[name])
                    changed_fields.add(name)
            result.updated_at = timezone.now()
            to_update.append(result)
            changes.append(ResultChange(result=result, actor=self.actor, source=self.origin[:500], changes=diff))
        report.created += len(to_create)
        report.updated += len(to_update)
        if not write:
            return
        OfficialResult.objects.bulk_create([result for result, _item in to_create], batch_size=BATCH_SIZE)
        votes_create.extend(
            PartyResult(result=result, party_id=party_id, votes=votes)
            for result, item in to_create
            for party_id, votes in item.extra["votes"].items()
            if votes is not None
        )
        update_rows(OfficialResult, to_update, sorted(changed_fields))
        PartyResult.objects.filter(pk__in=votes_delete).delete()
        PartyResult.objects.bulk_create(votes_create, batch_size=BATCH_SIZE)
        ResultChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)

    def existing(self, items):
        region_ids = [item.values["region_id"] for item in items if item.key[0] == "region"]
        station_ids = [item.values["polling_station_id"] for item in items if item.key[0] == "station"]
        results = OfficialResult.objects.filter(election=self.election).prefetch_related(
            Prefetch("party_results", queryset=PartyResult.objects.order_by())
        )
        found = {}
        if region_ids:
            for result in results.filter(region_id__in=region_ids).select_related("region"):
                found[("region", result.region.code)] = result
        if station_ids:
            for result in results.filter(polling_station_id__in=station_ids).select_related("polling_station"):
                found[("station", result.polling_station.number)] = result
        return found

    def export_rows(self):
        party_ids = list(
            Party.objects.filter(election=self.election)
            .order_by("ballot_number", "short_name")
            .values_list("pk", flat=True)
        )
        results = (
            OfficialResult.objects.filter(election=self.election)
            .exclude(region=None, polling_station=None)
            .select_related("region", "polling_station")
            .prefetch_related(Prefetch("party_results", queryset=PartyResult.objects.order_by()))
            .order_by("polling_station__number", "region__code")
        )
        zone = self.election.zone
        for result in results.iterator(chunk_size=BATCH_SIZE):
            votes = {party_result.party_id: party_result.votes for party_result in result.party_results.all()}
            yield [
                result.region.code if result.region else "",
                result.polling_station.number if result.polling_station else "",
                result.stage,
                result.registered_voters,
                result.ballots_cast,
                result.valid_votes,
                result.invalid_votes,
                result.turnout_percent,
                result.source,
                result.source_url,
                result.as_of.astimezone(zone).replace(tzinfo=None).isoformat(sep=" ") if result.as_of else "",
                *[votes.get(party_id) for party_id in party_ids],
            ]
