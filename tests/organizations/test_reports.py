"""The organizations and funds sections of the annual summary against hand-counted records:
organizations established and deactivated on the period's boundary days, membership filed
by unions and federations, money from above, inside the branch and from a government; the
scope, the number of queries, and the lists behind the figures."""

import datetime
import urllib.parse
from decimal import Decimal

from django.utils import translation

from organizations.models import FundAllocation, MembershipFigure, Organization, OrganizationKind, Purpose, UnitType
from organizations.reports import funds_section, organizations_section
from tests.base import PortalTestCase, make_org
from unionportal.reporting import Period, ReportContext

D = datetime.date
YEAR = Period.year(2024)
K, U = OrganizationKind, UnitType
LONG_AGO = D(2000, 1, 1)


def context(user, organization, period=YEAR):
    children = Organization.objects.restrict(user).filter(parent=organization).order_by("path")
    return ReportContext(user, organization, period, children=children)


def figures(organization, year, members, employees=None, women=0, migrants=0):
    return MembershipFigure.objects.create(
        organization=organization,
        year=year,
        members=members,
        employees=employees if employees is not None else members,
        women_members=women,
        migrant_members=migrants,
    )


def allocate(recipient, amount, date, source=None, source_name="", purpose=Purpose.ROUTINE):
    return FundAllocation.objects.create(
        recipient=recipient, source=source, source_name=source_name, amount=Decimal(amount), date=date, purpose=purpose
    )


class SectionTestCase(PortalTestCase):
    def follow(self, user, link):
        """The list behind a link, as `user` sees it."""
        self.client.force_login(user)
        response = self.client.get(link)
        self.assertEqual(response.status_code, 200, link)
        return response

    def listed(self, user, link):
        return self.follow(user, link).context["table"].paginator.count

    def params(self, link):
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))


class OrganizationsSectionTest(SectionTestCase):
    """Below the city on 31 December 2024 (Period 2024, the year before 2023):

    甲区总工会 (county, organ) and its branch
      甲区第一中学工会 (grassroots, institution)
      a1 (grassroots, state enterprise) established 2024-01-01: new, active
      a2 (joint grassroots, non-public enterprise) established 2024-12-31: new, active
      a3 established 2025-01-01: not yet
      a4 (grassroots, organ) established 2023-12-31: active, new the year before
      a5 deactivated 2024-12-31: gone on the last day, deactivated in the period
      a6 (grassroots, social organization) deactivated 2025-01-01: still active
      a7 deactivated 2024-01-01: deactivated in the period
      a8 deactivated 2023-12-31: deactivated the year before
      甲区城关镇工会联合会 (township federation, organ)
        甲区城关社区工会 (grassroots, community)
    乙区总工会 (county, organ)
      乙区机械厂工会 (grassroots, non-public enterprise)
      乙区无类型工会 (grassroots, no unit type: organ sector)

    Active: 11 = 8 organs and institutions + 3 enterprises; 8 in 甲's branch (2 enterprises), 3 in 乙's.
    Membership 2024: 甲区第一中学 100, 乙区机械厂 200, 城关社区 30 = 330; the figures of
    甲区总工会 (5000) and the township federation (1000) are branch totals of federations and
    a5's (999) is of a union deactivated by the period's end: none counts."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a, b = cls.district_a, cls.district_b
        cls.a1 = make_org(a, "甲区供电公司工会", unit_type=U.STATE_ENTERPRISE, established=D(2024, 1, 1))
        cls.a2 = make_org(
            a, "甲区联合工会", K.JOINT_GRASSROOTS, unit_type=U.PRIVATE_ENTERPRISE, established=D(2024, 12, 31)
        )
        cls.a3 = make_org(a, "甲区新建工会", established=D(2025, 1, 1))
        cls.a4 = make_org(a, "甲区财政局工会", established=D(2023, 12, 31))
        cls.a5 = make_org(a, "甲区撤销工会一", established=LONG_AGO, deactivated=D(2024, 12, 31))
        cls.a6 = make_org(
            a, "甲区协会工会", unit_type=U.SOCIAL_ORGANIZATION, established=LONG_AGO, deactivated=D(2025, 1, 1)
        )
        cls.a7 = make_org(a, "甲区撤销工会二", established=LONG_AGO, deactivated=D(2024, 1, 1))
        cls.a8 = make_org(a, "甲区撤销工会三", established=LONG_AGO, deactivated=D(2023, 12, 31))
        cls.township = make_org(a, "甲区城关镇工会联合会", K.TOWNSHIP_FEDERATION)
        cls.community = make_org(cls.township, "甲区城关社区工会", unit_type=U.COMMUNITY)
        cls.untyped = make_org(b, "乙区无类型工会", unit_type="")
        for organization in (cls.city, a, b, cls.township):
            organization.refresh_from_db()

        figures(cls.union_a, 2024, 100, 120, 40, 5)
        figures(cls.union_b, 2024, 200, 210, 80, 60)
        figures(cls.community, 2024, 30, 30, 20, 0)
        figures(cls.a5, 2024, 999)
        figures(a, 2024, 5000)
        figures(cls.township, 2024, 1000)
        figures(cls.city, 2024, 7000)
        figures(cls.union_a, 2023, 90)
        figures(cls.a5, 2023, 70)
        figures(cls.a1, 2023, 50)  # established in 2024: not active at the end of 2023

    def test_counts_below_the_organization_active_at_the_period_end(self):
        data = organizations_section(context(self.lena, self.city)).data
        self.assertEqual(
            data,
            {
                "total": 11,
                "by_kind": {
                    "city_federation": 0,
                    "county_federation": 2,
                    "township_federation": 1,
                    "industry_union": 0,
                    "grassroots": 7,
                    "joint_grassroots": 1,
                },
                "by_unit_type": {
                    "organ": 4,
                    "institution": 1,
                    "state_enterprise": 1,
                    "private_enterprise": 2,
                    "social_organization": 1,
                    "community": 1,
                    "relocation_site": 0,
                    "other": 0,
                    "unspecified": 1,
                },
                "organ": 8,
                "enterprise": 3,
                "members": 330,
                "employees": 360,
                "women_members": 140,
                "migrant_members": 65,
                "new": 2,
                "deactivated_in_period": 2,
            },
        )

    def test_the_year_before(self):
        section = organizations_section(context(self.lena, self.city))
        previous = {figure.key: figure.previous for figure in section.figures}
        # 31 December 2023: a1, a2, a3 not yet; a5, a7 still active; a8 gone that very day.
        self.assertEqual(previous["total"], 11)
        self.assertEqual(previous["enterprise"], 1)
        self.assertEqual(previous["new"], 1)
        self.assertEqual(previous["deactivated_in_period"], 1)
        self.assertEqual(previous["members"], 160)
        self.assertEqual(section.figure("total").change, 0)

    def test_a_district_counts_its_branch_without_itself(self):
        data = organizations_section(context(self.alice, self.district_a)).data
        self.assertEqual((data["total"], data["organ"], data["enterprise"]), (7, 5, 2))
        self.assertEqual(data["by_kind"]["county_federation"], 0)
        self.assertEqual(data["members"], 130)

    def test_rows_by_direct_child_cover_every_child(self):
        section = organizations_section(context(self.lena, self.city))
        self.assertEqual([key for key, _label, _format in section.columns][:3], ["total", "organ", "enterprise"])
        rows = {row.organization: [cell.value for cell in row.cells] for row in section.children}
        self.assertEqual(rows, {self.district_a: [8, 6, 2, 2, 2, 130], self.district_b: [3, 2, 1, 0, 0, 200]})
        self.assertFalse(any(row.own for row in section.children))
        district = organizations_section(context(self.alice, self.district_a))
        quiet = next(row for row in district.children if row.organization == self.a3)
        self.assertEqual([cell.value for cell in quiet.cells], [0, 0, 0, 0, 0, 0])
        self.assertEqual(len(district.children), 10)

    def test_the_columns_of_counts_read_as_counts_in_chinese(self):
        # "Established" and "Deactivated" are also a union's founding date (成立日期) and status
        # (已停用); a column of how many were established or deactivated read as either.
        with translation.override("zh-hans"):
            section = organizations_section(context(self.lena, self.city))
        labels = {key: label for key, label, _format in section.columns}
        self.assertEqual((labels["new"], labels["deactivated_in_period"]), ("期内新成立", "期内停用"))

    def test_each_figure_links_to_a_list_of_exactly_the_organizations_it_counts(self):
        section = organizations_section(context(self.lena, self.city))
        for figure in section.figures:
            if figure.link is None:
                self.assertEqual(figure.key, "by_unit_type.unspecified")
                continue
            if figure.key in ("members", "employees", "women_members", "migrant_members"):
                continue
            self.assertEqual(self.listed(self.lena, figure.link), figure.value, figure.key)
        # Membership links to the unions whose figures are summed.
        members = section.figure("members")
        self.assertEqual(self.listed(self.lena, members.link), 3)
        listed = self.follow(self.lena, members.link).context["filter"].qs
        self.assertEqual(
            sum(MembershipFigure.objects.filter(organization__in=listed, year=2024).values_list("members", flat=True)),
            members.value,
        )
        filing_unions = {self.district_a: 2, self.district_b: 1}  # 甲区第一中学 and 城关社区; 乙区机械厂
        for row in section.children:
            for (key, _label, _format), cell in zip(section.columns, row.cells, strict=True):
                expected = filing_unions[row.organization] if key == "members" else cell.value
                self.assertEqual(self.listed(self.lena, cell.link), expected, (row.organization, key))
                self.assertEqual(self.params(cell.link)["branch"], str(row.organization.pk))

    def test_total_link_filters(self):
        figure = organizations_section(context(self.lena, self.city)).figure("total")
        self.assertEqual(
            self.params(figure.link),
            {"branch": str(self.city.pk), "below": str(self.city.pk), "active_on": "2024-12-31"},
        )

    def test_charts_by_sector_and_by_kind(self):
        charts = {chart.key: chart for chart in organizations_section(context(self.lena, self.city)).charts}
        sector = charts["organizations_by_sector"]
        self.assertEqual((sector.kind, sector.series[0]["data"]), ("pie", [8, 3]))
        kind = charts["organizations_by_kind"]
        self.assertEqual(kind.kind, "bar")
        self.assertEqual(kind.series[0]["data"], [2, 1, 7, 1])
        self.assertEqual(self.listed(self.lena, kind.links[2]), 7)
        self.assertEqual(self.listed(self.lena, sector.links[1]), 3)

    def test_a_district_leader_gets_nothing_of_the_other_district(self):
        own = organizations_section(context(self.leo, self.district_b)).data
        self.assertEqual((own["total"], own["organ"], own["enterprise"], own["members"]), (2, 1, 1, 200))
        # Even asked about the city, leo's querysets hold district B's branch only.
        section = organizations_section(context(self.leo, self.city))
        self.assertEqual(section.data["total"], 3)
        self.assertEqual(section.data["members"], 200)
        self.assertEqual([row.organization for row in section.children], [self.district_b])

    def test_queries_do_not_grow_with_children_or_organizations(self):
        city = context(self.lena, self.city)
        with self.assertNumQueries(2):
            organizations_section(city)
        district = context(self.alice, self.district_a)
        self.assertEqual(len(district.children), 10)
        with self.assertNumQueries(2):
            organizations_section(district)


class FundsSectionTest(SectionTestCase):
    """2024, the year before 2023:
    - the city to 甲区总工会: 30,000.00 on 1 January and 5,000.00 of equipment on 31 December
      (count), 1,000.00 on 31 December 2023 (the year before), 2,000.00 on 1 January 2025 (not);
    - the city to 乙区机械厂工会: 4,000.00 on 1 March;
    - 甲区总工会 to 甲区第一中学工会: 3,000.00 on 1 June (inside 甲's branch);
    - 甲区人民政府 to 甲区总工会 10,000.00 and to 甲区第一中学工会 500.00 (government funds).
    The city received nothing from above and allocated 42,000.00; 甲's branch received
    35,000.00 from the city, allocated 3,000.00 and had 10,500.00 of government funds."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        city, a = cls.city, cls.district_a
        allocate(a, "30000.00", D(2024, 1, 1), source=city)
        allocate(a, "5000.00", D(2024, 12, 31), source=city, purpose=Purpose.EQUIPMENT)
        allocate(a, "1000.00", D(2023, 12, 31), source=city)
        allocate(a, "2000.00", D(2025, 1, 1), source=city)
        allocate(cls.union_b, "4000.00", D(2024, 3, 1), source=city, purpose=Purpose.ACTIVITY_SUBSIDY)
        allocate(cls.union_a, "3000.00", D(2024, 6, 1), source=a, purpose=Purpose.BOOKS)
        allocate(a, "10000.00", D(2024, 5, 1), source_name="甲区人民政府", purpose=Purpose.ACTIVITY_SUBSIDY)
        allocate(cls.union_a, "500.00", D(2024, 7, 1), source_name="甲区人民政府", purpose=Purpose.RELIEF)

    def test_the_city_allocated_and_received_nothing_from_above(self):
        section = funds_section(context(self.lena, self.city))
        self.assertEqual(
            section.data,
            {
                "received": "0.00",
                "allocated": "42000.00",
                "government": "10500.00",
                "received_by_purpose": dict.fromkeys(Purpose.values, "0.00"),
            },
        )
        self.assertEqual(section.figure("allocated").previous, Decimal("1000.00"))
        self.assertEqual(section.figure("allocated").format, "amount")

    def test_a_district_received_from_the_city_with_government_funds_apart(self):
        section = funds_section(context(self.alice, self.district_a))
        self.assertEqual(
            section.data,
            {
                "received": "35000.00",
                "allocated": "3000.00",
                "government": "10500.00",
                "received_by_purpose": {
                    **dict.fromkeys(Purpose.values, "0.00"),
                    "routine": "30000.00",
                    "equipment": "5000.00",
                },
            },
        )
        self.assertEqual(section.figure("received").value, Decimal("35000.00"))
        self.assertEqual(section.figure("received").previous, Decimal("1000.00"))

    def test_rows_show_what_each_branch_received_from_outside_itself(self):
        section = funds_section(context(self.lena, self.city))
        rows = [(row.organization, row.own, [cell.value for cell in row.cells]) for row in section.children]
        self.assertEqual(
            rows,
            [
                (self.district_a, False, [Decimal("35000.00"), Decimal("3000.00"), Decimal("10500.00")]),
                (self.district_b, False, [Decimal("4000.00"), Decimal("0.00"), Decimal("0.00")]),
                (self.city, True, [Decimal("0.00"), Decimal("39000.00"), Decimal("0.00")]),
            ],
        )
        district = funds_section(context(self.alice, self.district_a))
        rows = [(row.organization, [cell.value for cell in row.cells]) for row in district.children]
        self.assertEqual(
            rows,
            [
                (self.union_a, [Decimal("3000.00"), Decimal("0.00"), Decimal("500.00")]),
                (self.district_a, [Decimal("35000.00"), Decimal("3000.00"), Decimal("10000.00")]),
            ],
        )

    def test_each_figure_and_cell_links_to_allocations_that_add_up_to_it(self):
        for user, organization in ((self.lena, self.city), (self.alice, self.district_a)):
            section = funds_section(context(user, organization))
            for figure in section.figures:
                self.assertEqual(self.follow(user, figure.link).context["total"], figure.value, figure.key)
            for row in section.children:
                for (key, _label, _format), cell in zip(section.columns, row.cells, strict=True):
                    total = self.follow(user, cell.link).context["total"]
                    self.assertEqual(total, cell.value, (organization, row.organization, key))

    def test_a_district_leader_gets_nothing_of_the_other_district(self):
        section = funds_section(context(self.leo, self.district_b))
        self.assertEqual(section.data["received"], "4000.00")
        self.assertEqual((section.data["allocated"], section.data["government"]), ("0.00", "0.00"))
        city = funds_section(context(self.leo, self.city))
        self.assertEqual((city.data["allocated"], city.data["government"]), ("4000.00", "0.00"))

    def test_queries_do_not_grow_with_children_or_allocations(self):
        city = context(self.lena, self.city)
        with self.assertNumQueries(2):
            funds_section(city)
        for n in range(4):
            union = make_org(self.district_a, f"甲区新工会{n}")
            allocate(union, "100.00", D(2024, 8, 1), source=self.district_a)
        self.district_a.refresh_from_db()
        district = context(self.alice, self.district_a)
        with self.assertNumQueries(2):
            section = funds_section(district)
        self.assertEqual(section.data["allocated"], "3400.00")


# The demo's figures (Pingtang's 506 unions, Shuangyashan's 30,000.00 a year to each district)
# are checked with the cadres' in tests/cadres/test_reports.py, so that load_demo runs once.
