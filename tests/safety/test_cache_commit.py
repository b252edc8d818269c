"""Cached public pages are cleared when a change commits, on every write path, never before."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from incidents import imports
from incidents.public import cache as public_cache

from .. import factories
from ..imports.conftest import write_csv as write_csv_fixture

write_csv = write_csv_fixture
REGION_HEADER = ["code", "name_en", "level", "parent", "name_ru", "latitude", "longitude"]

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def generation(scope):
    return cache.get(public_cache._generation_key(scope))


def test_reference_data_clears_on_commit_not_before(region, django_capture_on_commit_callbacks):
    before = generation(public_cache.REFERENCE)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        region.name_en = "Almaty city"
        region.save()
        assert generation(public_cache.REFERENCE) == before  # a concurrent miss would re-cache old rows
    assert callbacks
    assert generation(public_cache.REFERENCE) != before


def test_an_attachment_of_a_public_incident_clears_on_commit(election, region, django_capture_on_commit_callbacks):
    from ..public_data import published

    incident = published(election, region)
    before = generation(public_cache.LISTS)
    with django_capture_on_commit_callbacks(execute=True):
        factories.AttachmentFactory(incident=incident, is_public=True)
        assert generation(public_cache.LISTS) == before
    assert generation(public_cache.LISTS) != before


def test_an_import_clears_every_page_after_it_commits(write_csv, django_capture_on_commit_callbacks):
    path = write_csv([REGION_HEADER, ["KZ-11", "Akmola", "region", "", "Акмолинская область", "", ""]])
    before = generation(public_cache.REFERENCE), generation(public_cache.LISTS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = imports.run_import(imports.IMPORTERS["regions"](), imports.open_table(path), write=True)
    assert report.written
    assert (generation(public_cache.REFERENCE), generation(public_cache.LISTS)) == before
    for callback in callbacks:
        callback()
    assert generation(public_cache.REFERENCE) != before[0]
    assert generation(public_cache.LISTS) != before[1]


def test_a_dry_run_import_clears_nothing(write_csv, django_capture_on_commit_callbacks):
    path = write_csv([REGION_HEADER, ["KZ-11", "Akmola", "region", "", "Акмолинская область", "", ""]])
    before = generation(public_cache.REFERENCE)
    with django_capture_on_commit_callbacks(execute=True):
        imports.run_import(imports.IMPORTERS["regions"](), imports.open_table(path), write=False)
    assert generation(public_cache.REFERENCE) == before


def deploy_check(**env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    clean.update(
        {
            "DJANGO_SECRET_KEY": "a-production-like-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "observer.example.org",
            "DJANGO_DEBUG": "false",
        },
        **env,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_several_workers_on_a_per_process_cache_are_refused():
    result = deploy_check(WEB_CONCURRENCY="4")
    assert result.returncode != 0
    assert "observer.E002" in result.stderr


def test_one_process_on_a_per_process_cache_is_warned_about():
    result = deploy_check()
    assert "observer.W002" in result.stderr + result.stdout
