"""The composer: the annual_report JSON, the scope of the organization and its children."""

import datetime
import json
from unittest import mock

from django.http import Http404

from organizations.models import MembershipFigure, OrganizationKind
from reports import summary as summary_module
from reports.summary import AnnualSummary
from tests.base import PortalTestCase, make_org
from tests.reports.fakes import FAKE_SECTIONS
from unionportal.reporting import Period

YEAR = 2024
PERIOD = Period.year(YEAR)
# DESIGN.md's annual_report JSON, in its order.
DESIGN_KEYS = [
    "organization",
    "period",
    "organizations",
    "cadres",
    "training",
    "activities",
    "honours",
    "relief",
    "funds",
    "standardization",
]


class SummaryTestCase(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.township_b = make_org(cls.district_b, "乙区城关镇工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        cls.district_b.refresh_from_db()
        cls.city.refresh_from_db()
        MembershipFigure.objects.create(organization=cls.union_a, year=YEAR, members=70)
        MembershipFigure.objects.create(organization=cls.union_b, year=YEAR, members=30)


class FakeSectionsMixin:
    """The composer alone: the small sections of tests/reports/fakes.py instead of the apps'."""

    def setUp(self):
        super().setUp()
        patcher = mock.patch.object(summary_module, "SECTIONS", FAKE_SECTIONS)
        patcher.start()
        self.addCleanup(patcher.stop)


class ComposerTest(FakeSectionsMixin, SummaryTestCase):
    def test_json_is_organization_period_then_each_sections_data_under_its_key(self):
        data = AnnualSummary(self.lena, self.city, PERIOD).as_json()
        self.assertEqual(
            data,
            {
                "organization": "测试市总工会",
                "period": {"from": "2024-01-01", "to": "2024-12-31"},
                "organizations": {"total": 5},
                "members": {"members": "100.00"},
            },
        )
        self.assertEqual(json.loads(json.dumps(data)), data)

    def test_sections_come_in_the_order_of_the_registry(self):
        sections = AnnualSummary(self.lena, self.city, PERIOD).sections
        self.assertEqual([section.key for section in sections], ["organizations", "members"])

    def test_children_are_the_direct_children_in_tree_order(self):
        summary = AnnualSummary(self.lena, self.city, PERIOD)
        self.assertEqual(summary.children, [self.district_a, self.district_b])
        rows = summary.section("organizations").children
        values = [(row.organization, row.cells[0].value) for row in rows]
        # Each child's whole branch, the child included.
        self.assertEqual(values, [(self.district_a, 2), (self.district_b, 3)])

    def test_a_leader_of_district_b_counts_only_district_b(self):
        summary = AnnualSummary(self.leo, self.district_b, PERIOD)
        self.assertEqual(summary.as_json()["organizations"], {"total": 2})
        self.assertEqual(summary.as_json()["members"], {"members": "30.00"})
        self.assertEqual(summary.children, [self.union_b, self.township_b])

    def test_an_organization_outside_the_scope_does_not_exist(self):
        with self.assertRaises(Http404):
            AnnualSummary(self.leo, self.district_a, PERIOD)
        with self.assertRaises(Http404):
            AnnualSummary(self.leo, self.city, PERIOD)

    def test_the_superuser_reports_on_any_organization(self):
        self.assertEqual(AnnualSummary(self.root, self.district_a, PERIOD).as_json()["organizations"], {"total": 1})

    def test_any_period_and_the_same_period_a_year_earlier(self):
        period = Period(datetime.date(2024, 2, 29), datetime.date(2024, 6, 30))
        summary = AnnualSummary(self.lena, self.city, period)
        self.assertEqual(summary.as_json()["period"], {"from": "2024-02-29", "to": "2024-06-30"})
        self.assertEqual(summary.context.previous, Period(datetime.date(2023, 2, 28), datetime.date(2023, 6, 30)))

    def test_every_chart_gets_the_id_of_its_div(self):
        charts = AnnualSummary(self.lena, self.city, PERIOD).charts_json()
        self.assertEqual([chart["id"] for chart in charts], ["chart-organizations-by_child"])
        self.assertEqual(charts[0]["categories"], ["甲区总工会", "乙区总工会"])
        self.assertEqual(charts[0]["series"][0]["data"], [2, 3])


class RealSectionsTest(PortalTestCase):
    def test_the_json_has_exactly_the_keys_of_design_md_in_order(self):
        data = AnnualSummary(self.lena, self.city, PERIOD).as_json()
        self.assertEqual(list(data), DESIGN_KEYS)
        self.assertEqual(json.loads(json.dumps(data)), data)

    def test_the_registry_has_one_section_per_key_of_the_contract(self):
        sections = AnnualSummary(self.lena, self.city, PERIOD).sections
        self.assertEqual([section.key for section in sections], DESIGN_KEYS[2:])
