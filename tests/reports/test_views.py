"""The annual summary page and its workbook: defaults, scope, links, export role."""

import datetime
import io
import re
from unittest import mock
from urllib.parse import parse_qs, urlparse

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from accounts.models import AuditEvent
from tests.base import make_org
from tests.reports.data import A_PARTICIPANTS, B_PARTICIPANTS, YEAR, activity, allocate, both_districts
from tests.reports.test_summary import FakeSectionsMixin, SummaryTestCase
from unionportal.roles import ROLE_ACTIONS, Action, Role
from unionportal.xlsx import XLSX_CONTENT_TYPE

URL = reverse("reports:annual_summary")
A_NAMES = ("甲区总工会", "甲区第一中学工会")


def hrefs(text):
    return re.findall(r'href="([^"]+)"', text)


def workbook_text(content):
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value
    )


class PageTest(FakeSectionsMixin, SummaryTestCase):
    def get(self, user, **params):
        self.login(user)
        return self.client.get(URL, params)

    def test_default_is_the_users_organization_and_last_calendar_year(self):
        response = self.get(self.leo)
        self.assertEqual(response.status_code, 200)
        summary = response.context["summary"]
        last = timezone.localdate().year - 1
        self.assertEqual(summary.organization, self.district_b)
        period = (summary.period.start.isoformat(), summary.period.end.isoformat())
        self.assertEqual(period, (f"{last}-01-01", f"{last}-12-31"))

    def test_each_section_shows_title_note_figures_breakdown_and_charts(self):
        response = self.get(self.lena, organization=self.city.pk, **{"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"})
        self.assertContains(response, 'data-testid="section-organizations"')
        self.assertContains(response, "Organizations below, as of today.")
        self.assertContains(response, 'data-testid="breakdown-organizations"')
        self.assertContains(response, 'id="chart-organizations-by_child"')
        self.assertContains(response, 'id="report-charts"')
        self.assertContains(response, "vendor/echarts-6.1.0/echarts.min.js")
        self.assertContains(response, "js/charts.js")
        # The figure, the year before and the change (5 against 4: +1, +25.0%).
        figure = re.search(r'data-testid="figure-organizations-total">(\d+)</a>', response.text)
        self.assertEqual(figure.group(1), "5")
        self.assertContains(response, "+25.0%")
        # Yuan with two decimals and thousands separators.
        self.assertContains(response, ">100.00</a>")

    def test_every_figure_and_every_cell_is_a_link_to_its_list(self):
        response = self.get(self.lena, organization=self.city.pk, **{"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"})
        summary = response.context["summary"]
        for section in summary.sections:
            for figure in section.figures:
                link = f'<a href="{escape(figure.link)}" data-testid="figure-{section.key}-{figure.key}">'
                self.assertContains(response, link)
        organization_list = reverse("organizations:organization_list")
        links = [link for link in hrefs(response.text) if link.startswith(f"{organization_list}?")]
        branches = {parse_qs(urlparse(link.replace("&amp;", "&")).query)["branch"][0] for link in links}
        self.assertEqual(branches, {str(self.city.pk), str(self.district_a.pk), str(self.district_b.pk)})

    def test_any_period_may_be_asked_for(self):
        response = self.get(self.lena, organization=self.city.pk, **{"from": "2023-03-01", "to": "2024-02-29"})
        self.assertEqual(response.context["summary"].period.end.isoformat(), "2024-02-29")
        self.assertContains(response, "2023-03-01 – 2024-02-29")

    def test_a_period_ending_before_it_begins_is_an_error_on_the_form(self):
        response = self.get(self.lena, **{"from": "2024-03-01", "to": "2024-02-01"})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["summary"])
        self.assertIn("to", response.context["form"].errors)

    def test_year_shortcuts_keep_the_organization(self):
        response = self.get(self.lena, organization=self.district_a.pk)
        year = timezone.localdate().year
        self.assertContains(response, f"organization={self.district_a.pk}&amp;from={year}-01-01&amp;to={year}-12-31")

    def test_an_organization_outside_the_scope_is_404(self):
        for value in (self.district_a.pk, self.city.pk, 999999, "abc"):
            with self.subTest(value):
                self.assertEqual(self.get(self.leo, organization=value).status_code, 404)
                self.assertEqual(self.get(self.leo, organization=value, format="xlsx").status_code, 404)

    def test_a_grassroots_union_in_scope_may_be_reported_on(self):
        response = self.get(self.leo, organization=self.union_b.pk)
        self.assertEqual(response.context["summary"].organization, self.union_b)

    def test_the_dropdown_offers_federations_of_the_scope_only(self):
        response = self.get(self.leo)
        choices = [str(label) for _value, label in response.context["form"].fields["organization"].choices]
        self.assertEqual(choices, ["乙区总工会", "乙区城关镇工会联合会"])

    def test_the_auditor_is_refused_and_anonymous_goes_to_log_in(self):
        self.assertEqual(self.get(self.otto).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 302)


class ExportTest(FakeSectionsMixin, SummaryTestCase):
    def export(self, user, **params):
        self.login(user)
        query = {"organization": self.city.pk, "from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31", "format": "xlsx"}
        return self.client.get(URL, {**query, **params})

    def test_the_workbook_is_a_download_and_the_export_is_audited(self):
        response = self.export(self.lena)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        self.assertIn("attachment", response["Content-Disposition"])
        event = AuditEvent.objects.filter(kind="export").latest("pk")
        self.assertEqual(event.user, self.lena)
        self.assertEqual((event.message, event.params["report"]), ("report", "annual_summary"))
        workbook = load_workbook(io.BytesIO(response.content))
        self.assertEqual(workbook.sheetnames[1:], ["Units", "Members"])

    def test_export_without_the_export_role_is_403_and_not_audited(self):
        with mock.patch.dict(ROLE_ACTIONS, {Role.LEADER: {Action.VIEW}}):
            self.assertEqual(self.export(self.lena).status_code, 403)
            page = self.client.get(URL, {"organization": self.city.pk})
            self.assertEqual(page.status_code, 200)
            self.assertNotContains(page, 'data-testid="export"')
        self.assertFalse(AuditEvent.objects.filter(kind="export").exists())


class ScopeWithRealSectionsTest(SummaryTestCase):
    """Leo, leader of district B, against records on both sides, through every section."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        both_districts(cls)

    def assert_nothing_of_district_a(self, text):
        for name in A_NAMES:
            self.assertNotIn(name, text)
        self.assertNotIn(str(A_PARTICIPANTS), text.replace(",", ""))
        self.assertNotIn("71717", text.replace(",", ""))

    def test_page_links_charts_and_workbook_of_district_b_show_nothing_of_district_a(self):
        self.login(self.leo)
        query = {"organization": self.district_b.pk, "from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}
        page = self.client.get(URL, query)
        self.assertEqual(page.status_code, 200)
        self.assert_nothing_of_district_a(page.text)
        self.assertIn(str(B_PARTICIPANTS), page.text.replace(",", ""))
        own = {str(self.district_b.pk), str(self.union_b.pk), str(self.township_b.pk)}
        links = hrefs(page.text) + [link for chart in page.context["charts"] for link in chart["links"] if link]
        for link in links:
            branch = parse_qs(urlparse(link.replace("&amp;", "&")).query).get("branch")
            if branch:
                self.assertIn(branch[0], own, link)
        self.assert_nothing_of_district_a(str(page.context["charts"]))
        workbook = self.client.get(URL, {**query, "format": "xlsx"})
        text = workbook_text(workbook.content)
        self.assertIn("乙区总工会", text)
        self.assert_nothing_of_district_a(text)

    def test_the_city_leader_sees_both_districts(self):
        self.login(self.lena)
        page = self.client.get(URL, {"organization": self.city.pk, "from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"})
        text = page.text.replace(",", "")
        self.assertIn(str(A_PARTICIPANTS + B_PARTICIPANTS), text)
        self.assertIn("甲区总工会", text)


class QueryCountTest(SummaryTestCase):
    """The page and the workbook cost the same queries with one child and few records as with
    several children and many records, through the real sections."""

    def queries(self, url):
        cache.clear()  # the branch dropdown is kept until the tree changes: measure it cold
        with CaptureQueriesContext(connection) as context:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(context.captured_queries)

    def test_the_page_and_the_workbook_cost_the_same_with_1_and_5_children(self):
        self.login(self.root)
        region = make_org(None, "测试州总工会", "city_federation")
        first = make_org(region, "一号县总工会", "county_federation")
        activity(first, 10)
        region.refresh_from_db()
        base = f"{URL}?organization={region.pk}&from={YEAR}-01-01&to={YEAR}-12-31"
        urls = (base, f"{base}&format=xlsx")
        self.client.get(base)  # session and content types cached
        few = [self.queries(url) for url in urls]
        for number in range(4):
            county = make_org(region, f"{number}号新县总工会", "county_federation")
            union = make_org(county, f"{number}号厂工会", unit_type="private_enterprise")
            for day in (1, 2, 3):
                activity(union, 10 + day, start=datetime.date(YEAR, 4, day))
            allocate(region, county, "1000.00")
        for url, count in zip(urls, few, strict=True):
            self.assertEqual(self.queries(url), count)
