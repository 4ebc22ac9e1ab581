"""The activities and honours sections of the annual summary: hand-counted figures of 2016 in
the test city (boundary days, a dissolved union, recommended honours), the year before, the
breakdown by district, scope, links that lead to exactly the records counted, queries that
do not grow with the number of children, and Pingtang's demo figures of seeds/README.md."""

import datetime
import io

from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from activities.models import (
    Activity,
    ActivityKind,
    Campaign,
    Honour,
    HonourLevel,
    HonourStatus,
    HonourTitle,
    RecipientType,
)
from activities.reports import activities_section, honours_section
from organizations.demo import PINGTANG
from organizations.models import Organization, UnitType
from tests.base import PortalTestCase, make_org
from unionportal.reporting import Period, ReportContext

day = datetime.date
YEAR = Period.year(2016)


def report_context(user, organization, period=YEAR):
    children = Organization.objects.restrict(user).filter(parent=organization).order_by("path")
    return ReportContext(user, organization, period, children=children)


def lookup(data, key):
    for part in key.split("."):
        data = data[part]
    return data


def activity(organizer, kind, start, participants=0, **fields):
    return Activity.objects.create(
        title=f"{organizer.name}{kind}{start}",
        kind=kind,
        organizer=organizer,
        start=start,
        participants=participants,
        **fields,
    )


def title(name, level, recipient_type=RecipientType.COLLECTIVE):
    return HonourTitle.objects.get_or_create(
        name=name, level=level, owner=None, defaults={"recipient_type": recipient_type}
    )[0]


class SectionTestCase(PortalTestCase):
    """测试市总工会, 2016.

    Activities (start date in 2016 counts):
    - city itself: competition on 1 January, 100 person-times, in the city's campaign 城市系列.
    - 甲区 itself: walk on 31 December, 50.
    - 甲区第一中学: reading on 1 June, 20 person-times, 30 entries.
    - 甲区旧厂 (dissolved 30 June 2016, under 甲区): employment service on 1 March, 40 person-times,
      1,000 handbooks, 5 enterprises, 200 jobs, 10 placed.
    - 乙区机械厂: cultural event on 1 July, 60, in 乙区's campaign 乙区系列.
    - 乙区安置点 (relocation site, under 乙区): training on 5 May, 30 trainees, 6 placed.
    - not counted: 乙区 competition on 31 December 2015 (999: the year before), 乙区机械厂
      competition on 1 January 2017 (777); 甲区's campaign 甲区系列 has no activity.
    Totals: 6 activities, 300 person-times, 30 entries, 2 campaigns; 甲区 3 / 110 / 30 / 0,
    乙区 2 / 90 / 0 / 1, the city's own 1 / 100 / 0 / 1. The year before: 1 / 999.

    Honours (conferred, of 2016):
    - city: national 模范职工之家; 甲区第一中学: provincial 模范职工之家, prefecture 五一劳动奖章
      (张明); 甲区旧厂: county 工人先锋号. Not counted: 甲区第一中学's county 劳动模范 (only
      recommended), 乙区机械厂's county 工人先锋号 of 2015 (the year before) and of 2017.
    Totals: 4 = 1 national + 1 provincial + 1 prefecture + 1 county; 3 collective, 1 individual."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.closed = make_org(cls.district_a, "甲区旧厂工会", deactivated=day(2016, 6, 30))
        cls.site = make_org(cls.district_b, "乙区安置点工会", unit_type=UnitType.RELOCATION_SITE)
        for organization in (cls.city, cls.district_a, cls.district_b):
            organization.refresh_from_db()
        city_series = Campaign.objects.create(name="城市系列", year=2016, organizer=cls.city)
        b_series = Campaign.objects.create(name="乙区系列", year=2016, organizer=cls.district_b)
        Campaign.objects.create(name="甲区系列", year=2016, organizer=cls.district_a)
        K = ActivityKind
        activity(cls.city, K.COMPETITION, day(2016, 1, 1), 100, campaign=city_series)
        activity(cls.district_a, K.WALK, day(2016, 12, 31), 50)
        activity(cls.union_a, K.READING, day(2016, 6, 1), 20, entries=30)
        activity(
            cls.closed,
            K.EMPLOYMENT,
            day(2016, 3, 1),
            40,
            materials=1000,
            enterprises=5,
            jobs_offered=200,
            people_placed=10,
        )
        activity(cls.union_b, K.CULTURAL, day(2016, 7, 1), 60, campaign=b_series)
        activity(cls.site, K.TRAINING, day(2016, 5, 5), 30, people_placed=6)
        activity(cls.district_b, K.COMPETITION, day(2015, 12, 31), 999)
        activity(cls.union_b, K.COMPETITION, day(2017, 1, 1), 777)

        home = title("模范职工之家", HonourLevel.NATIONAL)
        Honour.objects.create(title=home, year=2016, organization=cls.city)
        Honour.objects.create(title=title("模范职工之家", HonourLevel.PROVINCIAL), year=2016, organization=cls.union_a)
        Honour.objects.create(
            title=title("五一劳动奖章", HonourLevel.PREFECTURE, RecipientType.INDIVIDUAL),
            year=2016,
            organization=cls.union_a,
            recipient_name="张明",
            recipient_unit="甲区第一中学",
        )
        pioneer = title("工人先锋号", HonourLevel.COUNTY)
        Honour.objects.create(title=pioneer, year=2016, organization=cls.closed)
        Honour.objects.create(
            title=title("劳动模范", HonourLevel.COUNTY, RecipientType.INDIVIDUAL),
            year=2016,
            organization=cls.union_a,
            recipient_name="李华",
            status=HonourStatus.RECOMMENDED,
        )
        Honour.objects.create(title=pioneer, year=2015, organization=cls.union_b)
        Honour.objects.create(title=pioneer, year=2017, organization=cls.union_b)

    def section(self, function, user=None, organization=None, period=YEAR):
        return function(report_context(user or self.lena, organization or self.city, period))

    def rows(self, section):
        return {
            ("own" if row.own else row.organization.name): [cell.value for cell in row.cells]
            for row in section.children
        }

    def listed(self, link, user=None):
        """The records the list behind a link shows, and its totals (activities only)."""
        self.login(user or self.lena)
        response = self.client.get(link)
        self.assertEqual(response.status_code, 200, link)
        self.assertTrue(response.context["filter"].is_valid(), link)
        return response.context["filter"].qs, response.context.get("totals")


class ActivitiesSectionTest(SectionTestCase):
    def test_hand_counted_figures_of_the_city(self):
        data = self.section(activities_section).data
        zero = {"count": 0, "participants": 0}
        self.assertEqual(
            data,
            {
                "total": 6,
                "participants": 300,
                "by_kind": {
                    **dict.fromkeys(ActivityKind.values, zero),
                    "competition": {"count": 1, "participants": 100},
                    "walk": {"count": 1, "participants": 50},
                    "reading": {"count": 1, "participants": 20},
                    "employment": {"count": 1, "participants": 40},
                    "cultural": {"count": 1, "participants": 60},
                    "training": {"count": 1, "participants": 30},
                },
                "entries": 30,
                "entries_by_kind": {**dict.fromkeys(ActivityKind.values, 0), "reading": 30},
                "campaigns": 2,
                "employment": {
                    "count": 1,
                    "participants": 40,
                    "materials": 1000,
                    "enterprises": 5,
                    "jobs_offered": 200,
                    "people_placed": 10,
                },
                "relocation_training": {"courses": 1, "participants": 30, "people_placed": 6},
            },
        )

    def test_every_figure_is_in_the_json_and_compares_with_the_year_before(self):
        section = self.section(activities_section)
        for figure in section.figures:
            with self.subTest(figure=figure.key):
                self.assertEqual(lookup(section.data, figure.key), figure.value)
        self.assertEqual(section.figure("total").previous, 1)
        self.assertEqual(section.figure("participants").previous, 999)
        self.assertEqual(section.figure("by_kind.competition.participants").previous, 999)
        self.assertEqual(section.figure("by_kind.walk.count").previous, 0)
        self.assertEqual(section.figure("campaigns").previous, 0)
        # Types with no activity in either year stay in the JSON but off the page.
        with self.assertRaises(KeyError):
            section.figure("by_kind.visit.count")

    def test_boundary_days_count_and_the_days_outside_do_not(self):
        data = self.section(activities_section, period=Period(day(2016, 1, 2), day(2016, 12, 30))).data
        self.assertEqual((data["total"], data["participants"]), (4, 150))
        data = self.section(activities_section, period=Period(day(2015, 12, 31), day(2016, 1, 1))).data
        self.assertEqual((data["total"], data["participants"]), (2, 1099))

    def test_one_row_per_district_and_the_city_own_records(self):
        section = self.section(activities_section)
        self.assertEqual(
            [key for key, _label, _format in section.columns], ["total", "participants", "entries", "campaigns"]
        )
        self.assertEqual(
            self.rows(section),
            {"甲区总工会": [3, 110, 30, 0], "乙区总工会": [2, 90, 0, 1], "own": [1, 100, 0, 1]},
        )

    def test_a_district_without_records_has_a_row_of_zeros_and_no_own_row(self):
        make_org(self.city, "丙区总工会", "county_federation")
        self.city.refresh_from_db()
        section = self.section(activities_section)
        self.assertEqual(self.rows(section)["丙区总工会"], [0, 0, 0, 0])
        self.assertEqual(
            self.rows(self.section(activities_section, organization=self.union_a)), {"own": [1, 20, 30, 0]}
        )
        # 乙区's own campaign holds an activity of 乙区机械厂: the campaign is 乙区's own record.
        self.assertEqual(
            self.rows(self.section(activities_section, organization=self.district_b)),
            {"乙区机械厂工会": [1, 60, 0, 0], "乙区安置点工会": [1, 30, 0, 0], "own": [0, 0, 0, 1]},
        )
        # Without its walk of 31 December, 甲区 has no record of its own in the period.
        rows = self.rows(
            self.section(activities_section, self.alice, self.district_a, Period(day(2016, 1, 1), day(2016, 12, 30)))
        )
        self.assertEqual(rows, {"甲区第一中学工会": [1, 20, 30, 0], "甲区旧厂工会": [1, 40, 0, 0]})

    def test_leader_of_district_b_sees_nothing_of_district_a(self):
        data = self.section(activities_section, user=self.leo, organization=self.district_b).data
        self.assertEqual((data["total"], data["participants"], data["campaigns"]), (2, 90, 1))
        # Even asked about the city, the restricted querysets hold district B only.
        data = self.section(activities_section, user=self.leo).data
        self.assertEqual((data["total"], data["participants"], data["entries"]), (2, 90, 0))
        self.assertEqual(data["employment"]["materials"], 0)

    def test_links_list_exactly_the_records_counted(self):
        section = self.section(activities_section)
        sums = {
            "participants": "participants",
            "entries": "entries",
            "by_kind.competition.participants": "participants",
            "entries_by_kind.reading": "entries",
        }
        for figure in section.figures:
            with self.subTest(figure=figure.key):
                records, totals = self.listed(figure.link)
                if figure.key in sums:
                    self.assertEqual(totals[sums[figure.key]], figure.value)
                elif figure.key == "campaigns" or figure.key.endswith((".count", ".courses")) or figure.key == "total":
                    self.assertEqual(records.count(), figure.value)
                else:  # employment and relocation sums: over the listed activities
                    field = figure.key.split(".")[-1]
                    self.assertEqual(sum(getattr(record, field) for record in records), figure.value)
        for row in section.children:
            for (key, _label, _format), cell in zip(section.columns, row.cells, strict=True):
                with self.subTest(row=row.organization.name, own=row.own, column=key):
                    records, totals = self.listed(cell.link)
                    if key in ("total", "campaigns"):
                        self.assertEqual(records.count(), cell.value)
                    else:
                        self.assertEqual(totals[key], cell.value)

    def test_campaign_list_held_filter_keeps_campaigns_with_activities_in_the_span(self):
        link = f"{reverse('activities:campaign_list')}?held_after=2016-01-02&held_before=2016-12-31"
        records, _totals = self.listed(link)
        self.assertEqual({campaign.name for campaign in records}, {"乙区系列"})

    def test_chart_of_activities_by_type_links_each_bar(self):
        chart = self.section(activities_section).charts[0]
        self.assertEqual(chart.key, "activities_by_kind")
        self.assertEqual(len(chart.categories), 6)
        self.assertEqual(sum(chart.series[0]["data"]), 6)
        for link, count in zip(chart.links, chart.series[0]["data"], strict=True):
            self.assertEqual(self.listed(link)[0].count(), count)
        self.assertEqual(chart.as_json()["kind"], "bar")

    def test_queries_do_not_grow_with_children_or_records(self):
        with CaptureQueriesContext(connection) as few:
            self.section(activities_section)
        for number in range(6):
            union = make_org(self.city, f"新增{number}区总工会", "county_federation")
            activity(union, ActivityKind.VISIT, day(2016, 8, number + 1), 10, campaign=None)
            Campaign.objects.create(name=f"新增{number}", year=2016, organizer=union)
        self.city.refresh_from_db()
        with self.assertNumQueries(len(few.captured_queries)):
            section = self.section(activities_section)
        self.assertEqual(len(section.children), 9)
        self.assertEqual(len(few.captured_queries), 5)  # children, two of activities, two of campaigns


class HonoursSectionTest(SectionTestCase):
    def test_hand_counted_figures_of_the_city(self):
        data = self.section(honours_section).data
        self.assertEqual(
            data,
            {
                "total": 4,
                "by_level": {"national": 1, "provincial": 1, "prefecture": 1, "county": 1},
                "by_title": {"模范职工之家": 2, "五一劳动奖章": 1, "工人先锋号": 1},
                "collective": 3,
                "individual": 1,
                "by_level_title": {
                    "national": {"模范职工之家": 1},
                    "provincial": {"模范职工之家": 1},
                    "prefecture": {"五一劳动奖章": 1},
                    "county": {"工人先锋号": 1},
                },
            },
        )

    def test_every_level_is_in_the_json_even_when_empty(self):
        data = self.section(honours_section, organization=self.district_b).data
        self.assertEqual(data["by_level"], dict.fromkeys(HonourLevel.values, 0))
        self.assertEqual(data["total"], 0)
        # 工人先锋号 of 2015 is there the year before: its title appears with 0 this year.
        self.assertEqual(data["by_title"], {"工人先锋号": 0})

    def test_figures_match_the_json_and_the_year_before(self):
        section = self.section(honours_section)
        for figure in section.figures:
            with self.subTest(figure=figure.key):
                self.assertEqual(lookup(section.data, figure.key), figure.value)
        self.assertEqual(section.figure("total").previous, 1)
        self.assertEqual(section.figure("by_level.county").previous, 1)
        self.assertEqual(section.figure("by_level_title.county.工人先锋号").previous, 1)
        self.assertEqual(section.figure("by_level.national").previous, 0)

    def test_a_period_counts_the_honours_of_every_year_it_touches(self):
        data = self.section(honours_section, period=Period(day(2015, 12, 31), day(2016, 1, 1))).data
        self.assertEqual(data["total"], 5)
        data = self.section(honours_section, period=Period(day(2014, 1, 1), day(2018, 3, 31))).data
        self.assertEqual(data["total"], 6)

    def test_rows_by_district_with_the_city_own_honours(self):
        section = self.section(honours_section)
        self.assertEqual(
            self.rows(section),
            {"甲区总工会": [3, 2, 1, 0, 1, 1, 1], "乙区总工会": [0] * 7, "own": [1, 1, 0, 1, 0, 0, 0]},
        )

    def test_leader_of_district_b_sees_nothing_of_district_a(self):
        data = self.section(honours_section, user=self.leo, period=Period(day(2015, 1, 1), day(2017, 12, 31))).data
        self.assertEqual(data["total"], 2)
        self.assertEqual(data["by_title"], {"工人先锋号": 2})

    def test_links_list_exactly_the_honours_counted(self):
        section = self.section(honours_section)
        for figure in section.figures:
            with self.subTest(figure=figure.key):
                self.assertEqual(self.listed(figure.link)[0].count(), figure.value)
        for row in section.children:
            for (key, _label, _format), cell in zip(section.columns, row.cells, strict=True):
                with self.subTest(row=row.organization.name, own=row.own, column=key):
                    self.assertEqual(self.listed(cell.link)[0].count(), cell.value)
        for chart in section.charts:
            for link, count in zip(chart.links, chart.series[0]["data"], strict=True):
                self.assertEqual(self.listed(link)[0].count(), count)

    def test_queries_do_not_grow_with_children_or_honours(self):
        with CaptureQueriesContext(connection) as few:
            self.section(honours_section)
        home = title("模范职工之家", HonourLevel.COUNTY)
        for number in range(6):
            union = make_org(self.city, f"新增{number}区总工会", "county_federation")
            Honour.objects.create(title=home, year=2016, organization=union)
        self.city.refresh_from_db()
        with self.assertNumQueries(len(few.captured_queries)):
            section = self.section(honours_section)
        self.assertEqual(section.data["total"], 10)
        self.assertEqual(len(few.captured_queries), 3)  # children, this period, the one before


class PingtangDemoTest(TestCase):
    """Pingtang's figures as of 31 March 2018 (seeds/README.md), from 1 January 2014."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=io.StringIO())
        cls.root = User.objects.filter(is_superuser=True).first()
        cls.pingtang = Organization.objects.get(name=PINGTANG, parent=None)
        context = report_context(cls.root, cls.pingtang, Period(day(2014, 1, 1), day(2018, 3, 31)))
        cls.activities = activities_section(context).data
        cls.honours = honours_section(context).data

    def test_activities(self):
        data = self.activities
        self.assertEqual(data["by_kind"]["competition"]["participants"], 15000)
        self.assertEqual(data["by_kind"]["walk"]["participants"], 1500)
        self.assertEqual(data["entries_by_kind"]["reading"], 80)
        self.assertEqual(
            {key: data["employment"][key] for key in ("materials", "enterprises", "jobs_offered")},
            {"materials": 30000, "enterprises": 90, "jobs_offered": 5000},
        )
        self.assertEqual(data["relocation_training"], {"courses": 20, "participants": 2700, "people_placed": 500})
        self.assertEqual(data["by_kind"]["visit"]["participants"], 7200)
        # The 2018 May Day speech contest (25 April) is after the period: one campaign counts.
        self.assertEqual(data["campaigns"], 1)

    def test_honours_since_2014(self):
        data = self.honours
        self.assertEqual(data["by_level"], {"national": 2, "provincial": 6, "prefecture": 40, "county": 188})
        self.assertEqual(data["total"], 236)
        self.assertEqual(data["by_title"]["模范职工之家"], 16)
        self.assertEqual(data["by_level_title"]["county"]["五一劳动标兵"], 60)
        self.assertEqual(data["individual"], 1 + 4 + 7 + 9 + 60 + 50)
