"""Import a commission's file of station-level results, through a column mapping.

Election commissions publish one row per polling station with their own
headers (Russia's: "Число избирателей, внесенных в список…"). A
``ColumnMapping`` says which column holds what: the region, the district
commission, the station, registered voters, ballots cast (one column or the
sum of several), valid and invalid ballots, the parties' columns (by a
pattern on their headers) and the station's web page. ``MAPPINGS`` holds the
mappings known by name (``ru-cec``: Russia's Central Election Commission).

The import fills an election of its own, which must have no polling
station yet: regions are found by their name (or created, numbered in the
order of the file), parties are created from the party columns' headers
(``"4. … ЕДИНАЯ РОССИЯ"`` → ballot number 4), each row becomes a polling
station (numbered ``<region code>/<district number>/<station>``, unique in
the election) with its final ``OfficialResult`` and one ``PartyResult`` per
party; regional and national results are the sums of the stations'.
It runs through ``incidents.imports.base.run_import``: one transaction,
every row checked, nothing written if any row is refused; rows are written
with ``bulk_create`` in batches of ``BATCH_SIZE``.
"""

import csv
import re
import tempfile
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..imports.base import BATCH_SIZE, Column, Importer, Item
from ..imports.reader import ImportFileError, check_size, max_bytes, normalize_header, open_table
from ..models import OfficialResult, Party, PartyResult, PollingStation, Region, RegionLevel, ResultStage
from ..public import cache as public_cache

#: the roles a mapping gives a column, with what each means (for the docs and the admin form)
ROLES = {
    "region": gettext_lazy("The region's name (regions are found or created by it)."),
    "district": gettext_lazy("The district (territorial) commission, within the region."),
    "station": gettext_lazy("The station's number within its district."),
    "registered_voters": gettext_lazy("Voters on the station's list."),
    "ballots_cast": gettext_lazy("Ballots cast: one column, or several added up (e.g. the boxes)."),
    "valid_votes": gettext_lazy("Valid ballots; the parties' votes add up to them."),
    "invalid_votes": gettext_lazy("Invalid ballots (optional)."),
    "party_pattern": gettext_lazy(
        "A regular expression matching the headers of the party columns, e.g. ^\\d+\\. for “4. United Russia”."
    ),
    "url": gettext_lazy("The station's page on the commission's site (optional)."),
}


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of the file holds what (header names as the file writes them)."""

    region: str
    district: str
    station: str
    registered_voters: str
    ballots_cast: tuple[str, ...]
    valid_votes: str
    invalid_votes: str = ""
    party_pattern: str = r"^\d+\.\s"
    url: str = ""

    def normalized(self, name):
        return normalize_header(name) if name else ""

    def single_columns(self):
        """``{role: normalized column}`` of the roles held by one column each."""
        names = {
            role: self.normalized(getattr(self, role))
            for role in ("region", "district", "station", "registered_voters", "valid_votes", "invalid_votes", "url")
        }
        return {role: name for role, name in names.items() if name}

    def ballots_columns(self):
        return [self.normalized(name) for name in self.ballots_cast if name]


#: known mappings by name
MAPPINGS = {
    # Russia's Central Election Commission, as collected by Sergey Shpilkin (docs/forensics.md).
    # Ballots cast are the ballots found in the boxes, portable and stationary, as in Kobak et al. (2016).
    "ru-cec": ColumnMapping(
        region="region",
        district="tik",
        station="uik",
        registered_voters="Число избирателей, внесенных в список избирателей на момент окончания голосования",
        ballots_cast=(
            "Число избирательных бюллетеней, содержащихся в переносных ящиках для голосования",
            "Число избирательных бюллетеней, содержащихся в стационарных ящиках для голосования",
        ),
        valid_votes="Число действительных избирательных бюллетеней",
        invalid_votes="Число недействительных избирательных бюллетеней",
        party_pattern=r"^\d+\.\s",
        url="url",
    ),
}

PARTY_HEADER = re.compile(r"^\s*(\d+)\s*\.\s*(.+?)\s*$")
QUOTED = re.compile(r'"(.+)"')
PARTY_WORDS = re.compile(
    r"^(?:(?:Всероссийская|Общественная организация|Политическая|политическая|партия|ВСЕРОССИЙСКАЯ|ПОЛИТИЧЕСКАЯ|"
    r"ПАРТИЯ)\s+)+"
)
MAX_INT = 2_147_483_647


def party_from_header(header):
    """``(ballot number, name, short name)`` from a header like ``4. … партия "ЕДИНАЯ РОССИЯ"``.

    The short name is the quoted name if there is one, else the name without the words
    "political party" in front; at most 64 characters.
    """
    match = PARTY_HEADER.match(header)
    number, name = (int(match[1]), match[2]) if match else (None, header.strip())
    quoted = QUOTED.search(name)
    short_name = quoted[1] if quoted else PARTY_WORDS.sub("", name)
    return number, name[:255], (short_name.strip() or name)[:64]


@contextmanager
def opened(path, name=None):
    """Open a CSV or XLSX file, or the one CSV inside a ZIP archive, as an import table."""
    path = Path(path)
    name = name or path.name
    if not zipfile.is_zipfile(path) or Path(name).suffix.lower() == ".xlsx":
        yield open_table(path, name)
        return
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            tables = [info for info in members if Path(info.filename).suffix.lower() in {".csv", ".txt"}]
            if len(tables) != 1:
                raise ImportFileError(_("The ZIP archive must hold exactly one CSV file."))
            member = tables[0]
            check_size(member.file_size)
            with tempfile.TemporaryDirectory(prefix="observer-import-") as folder:
                target = Path(folder) / Path(member.filename).name
                with archive.open(member) as source, target.open("wb") as out:
                    written = 0
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes():  # the size in the archive's directory may lie
                            check_size(written)
                        out.write(chunk)
                yield open_table(target, f"{name}/{Path(member.filename).name}")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as error:
        raise ImportFileError(_("The ZIP archive cannot be read.")) from error


def raw_header(table):
    """The first line's names as the file writes them (the table's own header is folded to lower case)."""
    if table.format == "csv":
        with table.path.open(encoding="utf-8-sig", newline="") as handle:
            return [cell.strip() for cell in next(csv.reader(handle, delimiter=table.delimiter), [])]
    first = next(table.sheet.iter_rows(max_row=1, values_only=True), ())
    return [str(cell).strip() if cell is not None else "" for cell in first]


@dataclass
class Totals:
    registered_voters: int = 0
    ballots_cast: int = 0
    valid_votes: int = 0
    invalid_votes: int = 0
    votes: dict = field(default_factory=dict)

    def add(self, values, votes):
        for name in ("registered_voters", "ballots_cast", "valid_votes", "invalid_votes"):
            setattr(self, name, getattr(self, name) + (values[name] or 0))
        for party_id, count in votes.items():
            self.votes[party_id] = self.votes.get(party_id, 0) + count


class StationResultImporter(Importer):
    """Station-level results of one election from a commission's file (see the module's docstring)."""

    kind = "station_results"
    model = OfficialResult
    needs_election = True
    columns = [Column(role, False, help) for role, help in ROLES.items()]

    def __init__(self, *, mapping, raw_names=None, source="", stage=ResultStage.FINAL, **options):
        super().__init__(**options)
        self.mapping = mapping
        self.raw_names = raw_names
        self.source = source or _("Election commission")
        self.stage = stage

    @classmethod
    def required_permissions(cls):
        return [
            *super().required_permissions(),
            "incidents.add_pollingstation",
            "incidents.add_region",
            "incidents.add_party",
            "incidents.add_partyresult",
        ]

    def key_column_of(self, item):
        return self.columns_by_role["station"]

    def check_header(self, header):
        self.columns_by_role = self.mapping.single_columns()
        wanted = [*self.columns_by_role.values(), *self.mapping.ballots_columns()]
        missing = [name for name in wanted if name not in header]
        for role in ("region", "district", "station", "registered_voters", "valid_votes"):
            if role not in self.columns_by_role:
                missing.append(role)
        if not self.mapping.ballots_columns():
            missing.append("ballots_cast")
        if missing:
            raise ImportFileError(
                _("Columns of the mapping are not in the file: %(missing)s. The file's first line names: %(found)s.")
                % {"missing": "; ".join(missing), "found": "; ".join(header)}
            )
        try:
            pattern = re.compile(self.mapping.party_pattern, re.IGNORECASE)
        except re.error as error:
            message = _("The party pattern is not a valid regular expression: %(error)s") % {"error": error}
            raise ImportFileError(message) from error
        self.party_headers = [name for name in header if pattern.search(name)]
        if not self.party_headers:
            raise ImportFileError(_("No column header matches the party pattern %(pattern)s.") % {"pattern": pattern})
        used = {*wanted, *self.party_headers}
        return [name for name in header if name not in used]

    def prepare(self, header):
        if PollingStation.objects.filter(election=self.election).exists():
            raise ImportFileError(
                _(
                    "The election %(election)s has polling stations already: station results are imported "
                    "into an election of their own."
                )
                % {"election": self.election}
            )
        raw = dict(zip(header, self.raw_names or header, strict=False))
        existing = {party.ballot_number: party for party in Party.objects.filter(election=self.election)}
        self.party_columns = {}
        to_create = []
        for column in self.party_headers:
            number, name, short_name = party_from_header(raw[column])
            party = existing.get(number) if number is not None else None
            if party is None:
                party = Party(election=self.election, ballot_number=number, short_name=short_name, name_en=name)
                party.name_ru = name
                to_create.append(party)
            self.party_columns[column] = party
        self.new_parties = to_create
        self.country = self.election.country
        self.regions = {
            region.name_ru or region.name_en: region for region in Region.objects.filter(country=self.country)
        }
        self.codes = set(Region.objects.values_list("code", flat=True))
        self.new_regions = []
        self.districts = {}
        self.totals = {}
        self.national = Totals()
        self.prepared_parties = False

    def integer(self, cells, column, *, required=True):
        value = cells.raw(column)
        try:
            number = int(value)
        except ValueError:
            return cells.integer(column, required=required)
        if 0 <= number <= MAX_INT:
            return number
        return cells.integer(column, required=required)

    def parse(self, cells):
        columns = self.columns_by_role
        region = cells.text(columns["region"], required=True, max_length=255)
        district = cells.text(columns["district"], required=True, max_length=200)
        station = cells.text(columns["station"], required=True, max_length=16)
        registered = self.integer(cells, columns["registered_voters"])
        ballots = [self.integer(cells, column) for column in self.mapping.ballots_columns()]
        ballots = None if None in ballots else sum(ballots)
        valid = self.integer(cells, columns["valid_votes"])
        invalid = self.integer(cells, columns["invalid_votes"]) if "invalid_votes" in columns else None
        if ballots is not None and registered is not None and ballots > registered:
            cells.refuse(
                self.mapping.ballots_columns()[0],
                _("%(ballots)s ballots cast is above the %(registered)s registered voters.")
                % {"ballots": ballots, "registered": registered},
            )
        for column, count in ((columns["valid_votes"], valid), (columns.get("invalid_votes"), invalid)):
            if count is not None and ballots is not None and count > ballots:
                cells.refuse(column, _("Above the %(ballots)s ballots cast.") % {"ballots": ballots})
        votes = {column: self.integer(cells, column) for column in self.party_headers}
        if valid is not None and None not in votes.values() and sum(votes.values()) != valid:
            cells.refuse(
                columns["valid_votes"],
                _("The parties' votes add up to %(total)s, not to the %(valid)s valid votes.")
                % {"total": sum(votes.values()), "valid": valid},
            )
        url = cells.url(columns["url"]) if "url" in columns else ""
        values = {
            "registered_voters": registered,
            "ballots_cast": ballots,
            "valid_votes": valid,
            "invalid_votes": invalid,
            "source_url": url,
        }
        return Item(line=cells.line, key=(region, district, station), values=values, extra={"votes": votes})

    def region_for(self, name):
        region = self.regions.get(name)
        if region is None:
            number = len(self.new_regions) + 1
            while f"{self.country}-{number:02d}" in self.codes:
                number += 1
            code = f"{self.country}-{number:02d}"
            self.codes.add(code)
            region = Region(code=code, country=self.country, level=RegionLevel.REGION, name_en=name, name_ru=name)
            self.regions[name] = region
            self.new_regions.append(region)
        return region

    def station_number(self, region, district, station):
        """``<region code>/<n>/<station>``, n numbering the region's districts in the file's order."""
        numbers = self.districts.setdefault(region.code, {})
        number = numbers.setdefault(district, len(numbers) + 1)
        return f"{region.code}/{number}/{station}"

    def flush(self, items, report, *, write):
        report.created += len(items)
        regions = [self.region_for(item.key[0]) for item in items]
        if not write:
            return
        if not self.prepared_parties:
            Party.objects.bulk_create(self.new_parties, batch_size=BATCH_SIZE)
            self.prepared_parties = True
        new_regions = [region for region in self.new_regions if region.pk is None]
        Region.objects.bulk_create(new_regions, batch_size=BATCH_SIZE)
        stations = [
            PollingStation(
                election=self.election,
                region=region,
                number=self.station_number(region, item.key[1], item.key[2]),
                name=item.key[1][:255],
                registered_voters=item.values["registered_voters"],
            )
            for item, region in zip(items, regions, strict=True)
        ]
        PollingStation.objects.bulk_create(stations, batch_size=BATCH_SIZE)
        results = [
            OfficialResult(
                election=self.election,
                polling_station=station,
                stage=self.stage,
                source=self.source[:500],
                **item.values,
            )
            for item, station in zip(items, stations, strict=True)
        ]
        OfficialResult.objects.bulk_create(results, batch_size=BATCH_SIZE)
        party_results = []
        for item, result, region in zip(items, results, regions, strict=True):
            votes = {self.party_columns[column].pk: count for column, count in item.extra["votes"].items()}
            party_results.extend((result.pk, party_id, count) for party_id, count in votes.items())
            self.totals.setdefault(region.pk, Totals()).add(item.values, votes)
            self.national.add(item.values, votes)
        insert_party_results(party_results)

    def finish(self, report, *, write):
        if not write or not self.totals:
            return
        report.notes.append(
            _("%(regions)d regions created, %(parties)d parties created.")
            % {"regions": len(self.new_regions), "parties": len(self.new_parties)}
        )
        if OfficialResult.objects.filter(election=self.election, polling_station=None).exists():
            report.notes.append(_("Regional and national results exist already; they were left as they are."))
            return
        places = [(region_id, totals) for region_id, totals in self.totals.items()]
        places.append((None, self.national))
        summed = (_("%(source)s (sum of the stations)") % {"source": self.source})[:500]
        results = [
            OfficialResult(
                election=self.election,
                region_id=region_id,
                stage=self.stage,
                source=summed,
                registered_voters=totals.registered_voters,
                ballots_cast=totals.ballots_cast,
                valid_votes=totals.valid_votes,
                invalid_votes=totals.invalid_votes if self.mapping.invalid_votes else None,
            )
            for region_id, totals in places
        ]
        OfficialResult.objects.bulk_create(results, batch_size=BATCH_SIZE)
        PartyResult.objects.bulk_create(
            [
                PartyResult(result=result, party_id=party_id, votes=count)
                for result, (_region_id, totals) in zip(results, places, strict=True)
                for party_id, count in totals.votes.items()
            ],
            batch_size=BATCH_SIZE,
        )


def insert_party_results(rows):
    """Insert ``(result id, party id, votes)`` rows: COPY on PostgreSQL, executemany elsewhere.

    A commission's file has one party result per party per station (1.36 million for
    Russia's 96,871 stations and 14 parties); ``bulk_create`` spends about 30 µs a row
    building model instances and SQL in Python, more than the whole rest of the import.
    The rows are plain integers checked by ``parse``; the table's constraints still apply.
    """
    if not rows:
        return
    table = connection.ops.quote_name(PartyResult._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(PartyResult._meta.get_field(name).column) for name in ("result", "party", "votes")
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s)", rows)


def import_station_results(path, *, election, mapping, source="", actor=None, write=True, progress=None, name=None):
    """Check (and, if ``write``, import) a commission's file into ``election``; return the import Report."""
    from ..imports.base import run_import

    with opened(path, name) as table:
        importer = StationResultImporter(
            election=election,
            mapping=mapping,
            raw_names=raw_header(table),
            source=source,
            actor=actor,
            origin=str(name or Path(path).name),
        )
        if progress is not None:
            progress.total = table.estimated_rows
        report = run_import(importer, table, write=write, progress=progress.update if progress is not None else None)
    if report.written:
        # Bulk writes send no signals: cached public pages (overview, regions, forensics) go stale once committed.
        transaction.on_commit(lambda: public_cache.clear(public_cache.REFERENCE))
    return report
