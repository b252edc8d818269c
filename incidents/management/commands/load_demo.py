"""Load the demonstration election: Kazakhstan's Mazhilis election of 10 January 2021.

Facts (results, regions, reported incidents) come from the facts file;
invented things (polling stations, organizations, accounts, moderation
state) from the demo file beside it, and are marked as demo data. Loading is
one transaction and an upsert by natural keys: a second run changes nothing.
"""

import datetime
import json
import random
from base64 import b32encode
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from incidents import services
from incidents.geometry import dumps
from incidents.models import (
    Election,
    Incident,
    ModeratorScope,
    Observer,
    OfficialResult,
    Organization,
    Party,
    PartyResult,
    PollingStation,
    ProtocolCopy,
    ProtocolLine,
    PvtSample,
    Region,
    ResultStage,
    Source,
    Status,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_DEMO_FILE = DATA_DIR / "kz-2021-mazhilis-demo.json"


class DemoDataError(Exception):
    pass


OUTLINES = Path(__file__).resolve().parents[2] / "data" / "kz-2021-outlines.json"


def upsert(model, lookup, values):
    """Get or create by ``lookup``; save only what differs. Returns (object, created, changed)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        return obj, True, False
    changed = [field for field, value in values.items() if getattr(obj, field) != value]
    for field in changed:
        setattr(obj, field, values[field])
    if changed:
        obj.full_clean()
        obj.save()
    return obj, False, bool(changed)


class Command(BaseCommand):
    help = "Load the demo election (Kazakhstan, Mazhilis, 10 January 2021). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-file",
            default=str(DEFAULT_DEMO_FILE),
            help="The demo data file (its facts_file is read from the same folder).",
        )

    def handle(self, *args, **options):
        demo_path = Path(options["demo_file"])
        demo = self.read_json(demo_path)
        try:
            facts_path = demo_path.parent / demo["facts_file"]
        except (KeyError, TypeError) as error:
            raise CommandError(f"{demo_path}: no facts_file entry ({error}).") from error
        facts = self.read_json(facts_path)
        self.counts = {}
        try:
            with transaction.atomic():
                self.load(facts, demo)
        except (KeyError, TypeError, ValueError, ValidationError, DemoDataError) as error:
            raise CommandError(
                f"{facts_path} / {demo_path}: the data is not as expected ({type(error).__name__}: {error}). "
                "Nothing was loaded."
            ) from error
        self.stdout.write(self.style.SUCCESS("Demo election loaded."))
        if settings.DEBUG:
            self.stdout.write(
                "Demo logins (debug only): "
                + ", ".join(account["username"] for account in demo["accounts"])
                + f" — password: {demo['password']}"
            )
            self.demo_second_factors(demo)

    def demo_second_factors(self, demo):
        """Staff need a second factor for the admin: in debug, give each demo staff account
        an authenticator key and fresh backup codes, and print them."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        User = get_user_model()
        self.stdout.write(
            "Staff accounts need a second factor for /admin/ (debug only): after the password, enter a code "
            "from an authenticator app with the key below, or one of the backup codes (each works once; "
            "`make run` gives new ones)."
        )
        for row in demo["accounts"]:
            if row["role"] == "Observer":
                continue
            user = User.objects.get(username=row["username"])
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name=services.two_factor.APP_DEVICE_NAME, confirmed=True)
            codes = services.backup_codes_renew(user=user)
            key = b32encode(device.bin_key).decode("ascii")
            self.stdout.write(f"  {user.username}: app key {key}")
            self.stdout.write(f"    ({device.config_url})")
            self.stdout.write(f"    backup codes: {' '.join(codes)}")

    def read_json(self, path):
        try:
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CommandError(f"{path}: file not found.") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path}: not valid JSON ({error}).") from error

    def progress(self, label, created, total):
        self.stdout.write(f"  {label}: {total} ({created} new)")

    def load(self, facts, demo):
        election = self.load_election(facts["election"], demo["election"])
        regions = self.load_regions(facts["regions"], self.read_json(OUTLINES))
        parties = self.load_parties(election, facts["parties"])
        self.load_results(election, facts, demo["election"], regions, parties)
        stations = self.load_stations(election, regions, demo["stations_per_region"])
        users = self.load_accounts(demo, stations)
        self.load_incidents(election, facts["incidents_reported"], demo["incidents"], regions, users)
        self.load_moderator_regions(demo["accounts"], regions, users)
        if "local_election" in demo:
            self.load_local_election(demo["local_election"], regions, users)
        if "pvt" in demo:
            self.load_pvt(election, facts, demo["pvt"], regions, parties, users)

    def load_election(self, data, demo):
        self.stdout.write(f"Election {data['slug']}")
        values = {
            "name_en": data["name"],
            "name_ru": data.get("name_ru", ""),
            "name_kk": data.get("name_kk", ""),
            "kind": data["kind"],
            "country": data["country"],
            "election_day": datetime.date.fromisoformat(data["election_day"]),
            "time_zone": demo["time_zone"],
            "reference_prefix": demo["reference_prefix"],
            "seats_total": data["seats_total"],
            "threshold_percent": Decimal(str(data["threshold_percent"])),
        }
        election, _created, _changed = upsert(Election, {"slug": data["slug"]}, values)
        if not Election.objects.filter(is_current=True).exists():
            election.is_current = True
            election.save(update_fields=["is_current"])
        self.zone = election.zone
        return election

    def load_regions(self, rows, outlines):
        regions, created = {}, 0
        source = f"{outlines['source']}; {outlines['licence']}"
        for row in rows:
            outline = outlines["regions"].get(row["code"], {}).get("geometry")
            values = {
                "name_en": row["name_en"],
                "name_ru": row["name_ru"],
                "name_kk": row["name_kk"],
                "country": row["code"].split("-")[0],
                "level": row["kind"],
                "centre": row["centre"],
                "centre_ru": row.get("centre_ru", ""),
                "centre_kk": row.get("centre_kk", ""),
                "latitude": Decimal(str(row["lat"])).quantize(Decimal("0.000001")),
                "longitude": Decimal(str(row["lon"])).quantize(Decimal("0.000001")),
                "geometry": dumps(outline) if outline else "",
                "geometry_source": source if outline else "",
            }
            regions[row["code"]], new, _ = upsert(Region, {"code": row["code"]}, values)
            created += new
        self.progress("Regions", created, len(regions))
        return regions

    def load_parties(self, election, rows):
        parties, created = {}, 0
        for row in rows:
            values = {
                "name_en": row["name_en"],
                "name_ru": row["name_ru"],
                "name_kk": row["name_kk"],
                "colour": row["colour"],
            }
            parties[row["short"]], new, _ = upsert(Party, {"election": election, "short_name": row["short"]}, values)
            created += new
        self.progress("Parties", created, len(parties))
        return parties

    def load_results(self, election, facts, demo, regions, parties):
        data = facts["election"]
        national, created, _ = upsert(
            OfficialResult,
            {"election": election, "region": None, "polling_station": None},
            {
                "stage": ResultStage.FINAL,
                "registered_voters": data["registered_voters"],
                "ballots_cast": data["ballots_cast"],
                # The commission published the votes cast for parties, i.e. the valid votes.
                "valid_votes": data["votes_for_parties_total"],
                "source": demo["national_result_source"],
                "source_ru": demo.get("national_result_source_ru", ""),
                "source_kk": demo.get("national_result_source_kk", ""),
                "as_of": self.local(demo["national_result_as_of"]),
            },
        )
        for row in facts["parties"]:
            upsert(
                PartyResult,
                {"result": national, "party": parties[row["short"]]},
                {"votes": row["votes"], "seats": row["seats"]},
            )
        created = int(created)
        for row in facts["regions"]:
            # Only the preliminary turnout percentage was published per region.
            _, new, _ = upsert(
                OfficialResult,
                {"election": election, "region": regions[row["code"]], "polling_station": None},
                {
                    "stage": ResultStage.PRELIMINARY,
                    "turnout_percent": Decimal(str(row["turnout_percent_preliminary"])),
                    "source": demo["regional_result_source"],
                    "source_ru": demo.get("regional_result_source_ru", ""),
                    "source_kk": demo.get("regional_result_source_kk", ""),
                    "as_of": self.local(demo["regional_result_as_of"]),
                },
            )
            created += new
        self.progress("Official results (national + regional)", created, len(facts["regions"]) + 1)

    def load_stations(self, election, regions, per_region):
        stations, created = {}, 0
        for code, region in regions.items():
            stations[code] = []
            for index in range(1, per_region + 1):
                number = f"{code.split('-')[-1]}-{index:03d}"
                offset = Decimal("0.01") * index
                station, new, _ = upsert(
                    PollingStation,
                    {"election": election, "number": number},
                    {
                        "region": region,
                        "name": f"Demo polling station {number} ({region.centre})",
                        "name_ru": f"Демонстрационный участок {number} ({region.centre_ru or region.centre})",
                        "name_kk": f"Демонстрациялық учаске {number} ({region.centre_kk or region.centre})",
                        "address": f"{region.centre} (invented address)",
                        "latitude": region.latitude + offset,
                        "longitude": region.longitude + offset,
                        "is_demo": True,
                    },
                )
                stations[code].append(station)
                created += new
        self.progress("Polling stations (demo)", created, sum(len(s) for s in stations.values()))
        return stations

    def load_accounts(self, demo, stations):
        User = get_user_model()
        organizations, created = {}, 0
        for row in demo["organizations"]:
            organizations[row["name"]], new, _ = upsert(
                Organization, {"name": row["name"]}, {"kind": row["kind"], "country": row["country"], "is_demo": True}
            )
            created += new
        self.progress("Demo organizations", created, len(organizations))
        users, created = {}, 0
        for row in demo["accounts"]:
            user = User.objects.filter(username=row["username"]).first()
            if user is None:
                # Observers have invented personal names, so that the personal-data
                # guard has a name to catch and no common word ("observer") to trip on.
                user = User(
                    username=row["username"],
                    first_name=row.get("first_name", "Demo"),
                    last_name=row.get("last_name", row["role"]),
                )
                if settings.DEBUG:
                    user.set_password(demo["password"])
                else:
                    # Outside debug the demo accounts cannot log in until a coordinator sets a password.
                    user.set_unusable_password()
                created += 1
            user.is_staff = row["role"] != "Observer"
            user.email = f"{row['username']}@demo.invalid"
            user.save()
            user.groups.add(Group.objects.get(name=row["role"]))
            if row["role"] == "Observer":
                observer, _, _ = upsert(
                    Observer,
                    {"user": user},
                    {
                        "organization": organizations[row["organization"]],
                        "kind": row["kind"],
                        "phone": row.get("phone", ""),
                        "is_demo": True,
                    },
                )
                observer.assigned_stations.add(*[s for code in row["stations_in"] for s in stations[code]])
            users[row["username"]] = user
        self.progress("Demo accounts", created, len(users))
        return users

    def load_incidents(self, election, facts, demo_rows, regions, users):
        if len(facts) != len(demo_rows):
            raise DemoDataError(f"{len(facts)} reported incidents but {len(demo_rows)} demo entries.")
        created = 0
        for index, (fact, row) in enumerate(zip(facts, demo_rows, strict=True), start=1):
            reporter = users[row["reporter"]].observer_profile
            submission = services.incident_submit(
                reporter=reporter,
                election=election,
                kind=fact["kind"],
                region=regions[fact["region"]] if fact["region"] else None,
                occurred_at=self.local(row["occurred_at"]),
                occurred_precision=row["precision"],
                location_text=fact["when"],
                description=fact["what"],
                details=row["details"],
                source=Source.MEDIA,
                client_token=f"demo-{election.slug}-{index}",
                is_demo=True,
            )
            if submission.created:
                created += 1
                self.advance(submission.incident, row, users)
            self.translate_and_date(submission.incident, row, users)
        self.progress("Reported incidents", created, len(facts))

    def load_moderator_regions(self, accounts, regions, users):
        """Moderators of some regions only (``regions`` of an account): their ModeratorScope."""
        for row in accounts:
            if row.get("regions"):
                scope, _created = ModeratorScope.objects.get_or_create(user=users[row["username"]])
                scope.regions.set([regions[code] for code in row["regions"]])

    def load_local_election(self, data, regions, users):
        """The invented local election beside the real one (never current): a few stations and reports."""
        self.stdout.write(f"Election {data['slug']} (invented)")
        values = {
            "name_en": data["name"],
            "name_ru": data.get("name_ru", ""),
            "name_kk": data.get("name_kk", ""),
            "kind": data["kind"],
            "country": data["country"],
            "election_day": datetime.date.fromisoformat(data["election_day"]),
            "time_zone": data["time_zone"],
            "reference_prefix": data["reference_prefix"],
        }
        election, _created, _changed = upsert(Election, {"slug": data["slug"]}, values)
        region = regions[data["region"]]
        self.load_stations(election, {data["region"]: region}, data["stations"])
        created = 0
        zone = election.zone
        for index, row in enumerate(data["incidents"], start=1):
            submission = services.incident_submit(
                reporter=users[row["reporter"]].observer_profile,
                election=election,
                kind=row["kind"],
                region=region,
                occurred_at=datetime.datetime.fromisoformat(row["occurred_at"]).replace(tzinfo=zone),
                occurred_precision=row["precision"],
                description=row["description"],
                client_token=f"demo-{election.slug}-{index}",
                is_demo=True,
            )
            if submission.created:
                created += 1
                self.advance(submission.incident, row, users)
        self.progress("Reported incidents (invented)", created, len(data["incidents"]))

    def translate_and_date(self, incident, row, users):
        """The Russian and Kazakh public summaries (through the service, so the history shows them; nothing
        is written when they are already there), and the publication time on the election day."""
        incident.refresh_from_db()
        translations = {
            field: row[field] for field in ("public_summary_ru", "public_summary_kk") if row.get(field) is not None
        }
        if translations:
            incident = services.incident_edit(incident=incident, actor=users[row["moderator"]], changes=translations)
        if row.get("published_at") and incident.published_at is not None:
            # The demo pretends it was published on election night, not the day it was loaded.
            published_at = self.local(row["published_at"])
            if incident.published_at != published_at:
                Incident.objects.filter(pk=incident.pk).update(published_at=published_at)

    def advance(self, incident, row, users):
        """Take a new demo report along the workflow to its status, through the service."""
        if row["status"] == Status.SUBMITTED:
            return
        services.incident_advance(
            incident=incident,
            to_status=row["status"],
            actor=users[row["moderator"]],
            comment=row.get("question", ""),
            verification=row.get("verification"),
            public_summary=row.get("public_summary"),
        )

    def load_pvt(self, election, facts, data, regions, parties, users):
        """Invented: protocol lines, PVT demo stations, a sample drawn from a fixed seed, and a verified copy
        of each sampled station, drawn at random around the official figures (demo data, not observations)."""
        created = 0
        for position, row in enumerate(data["protocol_lines"], start=1):
            _, new, _ = upsert(
                ProtocolLine,
                {"election": election, "code": row["code"]},
                {
                    "role": row["role"],
                    "position": position,
                    "name_en": row["name_en"],
                    "name_ru": row["name_ru"],
                    "name_kk": row["name_kk"],
                },
            )
            created += new
        self.progress("Protocol lines", created, len(data["protocol_lines"]))
        created = 0
        for code, region in regions.items():
            for index in range(101, 101 + data["stations_per_region"]):
                number = f"{code.split('-')[-1]}-{index:03d}"
                _, new, _ = upsert(
                    PollingStation,
                    {"election": election, "number": number},
                    {
                        "region": region,
                        "name": f"Demo polling station {number} ({region.centre})",
                        "address": f"{region.centre} (invented address)",
                        "is_demo": True,
                    },
                )
                created += new
        self.progress("PVT polling stations (demo)", created, len(regions) * data["stations_per_region"])
        sample = PvtSample.objects.filter(election=election).first()
        if sample is None or sample.seed != data["seed"]:
            sample = services.pvt_sample_draw(
                election=election,
                wanted_margin=Decimal(data["wanted_margin"]),
                actor=users[data["coordinator"]],
                seed=data["seed"],
                is_demo=True,
            )
        if data["published"] and not sample.published:
            sample = services.pvt_sample_publish(sample=sample, actor=users[data["coordinator"]])
        turnout = {row["code"]: row["turnout_percent_preliminary"] / 100 for row in facts["regions"]}
        total = sum(row["votes"] for row in facts["parties"])
        shares = [(parties[row["short"]], row["votes"] / total) for row in facts["parties"]]
        observers = [users[name].observer_profile for name in data["observers"]]
        moderator = users[data["moderator"]]
        created = 0
        entries = sample.stations.select_related("polling_station__region").order_by("polling_station__number")
        for index, entry in enumerate(entries):
            station = entry.polling_station
            lines, votes = self.invented_protocol(data, station, turnout[station.region.code], shares)
            filing = services.protocol_copy_file(
                observer=observers[index % len(observers)],
                polling_station=station,
                copied_at=datetime.datetime.combine(election.election_day, datetime.time(21, 30), tzinfo=self.zone),
                lines=lines,
                party_votes=votes,
                client_token=f"demo-{election.slug}-pvt-{station.number}",
            )
            if filing.created:
                ProtocolCopy.objects.filter(pk=filing.copy.pk).update(is_demo=True)
                services.protocol_copy_verify(copy=filing.copy, actor=moderator, comment="Demo: invented copy.")
                created += 1
        self.progress("Protocol copies (invented, verified)", created, entries.count())

    def invented_protocol(self, data, station, turnout, shares):
        """One station's invented figures: turnout around its region's official figure, shares around the
        national ones; they add up, as a careful copy does."""
        rng = random.Random(f"{data['seed']}:{station.number}")
        registered = rng.randint(900, 2600)
        spread = data["turnout_spread_points"] / 100
        cast = round(registered * min(0.98, max(0.05, rng.gauss(turnout, spread))))
        invalid = round(cast * rng.uniform(0.01, 0.06))
        valid = cast - invalid
        # The leading party's share moves around its national share, the others take the rest in their
        # national proportions: no normalising, so the invented copies are centred on the official shares.
        lead = max(range(len(shares)), key=lambda i: shares[i][1])
        lead_share = shares[lead][1]
        moved = min(0.99, max(0.01, rng.gauss(lead_share, data["party_spread"])))
        weights = [
            moved if i == lead else share * (1 - moved) / (1 - lead_share) for i, (_, share) in enumerate(shares)
        ]
        exact = [valid * weight for weight in weights]
        votes = [int(value) for value in exact]
        for position in sorted(range(len(exact)), key=lambda i: exact[i] - votes[i], reverse=True)[
            : valid - sum(votes)
        ]:
            votes[position] += 1
        issued = cast + rng.randint(0, 3)
        cancelled = rng.randint(40, 250)
        lines = {
            "registered": registered,
            "received": issued + cancelled,
            "issued": issued,
            "cancelled": cancelled,
            "cast": cast,
            "invalid": invalid,
            "valid": valid,
        }
        return lines, {str(party.pk): count for (party, _), count in zip(shares, votes, strict=True)}

    def local(self, value):
        """A naive ISO time in the election's time zone, as an aware datetime."""
        return datetime.datetime.fromisoformat(value).replace(tzinfo=self.zone)
