"""Acceptance: the annual summary of the demo federations gives back the figures of the seed
documents (seeds/README.md), through the command line's JSON and the page."""

import io
import json

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from accounts.demo import DEMO_SUPERUSER
from accounts.models import User
from organizations.models import Organization
from reports.summary import AnnualSummary
from unionportal.reporting import Period

PINGTANG = "平塘县总工会"
SHUANGYASHAN = "双鸭山市总工会"
SHUANGYASHAN_DISTRICTS = ["尖山区总工会", "岭东区总工会", "四方台区总工会", "宝山区总工会"]


def annual_report(org, start, end, *extra):
    stdout = io.StringIO()
    call_command("annual_report", "--org", org, "--from", start, "--to", end, "--format", "json", *extra, stdout=stdout)
    return json.loads(stdout.getvalue())


class DemoSummaryTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        cls.pingtang = annual_report(PINGTANG, "2014-01-01", "2018-03-31")
        cls.shuangyashan = annual_report(SHUANGYASHAN, "2012-01-01", "2012-12-31")

    def test_pingtang_has_506_organizations_285_organ_and_221_enterprise(self):
        organizations = self.pingtang["organizations"]
        self.assertEqual((organizations["total"], organizations["organ"], organizations["enterprise"]), (506, 285, 221))

    def test_pingtang_has_233_cadres_by_rank_and_9_social_workers(self):
        cadres = self.pingtang["cadres"]
        self.assertEqual(cadres["total"], 233)
        by_rank = {rank: count for rank, count in cadres["by_rank"].items() if count}
        self.assertEqual(by_rank, {"deputy_division": 1, "section": 17, "deputy_section": 91, "unit": 124})
        self.assertEqual(cadres["social_workers"], 9)

    def test_pingtang_honours_by_level(self):
        by_level = self.pingtang["honours"]["by_level"]
        self.assertEqual(
            [by_level["national"], by_level["provincial"], by_level["prefecture"], by_level["county"]], [2, 6, 40, 188]
        )
        self.assertEqual(self.pingtang["honours"]["total"], 236)

    def test_pingtang_relief_1105000_yuan_in_850_person_times(self):
        relief = self.pingtang["relief"]
        self.assertEqual((relief["amount"], relief["person_times"]), ("1105000.00", 850))

    def test_pingtang_labour_competitions_drew_15000_participants(self):
        self.assertEqual(self.pingtang["activities"]["by_kind"]["competition"]["participants"], 15000)

    def test_the_json_has_the_keys_of_design_md(self):
        self.assertEqual(
            list(self.pingtang),
            [
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
            ],
        )
        self.assertEqual(self.pingtang["organization"], PINGTANG)
        self.assertEqual(self.pingtang["period"], {"from": "2014-01-01", "to": "2018-03-31"})

    def test_shuangyashan_2012_has_24_staff_aged_39_on_average_all_college_educated(self):
        cadres = self.shuangyashan["cadres"]
        self.assertEqual(cadres["total"], 24)
        self.assertEqual(cadres["average_age"], 39.0)
        self.assertEqual(cadres["college_or_higher"], 24)
        self.assertEqual(cadres["by_rank"]["deputy_division"], 4)
        self.assertEqual(cadres["by_position"]["chair"], 4)
        self.assertEqual(cadres["by_position"]["vice_chair"], 6)

    def test_each_shuangyashan_district_received_30000_yuan_in_2012(self):
        root = User.objects.get(username=DEMO_SUPERUSER)
        city = Organization.objects.get(name=SHUANGYASHAN, parent=None)
        summary = AnnualSummary(root, city, Period.year(2012))
        funds = summary.section("funds")
        received = funds.columns.index(next(column for column in funds.columns if column[0] == "received"))
        rows = {row.organization.name: row.cells[received].value for row in funds.children if not row.own}
        self.assertEqual(
            {name: f"{value:.2f}" for name, value in rows.items()}, dict.fromkeys(SHUANGYASHAN_DISTRICTS, "30000.00")
        )

    def test_the_pingtang_leader_sees_the_same_figures_on_the_page(self):
        leader = User.objects.get(username="pingtang_leader")
        self.client.force_login(leader)
        response = self.client.get(reverse("reports:annual_summary"), {"from": "2014-01-01", "to": "2018-03-31"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["summary"].as_json(), {**self.pingtang})
        self.assertContains(response, "1,105,000.00")
