"""The standardization report: hand-counted figures of three district federations in 2012
(as the Shuangyashan seed tells it), the year before, the gaps, the scope, what it costs in
queries, the workbook and the command line."""

import datetime
import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import AuditEvent
from cadres.models import Cadre, Education, Gender, Position, Post, Rank, Staffing
from organizations.models import FundAllocation, OrganizationKind, Purpose
from standards.models import Assessment, AssessmentItem, AssessmentStatus, Criterion, RatingThreshold, Standard
from standards.reports import Gap, StandardizationReport, default_standard
from tests.base import PortalTestCase, make_org
from unionportal.xlsx import XLSX_CONTENT_TYPE

YEAR = 2012
URL = reverse("reports:standardization_report")
ZERO_PURPOSES = dict.fromkeys(Purpose.values, "0.00")


def add_post(organization, name, position, *, rank=Rank.NONE, birth=None, education="", full_time=True, **extra):
    cadre = Cadre.objects.create(
        full_name=name, gender=Gender.MALE, birth_date=birth, education=education, organization=organization
    )
    fields = {"start": datetime.date(2010, 3, 1), "staffing": Staffing.INSTITUTION, **extra}
    Post.objects.create(
        cadre=cadre, organization=organization, position=position, rank=rank, full_time=full_time, **fields
    )
    return cadre


def allocate(recipient, amount, day, purpose=Purpose.ROUTINE, source=None, source_name=""):
    return FundAllocation.objects.create(
        source=source, source_name=source_name, recipient=recipient, date=day, amount=Decimal(amount), purpose=purpose
    )


class ReportTestCase(PortalTestCase):
    """测试市总工会 with three district federations (甲, 乙, 丙) and one dissolved in 2012 (丁).

    Against the district standard (office must pass 40, equipment 30, vehicle 30; compliant
    from 60; 5★ from 90 and 3★ from 60 only with the must-pass met, 1★ from 0 regardless):
    - 甲 2012 approved: all met, 100 points, compliant, 5★; 2011 approved: 70, compliant, 3★.
    - 乙 2012 approved: no office, 60 points, not compliant (must-pass), 1★; 2011 none.
    - 丙 2012 draft only: not assessed.
    Staffing on 31 December 2012:
    - 甲: chair 副处级 (born 1970-06-01, 42, bachelor, full-time), vice-chair 副科级 (born
      1980-12-31, 32 that very day, junior college, full-time), staff member (born 1985-01-01,
      27, secondary, part-time) who is also a committee member (one person); a social worker
      and a staff member whose post ended on 30 June do not count. 3 staff, 2 full-time,
      average age 101 / 3 = 33.7, 2 college or higher.
    - 乙: chair 正科级 (no birth date, bachelor, part-time), executive vice-chair (born
      1975-03-15, 37, postgraduate). 2 staff, 1 full-time, average age 37.0, 2 college.
    - 丙: no one (a post starting on 5 January 2013 does not count).
    Funds in 2012: 2,500 a month from the city to 甲 and 乙 (30,000.00 each), 50,000.00 of books
    to 甲, a 10,000.00 activity subsidy to 乙; 10,000 + 33,000 from 甲's district government
    (government funds, not funds received); December 2011 and January 2013 do not count."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        established = {"established": datetime.date(2005, 1, 1)}
        cls.district_c = make_org(cls.city, "丙区总工会", OrganizationKind.COUNTY_FEDERATION, **established)
        cls.district_d = make_org(
            cls.city,
            "丁区总工会",
            OrganizationKind.COUNTY_FEDERATION,
            deactivated=datetime.date(2012, 6, 1),
            **established,
        )
        cls.city.refresh_from_db()
        cls.standard = Standard.objects.create(
            name="区级工会标准化建设",
            owner=cls.city,
            kinds=[OrganizationKind.COUNTY_FEDERATION],
            pass_points=Decimal(60),
            expected_chair_rank=Rank.DEPUTY_DIVISION,
        )
        cls.office = Criterion.objects.create(
            standard=cls.standard, code="office", title="固定办公场所", points=40, must_pass=True, order=1
        )
        cls.equipment = Criterion.objects.create(
            standard=cls.standard, code="equipment", title="办公自动化", points=30, order=2
        )
        cls.vehicle = Criterion.objects.create(
            standard=cls.standard, code="vehicle", title="办公用车", points=30, order=3
        )
        RatingThreshold.objects.create(standard=cls.standard, rating=5, min_points=90)
        RatingThreshold.objects.create(standard=cls.standard, rating=3, min_points=60)
        RatingThreshold.objects.create(standard=cls.standard, rating=1, min_points=0, requires_all_must_pass=False)

        cls.assessment_a = cls.assess(cls.district_a, YEAR, [True, True, True])
        cls.assessment_b = cls.assess(cls.district_b, YEAR, [False, True, True])
        cls.draft_c = cls.assess(cls.district_c, YEAR, [True, False, False], status=AssessmentStatus.DRAFT)
        cls.assess(cls.district_a, YEAR - 1, [True, True, False])

        a, b, c = cls.district_a, cls.district_b, cls.district_c
        add_post(
            a,
            "张主席",
            Position.CHAIR,
            rank=Rank.DEPUTY_DIVISION,
            birth=datetime.date(1970, 6, 1),
            education="bachelor",
        )
        add_post(
            a,
            "李副主席",
            Position.VICE_CHAIR,
            rank=Rank.DEPUTY_SECTION,
            birth=datetime.date(1980, 12, 31),
            education=Education.COLLEGE,
        )
        wang = add_post(
            a, "王干事", Position.STAFF, birth=datetime.date(1985, 1, 1), education=Education.SECONDARY, full_time=False
        )
        Post.objects.create(
            cadre=wang,
            organization=a,
            position=Position.COMMITTEE_MEMBER,
            full_time=False,
            start=datetime.date(2011, 1, 1),
        )
        add_post(a, "赵社工", Position.STAFF, birth=datetime.date(1990, 1, 1), staffing=Staffing.SOCIAL_WORKER)
        add_post(a, "钱干事", Position.STAFF, birth=datetime.date(1960, 1, 1), end=datetime.date(2012, 6, 30))
        add_post(b, "孙主席", Position.CHAIR, rank=Rank.SECTION, education=Education.BACHELOR, full_time=False)
        add_post(
            b,
            "周常务",
            Position.EXECUTIVE_VICE_CHAIR,
            rank=Rank.DEPUTY_SECTION,
            birth=datetime.date(1975, 3, 15),
            education=Education.POSTGRADUATE,
        )
        add_post(c, "吴主席", Position.CHAIR, rank=Rank.DEPUTY_DIVISION, start=datetime.date(2013, 1, 5))

        for month in range(1, 13):
            allocate(a, 2500, datetime.date(YEAR, month, 1), source=cls.city)
            allocate(b, 2500, datetime.date(YEAR, month, 1), source=cls.city)
        allocate(a, 50000, datetime.date(YEAR, 4, 23), Purpose.BOOKS, source=cls.city)
        allocate(b, 10000, datetime.date(YEAR, 5, 1), Purpose.ACTIVITY_SUBSIDY, source=cls.city)
        allocate(a, 10000, datetime.date(YEAR, 9, 1), Purpose.ACTIVITY_SUBSIDY, source_name="甲区人民政府")
        allocate(a, 33000, datetime.date(YEAR, 10, 1), Purpose.ACTIVITY_SUBSIDY, source_name="甲区人民政府")
        allocate(a, 2500, datetime.date(YEAR - 1, 12, 31), source=cls.city)
        allocate(b, 2500, datetime.date(YEAR + 1, 1, 1), source=cls.city)

    @classmethod
    def assess(cls, organization, year, met, status=AssessmentStatus.APPROVED):
        criteria = list(cls.standard.criteria.all())
        items = [(criterion, is_met, criterion.points) for criterion, is_met in zip(criteria, met, strict=True)]
        score, _must_pass, compliant, rating = cls.standard.verdict(items)
        assessment = Assessment.objects.create(
            organization=organization,
            standard=cls.standard,
            year=year,
            status=status,
            score=score,
            compliant=compliant,
            rating=rating,
        )
        for criterion, is_met, points in items:
            AssessmentItem.objects.create(
                assessment=assessment, criterion=criterion, met=is_met, points=points if is_met else 0
            )
        return assessment

    def report(self, user=None, organization=None, year=YEAR):
        return StandardizationReport(user or self.lena, organization or self.city, self.standard, year)


UNIT_A = {
    "name": "甲区总工会",
    "score": 100.0,
    "rating": 5,
    "criteria": {"office": True, "equipment": True, "vehicle": True},
    "staff": 3,
    "full_time_staff": 2,
    "chairs": 1,
    "vice_chairs": 1,
    "chair_rank": "deputy_division",
    "average_age": 33.7,
    "college_or_higher": 2,
    "funds_received": "80000.00",
    "funds_by_purpose": {**ZERO_PURPOSES, "routine": "30000.00", "books": "50000.00"},
    "government_funds": "43000.00",
}
UNIT_B = {
    "name": "乙区总工会",
    "score": 60.0,
    "rating": 1,
    "criteria": {"office": False, "equipment": True, "vehicle": True},
    "staff": 2,
    "full_time_staff": 1,
    "chairs": 1,
    "vice_chairs": 1,
    "chair_rank": "section",
    "average_age": 37.0,
    "college_or_higher": 2,
    "funds_received": "40000.00",
    "funds_by_purpose": {**ZERO_PURPOSES, "routine": "30000.00", "activity_subsidy": "10000.00"},
    "government_funds": "0.00",
}
UNIT_C = {
    "name": "丙区总工会",
    "score": None,
    "rating": None,
    "criteria": {},
    "staff": 0,
    "full_time_staff": 0,
    "chairs": 0,
    "vice_chairs": 0,
    "chair_rank": None,
    "average_age": None,
    "college_or_higher": 0,
    "funds_received": "0.00",
    "funds_by_purpose": ZERO_PURPOSES,
    "government_funds": "0.00",
}
EXPECTED = {
    "organization": "测试市总工会",
    "year": 2012,
    "standard": "区级工会标准化建设",
    "units": [UNIT_A, UNIT_B, UNIT_C],
    "summary": {
        "units": 3,
        "assessed": 2,
        "compliant": 1,
        "by_rating": {"5": 1, "4": 0, "3": 0, "2": 0, "1": 1},
    },
}


class ReportFiguresTest(ReportTestCase):
    def test_json_of_the_city_is_exactly_the_hand_counted_figures(self):
        self.assertEqual(self.report().as_json(), EXPECTED)

    def test_json_keys_are_in_the_order_of_the_contract(self):
        data = self.report().as_json()
        self.assertEqual(list(data), ["organization", "year", "standard", "units", "summary"])
        self.assertEqual(list(data["units"][0])[:13], list(UNIT_A)[:13])
        self.assertEqual(list(data["units"][0]["funds_by_purpose"]), list(Purpose.values))

    def test_json_survives_a_round_trip_through_json(self):
        data = self.report().as_json()
        self.assertEqual(json.loads(json.dumps(data, ensure_ascii=False)), EXPECTED)

    def test_a_submitted_or_returned_assessment_is_not_assessed(self):
        Assessment.objects.filter(pk=self.assessment_b.pk).update(status=AssessmentStatus.SUBMITTED)
        data = self.report().as_json()
        self.assertEqual(data["units"][1]["score"], None)
        self.assertEqual(data["units"][1]["criteria"], {})
        self.assertEqual(data["summary"], {"units": 3, "assessed": 1, "compliant": 1, "by_rating": _ratings(5)})

    def test_units_are_those_of_the_standards_kinds_active_at_the_years_end(self):
        self.assertEqual([row.name for row in self.report().rows], ["甲区总工会", "乙区总工会", "丙区总工会"])
        # 丁 was dissolved in June 2012: in the report of 2011, not of 2012.
        self.assertEqual(
            [row.name for row in self.report(year=2011).rows], ["甲区总工会", "乙区总工会", "丙区总工会", "丁区总工会"]
        )

    def test_a_unit_established_after_the_year_is_not_listed(self):
        make_org(self.city, "戊区总工会", OrganizationKind.COUNTY_FEDERATION, established=datetime.date(2013, 2, 1))
        self.city.refresh_from_db()
        self.assertNotIn("戊区总工会", [row.name for row in self.report().rows])

    def test_the_organization_itself_is_a_unit_when_the_standard_applies_to_it(self):
        data = self.report(user=self.alice, organization=self.district_a).as_json()
        self.assertEqual(data["units"], [UNIT_A])
        self.assertEqual(data["summary"], {"units": 1, "assessed": 1, "compliant": 1, "by_rating": _ratings(5)})

    def test_allocations_from_inside_the_branch_count_as_received(self):
        allocate(self.district_c, 1234.5, datetime.date(YEAR, 7, 1), Purpose.RELIEF, source=self.district_a)
        unit_c = self.report().as_json()["units"][2]
        self.assertEqual(unit_c["funds_received"], "1234.50")
        self.assertEqual(unit_c["funds_by_purpose"]["relief"], "1234.50")


def _ratings(*ratings):
    counts = {str(stars): 0 for stars in (5, 4, 3, 2, 1)}
    for stars in ratings:
        counts[str(stars)] += 1
    return counts


class PreviousYearTest(ReportTestCase):
    def test_each_unit_against_the_year_before(self):
        comparison = self.report().previous_year()
        self.assertEqual(comparison["year"], 2011)
        self.assertEqual(
            comparison["units"],
            [
                {"name": "甲区总工会", "score": 70.0, "rating": 3, "score_change": 30.0, "rating_change": 2},
                {"name": "乙区总工会", "score": None, "rating": None, "score_change": None, "rating_change": None},
                {"name": "丙区总工会", "score": None, "rating": None, "score_change": None, "rating_change": None},
            ],
        )

    def test_the_summary_of_the_year_before_counts_its_own_units(self):
        comparison = self.report().previous_year()
        # 丁 was still active at the end of 2011.
        self.assertEqual(comparison["summary"], {"units": 4, "assessed": 1, "compliant": 1, "by_rating": _ratings(3)})
        self.assertEqual(
            comparison["changes"],
            {"units": -1, "assessed": 1, "compliant": 0, "by_rating": {"5": 1, "4": 0, "3": -1, "2": 0, "1": 1}},
        )

    def test_a_draft_of_the_year_before_is_not_compared(self):
        Assessment.objects.filter(year=YEAR - 1).update(status=AssessmentStatus.DRAFT)
        row = self.report().rows[0]
        self.assertIsNone(row.previous)
        self.assertIsNone(row.score_change)


class GapsTest(ReportTestCase):
    def gaps(self, report=None):
        return [
            (gap.unit.name, gap.kind, gap.criterion.code if gap.criterion else None)
            for gap in (report or self.report()).gaps
        ]

    def test_criteria_not_met_unassessed_units_and_chair_ranks(self):
        self.assertEqual(
            self.gaps(),
            [
                ("乙区总工会", Gap.CRITERION_NOT_MET, "office"),
                ("乙区总工会", Gap.CHAIR_RANK_BELOW, None),
                ("丙区总工会", Gap.NOT_ASSESSED, None),
                ("丙区总工会", Gap.NO_CHAIR, None),
            ],
        )

    def test_gap_messages_say_what_is_missing(self):
        with translation.override("en"):
            messages = [str(gap.message) for gap in self.report().gaps]
        self.assertEqual(
            messages,
            [
                "Must-pass criterion not met: 固定办公场所",
                "Chair at Section chief level, below the expected Deputy division level",
                "No approved assessment (Draft)",
                "No chair in post on 31 December",
            ],
        )

    def test_a_chair_whose_rank_is_none_of_the_choices_has_no_rank(self):
        # A value left in the database by an older list of ranks: the report neither fails nor
        # takes it for a rank; 甲's chair then reads as no chair, as with no rank at all.
        Post.objects.filter(organization=self.district_a, position=Position.CHAIR).update(rank="retired_rank")
        rows = {row.name: row for row in self.report().rows}
        self.assertIsNone(rows["甲区总工会"].chair_rank)
        self.assertEqual(rows["乙区总工会"].chair_rank, Rank.SECTION)
        self.assertIn(("甲区总工会", Gap.NO_CHAIR, None), self.gaps())

    def test_without_an_expected_rank_chairs_are_no_gap(self):
        Standard.objects.filter(pk=self.standard.pk).update(expected_chair_rank="")
        self.standard.refresh_from_db()
        self.assertEqual(
            self.gaps(),
            [("乙区总工会", Gap.CRITERION_NOT_MET, "office"), ("丙区总工会", Gap.NOT_ASSESSED, None)],
        )


class DefaultStandardTest(ReportTestCase):
    def test_the_standard_with_most_approved_assessments_that_year(self):
        other = Standard.objects.create(name="啊标准", owner=self.city, kinds=[OrganizationKind.COUNTY_FEDERATION])
        self.assertEqual(default_standard(self.lena, self.city, YEAR), self.standard)
        # In 2013 nobody is assessed: a tie, settled by name.
        self.assertEqual(default_standard(self.lena, self.city, 2013), min(other, self.standard, key=lambda s: s.name))

    def test_a_standard_for_other_kinds_or_out_of_reach_is_never_chosen(self):
        self.assertIsNone(default_standard(self.alice, self.union_a, YEAR))
        grassroots = Standard.objects.create(name="啊基层", owner=self.city, kinds=[OrganizationKind.GRASSROOTS])
        Standard.objects.create(name="啊乙区", owner=self.district_b, kinds=[OrganizationKind.COUNTY_FEDERATION])
        # alice's district A has a grassroots union below it: the grassroots standard fits,
        # district B's standard is out of her reach.
        chosen = default_standard(self.alice, self.district_a, 2013)
        self.assertIn(chosen, (grassroots, self.standard))
        self.assertEqual(chosen, min(grassroots, self.standard, key=lambda s: s.name))
        self.assertEqual(default_standard(self.alice, self.union_a, 2013), grassroots)


class QueryCountTest(ReportTestCase):
    def grow(self, count):
        for number in range(count):
            unit = make_org(self.city, f"新{number:02d}区总工会", OrganizationKind.COUNTY_FEDERATION)
            add_post(unit, f"主席{number}", Position.CHAIR, rank=Rank.SECTION, birth=datetime.date(1970, 1, 1))
            add_post(unit, f"副主席{number}", Position.VICE_CHAIR, birth=datetime.date(1980, 1, 1))
            allocate(unit, 2500, datetime.date(YEAR, 3, 1), source=self.city)
            allocate(unit, 1000, datetime.date(YEAR, 3, 1), source_name="区政府")
            self.assess(unit, YEAR, [True, number % 2 == 0, True])
            self.assess(unit, YEAR - 1, [True, False, False])
        self.city.refresh_from_db()

    def test_the_report_costs_the_same_queries_with_3_and_12_units(self):
        with CaptureQueriesContext(connection) as few:
            report = self.report()
            report.as_json(), report.previous_year(), report.gaps, report.workbook()
        self.assertEqual(len(report.rows), 3)
        self.assertEqual(len(few.captured_queries), 12)
        self.grow(9)
        with self.assertNumQueries(len(few.captured_queries)):
            report = self.report()
            report.as_json(), report.previous_year(), report.gaps, report.workbook()
        self.assertEqual(len(report.rows), 12)
        self.assertEqual(report.summary["assessed"], 11)

    def test_the_page_and_the_workbook_cost_the_same_with_3_and_12_units(self):
        self.login(self.lena)
        page = f"{URL}?organization={self.city.pk}&year={YEAR}&standard={self.standard.pk}"
        urls = (page, f"{page}&format=xlsx", f"{URL}?organization={self.city.pk}&year={YEAR}")
        self.client.get(page)  # the session and content types cached
        few = [self.queries(url) for url in urls]
        self.grow(9)
        self.assertEqual([self.queries(url) for url in urls], few)

    def queries(self, url):
        with CaptureQueriesContext(connection) as context:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(context.captured_queries)


class PageTest(ReportTestCase):
    def get(self, user, **params):
        self.login(user)
        query = {"organization": self.city.pk, "year": YEAR, "standard": self.standard.pk, **params}
        return self.client.get(URL, {key: value for key, value in query.items() if value is not None})

    def test_the_city_leader_sees_every_unit_with_its_gaps_and_links(self):
        response = self.get(self.lena)
        self.assertEqual(response.status_code, 200)
        lines = response.context["lines"]
        self.assertEqual([line["row"].name for line in lines], ["甲区总工会", "乙区总工会", "丙区总工会"])
        self.assertEqual([line["criteria"] for line in lines], [[True, True, True], [False, True, True], [None] * 3])
        self.assertContains(response, 'data-testid="unit-row"', count=3)
        self.assertContains(response, f'href="{self.district_a.get_absolute_url()}"')
        # Each score links to its assessment; the draft of 丙 too, though it counts for nothing.
        for assessment in (self.assessment_a, self.assessment_b, self.draft_c):
            url = reverse("standards:assessment_detail", args=[assessment.pk])
            self.assertContains(response, f'<a href="{url}" data-testid="assessment-link">')
        self.assertContains(response, 'class="text-center gap">✗</td>', count=1)
        self.assertContains(response, "固定办公场所")
        self.assertContains(response, ">80000.00</td>")
        self.assertContains(response, ">43000.00</td>")
        self.assertContains(response, "+30.0")
        self.assertContains(response, "?organization=")
        self.assertContains(response, "format=xlsx")
        self.assertContains(response, "window.print()")
        self.assertContains(response, "size: A4 landscape")
        self.assertEqual(response.context["report"].summary, EXPECTED["summary"])

    def test_the_page_opens_on_the_users_organization_and_last_year(self):
        self.login(self.alice)
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.cleaned_data["organization"], self.district_a)
        self.assertEqual(form.cleaned_data["year"], timezone.localdate().year - 1)
        # The federations of her branch, and nothing of district B or the city.
        self.assertEqual(list(form.fields["organization"].queryset), [self.district_a])

    def test_a_superuser_opens_on_the_first_federation(self):
        self.login(self.root)
        response = self.client.get(URL, {"year": YEAR})
        self.assertEqual(response.context["form"].cleaned_data["organization"], self.city)
        self.assertEqual(response.context["report"].as_json(), EXPECTED)

    def test_the_default_standard_is_the_most_assessed(self):
        response = self.get(self.lena, standard="")
        self.assertEqual(response.context["report"].standard, self.standard)

    def test_district_staff_see_their_own_unit_only(self):
        response = self.get(self.alice, organization=self.district_a.pk)
        self.assertEqual(response.status_code, 200)
        self.assertEqual([line["row"].name for line in response.context["lines"]], ["甲区总工会"])
        self.assertNotContains(response, "乙区总工会")
        self.assertNotContains(response, "丙区总工会")

    def test_staff_of_a_district_asking_for_the_city_get_404(self):
        self.assertEqual(self.get(self.alice).status_code, 404)
        self.assertEqual(self.get(self.alice, format="xlsx").status_code, 404)

    def test_staff_of_another_district_get_404(self):
        self.assertEqual(self.get(self.bob, organization=self.district_a.pk).status_code, 404)
        self.assertEqual(self.get(self.bob, organization="x").status_code, 404)

    def test_a_standard_the_user_may_not_read_is_404(self):
        other = Standard.objects.create(name="乙区标准", owner=self.district_b, kinds=[OrganizationKind.GRASSROOTS])
        self.assertEqual(self.get(self.alice, organization=self.district_a.pk, standard=other.pk).status_code, 404)
        self.assertEqual(self.get(self.bob, organization=self.district_b.pk, standard=other.pk).status_code, 200)

    def test_auditors_get_403_and_anonymous_users_the_login_page(self):
        self.assertEqual(self.get(self.otto).status_code, 403)
        self.client.logout()
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_a_bad_year_is_an_error_on_the_form(self):
        response = self.get(self.lena, year="abc")
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["report"])
        self.assertIn("year", response.context["form"].errors)

    def test_the_home_page_links_to_the_report(self):
        self.login(self.lena)
        self.assertContains(self.client.get(reverse("home")), f'href="{URL}"')


class PagesTest(ReportTestCase):
    """A province's report has 240,000 units: the page shows them a page at a time, the summary
    counts them all, and a workbook is offered up to REPORT_WORKBOOK_MAX_UNITS units."""

    def get(self, **params):
        self.login(self.lena)
        query = {"organization": self.city.pk, "year": YEAR, "standard": self.standard.pk, **params}
        return self.client.get(URL, query)

    def names(self, response):
        return [line["row"].name for line in response.context["lines"]]

    @override_settings(REPORT_UNITS_PER_PAGE=2)
    def test_units_a_page_at_a_time_under_the_summary_of_all(self):
        first = self.get()
        self.assertEqual(self.names(first), ["甲区总工会", "乙区总工会"])
        self.assertEqual(first.context["report"].summary, EXPECTED["summary"])
        self.assertContains(first, 'data-testid="report-pages"')
        second = self.get(page=2)
        self.assertEqual(self.names(second), ["丙区总工会"])
        self.assertEqual(second.context["report"].summary, EXPECTED["summary"])
        # Each page lists the gaps of its own units.
        self.assertEqual([bool(line["gaps"]) for line in first.context["lines"]], [False, True])
        self.assertNotContains(second, "乙区总工会</a>:")
        self.assertContains(second, "丙区总工会</a>:")
        # A page that is not there is the nearest one, never an error.
        self.assertEqual(self.names(self.get(page=99)), ["丙区总工会"])
        self.assertEqual(self.names(self.get(page="x")), ["甲区总工会", "乙区总工会"])

    @override_settings(REPORT_UNITS_PER_PAGE=1)
    def test_every_page_costs_the_same_queries(self):
        self.get()
        with CaptureQueriesContext(connection) as first:
            self.get()
        with CaptureQueriesContext(connection) as second:
            self.get(page=2)
        self.assertEqual(len(first.captured_queries), len(second.captured_queries))

    def test_one_page_has_no_page_links(self):
        self.assertNotContains(self.get(), 'data-testid="report-pages"')

    @override_settings(REPORT_WORKBOOK_MAX_UNITS=2)
    def test_no_workbook_above_the_limit(self):
        page = self.get()
        self.assertNotContains(page, 'data-testid="export"')
        self.assertContains(page, 'data-testid="export-too-large"')
        response = self.get(format="xlsx", page=1)
        self.assertEqual(response.status_code, 302)
        self.assertNotIn("format=xlsx", response["Location"])
        self.assertFalse(AuditEvent.objects.filter(kind="export").exists())
        followed = self.client.get(response["Location"])
        self.assertIn("2", next(str(message) for message in followed.context["messages"]))
        self.login(self.alice)
        small = self.client.get(URL, {"organization": self.district_a.pk, "year": YEAR, "format": "xlsx"})
        self.assertEqual(small["Content-Type"], XLSX_CONTENT_TYPE)


class WorkbookTest(ReportTestCase):
    def workbook(self, user=None, **params):
        self.login(user or self.lena)
        query = {"organization": self.city.pk, "year": YEAR, "standard": self.standard.pk, "format": "xlsx", **params}
        response = self.client.get(URL, query)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        return load_workbook(io.BytesIO(response.content))

    def test_title_merged_header_frozen_panes_and_print_setup(self):
        book = self.workbook()
        sheet = book.worksheets[0]
        self.assertEqual(len(book.worksheets), 3)
        self.assertIn("测试市总工会", sheet["A1"].value)
        self.assertIn("2012", sheet["A1"].value)
        merged = {str(cell_range) for cell_range in sheet.merged_cells.ranges}
        # 25 columns: unit, 3 criteria, score, stars, compliant, 7 staffing, 8 funds, 3 of 2011.
        self.assertIn("A1:Y1", merged)
        self.assertIn("A3:A4", merged)
        self.assertIn("B3:D3", merged)  # the criteria
        self.assertIn("H3:N3", merged)  # staffing
        self.assertIn("O3:V3", merged)  # funds
        self.assertIn("W3:Y3", merged)  # the year before
        self.assertEqual(
            [sheet.cell(4, column).value for column in (2, 3, 4)], ["固定办公场所", "办公自动化", "办公用车"]
        )
        self.assertEqual(sheet.freeze_panes, "B5")
        self.assertEqual(sheet.page_setup.orientation, "landscape")
        self.assertEqual(str(sheet.page_setup.paperSize), "9")  # A4
        self.assertEqual(int(sheet.page_setup.fitToWidth), 1)
        self.assertTrue(sheet.sheet_properties.pageSetUpPr.fitToPage)
        self.assertEqual(sheet.print_title_rows, "$3:$4")

    def test_figures_are_numbers_with_formats(self):
        sheet = self.workbook().worksheets[0]
        row_a = list(sheet[5])
        self.assertEqual(row_a[0].value, "甲区总工会")
        self.assertEqual([cell.value for cell in row_a[1:4]], ["✓", "✓", "✓"])
        self.assertEqual(row_a[4].value, 100)  # score
        self.assertEqual(row_a[5].value, 5)  # stars
        self.assertEqual([cell.value for cell in row_a[7:11]], [3, 2, 1, 1])
        self.assertEqual(row_a[12].value, 33.7)
        self.assertEqual(row_a[14].value, 80000)
        self.assertEqual(row_a[14].number_format, "#,##0.00")
        self.assertEqual(row_a[14].data_type, "n")
        self.assertEqual([cell.value for cell in row_a[15:21]], [30000, 0, 0, 50000, 0, 0])  # by purpose
        self.assertEqual(row_a[21].value, 43000)  # government funds
        self.assertEqual(row_a[24].value, 30)  # change in score
        row_b = list(sheet[6])
        self.assertEqual(row_b[1].value, "✗")
        self.assertEqual(row_b[1].fill.fgColor.rgb, "00F8D7DA")  # highlighted
        total = [cell.value for cell in sheet[8]]
        self.assertEqual(total[7], 5)  # staff
        self.assertEqual(total[14], 120000)

    def test_a_name_that_looks_like_a_formula_stays_text(self):
        self.district_c.name = '=HYPERLINK("x")'
        self.district_c.save()
        sheet = self.workbook().worksheets[0]
        cell = sheet["A7"]
        self.assertEqual(cell.value, '=HYPERLINK("x")')
        self.assertEqual(cell.data_type, "s")
        gaps = self.workbook().worksheets[2]
        self.assertEqual(gaps["A4"].value, '=HYPERLINK("x")')
        self.assertEqual(gaps["A4"].data_type, "s")

    def test_summary_and_gaps_sheets(self):
        book = self.workbook()
        summary = [[cell.value for cell in row] for row in book.worksheets[1].iter_rows(min_row=2)]
        self.assertEqual(summary[:3], [[summary[0][0], 3, 4, -1], [summary[1][0], 2, 1, 1], [summary[2][0], 1, 1, 0]])
        self.assertEqual(summary[3], ["★★★★★", 1, 0, 1])
        gaps = [[cell.value for cell in row] for row in book.worksheets[2].iter_rows(min_row=2)]
        self.assertEqual([row[0] for row in gaps], ["乙区总工会", "乙区总工会", "丙区总工会", "丙区总工会"])

    def test_the_export_is_audited_and_scoped(self):
        self.workbook()
        self.assertEqual(AuditEvent.objects.filter(kind="export").count(), 1)
        sheet = self.workbook(self.alice, organization=self.district_a.pk).worksheets[0]
        names = [row[0].value for row in sheet.iter_rows(min_row=5)]
        self.assertEqual(names[0], "甲区总工会")
        self.assertEqual(len(names), 2)  # the unit and the total line
        self.assertEqual(AuditEvent.objects.filter(kind="export").count(), 2)


class CommandTest(ReportTestCase):
    def run_command(self, *args):
        out, err = io.StringIO(), io.StringIO()
        call_command("standardization_report", *args, stdout=out, stderr=err)
        return out.getvalue()

    def test_json_to_stdout(self):
        text = self.run_command("--org", "测试市总工会", "--year", "2012", "--format", "json")
        self.assertEqual(json.loads(text), EXPECTED)
        self.assertIn("测试市总工会", text)  # ensure_ascii=False
        self.assertIn('\n  "year": 2012', text)  # indent 2

    def test_json_and_xlsx_to_a_file(self):
        with tempfile.TemporaryDirectory() as folder:
            json_path, xlsx_path = Path(folder) / "report.json", Path(folder) / "report.xlsx"
            out = self.run_command(
                "--org", "测试市总工会", "--year", "2012", "--format", "json", "--out", str(json_path)
            )
            self.assertEqual(out, "")
            self.assertEqual(json.loads(json_path.read_text(encoding="utf-8")), EXPECTED)
            self.run_command(
                "--org",
                "测试市总工会",
                "--year",
                "2012",
                "--format",
                "xlsx",
                "--out",
                str(xlsx_path),
                "--standard",
                "区级工会标准化建设",
            )
            sheet = load_workbook(xlsx_path).worksheets[0]
            self.assertEqual(
                [sheet.cell(row, 1).value for row in (5, 6, 7)], ["甲区总工会", "乙区总工会", "丙区总工会"]
            )

    def test_as_a_user_within_their_scope(self):
        text = self.run_command("--org", "甲区总工会", "--year", "2012", "--format", "json", "--user", "alice")
        self.assertEqual(json.loads(text)["units"], [UNIT_A])
        with self.assertRaisesMessage(CommandError, "no organization named '测试市总工会'"):
            self.run_command("--org", "测试市总工会", "--year", "2012", "--format", "json", "--user", "alice")

    def test_errors(self):
        cases = [
            (["--org", "测试市总工会", "--year", "2012", "--format", "xlsx"], "--format xlsx needs --out FILE"),
            (["--org", "无此工会", "--year", "2012", "--format", "json"], "no organization named '无此工会'"),
            (["--org", "测试市总工会", "--year", "2012", "--format", "json", "--standard", "无"], "no standard named"),
            (["--org", "测试市总工会", "--year", "2012", "--format", "json", "--user", "nobody"], "no active user"),
            (["--org", "甲区第一中学工会", "--year", "2012", "--format", "json"], "no standard applies"),
        ]
        for args, message in cases:
            with self.subTest(message=message), self.assertRaisesMessage(CommandError, message):
                self.run_command(*args)

    def test_an_ambiguous_name_is_an_error(self):
        make_org(self.district_a, "职工服务中心工会")
        make_org(self.district_b, "职工服务中心工会")
        with self.assertRaisesMessage(CommandError, "several organizations are named '职工服务中心工会'"):
            self.run_command("--org", "职工服务中心工会", "--year", "2012", "--format", "json")
