"""The public pages: overview, incident list and page, region pages; bad input; queries; cache."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from incidents import services
from incidents.models import IncidentKind, Status, Verification

from . import factories
from .conftest import publish
from .public_data import many_published, published

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


@pytest.fixture
def regions(election, region):
    north = factories.RegionFactory(code="KZ-59", name_en="North Kazakhstan Region", latitude=Decimal("54.87"))
    national = factories.OfficialResultFactory(
        election=election, region=None, registered_voters=1_000_000, ballots_cast=632_500, valid_votes=600_000
    )
    factories.OfficialResultFactory(
        election=election, region=region, registered_voters=None, ballots_cast=None, turnout_percent=Decimal("30.00")
    )
    factories.OfficialResultFactory(election=election, region=north, registered_voters=200_000, ballots_cast=151_000)
    return {"almaty": region, "north": north, "national": national}


# The incident list ---------------------------------------------------------------------------------------------


def test_list_shows_published_incidents_newest_first(client, election, region):
    older = published(election, region, occurred_at=datetime.datetime(2021, 1, 10, 4, tzinfo=datetime.UTC))
    newer = published(election, region, occurred_at=datetime.datetime(2021, 1, 10, 6, tzinfo=datetime.UTC))
    hidden = factories.IncidentFactory(election=election, region=region, status=Status.VERIFIED)
    page = text(client.get(reverse("incident-list")))
    assert page.index(newer.reference) < page.index(older.reference)
    assert hidden.reference not in page
    assert "2 published incidents match." in page


def test_list_filters_live_in_the_url(client, election, region):
    detention = published(election, region, kind=IncidentKind.DETENTION)
    other = published(election, factories.RegionFactory(code="KZ-71"), kind=IncidentKind.DETENTION)
    response = client.get(reverse("incident-list"), {"region": "KZ-75", "kind": "detention"})
    page = text(response)
    assert detention.reference in page and other.reference not in page
    # the export links carry the same filters
    assert "export.csv?region=KZ-75&amp;kind=detention" in page
    # the form shows the filters in use
    assert re.search(r'value="detention"[^>]*checked', page)
    assert re.search(r'value="KZ-75"[^>]*selected', page)


def test_list_is_paginated_and_keeps_filters_in_page_links(client, election, region):
    many_published(election, [region], 30)
    page = text(client.get(reverse("incident-list"), {"region": "KZ-75"}))
    assert "Page 1 of 2" in page
    assert "?region=KZ-75&amp;page=2" in page
    second = text(client.get(reverse("incident-list"), {"region": "KZ-75", "page": 2}))
    assert len(re.findall(r'class="incident-card"', second)) == 5


def test_page_past_the_end_is_a_clear_404(client, election, region):
    published(election, region)
    response = client.get(reverse("incident-list"), {"page": 99})
    assert response.status_code == 404
    assert "There is no page 99: this list has 1 page(s)." in text(response)
    assert "page=1" in text(response)


def test_page_that_is_not_a_number_is_a_clear_400(client, election):
    response = client.get(reverse("incident-list"), {"page": "abc"})
    assert response.status_code == 400
    assert "whole number" in text(response)


@pytest.mark.parametrize(
    "query",
    [{"kind": "bogus"}, {"date_from": "2021-02-30"}, {"region": "NOPE"}, {"election": "missing"}, {"sort": "x"}],
)
def test_bad_filters_are_a_400_with_messages_and_no_incidents(client, election, region, query):
    incident = published(election, region)
    response = client.get(reverse("incident-list"), query)
    assert response.status_code == 400
    page = text(response)
    assert "Some filters are not valid" in page and 'class="field-error"' in page
    assert incident.reference not in page


def test_empty_result_says_so(client, election, region):
    published(election, region)
    page = text(client.get(reverse("incident-list"), {"q": "no such words"}))
    assert "No published incident matches these filters." in page


def test_list_query_count_does_not_grow(client, election, region, django_assert_max_num_queries):
    regions = [region, factories.RegionFactory(code="KZ-71"), factories.RegionFactory(code="KZ-79")]
    many_published(election, regions, 40)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("incident-list"), {"kind": ["detention", "denied_access", "internet_blockage"]})
    assert response.status_code == 200


# One incident --------------------------------------------------------------------------------------------------


def test_incident_page_shows_public_fields(client, election, region, polling_station):
    incident = published(
        election,
        region,
        kind=IncidentKind.DETENTION,
        polling_station=polling_station,
        occurred_at=datetime.datetime(2021, 1, 10, 9, 15, tzinfo=datetime.UTC),
        verification=Verification.CORROBORATED,
        public_summary="Three people were detained.",
    )
    factories.IncidentFactory(election=election, region=region, duplicate_of=incident, status=Status.REJECTED)
    factories.IncidentFactory(election=election, region=region, duplicate_of=incident, status=Status.REJECTED)
    public_file = factories.AttachmentFactory(incident=incident, is_public=True)
    private_file = factories.AttachmentFactory(incident=incident, is_public=False)
    page = text(client.get(incident.get_absolute_url()))
    assert "Three people were detained." in page
    assert "Jan. 10, 2021, 3:15 p.m." in page and "Asia/Almaty" in page
    assert "Corroborated" in page
    assert re.search(r"Corroborating reports</dt><dd>2</dd>", page)
    assert "75-001" in page and "Police" in page
    assert reverse("attachment-file", args=[public_file.pk]) in page
    assert reverse("attachment-file", args=[private_file.pk]) not in page
    assert public_file.original_name not in page and public_file.sha256 not in page


def test_incident_page_query_count(client, election, region, django_assert_max_num_queries):
    incident = published(election, region, kind=IncidentKind.DENIED_ACCESS)
    for _ in range(5):
        factories.AttachmentFactory(incident=incident, is_public=True)
    with django_assert_max_num_queries(3):
        assert client.get(incident.get_absolute_url()).status_code == 200


def test_reference_typed_in_lower_case_redirects(client, election, region):
    incident = published(election, region)
    response = client.get(reverse("incident-detail", args=[incident.reference.lower()]))
    assert response.status_code == 301 and response["Location"] == incident.get_absolute_url()


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW, Status.VERIFIED, Status.REJECTED])
def test_unpublished_and_unknown_references_are_a_clear_404(client, election, region, status):
    incident = factories.IncidentFactory(election=election, region=region, status=status, public_summary="Draft.")
    response = client.get(incident.get_absolute_url())
    assert response.status_code == 404
    assert "There is no published incident with the reference" in text(response)
    assert "Draft." not in text(response)
    assert client.get(reverse("incident-detail", args=["KZT-000000"])).status_code == 404


def test_retracted_incident_shows_only_its_notice(client, submit, moderator):
    incident = publish(submit(), moderator, summary="What we said first.")
    services.incident_transition(
        incident=incident, to_status=Status.RETRACTED, actor=moderator, comment="Staged photo; withdrawn."
    )
    response = client.get(incident.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    assert "was retracted" in page and "Staged photo; withdrawn." in page
    assert "What we said first." not in page
    assert incident.reference not in text(client.get(reverse("incident-list")))


# Regions and the overview --------------------------------------------------------------------------------------


def test_region_list_puts_results_beside_incidents(client, election, regions):
    many_published(election, [regions["north"]], 3)
    page = text(client.get(reverse("region-list")))
    assert "North Kazakhstan Region" in page and "75.5%" in page and "30.0%" in page
    # 3 incidents per 200,000 voters = 1.50 per 100,000; Almaty has no voter count: "—"
    assert "1.50" in page
    # Turnout beside the national 63.25%: +12.3 and -33.3 points (rounded half up)
    assert "+12.3" in page and "-33.3" in page


def test_region_table_sorts_without_javascript(client, election, regions):
    many_published(election, [regions["almaty"]], 2)
    by_turnout = text(client.get(reverse("region-list"), {"sort": "-turnout"}))
    assert by_turnout.index("North Kazakhstan Region") < by_turnout.index(">Almaty<")
    by_incidents = text(client.get(reverse("region-list"), {"sort": "-incidents"}))
    assert by_incidents.index(">Almaty<") < by_incidents.index("North Kazakhstan Region")
    assert 'aria-sort="descending"' in by_incidents
    unknown = client.get(reverse("region-list"), {"sort": "bogus"})
    assert unknown.status_code == 200 and "Unknown sort order" in text(unknown)


def test_region_page_compares_with_the_national_turnout(client, election, regions):
    district = factories.RegionFactory(code="KZ-59-01", parent=regions["north"], name_en="Petropavl District")
    incident = published(election, district, kind=IncidentKind.DENIED_ACCESS)
    page = text(client.get(regions["north"].get_absolute_url()))
    assert "75.50%" in page and "63.25%" in page
    assert "12.25 percentage points above the national figure" in page
    assert incident.reference in page and "Petropavl District" in page
    assert "?region=KZ-59" in page


def test_region_page_for_unknown_code_is_a_clear_404(client, election):
    response = client.get(reverse("region-detail", args=["XX-99"]))
    assert response.status_code == 404 and "There is no region with the code XX-99." in text(response)


def test_unknown_election_is_a_clear_400(client, election, region):
    for url in (reverse("home"), reverse("region-list"), region.get_absolute_url()):
        response = client.get(url, {"election": "no-such-election"})
        assert response.status_code == 400 and "There is no election" in text(response)


def test_region_pages_query_counts(client, election, regions, django_assert_max_num_queries):
    for code in range(10):
        factories.OfficialResultFactory(election=election, region=factories.RegionFactory(code=f"KZ-{code}"))
    many_published(election, [regions["almaty"], regions["north"]], 40)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("region-list")).status_code == 200
    # 10, 2 for the region's internet blockages (their ids, their attached OONI measurements),
    # whether station results exist (the forensics link), the header's election switcher, the
    # election's PVT sample (none here), and 2 for the country's map (every region's result)
    with django_assert_max_num_queries(17):
        assert client.get(regions["north"].get_absolute_url()).status_code == 200


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_home_shows_the_national_picture(client, demo):
    page = text(client.get(reverse("home")))
    assert "Votes and seats per party" in page and "<svg" in page
    assert "Published incidents by kind" in page and "?kind=detention" in page
    assert "Latest published incidents" in page
    assert 'data-geojson-url="/regions/map.geojson"' in page
    # Almaty city: 30.3% turnout and published incidents, beside the national 63.25%
    assert "30.3%" in page and "63.25%" in page


def test_home_region_table_sorts_by_query_string(client, demo):
    page = text(client.get(reverse("home"), {"sort": "turnout"}))
    table = page[page.index("region-table") :]
    assert table.index(">Almaty<") < table.index("North Kazakhstan Region")
    page = text(client.get(reverse("home"), {"sort": "-incidents"}))
    table = page[page.index("region-table") :]
    assert table.index(">Almaty<") < table.index("Akmola Region")


def test_home_query_count_with_many_incidents(client, election, regions, django_assert_max_num_queries):
    many_published(election, [regions["almaty"], regions["north"]], 40)
    # 8, 1 for the OONI measurements of the blockages among the latest incidents, 1 for whether
    # station results exist (the forensics link), 1 for the header's election switcher, 1 for the
    # election's PVT sample (none here)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200


def test_pages_in_russian(client, demo):
    page = text(client.get(reverse("region-list"), HTTP_ACCEPT_LANGUAGE="ru"))
    assert "Северо-Казахстанская область" in page


def test_region_page_names_the_election_and_centre_in_the_visitors_language(client, demo):
    url = reverse("region-detail", args=["KZ-63"])
    russian = text(client.get(url, HTTP_ACCEPT_LANGUAGE="ru"))
    assert "Выборы в Мажилис Казахстана, 2021" in russian and "Усть-Каменогорск" in russian
    assert "Mazhilis" not in russian and "Oskemen" not in russian
    kazakh = text(client.get(url, HTTP_ACCEPT_LANGUAGE="kk"))
    assert "Қазақстан Мәжілісіне сайлау, 2021" in kazakh and "Өскемен" in kazakh
    assert "Oskemen" in text(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))


def test_pages_are_phone_ready_and_use_no_inline_style_or_script(client, demo):
    incident = factories.IncidentFactory._meta.model.objects.published().first()
    for url in (reverse("home"), reverse("incident-list"), reverse("region-list"), incident.get_absolute_url()):
        page = text(client.get(url))
        assert "width=device-width" in page
        assert " style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url


# Cache ----------------------------------------------------------------------------------------------------------


def test_pages_are_served_from_the_cache(client, election, region, django_assert_max_num_queries):
    published(election, region)
    client.get(reverse("incident-list"))
    with django_assert_max_num_queries(0):
        assert client.get(reverse("incident-list")).status_code == 200


@pytest.mark.parametrize("page", ["home", "incident-list", "incident", "region-list", "region"])
def test_anonymous_visitors_get_the_whole_page_from_the_cache_without_cookies(
    client, election, region, django_assert_max_num_queries, page
):
    incident = published(election, region)
    url = {
        "incident": incident.get_absolute_url(),
        "region": region.get_absolute_url(),
    }.get(page) or reverse(page)
    first = client.get(url)
    with django_assert_max_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    # Nothing on a public page asks for a cookie, so nothing of one visitor is in another's page.
    assert not first.cookies and not again.cookies
    assert 'name="csrfmiddlewaretoken"' not in first.content.decode()


def test_the_whole_page_cache_is_per_language(client, election, region):
    published(election, region)
    english = text(client.get(reverse("incident-list")))
    russian = text(client.get(reverse("incident-list"), HTTP_ACCEPT_LANGUAGE="ru"))
    assert 'lang="en"' in english and 'lang="ru"' in russian
    assert text(client.get(reverse("incident-list"))) == english


def test_signed_in_users_and_waiting_messages_never_get_an_anonymous_page(client, election, region, observer):
    published(election, region)
    anonymous = text(client.get(reverse("incident-list")))
    assert "Log out" not in anonymous
    client.force_login(observer.user)
    signed_in = text(client.get(reverse("incident-list")))
    assert "Log out" in signed_in and "My reports" in signed_in
    client.logout()
    # A message waiting for the visitor (after a logout, say) is shown, not the cached page.
    waiting = CookieStorage(RequestFactory().get("/"))._encode([Message(constants.INFO, "Waiting for you.")])
    client.cookies["messages"] = waiting
    assert "Waiting for you." in text(client.get(reverse("incident-list")))
    assert text(client.get(reverse("incident-list"))) == anonymous


def test_the_language_switch_needs_no_csrf_token_and_redirects_only_within_the_site(election):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "kk", "next": "/incidents/"})
    assert response.status_code == 302 and response.url == "/incidents/"
    assert response.cookies["django_language"].value == "kk"
    away = client.post(reverse("set_language"), {"language": "ru", "next": "https://elsewhere.example/"})
    assert away.url == "/"


def test_a_change_made_in_another_process_shows_once_the_kept_generations_expire(client, election, region, monkeypatch):
    from django.core.cache import cache

    from incidents.public import cache as public_cache

    published(election, region, public_summary="Published first.")
    assert "Published first." in text(client.get(reverse("incident-list")))
    # Another app process publishes: the shared generation rises, this process's copy does not.
    published(election, region, public_summary="Published by another process.")
    cache.incr(public_cache._generation_key(public_cache.LISTS))
    assert "Published by another process." not in text(client.get(reverse("incident-list")))
    monkeypatch.setattr(public_cache, "GENERATIONS_KEPT_SECONDS", 0)
    assert "Published by another process." in text(client.get(reverse("incident-list")))


def test_the_busiest_whole_pages_are_kept_in_the_process_without_asking_the_cache(
    client, election, region, monkeypatch
):
    from incidents.public import cache as public_cache

    published(election, region, public_summary="Kept in memory.")
    urls = (reverse("region-list"), reverse("home"), reverse("incident-list"))
    # each page is kept as sent and gzipped
    sizes = [len(client.get(url).content) + len(client.get(url, HTTP_ACCEPT_ENCODING="gzip").content) for url in urls]
    assert len(public_cache._pages) == 3 and public_cache._pages_bytes == sum(sizes)
    # Past the budget, the least recently used pages are let go.
    public_cache.forget_kept()
    monkeypatch.setattr(public_cache, "PAGES_KEPT_BYTES", sizes[1] + sizes[2])
    for url in urls:
        client.get(url)
    assert len(public_cache._pages) == 2
    assert public_cache._pages_bytes == sizes[1] + sizes[2]

    def cache_down(*args, **kwargs):
        raise AssertionError("the shared cache was asked")

    monkeypatch.setattr(public_cache.cache, "get", cache_down)
    assert "Kept in memory." in text(client.get(reverse("incident-list")))


def test_a_publish_shows_up_at_once(client, submit, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = publish(submit(), moderator, summary="Police closed the station.")
    pages = [reverse("incident-list"), reverse("home"), reverse("incident-feed")]
    count_link = 'region=KZ-75">{}</a>'
    # The pages are now in the cache, showing the first incident.
    for url in pages:
        assert "Police closed the station." in text(client.get(url))
    assert count_link.format(1) in text(client.get(reverse("region-list")))
    with django_capture_on_commit_callbacks(execute=True):
        second = publish(submit(), moderator, summary="Observers kept out at opening.")
    for url in pages:
        assert "Observers kept out at opening." in text(client.get(url)), url
    assert count_link.format(2) in text(client.get(reverse("region-list")))
    assert '"incidents": 2' in text(client.get(reverse("region-map-data")))
    assert first.reference != second.reference


def test_a_retraction_and_an_edit_show_up_at_once(client, submit, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = publish(submit(), moderator, summary="First wording.")
    assert "First wording." in text(client.get(incident.get_absolute_url()))
    assert "First wording." in text(client.get(reverse("incident-list")))
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_edit(
            incident=incident, actor=moderator, changes={"public_summary": "Better wording."}
        )
    assert "Better wording." in text(client.get(incident.get_absolute_url()))
    assert "Better wording." in text(client.get(reverse("incident-list")))
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(incident=incident, to_status=Status.RETRACTED, actor=moderator, comment="Wrong.")
    assert "Better wording." not in text(client.get(reverse("incident-list")))
    assert "Wrong." in text(client.get(incident.get_absolute_url()))


def test_new_official_results_show_up_at_once(client, election, region, django_capture_on_commit_callbacks):
    assert "41.00%" not in text(client.get(region.get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):  # the page cache is cleared when the write commits
        factories.OfficialResultFactory(
            election=election, region=region, registered_voters=None, ballots_cast=None, turnout_percent=Decimal("41")
        )
    assert "41.00%" in text(client.get(region.get_absolute_url()))


def test_every_page_works_before_any_election_exists(client, db):
    region = factories.RegionFactory(code="KZ-75")
    for url in (
        reverse("home"),
        reverse("incident-list"),
        reverse("region-list"),
        region.get_absolute_url(),
        reverse("region-map-data"),
        reverse("incident-feed"),
        reverse("incident-export-csv"),
        reverse("incident-export-geojson"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url


#: Accept-Encoding as browsers send it, and answers that take no gzip
ACCEPTS_GZIP = ("gzip, deflate, br, zstd", "gzip", "deflate, gzip;q=0.8")
TAKES_NO_GZIP = ("", "identity", "br", "deflate")


def test_a_whole_page_from_the_cache_is_sent_gzipped_to_a_browser_that_accepts_it(client, election, region):
    import gzip

    published(election, region, public_summary="Sent compressed.")
    for url in (reverse("home"), reverse("incident-list"), reverse("region-list")):
        plain = client.get(url, HTTP_ACCEPT_ENCODING="identity")
        assert plain.status_code == 200 and "Content-Encoding" not in plain
        assert "Accept-Encoding" in plain["Vary"]
        for accept in ACCEPTS_GZIP:
            response = client.get(url, HTTP_ACCEPT_ENCODING=accept)
            assert response["Content-Encoding"] == "gzip", (url, accept)
            assert "Accept-Encoding" in response["Vary"]
            assert gzip.decompress(response.content) == plain.content
            assert len(response.content) < len(plain.content) / 2
        for accept in TAKES_NO_GZIP:
            response = client.get(url, HTTP_ACCEPT_ENCODING=accept)
            assert "Content-Encoding" not in response and response.content == plain.content, (url, accept)


def test_a_page_is_compressed_once_when_it_is_built_not_for_each_reader(client, election, region, monkeypatch):
    from incidents.public import cache as public_cache

    published(election, region, public_summary="Compressed once.")
    compressed = []
    real_compress = public_cache.compress_string

    def counting_compress(data, **kwargs):
        compressed.append(len(data))
        return real_compress(data, **kwargs)

    monkeypatch.setattr(public_cache, "compress_string", counting_compress)
    for accept in ("gzip", "", "gzip", "gzip"):
        client.get(reverse("incident-list"), HTTP_ACCEPT_ENCODING=accept)
    assert len(compressed) == 1
    # from the shared cache (another process's build): not compressed again either
    public_cache.forget_kept()
    assert client.get(reverse("incident-list"), HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    assert len(compressed) == 1


def test_a_page_rendered_for_one_visitor_is_not_compressed(client, election, region):
    """A signed-in visitor's page carries their own CSRF token and name: it is sent as it is
    (a compressed secret could be guessed from the answer's size)."""
    published(election, region, public_summary="For one visitor.")
    client.force_login(factories.UserFactory())
    response = client.get(reverse("incident-list"), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert "For one visitor." in text(response)


def test_a_short_answer_is_sent_as_it_is(rf):
    from django.http import HttpResponse

    from incidents.public import cache as public_cache

    stored = public_cache.stored_answer(HttpResponse(b"short", content_type="text/plain"))
    response = public_cache.answer_from_stored(rf.get("/", HTTP_ACCEPT_ENCODING="gzip"), stored)
    assert "Content-Encoding" not in response and response.content == b"short"


def test_a_page_kept_before_pages_were_kept_gzipped_is_still_served(client, election, region):
    """After an upgrade, the cache still holds whole pages kept as (status, type, body) for a few
    minutes: they are served as they are, to browsers that accept gzip too."""
    from django.core.cache import cache
    from django.test import RequestFactory

    from incidents.public import cache as public_cache

    published(election, region, public_summary="Kept by the release before.")
    url = reverse("incident-list")
    plain = client.get(url, HTTP_ACCEPT_ENCODING="identity").content
    key = public_cache.page_key(public_cache.LISTS, RequestFactory().get(url), "response")
    assert cache.get(key) is not None  # the key the page was kept under
    cache.set(key, (200, "text/html; charset=utf-8", plain))
    public_cache.forget_kept()
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert response.content == plain
    assert public_cache._pages_bytes == len(plain)
