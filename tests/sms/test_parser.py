"""The SMS parser over real-looking messages, each with the report it makes or the answer it gives.

The election of these tests has stations 75-001, 75-002, 75-003 (Almaty city, KZ-75), 71-001 (Astana, KZ-71)
and 79-002 (Shymkent, KZ-79); the regions KZ-75, KZ-71, KZ-79 (cities) and KZ-55 (a region); the country KZ.
"""

import pytest
from django.utils import translation

from incidents.sms import codes, replies
from incidents.sms.parser import Help, Places, Problem, Report, parse

PLACES = Places(
    stations={"75-001": "KZ-75", "75-002": "KZ-75", "75-003": "KZ-75", "71-001": "KZ-71", "79-002": "KZ-79"},
    regions={"KZ-75": "city", "KZ-71": "city", "KZ-79": "city", "KZ-55": "region"},
    country="KZ",
)

CASES = [
    (
        "D 75-001 12 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "d 75-001 12 p a",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "д 75-001 12 п а",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "Д 75-001 12 П А",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "Д 75-001 12 Р А",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D 75-001 12 P",
        Report(
            "detention", "75-001", "KZ-75", {"people_detained": 12, "detained_by": "police", "circumstances": "other"}
        ),
    ),
    (
        "D 75-001 12 G S",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "national_guard", "circumstances": "at_polling_station"},
        ),
    ),
    (
        "D 75-001 3 C H",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 3, "detained_by": "plain_clothes", "circumstances": "from_home"},
        ),
    ),
    (
        "D 75-001 1 U T",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 1, "detained_by": "unknown", "circumstances": "on_street"},
        ),
    ),
    (
        "D 75-001 40+ P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {
                "people_detained": 40,
                "people_detained_is_minimum": True,
                "detained_by": "police",
                "circumstances": "at_protest",
            },
        ),
    ),
    (
        "Д 71-001 40+ Г А",
        Report(
            "detention",
            "71-001",
            "KZ-71",
            {
                "people_detained": 40,
                "people_detained_is_minimum": True,
                "detained_by": "national_guard",
                "circumstances": "at_protest",
            },
        ),
    ),
    (
        "Д 71-001 5 Ш Д",
        Report(
            "detention",
            "71-001",
            "KZ-71",
            {"people_detained": 5, "detained_by": "plain_clothes", "circumstances": "from_home"},
        ),
    ),
    (
        "Д 71-001 2 Н У",
        Report(
            "detention",
            "71-001",
            "KZ-71",
            {"people_detained": 2, "detained_by": "unknown", "circumstances": "at_polling_station"},
        ),
    ),
    (
        "З 75-002 7 П А",
        Report(
            "detention",
            "75-002",
            "KZ-75",
            {"people_detained": 7, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D75-001 12 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "Д75-001 12 П А",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D-75-001 12 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D 75.001 12 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D 75/001 12 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D 75-OO1 12 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "  D   75-001   12   P   A  ",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D, 75-001, 12, P, A.",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D: 75-001; 12; P; A!",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        '"D 75-001 12 P A"',
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D 75-001 12 police",
        Report(
            "detention", "75-001", "KZ-75", {"people_detained": 12, "detained_by": "police", "circumstances": "other"}
        ),
    ),
    (
        "Д 75-001 12 полиция А",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "D 75-001 12 P A near the akimat, 3 women",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
            note="near the akimat, 3 women",
        ),
    ),
    (
        "Д 75-001 12 П А у входа, среди них наблюдатель",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
            note="у входа, среди них наблюдатель",
        ),
    ),
    (
        "D 75-001 12 ? A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "unknown", "circumstances": "at_protest"},
        ),
    ),
    (
        "1234 D 75-001 12 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
            pin="1234",
        ),
    ),
    (
        "1234 д 75-001 12 п а",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
            pin="1234",
        ),
    ),
    (
        "12345678 D 75-001 12 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
            pin="12345678",
        ),
    ),
    ("D 75-001 12 Z A", Problem("bad_code", kind="detention", field="by", token="Z")),
    ("D 75-001 12 P Q", Problem("bad_code", kind="detention", field="how", token="Q")),
    (
        "D 75-001 12 police took them",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "other"},
            note="took them",
        ),
    ),
    ("D 75-001 twelve P A", Problem("bad_count", kind="detention", field="how many", token="twelve")),
    ("D 75-001 0 P A", Problem("bad_count", kind="detention", field="how many", token="0")),
    ("D 75-001 200000 P A", Problem("bad_count", kind="detention", field="how many", token="200000")),
    (
        "D 75-001 -3 P A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 3, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    ("D 75-001", Problem("missing", kind="detention", field="how many")),
    ("D 75-001 12", Problem("missing", kind="detention", field="by")),
    ("D", Problem("missing", kind="detention", field="station")),
    ("Д", Problem("missing", kind="detention", field="station")),
    ("D 75-999 12 P A", Problem("unknown_station", kind="detention", field="station", token="75-999")),
    ("D 76-001 12 P A", Problem("unknown_station", kind="detention", field="station", token="76-001")),
    ("D 75 001 12 P A", Problem("unknown_station", kind="detention", field="station", token="75")),
    ("D KZ-75 12 P A", Problem("unknown_station", kind="detention", field="station", token="KZ-75")),
    ("D almaty 12 P A", Problem("missing", kind="detention", field="station", token="almaty")),
    ("A 75-001 O E", Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["expelled"]})),
    ("a 75-001 o e", Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["expelled"]})),
    ("А 75-001 О Е", Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["expelled"]})),
    (
        "Н 75-001 Н Н",
        Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["refused_entry"]}),
    ),
    (
        "A 75-001 J R",
        Report("denied_access", "75-001", "KZ-75", {"person_role": "journalist", "methods": ["refused_entry"]}),
    ),
    (
        "A 75-001 P V",
        Report("denied_access", "75-001", "KZ-75", {"person_role": "party_agent", "methods": ["view_obstructed"]}),
    ),
    (
        "A 75-001 I F",
        Report(
            "denied_access",
            "75-001",
            "KZ-75",
            {"person_role": "international_observer", "methods": ["photography_banned"]},
        ),
    ),
    (
        "A 75-001 O D",
        Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["document_demanded"]}),
    ),
    (
        "A 75-001 O X",
        Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["physical_force"]}),
    ),
    (
        "A 75-001 O E X",
        Report(
            "denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["expelled", "physical_force"]}
        ),
    ),
    (
        "A 75-001 O E E",
        Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["expelled"]}),
    ),
    ("A 75-001 O", Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": []})),
    (
        "А 71-001 Ж В",
        Report("denied_access", "71-001", "KZ-71", {"person_role": "journalist", "methods": ["expelled"]}),
    ),
    (
        "А 71-001 П Ф",
        Report("denied_access", "71-001", "KZ-71", {"person_role": "party_agent", "methods": ["photography_banned"]}),
    ),
    (
        "A 75-001 O E told to leave by the chair",
        Report(
            "denied_access",
            "75-001",
            "KZ-75",
            {"person_role": "observer", "methods": ["expelled"]},
            note="told to leave by the chair",
        ),
    ),
    ("A 75-001 Z E", Problem("bad_code", kind="denied_access", field="who", token="Z")),
    ("A 75-001 O Q", Problem("bad_code", kind="denied_access", field="how", token="Q")),
    ("A 75-001", Problem("missing", kind="denied_access", field="who")),
    ("A", Problem("missing", kind="denied_access", field="station")),
    ("A 75-404 O E", Problem("unknown_station", kind="denied_access", field="station", token="75-404")),
    (
        "1234 A 75-001 O E",
        Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["expelled"]}, pin="1234"),
    ),
    ("A75-001 O E", Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["expelled"]})),
    (
        "B KZ-75 M WA TG",
        Report(
            "internet_blockage",
            None,
            "KZ-75",
            {"scope": "city", "blockage_type": "mobile_data", "services": ["whatsapp", "telegram"]},
        ),
    ),
    (
        "b kz-75 m wa tg",
        Report(
            "internet_blockage",
            None,
            "KZ-75",
            {"scope": "city", "blockage_type": "mobile_data", "services": ["whatsapp", "telegram"]},
        ),
    ),
    (
        "Б КЗ-75 М ВА ТГ",
        Report(
            "internet_blockage",
            None,
            "KZ-75",
            {"scope": "city", "blockage_type": "mobile_data", "services": ["whatsapp", "telegram"]},
        ),
    ),
    (
        "В KZ-75 M WA TG",
        Report(
            "internet_blockage",
            None,
            "KZ-75",
            {"scope": "city", "blockage_type": "mobile_data", "services": ["whatsapp", "telegram"]},
        ),
    ),
    (
        "И KZ-75 М",
        Report("internet_blockage", None, "KZ-75", {"scope": "city", "blockage_type": "mobile_data", "services": []}),
    ),
    (
        "B KZ M",
        Report("internet_blockage", None, None, {"scope": "national", "blockage_type": "mobile_data", "services": []}),
    ),
    (
        "B KZ-55 F",
        Report(
            "internet_blockage", None, "KZ-55", {"scope": "region", "blockage_type": "full_shutdown", "services": []}
        ),
    ),
    (
        "B KZ-75 W",
        Report(
            "internet_blockage", None, "KZ-75", {"scope": "city", "blockage_type": "fixed_broadband", "services": []}
        ),
    ),
    (
        "B KZ-75 T YT IG",
        Report(
            "internet_blockage",
            None,
            "KZ-75",
            {"scope": "city", "blockage_type": "throttling", "services": ["youtube", "instagram"]},
        ),
    ),
    (
        "B KZ-75 P FB IG X TT",
        Report(
            "internet_blockage",
            None,
            "KZ-75",
            {"scope": "city", "blockage_type": "platform_block", "services": ["facebook", "instagram", "x", "tiktok"]},
        ),
    ),
    (
        "B KZ-75 U",
        Report("internet_blockage", None, "KZ-75", {"scope": "city", "blockage_type": "unknown", "services": []}),
    ),
    (
        "B 75-001 M",
        Report(
            "internet_blockage",
            "75-001",
            "KZ-75",
            {"scope": "polling_station", "blockage_type": "mobile_data", "services": []},
        ),
    ),
    (
        "B 71-001 F VPN SMS V",
        Report(
            "internet_blockage",
            "71-001",
            "KZ-71",
            {"scope": "polling_station", "blockage_type": "full_shutdown", "services": ["vpn", "sms", "voice"]},
        ),
    ),
    (
        "Б кз-71 п впн смс",
        Report(
            "internet_blockage",
            None,
            "KZ-71",
            {"scope": "city", "blockage_type": "full_shutdown", "services": ["vpn", "sms"]},
        ),
    ),
    (
        "B KZ-75 M WA TG since 9am",
        Report(
            "internet_blockage",
            None,
            "KZ-75",
            {"scope": "city", "blockage_type": "mobile_data", "services": ["whatsapp", "telegram"]},
            note="since 9am",
        ),
    ),
    ("B KZ-75", Problem("missing", kind="internet_blockage", field="what")),
    ("B", Problem("missing", kind="internet_blockage", field="place")),
    ("B KZ-99 M", Problem("unknown_place", kind="internet_blockage", field="place", token="KZ-99")),
    ("B 75-009 M", Problem("unknown_place", kind="internet_blockage", field="place", token="75-009")),
    ("B KZ-75 Q", Problem("bad_code", kind="internet_blockage", field="what", token="Q")),
    ("B KZ-75 M ZZ", Problem("bad_code", kind="internet_blockage", field="services", token="ZZ")),
    ("B almaty M", Problem("unknown_place", kind="internet_blockage", field="place", token="almaty")),
    (
        "S 75-001 ballots thrown in at 15:10",
        Report("ballot_stuffing", "75-001", "KZ-75", {}, note="ballots thrown in at 15:10"),
    ),
    (
        "s 75-001 вбросили пачку бюллетеней",
        Report("ballot_stuffing", "75-001", "KZ-75", {}, note="вбросили пачку бюллетеней"),
    ),
    ("ВБ 75-001 вброс в 15:10", Report("ballot_stuffing", "75-001", "KZ-75", {}, note="вброс в 15:10")),
    (
        "S KZ-75 stuffing reported in several stations",
        Report("ballot_stuffing", None, "KZ-75", {}, note="stuffing reported in several stations"),
    ),
    ("S stuffing at the school", Report("ballot_stuffing", None, None, {}, note="stuffing at the school")),
    ("S 75-001", Problem("missing", kind="ballot_stuffing", field="text")),
    ("S", Problem("missing", kind="ballot_stuffing", field="text")),
    (
        "I 75-001 voters threatened at the door",
        Report("intimidation", "75-001", "KZ-75", {}, note="voters threatened at the door"),
    ),
    ("У 71-001 угрожали наблюдателю", Report("intimidation", "71-001", "KZ-71", {}, note="угрожали наблюдателю")),
    (
        "V 75-001 money for votes at the entrance",
        Report("vote_buying", "75-001", "KZ-75", {}, note="money for votes at the entrance"),
    ),
    ("П 75-001 платят за голос 5000 тг", Report("vote_buying", "75-001", "KZ-75", {}, note="платят за голос 5000 тг")),
    (
        "C 75-001 a bus of the same voters again",
        Report("carousel_voting", "75-001", "KZ-75", {}, note="a bus of the same voters again"),
    ),
    ("К 75-001 карусель, автобус", Report("carousel_voting", "75-001", "KZ-75", {}, note="карусель, автобус")),
    (
        "R 75-001 seals broken before counting",
        Report("procedural", "75-001", "KZ-75", {}, note="seals broken before counting"),
    ),
    ("ПР 75-001 нет протокола", Report("procedural", "75-001", "KZ-75", {}, note="нет протокола")),
    ("O 75-001 cameras switched off", Report("other", "75-001", "KZ-75", {}, note="cameras switched off")),
    ("ДР 71-001 выключили камеры", Report("other", "71-001", "KZ-71", {}, note="выключили камеры")),
    ("O something odd happened", Report("other", None, None, {}, note="something odd happened")),
    ("S 75-999 ballots thrown in", Problem("unknown_place", kind="ballot_stuffing", field="place", token="75-999")),
    ("?", Help()),
    ("HELP", Help()),
    ("help", Help()),
    ("help D", Help("detention")),
    ("? D", Help("detention")),
    ("? A", Help("denied_access")),
    ("? B", Help("internet_blockage")),
    ("? S", Help("ballot_stuffing")),
    ("помощь", Help()),
    ("ПОМОЩЬ Д", Help("detention")),
    ("көмек", Help()),
    ("1234 ?", Help(pin="1234")),
    ("Z 75-001 12 P A", Problem("unknown_kind", token="Z")),
    ("X 75-001", Problem("unknown_kind", token="X")),
    ("hello", Problem("unknown_kind", token="hello")),
    ("Привет, задержали людей у 75-001", Problem("unknown_kind", token="Привет")),
    ("12 P A", Problem("unknown_kind", token="12")),
    ("75-001 D 12 P A", Problem("unknown_kind", token="75-001")),
    ("...", Problem("empty")),
    (
        "D 75-001 12 П A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "Д 75-001 12 P А",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "d 75-001 12 п A",
        Report(
            "detention",
            "75-001",
            "KZ-75",
            {"people_detained": 12, "detained_by": "police", "circumstances": "at_protest"},
        ),
    ),
    (
        "б KZ-75 m ВА tg",
        Report(
            "internet_blockage",
            None,
            "KZ-75",
            {"scope": "city", "blockage_type": "mobile_data", "services": ["whatsapp", "telegram"]},
        ),
    ),
    ("A 75-001 о Е", Report("denied_access", "75-001", "KZ-75", {"person_role": "observer", "methods": ["expelled"]})),
    (
        "Б 75-001 M",
        Report(
            "internet_blockage",
            "75-001",
            "KZ-75",
            {"scope": "polling_station", "blockage_type": "mobile_data", "services": []},
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_message_makes_this_report_or_answer(text, expected):
    assert parse(text, PLACES) == expected


def test_the_table_has_a_hundred_cases_of_every_sort():
    assert len(CASES) >= 100
    outcomes = {type(expected) for _, expected in CASES}
    assert outcomes == {Report, Help, Problem}
    reasons = {expected.reason for _, expected in CASES if isinstance(expected, Problem)}
    assert reasons == {"empty", "unknown_kind", "missing", "bad_code", "bad_count", "unknown_station", "unknown_place"}


def test_no_two_codes_of_a_field_or_two_kinds_share_a_spelling():
    kinds = [spelling for entry in codes.KINDS for spelling in entry.spellings]
    assert len(kinds) == len(set(kinds))
    for entry in codes.KINDS:
        for field in entry.fields:
            spellings = [spelling for item in field.codes for spelling in item.spellings]
            assert len(spellings) == len(set(spellings)), (entry.kind, field.name)


def test_every_kind_and_every_code_maps_onto_the_vocabularies():
    from incidents.models import DETAIL_MODELS, IncidentKind

    assert {entry.kind for entry in codes.KINDS} == set(IncidentKind.values)
    for entry in codes.KINDS:
        model = DETAIL_MODELS.get(entry.kind)
        for field in entry.fields:
            if field.codes:
                model_field = model._meta.get_field(field.detail_field)
                if model_field.choices:
                    allowed = {value for value, _ in model_field.choices}
                else:  # a JSON list of choices
                    allowed = set(next(v.choices for v in model_field.validators if hasattr(v, "choices")).values)
                assert {item.value for item in field.codes} <= allowed, (entry.kind, field.name)


def test_every_example_parses_into_its_kind():
    for entry in codes.KINDS:
        result = parse(entry.example, PLACES)
        assert isinstance(result, Report) and result.kind == entry.kind, entry.example


@pytest.mark.parametrize(
    ("problem", "language", "answer"),
    [
        (
            Problem("bad_code", kind="detention", field="by", token="Z"),
            "en",
            "“Z” is not a code for detained by (P, G, C, U). Example: D 75-001 12 P A",
        ),
        (
            Problem("unknown_station", kind="denied_access", field="station", token="75-404"),
            "en",
            "There is no polling station 75-404. Check the number. Example: A 75-001 O E",
        ),
        (
            Problem("missing", kind="internet_blockage", field="what"),
            "en",
            "Missing: what was cut. Example: B KZ-75 M WA TG",
        ),
        (
            Problem("unknown_kind", token="hello"),
            "ru",
            "«hello» — не код вида нарушения. Коды: отправьте ?. Пример: D 75-001 12 P A",
        ),
        (
            Problem("bad_count", kind="detention", field="how many", token="twelve"),
            "kk",
            "«twelve» — адам саны емес. Мысал: D 75-001 12 P A",
        ),
    ],
)
def test_a_problem_is_answered_with_what_is_wrong_and_an_example(problem, language, answer):
    assert replies.in_language(language, replies.problem_text, problem) == answer


def test_help_lists_every_kind_code_in_the_observers_language():
    with translation.override("ru"):
        answer = replies.help_text()
    for entry in codes.KINDS:
        assert f"{entry.code} " in answer
    assert "Задержание" in answer
    with translation.override("en"):
        detail = replies.help_text("detention")
    assert detail.startswith("D <station> <how many> <by> [<how>]. detained by: P Police, G National guard")
    assert detail.endswith("Example: D 75-001 12 P A")
