"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium), headless.

Playwright never downloads a browser here. Without Chromium these tests are
skipped, except when OBSERVER_REQUIRE_BROWSER=1 (as in CI), where they fail.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

CHROMIUM = Path(os.environ.get("OBSERVER_CHROMIUM", "/usr/bin/chromium"))
PHONE = {"width": 360, "height": 740}

# Playwright's sync API runs an event loop in the test thread; the test's own
# database calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found (apt-get install -y chromium)"
        if os.environ.get("OBSERVER_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, live_server):
    """Open browser contexts on the live server: ``new_context()`` is a phone,
    ``new_context(viewport={...})`` any other screen. Each is a browser of its own
    (its own cookies), closed after the test. Requests to other hosts fail the test."""
    contexts, outside = [], []

    def guard(route):
        if route.request.url.startswith(live_server.url):
            return route.continue_()
        outside.append(route.request.url)
        return route.abort()

    def open_context(viewport=PHONE, **options):
        context = chromium.new_context(viewport=viewport, base_url=live_server.url, **options)
        context.route("**/*", guard)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
    assert not outside, f"the page asked another host: {outside}"


@pytest.fixture
def page(new_context):
    """A phone-sized page; ``page.base_url`` is the live server. Requests to other hosts fail the test."""
    return new_context().new_page()


def demo_with_logins(settings):
    """The demo election with its accounts made ordinary ones, for browser tests that log in.

    ``load_demo`` gives its accounts their password only under debug, and demo accounts are
    refused whenever debug is off (``security.backends``); the suite runs with debug off, as
    production does. So the accounts the tests log in with stop being demo accounts here, as
    an operator's real accounts would be.
    """
    from django.contrib.auth import get_user_model

    from incidents.models import Observer
    from incidents.security.backends import DEMO_EMAIL_DOMAIN

    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    for user in get_user_model().objects.filter(email__iendswith=DEMO_EMAIL_DOMAIN):
        user.email = user.email.lower().replace(DEMO_EMAIL_DOMAIN, "@observer.test")
        user.save(update_fields=["email"])
    Observer.objects.filter(is_demo=True).update(is_demo=False)


def open_map(page):
    """Open the interactive map (its script comes only then) and wait until it has drawn."""
    page.locator("[data-map-open]").first.click()
    page.wait_for_selector("[data-map][data-state='ready']")
