import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def test_home_shows_national_results_and_regions(client, demo):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Election to the Mazhilis of Kazakhstan, 2021" in page
    assert "63.25%" in page
    assert "5,148,074" in page or "5148074" in page
    assert "Nur Otan" in page and "North Kazakhstan Region" in page
    assert "75.5%" in page and "30.3%" in page


def test_home_in_russian_and_kazakh(client, demo):
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Нур Отан" in page and "Северо-Казахстанская область" in page
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Нұр Отан" in page and "Солтүстік Қазақстан облысы" in page


def test_language_switcher_sets_the_language(client, demo):
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert "Нур Отан" in client.get("/").content.decode()


def test_home_without_any_election(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No election yet" in response.content.decode()


def test_home_query_count_does_not_grow_with_regions(client, django_assert_max_num_queries):
    election = factories.ElectionFactory(is_current=True)
    factories.OfficialResultFactory(election=election, region=None)
    for _ in range(30):
        factories.OfficialResultFactory(election=election)
    # election, national result, its party results, regions, regional results,
    # incident counts, latest incidents, whether station results exist (the forensics link);
    # the header's election switcher; the PVT sample
    with django_assert_max_num_queries(10):
        assert client.get(reverse("home")).status_code == 200


def test_home_is_phone_ready(client, demo):
    page = client.get(reverse("home")).content.decode()
    assert 'name="viewport"' in page and "width=device-width" in page
