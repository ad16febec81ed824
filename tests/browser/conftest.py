"""Playwright fixtures for browser tests: headless Debian Chromium against pytest-django's live server.

Every page must work with nothing loaded from the internet, so `browser_page`
routes every request, aborts any that leaves the loopback address, and fails
the test that made it. JavaScript errors on the page fail the test too.

Use in a test: `def test_x(browser_page, login, make_user): login(browser_page, user); browser_page.goto("/…")`.
"""

import os
from importlib import import_module
from urllib.parse import urlsplit

# Playwright's sync API runs an event loop in this thread; the ORM calls of the
# test itself (fixtures creating users and officials) are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session; each test gets its own context (cookies, storage)."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def loaded_urlconf():
    """Import every URL module once, before a browser waits on the first page.

    The first request otherwise pays for importing all views and API modules
    (several seconds), which a page load's timeout should not have to cover.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns


@pytest.fixture
def plain_http_settings(settings, loaded_urlconf, audit_log_flushable):
    """The live server speaks plain HTTP: no redirect to HTTPS, cookies without the Secure flag."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return settings


def _browser_context(chromium, live_server, **options):
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Asia/Shanghai", **options)
    context.outside_requests = []
    context.page_errors = []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            context.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_loopback)
    context.set_default_timeout(15_000)
    return context


def _open_page(context):
    page = context.new_page()
    page.on("pageerror", lambda error: context.page_errors.append(str(error)))
    return page


def _close_and_check(context):
    outside, errors = list(context.outside_requests), list(context.page_errors)
    context.close()
    assert not outside, f"the page tried to load from outside this machine: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def browser_page(chromium, live_server, plain_http_settings):
    """A fresh page on the live server (relative URLs work: `page.goto("/officials/")`).

    The test fails if the page requests anything from a non-loopback host or
    throws a JavaScript error.
    """
    context = _browser_context(chromium, live_server)
    yield _open_page(context)
    _close_and_check(context)


@pytest.fixture
def browser_page_without_js(chromium, live_server, plain_http_settings):
    """Like `browser_page`, with JavaScript turned off: every page must still work by plain links and forms."""
    context = _browser_context(chromium, live_server, java_script_enabled=False)
    yield _open_page(context)
    _close_and_check(context)


@pytest.fixture
def login():
    """`login(page, user)`: sign in through the login form (users from `make_user` share one password)."""

    def sign_in(page, user, password: str = PASSWORD):
        page.goto("/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return sign_in
