"""The leader's dashboard (the home page of everyone but auditors) and the list of units that
have not filed this year's membership figures."""

import datetime
import io
import re
from urllib.parse import parse_qs, urlparse

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from organizations.models import MembershipFigure
from relief.models import DisbursementStatus
from tests.base import PortalTestCase, make_org
from tests.reports.data import activity, allocate, group_disbursement, programme
from tests.workbooks import response_bytes

HOME = reverse("home")
DASHBOARD = reverse("reports:dashboard")
MISSING = reverse("reports:missing_figures")


def query_of(link):
    return {key: values[0] for key, values in parse_qs(urlparse(link.replace("&amp;", "&")).query).items()}


class DashboardTestCase(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.today = timezone.localdate()
        cls.year = cls.today.year
        cls.union_a2 = make_org(cls.district_a, "甲区第二中学工会")
        cls.city.refresh_from_db()
        activity(cls.union_a, 7777, start=cls.today)
        activity(cls.union_b, 3333, start=cls.today)
        activity(cls.union_b, 1111, start=cls.today.replace(year=cls.year - 1))
        relief = programme(cls.city, cls.year)
        group_disbursement(relief, cls.district_a, "7777.00", date=cls.today)
        group_disbursement(relief, cls.district_b, "3333.00", date=cls.today)
        group_disbursement(relief, cls.district_b, "1000.00", date=cls.today)
        group_disbursement(relief, cls.district_b, "500.00", status=DisbursementStatus.DRAFT, date=cls.today)
        MembershipFigure.objects.create(organization=cls.union_a, year=cls.year, members=40)
        MembershipFigure.objects.create(organization=cls.union_b, year=cls.year - 1, members=20)


class DashboardTest(DashboardTestCase):
    def test_home_of_a_district_leader_is_the_dashboard_of_the_district(self):
        response = self.login(self.leo).get(HOME)
        self.assertEqual(response.status_code, 200)
        dashboard = response.context["dashboard"]
        self.assertEqual(dashboard.organization, self.district_b)
        self.assertEqual(dashboard.period.start, datetime.date(self.year, 1, 1))
        self.assertEqual(dashboard.period.end, self.today)
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, "乙区总工会</h1>")

    def test_key_figures_against_last_year_each_linked(self):
        response = self.login(self.leo).get(HOME)
        figures = {(section.key, figure.key): figure for section, figure in response.context["dashboard"].key_figures}
        participants = figures[("activities", "participants")]
        self.assertEqual((participants.value, participants.previous, participants.change), (3333, 1111, 2222))
        self.assertEqual(participants.change_percent, 200.0)
        for (section, key), figure in figures.items():
            self.assertTrue(figure.link, (section, key))
            self.assertContains(response, f'href="{escape(figure.link)}" data-testid="key-{section}-{key}"')
        self.assertContains(response, "+200.0%")

    def test_relief_awaiting_approval_counts_submitted_disbursements_of_the_branch(self):
        response = self.login(self.leo).get(HOME)
        waiting = response.context["dashboard"].awaiting_approval
        self.assertEqual((waiting["count"], str(waiting["amount"])), (2, "4333.00"))
        self.assertEqual(urlparse(waiting["link"]).path, reverse("relief:disbursement_list"))
        self.assertEqual(query_of(waiting["link"]), {"branch": str(self.district_b.pk), "status": "submitted"})
        self.assertContains(response, "4,333.00")
        listed = self.client.get(waiting["link"])
        self.assertEqual(listed.status_code, 200)
        self.assertEqual(listed.context["table"].paginator.count, 2)

    def test_units_without_this_years_membership_figures_are_counted_and_listed(self):
        response = self.login(self.lena).get(HOME)
        missing = response.context["dashboard"].missing_figures
        self.assertEqual((missing["count"], missing["year"]), (2, self.year))
        listed = self.client.get(missing["link"])
        names = [row.record.name for row in listed.context["table"].rows]
        self.assertEqual(names, ["甲区第二中学工会", "乙区机械厂工会"])
        leo = self.login(self.leo).get(HOME).context["dashboard"].missing_figures
        self.assertEqual(leo["count"], 1)

    def test_the_childrens_table_has_each_child_with_its_key_figures(self):
        response = self.login(self.lena).get(HOME)
        table = response.context["dashboard"].children_table
        rows = [row for row in table["rows"] if not row["own"]]
        self.assertEqual([row["organization"] for row in rows], [self.district_a, self.district_b])
        position = [(section.key, figure.key) for section, figure in table["figures"]].index(
            ("activities", "participants")
        )
        self.assertEqual([row["cells"][position].value for row in rows], [7777, 3333])
        for row in rows:
            self.assertEqual(query_of(row["cells"][position].link)["branch"], str(row["organization"].pk))
        self.assertContains(response, 'data-testid="children-table"')
        self.assertContains(response, f"{DASHBOARD}?organization={self.district_a.pk}")

    def test_charts_are_drawn_from_json_with_vendored_echarts(self):
        response = self.login(self.leo).get(HOME)
        self.assertContains(response, 'id="report-charts"')
        self.assertContains(response, "/static/vendor/echarts-6.1.0/echarts.min.js")
        for chart in response.context["charts"]:
            self.assertContains(response, f'id="{chart["id"]}"')

    def test_the_district_b_leader_sees_nothing_of_district_a(self):
        for url in (HOME, DASHBOARD, f"{DASHBOARD}?organization={self.union_b.pk}"):
            with self.subTest(url):
                text = self.login(self.leo).get(url).text
                self.assertNotIn("甲区", text)
                self.assertNotIn("7777", text.replace(",", ""))
                for link in re.findall(r'href="([^"]+)"', text):
                    branch = query_of(link).get("branch")
                    if branch:
                        self.assertIn(branch, {str(self.district_b.pk), str(self.union_b.pk)}, link)

    def test_another_organization_in_scope_and_out_of_it(self):
        self.login(self.leo)
        self.assertEqual(self.client.get(DASHBOARD, {"organization": self.union_b.pk}).status_code, 200)
        for value in (self.district_a.pk, self.city.pk, 99999, "x"):
            self.assertEqual(self.client.get(DASHBOARD, {"organization": value}).status_code, 404)

    def test_staff_and_the_superuser_land_on_a_dashboard_and_auditors_on_the_audit_log(self):
        self.assertEqual(self.login(self.alice).get(HOME).context["dashboard"].organization, self.district_a)
        self.assertEqual(self.login(self.root).get(HOME).context["dashboard"].organization, self.city)
        response = self.login(self.otto).get(HOME)
        self.assertRedirects(response, reverse("accounts:auditevent_list"), fetch_redirect_response=False)
        self.assertEqual(self.login(self.otto).get(DASHBOARD).status_code, 403)


class DashboardYearTest(DashboardTestCase):
    def test_a_year_gone_by_is_shown_whole_against_the_year_before(self):
        last = self.year - 1
        response = self.login(self.leo).get(HOME, {"year": last})
        dashboard = response.context["dashboard"]
        self.assertEqual(
            (dashboard.period.start, dashboard.period.end),
            (datetime.date(last, 1, 1), datetime.date(last, 12, 31)),
        )
        self.assertEqual(dashboard.previous.start, datetime.date(last - 1, 1, 1))
        figures = {(section.key, figure.key): figure for section, figure in dashboard.key_figures}
        participants = figures[("activities", "participants")]
        self.assertEqual((participants.value, participants.previous), (1111, 0))
        self.assertEqual(
            (query_of(participants.link)["start_after"], query_of(participants.link)["start_before"]),
            (f"{last}-01-01", f"{last}-12-31"),
        )
        self.assertContains(response, f"{last}年全年")
        self.assertContains(response, f'aria-current="page" href="{HOME}?year={last}" data-testid="year-{last}"')
        # The annual summary of the year shown, and the children's dashboards of the same year.
        summary = query_of(response.context["summary_query"] and f"?{response.context['summary_query']}")
        self.assertEqual((summary["from"], summary["to"]), (f"{last}-01-01", f"{last}-12-31"))

    def test_each_year_has_its_own_figures_in_the_cache(self):
        self.login(self.leo)
        for year, participants in ((self.year, 3333), (self.year - 1, 1111), (self.year, 3333)):
            with self.subTest(year=year):
                dashboard = self.client.get(HOME, {"year": year}).context["dashboard"]
                figures = {(section.key, figure.key): figure for section, figure in dashboard.key_figures}
                self.assertEqual(figures[("activities", "participants")].value, participants)

    def test_the_year_picker_keeps_the_organization_asked_for(self):
        district = self.district_b.pk
        response = self.login(self.leo).get(DASHBOARD, {"organization": district, "year": self.year - 2})
        self.assertContains(response, f'href="{DASHBOARD}?organization={district}" data-testid="year-{self.year}"')
        self.assertContains(
            response,
            f'href="{DASHBOARD}?organization={district}&amp;year={self.year - 1}" data-testid="year-{self.year - 1}"',
        )
        self.assertEqual(response.context["dashboard"].year, self.year - 2)

    def test_a_year_not_offered_is_named_and_this_year_shown(self):
        for value in ("1999", "abc", str(self.year + 1)):
            with self.subTest(value):
                response = self.login(self.leo).get(HOME, {"year": value})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["dashboard"].year, self.year)
                self.assertContains(response, 'data-testid="year-error"')
                self.assertContains(response, "年度：")
                self.assertContains(response, "已显示今年的数据。")


class MissingFiguresTest(DashboardTestCase):
    def test_the_list_is_scoped_filtered_by_year_and_exports(self):
        self.login(self.leo)
        response = self.client.get(MISSING)
        self.assertEqual([row.record.name for row in response.context["table"].rows], ["乙区机械厂工会"])
        last_year = self.client.get(MISSING, {"year": self.year - 1})
        self.assertEqual(list(last_year.context["table"].rows), [])
        export = self.client.get(MISSING, {"year": self.year, "export": "xlsx"})
        sheet = load_workbook(io.BytesIO(response_bytes(export))).worksheets[0]
        values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell]
        self.assertIn("乙区机械厂工会", values)
        self.assertFalse([value for value in values if "甲区" in str(value)])

    def test_a_deactivated_union_need_not_file(self):
        self.union_a2.deactivated = self.today - datetime.timedelta(days=1)
        self.union_a2.save()
        response = self.login(self.lena).get(MISSING)
        self.assertEqual([row.record.name for row in response.context["table"].rows], ["乙区机械厂工会"])


class QueryCountTest(PortalTestCase):
    def queries(self, url):
        cache.clear()  # the figures as computed, not from the cache
        with CaptureQueriesContext(connection) as context:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(context.captured_queries)

    def test_the_dashboard_costs_the_same_with_1_and_5_children(self):
        today = timezone.localdate()
        region = make_org(None, "测试州总工会", "city_federation")
        first = make_org(region, "一号县总工会", "county_federation")
        activity(first, 10, start=today)
        region.refresh_from_db()
        self.login(self.root)
        url = f"{DASHBOARD}?organization={region.pk}"
        self.client.get(url)
        few = self.queries(url)
        relief = programme(region, today.year)
        for number in range(4):
            county = make_org(region, f"{number}号新县总工会", "county_federation")
            union = make_org(county, f"{number}号厂工会", unit_type="private_enterprise")
            activity(union, 10 + number, start=today)
            allocate(region, county, "1000.00", today)
            group_disbursement(relief, county, "200.00", date=today)
            group_disbursement(relief, county, "300.00", status=DisbursementStatus.PAID, date=today)
        self.assertEqual(self.queries(url), few)
