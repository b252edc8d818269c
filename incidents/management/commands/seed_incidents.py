"""Fill an election with many valid published incidents, for measuring the public pages.

    manage.py seed_incidents --count 100000

Deterministic: the n-th seeded incident of an election is the same on every
run and every machine (same ``--seed``), and a second run with the same
count adds nothing. Rows are written with bulk inserts, in batches, each
with its kind's details and its ``submitted`` and ``published`` events.
Seeded incidents are marked as demo data and carry a ``seed-`` client token.
"""

import datetime
import random
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from incidents import selectors
from incidents.models import (
    BlockageScope,
    BlockageType,
    Charges,
    DatePrecision,
    DenialMethod,
    DeniedAccess,
    DeniedBy,
    DeniedPerson,
    DetainedGroup,
    Detention,
    DetentionCircumstance,
    Election,
    ElectoralStage,
    EventAction,
    Incident,
    IncidentEvent,
    IncidentKind,
    InternetBlockage,
    InternetService,
    OfficialResult,
    Perpetrator,
    PollingStation,
    Region,
    ReleaseStatus,
    Source,
    Status,
    Verification,
)
from incidents.models.incidents import REFERENCE_ALPHABET, REFERENCE_LENGTH
from incidents.public import cache as public_cache

#: how often each kind is seeded
KIND_WEIGHTS = {
    IncidentKind.DENIED_ACCESS: 30,
    IncidentKind.DETENTION: 20,
    IncidentKind.PROCEDURAL: 15,
    IncidentKind.INTIMIDATION: 10,
    IncidentKind.INTERNET_BLOCKAGE: 8,
    IncidentKind.BALLOT_STUFFING: 6,
    IncidentKind.CAROUSEL_VOTING: 5,
    IncidentKind.VOTE_BUYING: 4,
    IncidentKind.OTHER: 2,
}
SUMMARIES = {
    IncidentKind.DETENTION: "Police detained {n} people near polling station {station}.",
    IncidentKind.DENIED_ACCESS: "An observer was kept out of polling station {station} during {stage}.",
    IncidentKind.INTERNET_BLOCKAGE: "Mobile internet was unavailable in {region} for about {n} hours.",
    IncidentKind.BALLOT_STUFFING: "Several ballots were put in the box at once at polling station {station}.",
    IncidentKind.INTIMIDATION: "Voters were told to vote for a party at their workplace in {region}.",
    IncidentKind.VOTE_BUYING: "Food parcels were handed out near polling station {station}.",
    IncidentKind.CAROUSEL_VOTING: "A group of voters was bussed between polling stations in {region}.",
    IncidentKind.PROCEDURAL: "The ballot box was not shown empty at the opening of polling station {station}.",
    IncidentKind.OTHER: "Campaign posters were found inside polling station {station}.",
}


def progress(out, done, total, started):
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.monotonic() - started, 1e-6)
    out.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done:,}/{total:,} ({rate:,.0f}/s)")
    out.flush()


class Command(BaseCommand):
    help = "Add COUNT valid published incidents (with details and events) to an election. Deterministic; safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument(
            "--count", type=int, default=1000, help="How many seeded incidents the election should have."
        )
        parser.add_argument("--election", help="Election slug (default: the current election).")
        parser.add_argument("--seed", type=int, default=2021, help="Seed of the generator (default 2021).")
        parser.add_argument("--batch", type=int, default=5000, help="Rows per insert batch.")
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="Run with debug off (a benchmark server): the incidents it makes are published.",
        )

    def handle(self, *args, **options):
        if not (settings.DEBUG or options["not_production"]):
            raise CommandError(
                "seed_incidents publishes invented incidents: it runs only with DJANGO_DEBUG=true, "
                "or with --i-know-this-is-not-production on a server nobody reads."
            )
        election = self.election(options["election"])
        regions = self.regions(election)
        stations = {}
        for station in PollingStation.objects.filter(election=election).only("pk", "region_id", "number"):
            stations.setdefault(station.region_id, []).append(station)
        seed, count, batch = options["seed"], options["count"], max(1, options["batch"])
        token_prefix = f"seed-{election.slug}-{seed}-"
        existing = set(
            Incident.objects.filter(client_token__startswith=token_prefix).values_list("client_token", flat=True)
        )
        references = set(Incident.objects.values_list("reference", flat=True))
        missing = [index for index in range(count) if f"{token_prefix}{index}" not in existing]
        self.stdout.write(
            f"{election.slug}: {count - len(missing):,} seeded incidents already there, adding {len(missing):,}."
        )
        out = self.stdout if self.stdout.isatty() else sys.stderr
        started = time.monotonic()
        for start in range(0, len(missing), batch):
            chunk = missing[start : start + batch]
            rows = [self.generate(election, regions, stations, seed, index, references) for index in chunk]
            self.write(rows, token_prefix)
            progress(out, start + len(chunk), len(missing), started)
        out.write("\n")
        self.refresh_statistics()
        public_cache.clear(public_cache.LISTS)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Added {len(missing):,} published incidents in {elapsed:.1f} s."))

    def refresh_statistics(self):
        """Let PostgreSQL plan with the new rows (and count from its indexes) at once."""
        if connection.vendor != "postgresql":
            return
        models = (Incident, Detention, DeniedAccess, InternetBlockage, IncidentEvent)
        tables = [model._meta.db_table for model in models]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")

    def election(self, slug):
        election = Election.objects.filter(slug=slug).first() if slug else selectors.election_current()
        if election is None:
            raise CommandError(
                f"No election {slug!r}." if slug else "No election yet: run `manage.py load_demo` first."
            )
        return election

    def regions(self, election):
        with_results = Region.objects.filter(
            pk__in=OfficialResult.objects.filter(election=election, region__isnull=False).values("region_id")
        )
        regions = list(with_results.order_by("code")) or list(
            Region.objects.filter(country=election.country).order_by("code")
        )
        if not regions:
            raise CommandError(f"{election.slug} has no regions to place incidents in.")
        return regions

    def generate(self, election, regions, stations, seed, index, references):
        """The index-th seeded incident: the same values on every run."""
        rng = random.Random(f"{seed}:{index}")
        while True:
            code = "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
            reference = f"{election.reference_prefix}-{code}"
            if reference not in references:
                references.add(reference)
                break
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        region = regions[int(rng.paretovariate(1.2)) % len(regions)]  # a few regions get most reports
        station = rng.choice(stations[region.pk]) if stations.get(region.pk) and rng.random() < 0.7 else None
        day_start = datetime.datetime.combine(election.election_day, datetime.time(6), tzinfo=election.zone)
        occurred_at = day_start + datetime.timedelta(minutes=rng.randrange(0, 18 * 60))
        published_at = occurred_at + datetime.timedelta(minutes=rng.randrange(20, 48 * 60))
        latitude = longitude = None
        if region.has_point and rng.random() < 0.4:
            latitude = (region.latitude + type(region.latitude)(rng.uniform(-0.3, 0.3))).quantize(region.latitude)
            longitude = (region.longitude + type(region.longitude)(rng.uniform(-0.3, 0.3))).quantize(region.longitude)
        people = rng.randint(1, 40)
        stage = rng.choice(ElectoralStage.values)
        summary = SUMMARIES[kind].format(
            n=people, station=station.number if station else "—", stage=stage, region=region.name_en
        )
        incident = Incident(
            reference=reference,
            election=election,
            kind=kind,
            region=region,
            polling_station=station,
            latitude=latitude,
            longitude=longitude,
            is_sensitive=latitude is not None and rng.random() < 0.5,
            occurred_at=occurred_at,
            occurred_precision=rng.choice(DatePrecision.values),
            description=f"Seeded report {index}: what the observer wrote (private).",
            public_summary=summary,
            status=Status.PUBLISHED,
            verification=rng.choice([Verification.CONFIRMED, Verification.CORROBORATED, Verification.UNVERIFIED]),
            source=Source.PARTNER,
            published_at=published_at,
            is_demo=True,
        )
        incident.seed_index = index
        incident.seed_detail = self.detail(kind, rng, people, stage, occurred_at)
        return incident

    def detail(self, kind, rng, people, stage, occurred_at):
        if kind == IncidentKind.DETENTION:
            return Detention(
                people_detained=people,
                people_detained_is_minimum=rng.random() < 0.3,
                detained_groups=rng.sample(DetainedGroup.values, rng.randint(1, 2)),
                detained_by=rng.choice(Perpetrator.values),
                circumstances=rng.choice(DetentionCircumstance.values),
                release_status=rng.choice(ReleaseStatus.values),
                charges=rng.choice(Charges.values),
                injuries_reported=rng.choice([None, False, True]),
            )
        if kind == IncidentKind.DENIED_ACCESS:
            return DeniedAccess(
                person_role=rng.choice(DeniedPerson.values),
                people_affected=rng.randint(1, 5),
                stage=stage,
                methods=rng.sample(DenialMethod.values, rng.randint(1, 2)),
                denied_by=rng.choice(DeniedBy.values),
                accreditation_shown=rng.choice([None, True, False]),
            )
        if kind == IncidentKind.INTERNET_BLOCKAGE:
            return InternetBlockage(
                scope=rng.choice(BlockageScope.values),
                blockage_type=rng.choice(BlockageType.values),
                services=rng.sample(InternetService.values, rng.randint(1, 4)),
                started_at=occurred_at,
                ended_at=occurred_at + datetime.timedelta(hours=people % 12 + 1),
            )
        return None

    @transaction.atomic
    def write(self, incidents, token_prefix):
        for incident in incidents:
            incident.client_token = f"{token_prefix}{incident.seed_index}"
        Incident.objects.bulk_create(incidents)
        details = {}
        events = []
        for incident in incidents:
            detail = incident.seed_detail
            if detail is not None:
                detail.incident = incident
                details.setdefault(type(detail), []).append(detail)
            events.append(
                IncidentEvent(
                    incident=incident,
                    action=EventAction.SUBMITTED,
                    to_status=Status.SUBMITTED,
                    created_at=incident.occurred_at,
                    comment="Seeded.",
                )
            )
            events.append(
                IncidentEvent(
                    incident=incident,
                    action=EventAction.PUBLISHED,
                    from_status=Status.VERIFIED,
                    to_status=Status.PUBLISHED,
                    created_at=incident.published_at,
                    comment="Seeded.",
                )
            )
        for model, rows in details.items():
            model.objects.bulk_create(rows)
        IncidentEvent.objects.bulk_create(events)
