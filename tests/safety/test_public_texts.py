"""The personal-data guard reads every public text: the summary, the retraction notice and each
public text of the details, at publish and at every later edit; it knows Latin and Cyrillic
spellings of a name, and numbers written with spaces, dashes and brackets."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from incidents import personal_data, services
from incidents.models import DatePrecision, IncidentKind, Status, Verification
from incidents.public import shape

from .. import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(db):
    return factories.ObserverFactory(
        user__username="aigerim-login",
        user__first_name="Aigerim",
        user__last_name="Bekova",
        phone="+7 701 555 1234",
        accreditation_number="KZ-2021-0457",
    )


def file_report(reporter, election, region, kind, details):
    return services.incident_submit(
        reporter=reporter,
        election=election,
        kind=kind,
        region=region,
        occurred_at=datetime.datetime(2021, 1, 10, 9, 15, tzinfo=datetime.UTC),
        occurred_precision=DatePrecision.EXACT,
        description="What I saw.",
        details=details,
    ).incident


def to_verified(incident, moderator):
    incident = services.incident_transition(incident=incident, to_status=Status.IN_REVIEW, actor=moderator)
    return services.incident_transition(
        incident=incident, to_status=Status.VERIFIED, actor=moderator, verification=Verification.CONFIRMED
    )


def publish(incident, moderator):
    return services.incident_transition(
        incident=incident, to_status=Status.PUBLISHED, actor=moderator, public_summary="A clean summary."
    )


def test_the_shape_names_every_public_text():
    assert shape.PUBLIC_INCIDENT_TEXT_FIELDS == ("public_summary", "retraction_notice")
    assert shape.public_text_fields(IncidentKind.DENIED_ACCESS) == ["reason_given"]
    assert shape.public_text_fields(IncidentKind.INTERNET_BLOCKAGE) == [
        "providers",
        "measurement_url",
        "official_justification",
        "source_links",  # the sources of a blockage (issue 19), typed by the observer
    ]
    assert shape.public_text_fields(IncidentKind.DETENTION) == []
    assert shape.public_text_fields(IncidentKind.OTHER) == []


@pytest.mark.parametrize(
    "kind, details, field",
    [
        (
            IncidentKind.DENIED_ACCESS,
            {"person_role": "observer", "reason_given": "They told Aigerim Bekova to leave."},
            "reason_given",
        ),
        (
            IncidentKind.DENIED_ACCESS,
            {"person_role": "observer", "reason_given": "Accreditation KZ 2021 0457 was not accepted."},
            "reason_given",
        ),
        (
            IncidentKind.INTERNET_BLOCKAGE,
            {"scope": "city", "blockage_type": "mobile_data", "providers": "Beeline; call 8 (701) 555-12-34"},
            "providers",
        ),
        (
            IncidentKind.INTERNET_BLOCKAGE,
            {
                "scope": "city",
                "blockage_type": "mobile_data",
                "official_justification": "Айгерим Бекова was told it was maintenance.",
            },
            "official_justification",
        ),
        (
            IncidentKind.INTERNET_BLOCKAGE,
            {
                "scope": "city",
                "blockage_type": "mobile_data",
                "measurement_url": "https://explorer.ooni.org/m/aigerim-login",
            },
            "measurement_url",
        ),
    ],
)
def test_a_detail_text_with_personal_data_is_not_published(reporter, election, region, moderator, kind, details, field):
    incident = to_verified(file_report(reporter, election, region, kind, details), moderator)
    with pytest.raises(ValidationError) as refusal:
        publish(incident, moderator)
    assert field in refusal.value.message_dict
    incident.refresh_from_db()
    assert incident.status == Status.VERIFIED


def test_an_edit_after_publishing_is_guarded_too(reporter, election, region, moderator):
    incident = file_report(
        reporter, election, region, IncidentKind.DENIED_ACCESS, {"person_role": "observer", "reason_given": "None."}
    )
    incident = publish(to_verified(incident, moderator), moderator)
    with pytest.raises(ValidationError) as refusal:
        services.incident_edit(
            incident=incident,
            actor=moderator,
            changes={},
            detail_changes={"reason_given": "Айгерим was asked to leave"},
        )
    assert "reason_given" in refusal.value.message_dict
    incident.refresh_from_db()
    assert incident.denied_access.reason_given == "None."


def test_clean_detail_texts_publish(reporter, election, region, moderator):
    incident = file_report(
        reporter,
        election,
        region,
        IncidentKind.INTERNET_BLOCKAGE,
        {"scope": "city", "blockage_type": "mobile_data", "providers": "Kazakhtelecom (AS9198)"},
    )
    assert publish(to_verified(incident, moderator), moderator).status == Status.PUBLISHED


@pytest.mark.parametrize(
    "name, text",
    [
        ("Aigerim", "Айгерим пришла"),
        ("Нурлан", "Nurlan came"),
        ("Secretov", "задержан Секретов"),
        ("Юлия", "Yulia was there"),
        ("Zhanna", "Жанна"),
        ("Tsoi", "Цой"),
        ("Bekova", "Бековой"),
    ],
)
def test_names_are_found_across_alphabets(name, text):
    assert personal_data.find_personal_data(text, reporter_names=[name])


@pytest.mark.parametrize("text", ["KZ 2021 0457", "kz-2021-0457", "KZ2021 0457", "(KZ) 2021/0457"])
def test_identifiers_are_found_however_spaced(text):
    assert personal_data.find_personal_data(f"number {text} given", reporter_identifiers=["KZ-2021-0457"])


def test_a_different_number_is_not_taken_for_the_identifier():
    assert not personal_data.find_personal_data("number KZ 2021 0458", reporter_identifiers=["KZ-2021-0457"])
