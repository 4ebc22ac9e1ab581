"""The standardization section of the annual summary: approved assessments of a branch in
the period's years, by stars and compliance, with the same keys as the standardization
report's summary; its rows by district, scope, links and query count."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import Organization, OrganizationKind
from standards.models import Assessment, AssessmentStatus, Standard
from standards.reports import standardization_section
from tests.base import PortalTestCase, make_org
from unionportal.reporting import Period, ReportContext

day = datetime.date
YEAR = Period.year(2016)
APPROVED = AssessmentStatus.APPROVED


def report_context(user, organization, period=YEAR):
    children = Organization.objects.restrict(user).filter(parent=organization).order_by("path")
    return ReportContext(user, organization, period, children=children)


class StandardizationSectionTest(PortalTestCase):
    """Against two standards of the city, 2016:
    - 甲区第一中学 5★ compliant; 甲区 3★ compliant; 甲区旧厂 (dissolved 30 June 2016) 2★ not
      compliant; 乙区机械厂 1★ not compliant; the city itself approved without stars, not
      compliant, and a second standard's 4★ compliant assessment of 甲区 (two standards: two).
    - not counted: 乙区's draft of 2016, 甲区第一中学's approved assessment of 2017; 乙区机械厂's
      4★ compliant one of 2015 is the year before.
    Totals: 6 assessed, 3 compliant, 5★ 1, 4★ 1, 3★ 1, 2★ 1, 1★ 1; 甲区 4 (3 compliant),
    乙区 1, the city's own 1."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.closed = make_org(cls.district_a, "甲区旧厂工会", deactivated=day(2016, 6, 30))
        for organization in (cls.city, cls.district_a):
            organization.refresh_from_db()
        kinds = [OrganizationKind.GRASSROOTS, OrganizationKind.COUNTY_FEDERATION, OrganizationKind.CITY_FEDERATION]
        cls.standard = Standard.objects.create(name="工会标准化建设", owner=cls.city, kinds=kinds)
        cls.eight = Standard.objects.create(name="八好", owner=cls.city, kinds=kinds)

        def assess(organization, year, rating, compliant, status=APPROVED, standard=None):
            return Assessment.objects.create(
                organization=organization,
                standard=standard or cls.standard,
                year=year,
                status=status,
                rating=rating,
                compliant=compliant,
                score=Decimal(rating or 0) * 20,
            )

        assess(cls.union_a, 2016, 5, True)
        assess(cls.district_a, 2016, 3, True)
        assess(cls.district_a, 2016, 4, True, standard=cls.eight)
        assess(cls.closed, 2016, 2, False)
        assess(cls.union_b, 2016, 1, False)
        assess(cls.city, 2016, None, False)
        assess(cls.district_b, 2016, 4, True, status=AssessmentStatus.DRAFT)
        assess(cls.union_a, 2017, 5, True)
        assess(cls.union_b, 2015, 4, True)

    def section(self, user=None, organization=None, period=YEAR):
        return standardization_section(report_context(user or self.lena, organization or self.city, period))

    def count_listed(self, link, user=None):
        self.client.force_login(user or self.lena)
        response = self.client.get(link)
        self.assertEqual(response.status_code, 200, link)
        self.assertTrue(response.context["filter"].is_valid(), link)
        return response.context["filter"].qs.count()

    def test_hand_counted_figures_with_the_keys_of_the_report_summary(self):
        section = self.section()
        self.assertEqual(section.key, "standardization")
        self.assertEqual(
            section.data,
            {"assessed": 6, "compliant": 3, "by_rating": {"5": 1, "4": 1, "3": 1, "2": 1, "1": 1}},
        )

    def test_figures_and_the_year_before(self):
        section = self.section()
        for figure in section.figures:
            key, _dot, stars = figure.key.partition(".")
            value = section.data[key][stars] if stars else section.data[key]
            self.assertEqual(figure.value, value)
        self.assertEqual(section.figure("assessed").previous, 1)
        self.assertEqual(section.figure("compliant").previous, 1)
        self.assertEqual(section.figure("by_rating.4").previous, 1)
        self.assertEqual(section.figure("by_rating.5").previous, 0)

    def test_a_period_counts_the_assessments_of_every_year_it_touches(self):
        self.assertEqual(self.section(period=Period(day(2015, 12, 31), day(2016, 1, 1))).data["assessed"], 7)
        self.assertEqual(self.section(period=Period(day(2017, 1, 1), day(2017, 3, 31))).data["assessed"], 1)

    def test_rows_by_district_zeros_included_and_the_city_own(self):
        make_org(self.city, "丙区总工会", OrganizationKind.COUNTY_FEDERATION)
        self.city.refresh_from_db()
        rows = {
            ("own" if row.own else row.organization.name): [cell.value for cell in row.cells]
            for row in self.section().children
        }
        self.assertEqual(
            rows,
            {
                "甲区总工会": [4, 3, 1, 1, 1, 1, 0],
                "乙区总工会": [1, 0, 0, 0, 0, 0, 1],
                "丙区总工会": [0] * 7,
                "own": [1, 0, 0, 0, 0, 0, 0],
            },
        )

    def test_leader_of_district_b_sees_nothing_of_district_a(self):
        section = self.section(user=self.leo, organization=self.district_b)
        self.assertEqual(
            section.data, {"assessed": 1, "compliant": 0, "by_rating": {"5": 0, "4": 0, "3": 0, "2": 0, "1": 1}}
        )
        self.assertEqual(section.figure("assessed").previous, 1)
        self.assertEqual(self.section(user=self.leo).data["assessed"], 1)

    def test_links_list_exactly_the_assessments_counted(self):
        section = self.section()
        for figure in section.figures:
            with self.subTest(figure=figure.key):
                self.assertEqual(self.count_listed(figure.link), figure.value)
        for row in section.children:
            for (key, _label, _format), cell in zip(section.columns, row.cells, strict=True):
                with self.subTest(row=row.organization.name, own=row.own, column=key):
                    self.assertEqual(self.count_listed(cell.link), cell.value)
        chart = section.charts[0]
        for link, count in zip(chart.links, chart.series[0]["data"], strict=True):
            self.assertEqual(self.count_listed(link), count)

    def test_assessment_list_filters_a_span_of_years_and_one_organization(self):
        url = reverse("standards:assessment_list")
        self.assertEqual(self.count_listed(f"{url}?year_min=2016&year_max=2017"), 8)
        self.assertEqual(self.count_listed(f"{url}?year_min=2017"), 1)
        self.assertEqual(self.count_listed(f"{url}?branch={self.district_a.pk}&only={self.district_a.pk}"), 2)

    def test_queries_do_not_grow_with_children_or_assessments(self):
        with CaptureQueriesContext(connection) as few:
            self.section()
        for number in range(6):
            district = make_org(self.city, f"新增{number}区总工会", OrganizationKind.COUNTY_FEDERATION)
            Assessment.objects.create(
                organization=district, standard=self.standard, year=2016, status=APPROVED, rating=5, compliant=True
            )
        self.city.refresh_from_db()
        with self.assertNumQueries(len(few.captured_queries)):
            section = self.section()
        self.assertEqual(section.data["assessed"], 12)
        self.assertEqual(len(section.children), 9)
        self.assertEqual(len(few.captured_queries), 3)  # children, this period, the one before
