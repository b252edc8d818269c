"""The public pages as readers see them: maps with the country, texts in the reader's language,
names in their alphabet's order, the newest first, small truths."""

import datetime
import io
import json
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image

from incidents import collation, geometry, selectors, services
from incidents.models import DatePrecision, Incident, IncidentKind, Region
from incidents.models.base import translated_text
from incidents.public import charts
from incidents.selectors.results import sort_region_summaries

from . import factories, samples
from .public_data import published

SQUARE = {"type": "Polygon", "coordinates": [[[70, 50], [72, 50], [72, 52], [70, 52], [70, 50]]]}


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A page asked for in another language leaves that language active in this thread: undo it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def page(client, url, language="en"):
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


# Outlines ---------------------------------------------------------------------------------------------------------


def test_douglas_peucker_worked_example():
    """docs/public.md: (0,0) (1,0.1) (2,-0.1) (3,5) (4,6) (5,7) (6,8.1) (7,9) with tolerance 1 keeps
    (0,0) (2,-0.1) (3,5) (7,9): the points nearer than 1 to the line between the kept ones go."""
    line = [(0, 0), (1, 0.1), (2, -0.1), (3, 5), (4, 6), (5, 7), (6, 8.1), (7, 9)]
    assert geometry.douglas_peucker(line, 1.0) == [(0, 0), (2, -0.1), (3, 5), (7, 9)]
    zigzag = [(0, 0), (1, 1), (2, 0), (3, 1), (4, 0)]
    assert geometry.douglas_peucker(zigzag, 0.5) == zigzag
    assert geometry.douglas_peucker(zigzag, 1.5) == [(0, 0), (4, 0)]


def test_an_outline_must_be_a_polygon_on_the_globe():
    assert geometry.parse_outline(json.dumps(SQUARE)) == SQUARE
    assert geometry.parse_outline(json.dumps({"type": "Feature", "geometry": SQUARE})) == SQUARE
    for bad in (
        "not json",
        '{"type": "Point", "coordinates": [1, 2]}',
        json.dumps({**SQUARE, "coordinates": [[[0, 0]]]}),
    ):
        with pytest.raises(ValidationError):
            geometry.parse_outline(bad)
    far = {"type": "Polygon", "coordinates": [[[200, 0], [1, 0], [1, 1], [200, 0]]]}
    with pytest.raises(ValidationError):
        geometry.parse_outline(json.dumps(far))


def test_demo_outlines_are_small_and_name_their_licence(demo):
    regions = Region.objects.filter(country="KZ")
    with_outline = [region for region in regions if region.geometry]
    # 14 regions and 2 cities from Natural Earth; Shymkent (a city since 2018) has none there
    assert len(with_outline) == 16
    assert not Region.objects.get(code="KZ-79").geometry
    assert sum(len(region.geometry) for region in with_outline) < 16_000
    assert all("public domain" in region.geometry_source for region in with_outline)


def test_choropleth_has_one_shape_per_region_with_its_name_and_the_licence(client, demo):
    home = page(client, reverse("home"))
    for map_id in ("turnout-map", "incidents-map"):
        figure = home[home.index(f'id="{map_id}"') :]
        figure = figure[: figure.index("</figure>")]
        shapes = re.findall(
            r'<a href="[^"]+" class="region-shape[^"]*" data-region="([^"]+)">\s*<title>([^<]+)</title>', figure
        )
        codes = [code for code, _title in shapes]
        assert sorted(codes) == sorted(Region.objects.filter(country="KZ").values_list("code", flat=True))
        assert len(codes) == len(set(codes))
        titles = dict(shapes)
        assert titles["KZ-75"].startswith("Almaty:") and titles["KZ-79"].startswith("Shymkent:")
    assert "Natural Earth" in home and "public domain" in home
    assert "30.3%" in home.split('id="turnout-map"')[1].split("</figure>")[0]


def test_choropleth_shades_by_class_and_says_when_voters_are_missing(db):
    election = factories.ElectionFactory()
    low = factories.RegionFactory(code="KZ-A", geometry=json.dumps(SQUARE))
    high = factories.RegionFactory(code="KZ-B", geometry=json.dumps(SQUARE), longitude=72)
    no_votes = {"valid_votes": None, "invalid_votes": None}
    factories.OfficialResultFactory(election=election, region=low, registered_voters=100, ballots_cast=30, **no_votes)
    factories.OfficialResultFactory(election=election, region=high, registered_voters=100, ballots_cast=80, **no_votes)
    summaries = selectors.region_summaries(election)
    turnout = charts.choropleth(summaries, "turnout")
    colours = {shape.code: shape.colour for shape in turnout.shapes}
    assert colours["KZ-A"] == charts.RAMPS["turnout"][0] and colours["KZ-B"] == charts.RAMPS["turnout"][-1]
    per_voters = charts.choropleth(summaries, "incidents")
    assert "100,000" in str(per_voters.title) and not per_voters.note
    factories.OfficialResultFactory(
        election=election, region=factories.RegionFactory(code="KZ-C"), registered_voters=None
    )
    counted = charts.choropleth(selectors.region_summaries(election), "incidents")
    assert counted.note and "100,000" not in str(counted.title)


def test_equal_interval_classes_worked_example():
    assert charts.classes([30, 50, 80], 5) == [30, 40, 50, 60, 70, 80]
    assert charts.class_of(80, [30, 40, 50, 60, 70, 80]) == 4
    assert charts.class_of(39.9, [30, 40, 50, 60, 70, 80]) == 0


def test_the_interactive_map_is_a_button_not_a_download(client, demo):
    home = page(client, reverse("home"))
    assert "data-map-open" in home and 'leaflet.js"></script>' not in home


# Texts in the reader's language ------------------------------------------------------------------------------


def test_summary_in_the_readers_language_and_the_fall_back_note(client, election, region):
    incident = published(election, region, public_summary="Police detained protesters.")
    incident.public_summary_ru = "Полиция задержала протестующих."
    incident.save()
    russian = page(client, incident.get_absolute_url(), "ru")
    assert "Полиция задержала протестующих." in russian and 'lang="ru"' in russian
    assert "Police detained protesters." not in russian
    kazakh = page(client, incident.get_absolute_url(), "kk")
    assert "Police detained protesters." in kazakh and 'class="note fallback"' in kazakh
    english = page(client, incident.get_absolute_url(), "en")
    assert "Police detained protesters." in english and 'class="note fallback"' not in english


def test_translated_text_falls_back_to_english_then_the_others(db):
    station = factories.PollingStationFactory.build(name="", name_ru="Школа 5", name_kk="")
    text = translated_text(station, "name", "kk")
    assert (text.text, text.language, text.is_fallback) == ("Школа 5", "ru", True)
    station.name_kk = "№5 мектеп"
    assert translated_text(station, "name", "kk").is_fallback is False


def test_translated_summary_is_checked_for_personal_data(election, region, observer, moderator):
    incident = published(election, region, reporter=observer)
    observer.user.first_name, observer.user.last_name = "Aigul", "Demova"
    observer.user.save()
    with pytest.raises(ValidationError) as error:
        services.incident_edit(
            incident=incident, actor=moderator, changes={"public_summary_ru": "Сообщила Aigul Demova."}
        )
    assert "public_summary_ru" in error.value.message_dict


def test_demo_texts_in_three_languages_and_published_on_election_night(client, demo):
    call_command("load_demo", stdout=io.StringIO())  # twice: nothing new, nothing changed
    shown = Incident.objects.published().filter(election__slug="kz-2021-mazhilis")  # not the invented local one
    assert shown.count() == 5
    for incident in shown:
        assert incident.public_summary and incident.public_summary_ru and incident.public_summary_kk
        local = incident.published_at.astimezone(incident.election.zone)
        assert local.date() == datetime.date(2021, 1, 10)
        assert incident.events.filter(action="edited").count() == 1
    russian = page(client, reverse("home"), "ru")
    assert "Центральная избирательная комиссия" in russian


# Names in their alphabet's order --------------------------------------------------------------------------------


def test_kazakh_names_in_the_kazakh_alphabets_order():
    # А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я
    names = ["Іле", "Атырау облысы", "Ыбырай", "Ақмола облысы", "Ұлытау", "Өскемен", "Орал", "Қостанай", "Кентау"]
    assert collation.sorted_names(names, language="kk") == [
        "Ақмола облысы",
        "Атырау облысы",
        "Кентау",
        "Қостанай",
        "Орал",
        "Өскемен",
        "Ұлытау",
        "Ыбырай",
        "Іле",
    ]


def test_russian_names_in_the_russian_alphabets_order():
    names = ["Яблоновка", "Ёлкино", "Жанаозен", "Ежово", "Актобе"]
    assert collation.sorted_names(names, language="ru") == ["Актобе", "Ежово", "Ёлкино", "Жанаозен", "Яблоновка"]


def test_region_table_sorted_in_the_readers_alphabet(client, demo):
    kazakh = page(client, reverse("region-list"), "kk")
    table = kazakh[kazakh.index("region-table") :]
    assert table.index(">Ақмола облысы<") < table.index(">Атырау облысы<")
    summaries = [type("Summary", (), {"region": r, "turnout": None, "incidents": 0})() for r in Region.objects.all()]
    with translation.override("ru"):
        names = [s.region.name for s in sort_region_summaries(summaries, "name")]
    assert names.index("Акмолинская область") < names.index("Алматы") < names.index("Атырауская область")


# The newest first, small truths ----------------------------------------------------------------------------------


def test_list_is_newest_first_by_publication_time(client, election, region):
    day = datetime.datetime(2021, 1, 10, 6, 0, tzinfo=datetime.UTC)
    late_day_only = published(
        election, region, occurred_at=day, occurred_precision=DatePrecision.DAY, public_summary="Published last."
    )
    late_day_only.published_at = day + datetime.timedelta(hours=12)
    late_day_only.save()
    early_exact = published(election, region, occurred_at=day + datetime.timedelta(hours=4), public_summary="First.")
    early_exact.published_at = day + datetime.timedelta(hours=5)
    early_exact.save()
    listing = page(client, reverse("incident-list"))
    assert listing.index(late_day_only.reference) < listing.index(early_exact.reference)


def test_no_at_least_when_no_count_was_given(client, election, region):
    incident = published(election, region, kind=IncidentKind.DETENTION)
    incident.detention.people_detained = None
    incident.detention.people_detained_is_minimum = False
    incident.detention.save()
    assert "At least" not in page(client, incident.get_absolute_url())
    incident.detention.people_detained = 12
    incident.detention.save()
    assert "12" in page(client, incident.get_absolute_url())


def test_public_photo_shown_at_a_phones_size_and_downloaded_with_its_extension(client, db):
    incident = factories.IncidentFactory(published=True)
    content = samples.image_bytes(size=(2000, 1000), exif=False, xmp=False)
    attachment = factories.AttachmentFactory(
        incident=incident,
        is_public=True,
        kind="photo",
        content_type="image/jpeg",
        file=factories.ContentFile(content, name="photo.jpg"),
        content=content,
    )
    detail = page(client, incident.get_absolute_url())
    assert f'src="/attachments/{attachment.pk}/?size=phone"' in detail
    full = client.get(reverse("attachment-file", args=[attachment.pk]))
    assert f'{incident.reference}-{attachment.pk}.jpg"' in full["Content-Disposition"]
    small = client.get(reverse("attachment-file", args=[attachment.pk]), {"size": "phone"})
    assert small["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(small.content)).size) == 720


def test_a_favicon_served_by_the_site(client, db):
    home = page(client, reverse("home"))
    assert 'rel="icon" href="/static/favicon.svg"' in home


def test_api_docs_allow_their_icons_and_link_back(client, db):
    response = client.get(reverse("api-docs"))
    policy = response["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src"))
    assert "data:" in img_src
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert f'href="{reverse("home")}"' in response.content.decode()
    # the rest of the site keeps the strict policy
    assert "data:" not in client.get(reverse("home"))["Content-Security-Policy"]


def test_a_private_photo_has_no_phone_rendition_either(client, db):
    incident = factories.IncidentFactory(published=True)
    content = samples.image_bytes(size=(800, 600), exif=False, xmp=False)
    attachment = factories.AttachmentFactory(
        incident=incident,
        is_public=False,
        kind="photo",
        content_type="image/jpeg",
        file=factories.ContentFile(content, name="photo.jpg"),
        content=content,
    )
    assert f"/attachments/{attachment.pk}/" not in page(client, incident.get_absolute_url())
    url = reverse("attachment-file", args=[attachment.pk])
    assert client.get(url, {"size": "phone"}).status_code == 404


def test_region_filter_lists_regions_in_the_readers_alphabet(client, demo):
    kazakh = page(client, reverse("incident-list"), "kk")
    options = re.findall(r'<option value="(KZ-\d+)"', kazakh)
    assert options.index("KZ-11") < options.index("KZ-23")  # Ақмола облысы before Атырау облысы
    assert options.index("KZ-15") < options.index("KZ-19")  # Ақтөбе before Алматы
