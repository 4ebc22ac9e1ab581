"""Fixtures for the browser tests: Debian chromium driven by Playwright's sync API against
pytest-django's `live_server`.

A missing or broken browser is a failure, never a skip: the launch error fails the test, so a
CI machine without /usr/bin/chromium cannot pass the suite by silently running nothing.
"""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect, sync_playwright

from organizations.models import Organization, OrganizationKind, UnitType
from tests.base import PASSWORD, make_org, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Generous enough for a loaded CI machine; a working page answers in well under a second.
TIMEOUT_MS = 10_000


def zh(text):
    """What the portal shows for `text` in Chinese: the zh-hans translation when the catalogue
    has one, else the English source string (the catalogue is still being written)."""
    with translation.override("zh-hans"):
        return str(translation.gettext(text))


def zh_label(choice):
    """The Chinese label of a model choice (TextChoices member)."""
    with translation.override("zh-hans"):
        return str(choice.label)


@pytest.fixture(scope="session")
def chromium_browser():
    """One chromium for the whole run; each test gets its own context (cookies, storage)."""
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@dataclass
class BrowserErrors:
    """JavaScript errors, failed static files and requests leaving the machine seen by a tab:
    any is a failed test."""

    page_errors: list
    bad_responses: list
    outside_requests: list


@pytest.fixture
def tab(chromium_browser, live_server, settings, tmp_path):
    """A fresh browser context as a Chinese user's browser (Accept-Language zh-CN), 1280 px
    wide so the navbar is expanded. Fails the test on a JavaScript error or a static file
    (CSS, JS, font) that does not load, since either leaves the page unstyled or inert."""
    settings.IMPORT_ROOT = tmp_path / "imports"
    context = chromium_browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    errors = BrowserErrors(page_errors=[], bad_responses=[], outside_requests=[])

    def only_the_portal(route):
        # The portal must work on an intranet with no internet: nothing a page loads may
        # come from anywhere but the server under test.
        if route.request.url.startswith(live_server.url) or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            errors.outside_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_portal)
    new_page = context.new_page()
    new_page.on("pageerror", lambda error: errors.page_errors.append(str(error)))
    new_page.on(
        "response",
        lambda response: (
            errors.bad_responses.append(f"{response.status} {response.url}")
            if response.status >= 500 or ("/static/" in response.url and response.status >= 400)
            else None
        ),
    )
    expect.set_options(timeout=TIMEOUT_MS)
    yield new_page
    # Let the page's last requests finish before the database is flushed: the live server
    # shares the test's SQLite connection, and a request still running during the flush
    # would commit it half done.
    new_page.wait_for_load_state("networkidle")
    context.close()
    assert not errors.page_errors, f"JavaScript errors: {errors.page_errors}"
    assert not errors.bad_responses, f"Failed responses: {errors.bad_responses}"
    assert not errors.outside_requests, f"Requests leaving the machine: {errors.outside_requests}"


@pytest.fixture
def screenshot():
    """screenshot(tab, "flow-name") saves test-artifacts/flow-name.png, the full page."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(tab, name):
        path = ARTIFACTS / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    return save


@dataclass
class People:
    city: Organization
    district_a: Organization
    district_b: Organization
    union_a: Organization
    union_b: Organization
    township: Organization
    school: Organization
    factory: Organization
    alice: object


@pytest.fixture
def people(transactional_db):
    """The tree of tests/base.py, with a township under district A so that a node of alice's
    tree has children to expand:

    测试市总工会
    ├── 甲区总工会                       alice (staff)
    │   ├── 甲区第一中学工会
    │   └── 甲区城关街道工会联合会
    │       ├── 城关第一小学工会
    │       └── 城关食品厂工会
    └── 乙区总工会                       bob (staff)
        └── 乙区机械厂工会
    """
    city = make_org(None, "测试市总工会", OrganizationKind.CITY_FEDERATION)
    district_a = make_org(city, "甲区总工会", OrganizationKind.COUNTY_FEDERATION)
    district_b = make_org(city, "乙区总工会", OrganizationKind.COUNTY_FEDERATION)
    union_a = make_org(district_a, "甲区第一中学工会", unit_type=UnitType.INSTITUTION)
    township = make_org(district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
    school = make_org(township, "城关第一小学工会", unit_type=UnitType.INSTITUTION)
    factory = make_org(township, "城关食品厂工会", unit_type=UnitType.PRIVATE_ENTERPRISE)
    union_b = make_org(district_b, "乙区机械厂工会", unit_type=UnitType.PRIVATE_ENTERPRISE)
    for organization in (city, district_a, district_b, township):
        organization.refresh_from_db()
    alice = make_user("alice", district_a, "staff")
    make_user("bob", district_b, "staff")
    return People(city, district_a, district_b, union_a, union_b, township, school, factory, alice)


LOGIN_USERNAME_LABEL_ZH = "用户名"
LOGIN_PASSWORD_LABEL_ZH = "密码"
# The login button and heading ("Log in"); Django's own zh_Hans catalogue already has it.
LOGIN_BUTTON_ZH = "登录"


@pytest.fixture
def log_in(tab, live_server):
    """log_in(username) fills the real login form, in Chinese, and waits for the home page."""

    def submit(username, password=PASSWORD):
        tab.goto("/accounts/login/")
        tab.get_by_label(LOGIN_USERNAME_LABEL_ZH).fill(username)
        tab.get_by_label(LOGIN_PASSWORD_LABEL_ZH).fill(password)
        tab.get_by_role("button", name=LOGIN_BUTTON_ZH).click()
        expect(tab).to_have_url(f"{live_server.url}/")
        return tab

    return submit
