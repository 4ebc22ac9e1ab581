"""What a district's staff member does in a browser, end to end, against the live server.

Chinese first: the browser asks for zh-CN, and assertions use text that is Chinese by
construction (organization names, Django's own catalogue) or the zh-hans translation of a
string through `zh()`, so they hold while the project's catalogue is still being written.
"""

import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from organizations.models import Organization, OrganizationKind, UnitType
from tests.base import PASSWORD, make_user
from tests.browser.conftest import LOGIN_BUTTON_ZH, LOGIN_PASSWORD_LABEL_ZH, LOGIN_USERNAME_LABEL_ZH, zh, zh_label
from unionportal.roles import Role

pytestmark = pytest.mark.browser

BOOTSTRAP_PRIMARY = "rgb(13, 110, 253)"


def named(text):
    """An accessible name that is exactly `text` after the Bootstrap icon, whose glyph (a
    private-use character drawn by CSS) counts as part of the name."""
    return re.compile("^[\\s\ue000-\uf8ff]*" + re.escape(text) + "\\s*$")


def navbar_link(tab, text):
    return tab.locator("nav.navbar").get_by_role("link", name=named(text))


def test_login_in_chinese_shows_organization_and_role(tab, people, live_server, screenshot):
    tab.goto("/")
    # Not logged in: the home page sends the browser to the login form.
    expect(tab).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(tab.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(tab.get_by_role("heading", name=LOGIN_BUTTON_ZH)).to_be_visible()
    expect(tab.get_by_label(LOGIN_USERNAME_LABEL_ZH)).to_be_visible()
    # Bootstrap is loaded: the navbar has its primary colour, not the browser's default.
    expect(tab.locator("nav.navbar")).to_have_css("background-color", BOOTSTRAP_PRIMARY)

    tab.get_by_label(LOGIN_USERNAME_LABEL_ZH).fill("alice")
    tab.get_by_label(LOGIN_PASSWORD_LABEL_ZH).fill(PASSWORD)
    tab.get_by_role("button", name=LOGIN_BUTTON_ZH).click()

    expect(tab).to_have_url(f"{live_server.url}/")
    expect(tab.locator("html")).to_have_attribute("lang", "zh-hans")
    user_menu = tab.get_by_test_id("user-menu")
    expect(user_menu).to_contain_text("Alice")
    expect(user_menu).to_contain_text("甲区总工会")
    expect(user_menu).to_contain_text(zh_label(Role.STAFF))
    expect(tab.get_by_role("heading", level=1)).to_have_text("甲区总工会")

    # The dropdown spells out organization and role.
    user_menu.click()
    dropdown = tab.locator(".dropdown-menu.show")
    expect(dropdown).to_contain_text("甲区总工会")
    expect(dropdown).to_contain_text(zh_label(Role.STAFF))
    screenshot(tab, "login")


def test_at_1280_px_no_menu_label_breaks_inside(tab, people, log_in, screenshot):
    """An administrator has eleven menu items, and a township federation's user a long name:
    at 1280 px the bar held them by breaking every label across two lines (组织 / 树, 帮 /
    扶救助). Whole items go on to a second row instead."""
    make_user("甲区城关街道工会联合会管理员", people.township, "admin")  # the full name is the username
    log_in("甲区城关街道工会联合会管理员")
    links = tab.locator("nav.navbar .nav-link")
    expect(links.filter(has_text="甲区城关街道工会联合会管理员")).to_be_visible()
    heights = links.evaluate_all("links => links.map(link => link.getBoundingClientRect().height)")
    assert len(heights) >= 12
    assert max(heights) == min(heights), heights
    assert tab.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(tab, "menu-1280")


def test_union_tree_expand_collapse_and_search(tab, people, log_in, screenshot):
    log_in("alice")
    navbar_link(tab, zh("Union tree")).click()
    expect(tab).to_have_url(re.compile(r"/organizations/tree/$"))

    tree = tab.get_by_test_id("tree")
    expect(tree.get_by_role("link", name="甲区总工会")).to_be_visible()
    expect(tree.get_by_role("link", name="甲区第一中学工会")).to_be_visible()
    expect(tree.get_by_role("link", name="甲区城关街道工会联合会")).to_be_visible()
    # Only the user's branch, and deeper levels are not loaded yet.
    expect(tree).not_to_contain_text("乙区")
    expect(tree).not_to_contain_text("城关第一小学工会")

    children_requests = []
    tab.on("request", lambda request: "/children/" in request.url and children_requests.append(request.url))
    toggle = tab.get_by_test_id(f"expand-{people.township.pk}")
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()  # htmx loads the children
    school = tree.get_by_role("link", name="城关第一小学工会")
    factory = tree.get_by_role("link", name="城关食品厂工会")
    expect(school).to_be_visible()
    expect(factory).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(school).to_have_attribute("href", people.school.get_absolute_url())
    screenshot(tab, "union-tree")

    toggle.click()  # collapse
    expect(school).to_be_hidden()
    expect(factory).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()  # open again: shown from the page, not loaded a second time
    expect(school).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert len(children_requests) == 1, children_requests

    # Search by part of a name: only matches of the user's branch, each with its trail.
    search = tab.get_by_test_id("tree-search")
    search.fill("厂")
    search.press("Enter")
    expect(tab).to_have_url(re.compile(r"/organizations/tree/\?q="))
    matches = tab.get_by_test_id("tree-matches")
    expect(matches.get_by_role("listitem")).to_have_count(1)
    expect(matches).to_contain_text("甲区总工会 › 甲区城关街道工会联合会 › 城关食品厂工会")
    expect(matches).not_to_contain_text("乙区机械厂工会")
    matches.get_by_role("link", name="城关食品厂工会").click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("城关食品厂工会")


def test_create_organization_under_own_district(tab, people, log_in, screenshot):
    log_in("alice")
    navbar_link(tab, zh("Union tree")).click()
    tab.get_by_test_id("tree").get_by_role("link", name="甲区总工会", exact=True).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("甲区总工会")

    tab.get_by_test_id("add-child").click()
    expect(tab).to_have_url(re.compile(rf"/organizations/add/\?parent={people.district_a.pk}$"))
    parent = tab.locator("#id_parent")
    expect(parent).to_have_value(str(people.district_a.pk))
    # The parent list offers the user's branch only.
    expect(parent.locator("option", has_text="乙区总工会")).to_have_count(0)

    tab.locator("#id_name").fill("甲区实验小学工会")
    tab.locator("#id_short_name").fill("实验小学工会")
    tab.locator("#id_kind").select_option(OrganizationKind.GRASSROOTS.value)
    tab.locator("#id_unit_type").select_option(UnitType.INSTITUTION.value)
    tab.locator("#id_established").fill("2020-09-01")
    tab.get_by_role("button", name=zh("Save")).click()

    expect(tab).to_have_url(re.compile(r"/organizations/\d+/$"))
    created = Organization.objects.get(name="甲区实验小学工会")
    assert created.parent_id == people.district_a.pk
    assert created.kind == OrganizationKind.GRASSROOTS
    assert created.path.startswith(people.district_a.path)
    assert tab.url.endswith(created.get_absolute_url())
    expect(tab.get_by_role("heading", level=1)).to_contain_text("甲区实验小学工会")
    expect(tab.get_by_role("alert")).to_contain_text(zh("The organization was created."))
    breadcrumb = tab.get_by_role("navigation", name=zh("Breadcrumb"))
    expect(breadcrumb).to_contain_text("甲区总工会")
    expect(tab.locator("dl")).to_contain_text("实验小学工会")
    expect(tab.locator("dl")).to_contain_text("2020-09-01")
    screenshot(tab, "create-organization")


def fill_template(template, rows, destination):
    """Copy the downloaded template with `rows` (dicts keyed by column header) appended."""
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    headers = [str(cell.value).rstrip("*") for cell in sheet[1]]
    unknown = {key for row in rows for key in row} - set(headers)
    assert not unknown, f"not columns of the template: {unknown}"
    for row in rows:
        sheet.append([row.get(header) for header in headers])
    workbook.save(destination)
    return destination


def test_import_organizations_errors_then_success(tab, people, log_in, screenshot, tmp_path):
    log_in("alice")
    navbar_link(tab, zh("Organizations")).click()
    tab.get_by_role("link", name=named(zh("Import"))).click()
    expect(tab).to_have_url(re.compile(r"/organizations/import/$"))

    with tab.expect_download() as download_info:
        tab.get_by_test_id("template-download").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    grassroots = zh_label(OrganizationKind.GRASSROOTS)
    bad = fill_template(
        template,
        [
            {
                "名称": "甲区新建机关工会",
                "上级组织": "甲区总工会",
                "组织类别": grassroots,
                "单位性质": zh_label(UnitType.ORGAN),
            },
            {"名称": "甲区错误类别工会", "上级组织": "甲区总工会", "组织类别": "不存在的类别"},
        ],
        tmp_path / "bad.xlsx",
    )
    tab.get_by_label(zh("Workbook (.xlsx)")).set_input_files(bad)
    tab.get_by_test_id("upload").click()

    errors = tab.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    error_rows = errors.locator("tbody tr")
    expect(error_rows).to_have_count(1)
    expect(error_rows.locator("td")).to_have_text(["3", "组织类别", re.compile("不存在的类别")])
    expect(tab.get_by_test_id("confirm-import")).to_have_count(0)
    expect(tab.get_by_test_id("import-preview")).to_have_count(0)
    assert not Organization.objects.filter(name__in=["甲区新建机关工会", "甲区错误类别工会"]).exists()
    screenshot(tab, "import-organizations")

    good = fill_template(
        template,
        [
            {
                "名称": "甲区新城街道工会联合会",
                "上级组织": "甲区总工会",
                "组织类别": zh_label(OrganizationKind.TOWNSHIP_FEDERATION),
            },
            {
                "名称": "新城电子厂工会",
                "上级组织": "甲区新城街道工会联合会",  # created by the row above
                "组织类别": grassroots,
                "单位性质": zh_label(UnitType.PRIVATE_ENTERPRISE),
                "会员人数": 120,
                "职工人数": 150,
            },
        ],
        tmp_path / "good.xlsx",
    )
    tab.get_by_label(zh("Workbook (.xlsx)")).set_input_files(good)
    tab.get_by_test_id("upload").click()

    preview = tab.get_by_test_id("import-preview")
    expect(preview.locator("tbody tr")).to_have_count(2)
    expect(preview).to_contain_text("甲区新城街道工会联合会")
    expect(preview).to_contain_text("新城电子厂工会")
    # The preview is a dry run: still nothing saved before confirming.
    assert not Organization.objects.filter(name="新城电子厂工会").exists()

    tab.get_by_test_id("confirm-import").click()
    expect(tab).to_have_url(re.compile(r"/organizations/$"))
    # The success message counts the rows (its wording is the catalogue's business).
    expect(tab.locator(".alert-success")).to_contain_text("2")
    table = tab.locator("table")
    expect(table.get_by_role("link", name="甲区新城街道工会联合会")).to_be_visible()
    expect(table.get_by_role("link", name="新城电子厂工会")).to_be_visible()
    township = Organization.objects.get(name="甲区新城街道工会联合会")
    factory = Organization.objects.get(name="新城电子厂工会")
    assert township.parent_id == people.district_a.pk
    assert factory.parent_id == township.pk
    assert factory.membership_figures.get().members == 120


def test_language_switch_to_english_is_remembered(tab, people, log_in, live_server, screenshot):
    log_in("alice")
    navbar_link(tab, zh("Union tree")).click()
    expect(tab.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(tab.get_by_test_id("language-zh-hans")).to_have_count(0)

    tab.get_by_test_id("language-en").click()

    # Back on the same page, now in English.
    expect(tab.locator("html")).to_have_attribute("lang", "en")
    expect(tab).to_have_url(f"{live_server.url}{reverse('organizations:organization_tree')}")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Union tree")
    expect(navbar_link(tab, "Organizations")).to_be_visible()
    expect(tab.get_by_test_id("language-en")).to_have_count(0)
    expect(tab.get_by_test_id("language-zh-hans")).to_be_visible()
    # Organization names are data and stay Chinese.
    expect(tab.get_by_test_id("tree")).to_contain_text("甲区第一中学工会")
    cookies = {cookie["name"]: cookie["value"] for cookie in tab.context.cookies()}
    assert cookies.get("django_language") == "en"
    screenshot(tab, "language-switch")

    # Remembered on the next page load, although the browser still asks for zh-CN.
    navbar_link(tab, "Organizations").click()
    expect(tab).to_have_url(re.compile(r"/organizations/$"))
    expect(tab.locator("html")).to_have_attribute("lang", "en")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Organizations")
    tab.goto("/")
    expect(tab.locator("html")).to_have_attribute("lang", "en")

    # And back to Chinese.
    tab.get_by_test_id("language-zh-hans").click()
    expect(tab.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(tab.get_by_test_id("language-en")).to_be_visible()
