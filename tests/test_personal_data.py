"""The personal-data guard: the detector alone, then inside every path to the public."""

import pytest
from django.core.exceptions import ValidationError

from incidents import services
from incidents.models import IncidentKind, Status, Verification
from incidents.personal_data import find_in_incident_text, find_personal_data

from . import factories


def found(text, **known):
    return [finding.text for finding in find_personal_data(text, **known)]


@pytest.mark.parametrize(
    "text",
    [
        "Call +7 701 999 1234 for details.",
        "Call 8 (701) 999-12-34.",
        "Call +77019991234.",
        "Number: 8-701-999-12-34",
    ],
)
def test_phone_numbers_are_found(text):
    assert len(found(text)) == 1


def test_the_digits_of_a_link_are_neither_phone_nor_id_numbers():
    # An OONI measurement's link carries its time stamp; a phone written beside it is still found.
    link = "https://explorer.ooni.org/m/20210110043001.123456_KZ_webconnectivity_abc"
    assert found(link) == []
    assert found(f"{link} call +7 701 999 1234") == ["+7 701 999 1234"]


def test_email_is_found():
    assert found("Write to aigerim.n@mail.kz today.") == ["aigerim.n@mail.kz"]


def test_iin_is_found_and_not_also_called_a_phone():
    findings = find_personal_data("His IIN is 900101300123.")
    assert [(f.text, "IIN" in f.what) for f in findings] == [("900101300123", True)]


@pytest.mark.parametrize(
    "text",
    [
        "Police detained 13 people at 14:00 on 10.01.2021.",
        "Turnout was 63.25% of 11 919 241 registered voters.",
        "Polling station 75-001 opened at 07:00.",
        "The rally began on 10 January 2021 near Republic Square.",
        "Kazakhtelecom (AS9198) throttled mobile data.",
    ],
)
def test_ordinary_facts_are_not_personal_data(text):
    assert found(text) == []


def test_names_are_found_as_words_ignoring_case():
    names = {"detained_names": ["Aigerim Privatova"]}
    assert found("aigerim was taken away.", **names) == ["aigerim"]
    assert found("Privatization, Privat and Aig are other words.", **names) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Нурлан Секретов", "Задержали Нурлана возле школы."),
        ("Нурлан Секретов", "Секретова увезли в отдел."),
        ("Айгерим Приватова", "Приватову задержали."),
        ("Aigerim Privatova", "Privatovoy was released."),
    ],
)
def test_names_are_found_with_russian_and_kazakh_endings(name, text):
    assert found(text, detained_names=[name])


def test_short_name_parts_are_not_searched_alone():
    # "Li" would be found in every other sentence.
    assert found("The list is long.", detained_names=["Li Na"]) == []


def test_reporter_identifiers_are_found_as_written():
    known = {"reporter_identifiers": ["observer-login-7", "ACC-000123"]}
    assert found("Sent by observer-login-7, accreditation ACC-000123.", **known) == ["observer-login-7", "ACC-000123"]


def test_each_finding_once():
    assert found("a@b.kz and a@b.kz") == ["a@b.kz"]


def test_incident_knows_its_reporter_and_detained_names(fully_filled_incident):
    incident = fully_filled_incident.incident
    text = (
        "Privatename saw Nurlan Secretov detained; call 999 1234 or reporter.private@example.org "
        "(reporter-private-login, ACC-PRIVATE-777)."
    )
    what = {finding.text for finding in find_in_incident_text(text, incident)}
    assert {
        "Privatename",
        "Nurlan",
        "Secretov",
        "999 1234",
        "reporter.private@example.org",
        "reporter-private-login",
        "ACC-PRIVATE-777",
    } <= what


@pytest.fixture
def detention(submit, moderator):
    incident = submit(
        kind=IncidentKind.DETENTION,
        details={"people_detained": 2, "detained_names": "Aigerim Privatova; Nurlan Secretov"},
    )
    incident = services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    incident = services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=moderator, verification=Verification.CONFIRMED
    )
    # it names detained people: a second moderator approves its publication
    return services.incident_transition(
        incident=incident, to_status=Status.APPROVED, actor=factories.ModeratorFactory()
    )


@pytest.mark.parametrize(
    ("summary", "what"),
    [
        ("Police detained Nurlan Secretov near the school.", "detained person"),
        ("The observer (+7 701 555 0000) was kept out.", "phone number"),
        ("Contact: someone@example.org.", "e-mail address"),
        ("A man with IIN 900101300123 was detained.", "IIN"),
    ],
)
def test_publishing_is_refused_with_what_was_found(detention, moderator, summary, what):
    with pytest.raises(ValidationError) as error:
        services.incident_transition(
            incident=detention, to_status=Status.PUBLISHED, actor=moderator, public_summary=summary
        )
    message = error.value.message_dict["public_summary"][0]
    assert what in message
    detention.refresh_from_db()
    assert detention.status == Status.APPROVED and detention.public_summary == ""
    assert detention.events.count() == 4


def test_publishing_is_refused_for_the_reporters_name(submit, moderator, election, region):
    reporter = factories.ObserverFactory(user__first_name="Dana", user__last_name="Sarsenbayeva")
    incident = submit(reporter=reporter)
    with pytest.raises(ValidationError) as error:
        services.incident_advance(
            incident=incident,
            to_status=Status.PUBLISHED,
            actor=moderator,
            verification=Verification.CONFIRMED,
            public_summary="Dana Sarsenbayeva was kept out of the station.",
        )
    assert "Sarsenbayeva" in error.value.message_dict["public_summary"][0]
    incident.refresh_from_db()
    # The claim and the verification on the way were undone with the refusal.
    assert incident.status == Status.SUBMITTED and incident.events.count() == 1


def test_clean_summary_publishes(detention, moderator):
    published = services.incident_transition(
        incident=detention,
        to_status=Status.PUBLISHED,
        actor=moderator,
        public_summary="Police detained two people near a polling station.",
    )
    assert published.status == Status.PUBLISHED


def test_editing_a_published_summary_is_guarded(fully_filled_incident, moderator):
    incident = fully_filled_incident.incident
    for private in ("Aigerim Privatova", "Reporterova", "+7 701 999 1234"):
        with pytest.raises(ValidationError):
            services.incident_edit(
                incident=incident, actor=moderator, changes={"public_summary": f"Update: {private} was released."}
            )
    incident.refresh_from_db()
    fully_filled_incident.assert_absent_from(incident.public_summary)


def test_draft_summary_of_an_unpublished_report_may_hold_anything(detention, moderator):
    # The guard stands at the door to the public: a draft is not public yet.
    services.incident_edit(
        incident=detention, actor=moderator, changes={"public_summary": "Draft: Nurlan Secretov, check."}
    )
    with pytest.raises(ValidationError):
        services.incident_transition(incident=detention, to_status=Status.PUBLISHED, actor=moderator)


def test_retraction_notice_is_guarded(fully_filled_incident, moderator):
    incident = fully_filled_incident.incident
    with pytest.raises(ValidationError) as error:
        services.incident_transition(
            incident=incident,
            to_status=Status.RETRACTED,
            actor=moderator,
            comment="Retracted at the request of Privatename Reporterova.",
        )
    assert "retraction notice" in error.value.message_dict["comment"][0]
    incident.refresh_from_db()
    assert incident.status == Status.PUBLISHED
