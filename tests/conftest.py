import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from incidents import permissions, services
from incidents.models import DatePrecision, IncidentKind, Status, Verification
from incidents.workflow import Guard

from . import factories


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """On SQLite the test database is a file, not memory, so that the live server's threads
    (browser tests) each open a connection of their own. With one in-memory database every
    thread shares one connection and its transaction state, and a page the offline app still
    fetches as a test ends collides with the test's teardown ("database table is locked").
    WAL lets those readers go on while a test writes; a writer waits for the lock, not fails."""
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.sqlite3":
        return
    default.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("sqlite") / "observer.sqlite3")
    options = default.setdefault("OPTIONS", {})
    options["timeout"] = 30
    options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF"


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Hashing passwords properly is slow by design; tests need not pay for it."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True, scope="session")
def static_files_from_the_source():
    """With debug off, pages name static files by their hashed names, which exist only
    after collectstatic; the suite uses the files as they are (test_deploy.py checks
    collectstatic and the hashed names)."""
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    with override_settings(STORAGES=storages, WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path):
    """Uploaded files of a test go to a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    from incidents.public import cache as public_cache

    cache.clear()
    public_cache.forget_kept()
    yield
    cache.clear()
    public_cache.forget_kept()


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL to a postgres:// URL)")


@pytest.fixture
def force_login_verified(client):
    """Log a staff member in as if they had entered their password and a code from their
    authenticator app (which this gives them if they have none): what the admin needs.

    ``force_login_verified(user)`` logs in the ``client`` fixture; pass ``client=`` for another.
    """

    def login(user, client=client):
        client.force_login(user)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True
        )
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login


@pytest.fixture
def election(db):
    return factories.ElectionFactory(slug="kz-test", reference_prefix="KZT", is_current=True)


@pytest.fixture
def region(db):
    return factories.RegionFactory(code="KZ-75", name_en="Almaty", name_ru="Алматы", name_kk="Алматы")


@pytest.fixture
def polling_station(election, region):
    return factories.PollingStationFactory(election=election, region=region, number="75-001")


@pytest.fixture
def observer(db):
    return factories.ObserverFactory()


@pytest.fixture
def moderator(db):
    return factories.ModeratorFactory()


@pytest.fixture
def coordinator(db):
    return factories.CoordinatorFactory()


@pytest.fixture
def submit(election, region, observer):
    """File a report through the real service; keyword arguments override the defaults."""

    def submit(**overrides):
        values = {
            "reporter": observer,
            "election": election,
            "kind": IncidentKind.OTHER,
            "region": region,
            "occurred_at": datetime.datetime(2021, 1, 10, 10, 30, tzinfo=datetime.UTC),
            "occurred_precision": DatePrecision.EXACT,
            "description": "Something happened at the station.",
        }
        values.update(overrides)
        return services.incident_submit(**values).incident

    return submit


def publish(incident, moderator, summary="A published summary.", verification=Verification.CONFIRMED):
    """Take a submitted incident to published through the workflow service."""
    incident = services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    incident = services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=moderator, verification=verification
    )
    if permissions.guard_holds(Guard.TWO_PEOPLE, incident):
        # a detention that names people (or a report marked sensitive) is approved by a second moderator
        second = factories.ModeratorFactory()
        incident = services.incident_transition(incident=incident, to_status=Status.APPROVED, actor=second)
    return services.incident_transition(
        incident=incident, to_status=Status.PUBLISHED, actor=moderator, public_summary=summary
    )


class FullyFilled:
    """A published detention with every private field filled with a recognizable value."""

    def __init__(self, incident, private_values):
        self.incident = incident
        self.private_values = private_values

    def assert_absent_from(self, text):
        found = [value for value in self.private_values if value in text]
        assert not found, f"private values leaked: {found}"


@pytest.fixture
def fully_filled_incident(election, region, polling_station):
    """The privacy fixture: every public surface is tested against it.

    ``private_values`` lists strings that must never appear on a public page,
    export, feed, map or API answer.
    """
    moderator = factories.ModeratorFactory(username="moderator-private-login")
    reporter = factories.ObserverFactory(
        user__username="reporter-private-login",
        user__email="reporter.private@example.org",
        user__first_name="Privatename",
        user__last_name="Reporterova",
        phone="+7 701 999 1234",
        accreditation_number="ACC-PRIVATE-777",
    )
    incident = services.incident_submit(
        reporter=reporter,
        election=election,
        kind=IncidentKind.DETENTION,
        region=region,
        polling_station=polling_station,
        occurred_at=datetime.datetime(2021, 1, 10, 9, 15, tzinfo=datetime.UTC),
        occurred_precision=DatePrecision.EXACT,
        location_text="Behind the PRIVATE-LOCATION school gym",
        latitude=Decimal("43.238949"),
        longitude=Decimal("76.889709"),
        is_sensitive=True,
        description="PRIVATE-DESCRIPTION: I saw my neighbour taken away.",
        details={
            "people_detained": 3,
            "detained_groups": ["protesters"],
            "detained_by": "police",
            "circumstances": "at_protest",
            "detained_names": "Aigerim Privatova, Nurlan Secretov",
        },
        source_url="https://private-source.example.org/PRIVATE-SOURCE",
        client_token="private-client-token-123",
    ).incident
    attachment = factories.AttachmentFactory(
        incident=incident, original_name="PRIVATE-FILENAME.pdf", is_public=False, content=b"%PDF-1.4 private"
    )
    incident = publish(incident, moderator, summary="Police detained three protesters near a polling station.")
    private_values = [
        "reporter-private-login",
        "moderator-private-login",
        "reporter.private@example.org",
        "Privatename",
        "Reporterova",
        "+7 701 999 1234",
        "+77019991234",  # the form the number is kept in
        "7019991234",
        "ACC-PRIVATE-777",
        "PRIVATE-LOCATION",
        "PRIVATE-DESCRIPTION",
        "Aigerim Privatova",
        "Nurlan Secretov",
        "PRIVATE-SOURCE",
        "private-client-token-123",
        "PRIVATE-FILENAME",
        attachment.sha256,
        attachment.file.name,
        "43.238949",
        "76.889709",
        "43.23894",
        "76.88970",
    ]
    return FullyFilled(incident, private_values)


@pytest.fixture
def published_sms_incident(election, region, polling_station, moderator, settings):
    """An incident made from an SMS and published, beside a message from an unknown number left in the inbox.

    Returns (incident, private values): the numbers, the texts and the gateway's message ids.
    """
    settings.OBSERVER_SUBMISSIONS_PER_MINUTE = 0
    factories.ObserverFactory(phone="+7 702 111 2233", user__username="sms-private-login")
    text = f"D {polling_station.number} 4 P A SMS-PRIVATE-TEXT near the gate"
    received = services.sms_receive(
        gateway="generic", gateway_message_id="SMS-PRIVATE-ID", sender="+7 702 111 2233", text=text
    )
    services.sms_receive(
        gateway="twilio", gateway_message_id="SMS-UNKNOWN-ID", sender="+7 705 444 5566", text="SMS-UNKNOWN-TEXT"
    )
    assert received.message.incident is not None, received.reply
    incident = publish(received.message.incident, moderator, summary="Police detained four people at a protest.")
    private_values = [
        "+77021112233",
        "7021112233",
        "702 111 2233",
        "SMS-PRIVATE-TEXT",
        "SMS-PRIVATE-ID",
        "sms-private-login",
        "+77054445566",
        "7054445566",
        "SMS-UNKNOWN-TEXT",
        "SMS-UNKNOWN-ID",
        incident.client_token,
    ]
    return incident, private_values


#: a value in every public text field of the details, each with markup that must be escaped
PUBLIC_TEXT_VALUES = {
    "public_summary": '<script>alert("summary")</script> Observers were kept out.',
    "reason_given": '<script>alert("reason")</script> No reason was given.',
    "providers": '<script>alert("providers")</script> Kazakhtelecom (AS9198)',
    "official_justification": '<script>alert("justification")</script> Maintenance, the operator said.',
    "measurement_url": "https://explorer.ooni.org/m/20210110-public-measurement?q=<script>",
    "source_links": "https://example.org/blockage-source?q=<script>",
}


@pytest.fixture
def fully_filled_texts(election, region, polling_station):
    """The privacy fixture for the public texts: a published denied access and a published internet
    blockage, filed by a reporter with recognizable private values, with a value in every public text
    field (``PUBLIC_TEXT_VALUES``, markup included). Returns ``FullyFilled`` objects for both."""
    moderator = factories.ModeratorFactory(username="moderator-texts-login")
    reporter = factories.ObserverFactory(
        user__username="reporter-texts-login",
        user__first_name="Textname",
        user__last_name="Privatskaya",
        phone="+7 702 888 4321",
        accreditation_number="ACC-TEXTS-555",
    )
    private_values = ["reporter-texts-login", "moderator-texts-login", "Textname", "Privatskaya", "ACC-TEXTS-555"]
    filled = []
    for kind, details in (
        (
            IncidentKind.DENIED_ACCESS,
            {"person_role": "observer", "reason_given": PUBLIC_TEXT_VALUES["reason_given"]},
        ),
        (
            IncidentKind.INTERNET_BLOCKAGE,
            {
                "scope": "city",
                "blockage_type": "mobile_data",
                "providers": PUBLIC_TEXT_VALUES["providers"],
                "official_justification": PUBLIC_TEXT_VALUES["official_justification"],
                "measurement_url": PUBLIC_TEXT_VALUES["measurement_url"],
                "source_links": PUBLIC_TEXT_VALUES["source_links"],
            },
        ),
    ):
        incident = services.incident_submit(
            reporter=reporter,
            election=election,
            kind=kind,
            region=region,
            polling_station=polling_station,
            occurred_at=datetime.datetime(2021, 1, 10, 9, 15, tzinfo=datetime.UTC),
            occurred_precision=DatePrecision.EXACT,
            description="PRIVATE-TEXTS-DESCRIPTION",
            details=details,
        ).incident
        incident = publish(incident, moderator, summary=PUBLIC_TEXT_VALUES["public_summary"])
        filled.append(FullyFilled(incident, [*private_values, "PRIVATE-TEXTS-DESCRIPTION"]))
    return filled
