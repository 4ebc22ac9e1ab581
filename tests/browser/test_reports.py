"""A leader opens the dashboard, sees the charts drawn, clicks a figure and lands on the list
of exactly the records it counts."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.base import make_user

pytestmark = pytest.mark.browser


def test_a_leader_checks_a_dashboard_figure_in_two_clicks(tab, people, log_in, screenshot):
    make_user("lara", people.district_a, "leader")
    log_in("lara")
    expect(tab.get_by_role("heading", level=1)).to_have_text("甲区总工会")
    figure = tab.get_by_test_id("key-organizations-total")
    # Below district A: the school, the township federation and its two unions.
    expect(figure).to_have_text("4")
    # The charts are drawn by the vendored ECharts, and nothing of district B is on the page.
    chart = tab.locator("#chart-organizations-organizations_by_kind")
    expect(chart).to_have_attribute("data-ready", "true")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(tab.locator("main")).not_to_contain_text("乙区")
    screenshot(tab, "dashboard")

    figure.click()
    expect(tab).to_have_url(re.compile(r"/organizations/\?branch="))
    rows = tab.locator("table tbody tr")
    expect(rows).to_have_count(4)
    expect(tab.get_by_role("heading", level=1)).to_contain_text("4")
    for name in ("甲区第一中学工会", "甲区城关街道工会联合会", "城关第一小学工会", "城关食品厂工会"):
        expect(tab.locator("table tbody")).to_contain_text(name)
    screenshot(tab, "dashboard-figure-list")


def test_the_annual_summary_prints_without_the_navigation(tab, people, log_in, screenshot):
    make_user("lara", people.district_a, "leader")
    log_in("lara")
    tab.get_by_test_id("annual-summary").click()
    expect(tab).to_have_url(re.compile(r"/reports/annual/"))
    expect(tab.get_by_test_id("section-organizations")).to_be_visible()
    expect(tab.get_by_test_id("print")).to_be_visible()
    tab.emulate_media(media="print")
    expect(tab.locator("nav.navbar")).to_be_hidden()
    expect(tab.get_by_test_id("summary-form")).to_be_hidden()
    expect(tab.get_by_test_id("section-organizations")).to_be_visible()
    tab.emulate_media(media="screen")
    screenshot(tab, "annual-summary")


def test_a_leader_looks_back_at_last_year_on_the_dashboard(tab, people, log_in, screenshot):
    last = datetime.date.today().year - 1
    make_user("lara", people.district_a, "leader")
    log_in("lara")
    expect(tab.get_by_test_id("dashboard-period")).to_contain_text("本年截至目前")
    tab.get_by_test_id(f"year-{last}").click()
    expect(tab).to_have_url(re.compile(rf"\?year={last}$"))
    expect(tab.get_by_test_id("dashboard-period")).to_contain_text(f"{last}年全年")
    expect(tab.get_by_test_id(f"year-{last}")).to_have_attribute("aria-current", "page")
    # The annual summary button opens that year's summary.
    tab.get_by_test_id("annual-summary").click()
    expect(tab).to_have_url(re.compile(rf"from={last}-01-01&to={last}-12-31"))
    screenshot(tab, "dashboard-last-year")


def test_a_chart_of_counts_has_whole_numbers_on_its_axis(tab, people, log_in, screenshot):
    # The township's two unions: the axis of the bar chart by kind read 0, 0.5, 1, 1.5, 2.
    make_user("tina", people.township, "leader")
    log_in("tina")
    chart = tab.locator("#chart-organizations-organizations_by_kind")
    expect(chart).to_have_attribute("data-ready", "true")
    ticks = chart.evaluate(
        "element => echarts.getInstanceByDom(element).getModel().getComponent('yAxis').axis.scale"
        ".getTicks().map(tick => tick.value)"
    )
    assert ticks and all(value == int(value) for value in ticks), ticks
    screenshot(tab, "dashboard-whole-ticks")
