"""factory-boy factories for every model.

Incidents made here skip the services (no submission event); tests that
are about the path users take build incidents through ``services`` instead
(see the ``submit`` fixture in conftest.py).
"""

import datetime
import hashlib
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from incidents import models

ELECTION_DAY = datetime.date(2021, 1, 10)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    groups = factory.PostGeneration(lambda user, create, names, **kwargs: add_groups(user, create, names))


def add_groups(user, create, names, default=()):
    if create and (names or default):
        user.groups.add(*[Group.objects.get(name=name) for name in names or default])


class ModeratorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"moderator{n}")
    is_staff = True
    groups = factory.PostGeneration(
        lambda user, create, names, **kwargs: add_groups(user, create, names, ["Moderator"])
    )


class CoordinatorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"coordinator{n}")
    is_staff = True
    groups = factory.PostGeneration(
        lambda user, create, names, **kwargs: add_groups(user, create, names, ["Coordinator"])
    )


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Election
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"election-{n}")
    name_en = factory.Sequence(lambda n: f"Test election {n}")
    name_ru = factory.LazyAttribute(lambda e: f"{e.name_en} (ru)")
    name_kk = factory.LazyAttribute(lambda e: f"{e.name_en} (kk)")
    kind = models.ElectionKind.PARLIAMENTARY
    country = "KZ"
    election_day = ELECTION_DAY
    time_zone = "Asia/Almaty"
    reference_prefix = factory.Sequence(lambda n: f"T{n:03d}")
    seats_total = 107
    threshold_percent = Decimal("7.00")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Region
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ZZ-{n}")
    name_en = factory.Sequence(lambda n: f"Region {n}")
    name_ru = factory.LazyAttribute(lambda r: f"Регион {r.code}")
    name_kk = factory.LazyAttribute(lambda r: f"Аймақ {r.code}")
    country = "KZ"
    level = models.RegionLevel.REGION
    latitude = Decimal("43.240000")
    longitude = Decimal("76.890000")


class PollingStationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PollingStation

    election = factory.SubFactory(ElectionFactory)
    region = factory.SubFactory(RegionFactory)
    number = factory.Sequence(lambda n: f"{n:04d}")
    name = factory.Sequence(lambda n: f"School {n}")
    address = "1 Main Street"
    registered_voters = 2000


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Party

    election = factory.SubFactory(ElectionFactory)
    short_name = factory.Sequence(lambda n: f"Party {n}")
    name_en = factory.LazyAttribute(lambda p: p.short_name)
    colour = "#1f5fa8"


class OfficialResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OfficialResult

    election = factory.SubFactory(ElectionFactory)
    region = factory.SubFactory(RegionFactory)
    stage = models.ResultStage.FINAL
    registered_voters = 100_000
    ballots_cast = 60_000
    valid_votes = 58_000
    invalid_votes = 2_000
    source = "Test election commission"


class PartyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PartyResult

    result = factory.SubFactory(OfficialResultFactory)
    party = factory.SubFactory(PartyFactory, election=factory.SelfAttribute("..result.election"))
    votes = 10_000


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Organization
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Observer network {n}")
    kind = models.OrganizationKind.DOMESTIC
    country = "KZ"


class ObserverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Observer
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, groups=["Observer"])
    organization = factory.SubFactory(OrganizationFactory)
    kind = models.ObserverKind.INDEPENDENT
    accreditation_number = factory.Sequence(lambda n: f"ACC-{n:06d}")
    phone = factory.Sequence(lambda n: f"+7 701 555 {n:04d}")


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Incident

    election = factory.SubFactory(ElectionFactory)
    reference = factory.LazyAttribute(lambda i: models.Incident.new_reference(i.election.reference_prefix))
    kind = models.IncidentKind.OTHER
    region = factory.SubFactory(RegionFactory)
    occurred_at = factory.LazyFunction(lambda: datetime.datetime(2021, 1, 10, 11, 0, tzinfo=datetime.UTC))
    occurred_precision = models.DatePrecision.EXACT
    description = factory.Sequence(lambda n: f"Private account number {n} of what happened.")
    reporter = factory.SubFactory(ObserverFactory)

    class Params:
        published = factory.Trait(
            status=models.Status.PUBLISHED,
            public_summary=factory.Sequence(lambda n: f"Public summary {n}."),
            published_at=factory.LazyFunction(timezone.now),
            verification=models.Verification.CONFIRMED,
        )


class DetentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Detention

    incident = factory.SubFactory(IncidentFactory, kind=models.IncidentKind.DETENTION)
    people_detained = 12
    detained_groups = ["protesters"]
    detained_by = models.Perpetrator.POLICE
    circumstances = models.DetentionCircumstance.AT_PROTEST


class DeniedAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DeniedAccess

    incident = factory.SubFactory(IncidentFactory, kind=models.IncidentKind.DENIED_ACCESS)
    person_role = models.DeniedPerson.OBSERVER
    stage = models.ElectoralStage.VOTING
    methods = ["refused_entry"]


class InternetBlockageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.InternetBlockage

    incident = factory.SubFactory(IncidentFactory, kind=models.IncidentKind.INTERNET_BLOCKAGE)
    scope = models.BlockageScope.CITY
    blockage_type = models.BlockageType.MOBILE_DATA
    services = ["whatsapp", "telegram"]


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Attachment

    incident = factory.SubFactory(IncidentFactory)
    file = factory.LazyAttribute(lambda a: ContentFile(a.content, name="evidence.pdf"))
    kind = models.AttachmentKind.DOCUMENT
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda a: len(a.content))
    sha256 = factory.LazyAttribute(lambda a: hashlib.sha256(a.content).hexdigest())
    original_name = "my-own-name-evidence.pdf"

    class Params:
        content = factory.Sequence(lambda n: f"%PDF-1.4 test document {n}".encode())


class IncidentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.IncidentEvent

    incident = factory.SubFactory(IncidentFactory)
    action = models.EventAction.COMMENTED
    comment = "A note."


class OoniMeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.OoniMeasurement

    measurement_uid = factory.Sequence(lambda n: f"20210110041512.{n:06d}_KZ_webconnectivity_{n:016x}")
    test_name = "web_connectivity"
    probe_cc = "KZ"
    probe_asn = 9198
    probe_network_name = "JSC Kazakhtelecom"
    input = "https://www.whatsapp.com/"
    measurement_start_time = factory.LazyFunction(lambda: datetime.datetime(2021, 1, 10, 4, 15, tzinfo=datetime.UTC))


class SmsMessageFactory(factory.django.DjangoModelFactory):
    """A message kept in the SMS inbox (one a test builds directly; real ones come through sms_receive)."""

    class Meta:
        model = models.SmsMessage

    gateway = "generic"
    gateway_message_id = factory.Sequence(lambda n: f"SM{n:06d}")
    sender = factory.Sequence(lambda n: f"+7701999{n:04d}")
    observer = factory.SubFactory(ObserverFactory)
    text = factory.Sequence(lambda n: f"message {n}")
    text_digest = factory.Sequence(lambda n: f"{n:064x}")
    received_at = factory.LazyFunction(timezone.now)
    problem = "unknown_kind"


class ModeratorScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ModeratorScope
        skip_postgeneration_save = True

    user = factory.SubFactory(ModeratorFactory)

    @factory.post_generation
    def regions(self, create, regions, **kwargs):
        if create:
            self.regions.set(regions or [RegionFactory()])


class ProtocolLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ProtocolLine

    election = factory.SubFactory(ElectionFactory)
    code = factory.Sequence(lambda n: f"line_{n}")
    position = factory.Sequence(lambda n: n + 1)
    name_en = factory.Sequence(lambda n: f"Line {n}")


class ProtocolCopyFactory(factory.django.DjangoModelFactory):
    """A bare copy for admin pages; tests of the rules file copies through services.protocol_copy_file."""

    class Meta:
        model = models.ProtocolCopy

    election = factory.SubFactory(ElectionFactory)
    polling_station = factory.SubFactory(PollingStationFactory, election=factory.SelfAttribute("..election"))
    observer = factory.SubFactory(ObserverFactory)
    copied_at = factory.LazyFunction(lambda: datetime.datetime(2021, 1, 10, 22, 0, tzinfo=datetime.UTC))


class PvtSampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.PvtSample

    election = factory.SubFactory(ElectionFactory)
    seed = factory.Sequence(lambda n: f"seed-{n}")
    fingerprint = factory.LazyAttribute(lambda sample: hashlib.sha256(sample.seed.encode()).hexdigest())
    wanted_margin = Decimal("0.0200")
