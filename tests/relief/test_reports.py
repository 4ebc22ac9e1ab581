"""The relief section of the annual summary against hand-counted payments."""

import datetime
from decimal import Decimal

from django.db.models import Sum

from organizations.models import Organization
from relief import services
from relief.models import Disbursement, Programme
from relief.reports import relief_section
from tests.base import PortalTestCase, make_org, make_user
from tests.relief.test_services import file_person
from unionportal.reporting import OWN, Period, ReportContext

D = Decimal
YEAR = Period.year(2025)


def context(user, organization, period=YEAR):
    children = Organization.objects.restrict(user).filter(parent=organization).order_by("path")
    return ReportContext(user, organization, period, children=children)


class ReliefSectionTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.bianca = make_user("bianca", cls.district_b, "approver")
        cls.township_a = make_org(cls.district_a, "甲区城关镇工会联合会", "township_federation")
        cls.programmes = {
            year: Programme.objects.create(
                name="大病救助",
                year=year,
                owner=cls.city,
                budget=D("100000"),
                standard_amount=D("3000"),
                cap_per_person=D("5000"),
            )
            for year in (2024, 2025, 2026)
        }
        cls.festival = Programme.objects.create(
            name="节日慰问",
            year=2025,
            owner=cls.city,
            budget=D("100000"),
            standard_amount=D("200"),
            cap_per_person=D("500"),
        )
        people = [file_person(cls.union_a, serial=f"{n:03d}", filed_on=datetime.date(2025, 1, 1)) for n in range(1, 6)]
        cls.late = file_person(cls.union_a, serial="009", filed_on=datetime.date(2026, 1, 1))
        cls.person_b = file_person(cls.union_b, serial="010", filed_on=datetime.date(2024, 3, 1))
        cls.pay(people[0], "3000", datetime.date(2025, 1, 1), payer=cls.district_a)  # first day: counts
        # Paid by the township: filed in a union of the township, as the paying branch must hold the file.
        cls.town_union = make_org(cls.township_a, "甲区城关镇中心学校工会")
        people[1].organization = cls.town_union
        people[1].save()
        cls.pay(people[1], "2000", datetime.date(2025, 12, 31), payer=cls.township_a)  # last day: counts
        cls.pay(people[2], "1000", datetime.date(2024, 12, 31), payer=cls.district_a)  # the year before
        cls.pay(people[3], "4000", datetime.date(2026, 1, 1), payer=cls.district_a)  # after: not counted
        reversed_one = cls.pay(people[4], "1500", datetime.date(2025, 3, 1), payer=cls.district_a)
        reversal = services.disbursement_reverse(
            disbursement=reversed_one, user=cls.alice, date=datetime.date(2025, 4, 1), note="错发"
        )
        cls.through(reversal)
        cls.pay(None, "6000", datetime.date(2025, 9, 1), payer=cls.district_a, group=("环卫工人", 30))
        cls.pay(cls.person_b, "2500", datetime.date(2025, 6, 1), payer=cls.district_b, user=cls.bob)
        # Submitted, never paid: not counted.
        services.disbursement_submit(
            disbursement=services.disbursement_create(
                user=cls.alice,
                programme=cls.programmes[2025],
                beneficiary=people[3],
                cash=D("100"),
                date=datetime.date(2025, 5, 5),
                paying_organization=cls.district_a,
            ),
            user=cls.alice,
        )

    @classmethod
    def through(cls, disbursement, user=None):
        user = user or cls.alice
        approver = cls.april if user == cls.alice else cls.bianca
        services.disbursement_submit(disbursement=disbursement, user=user)
        services.disbursement_approve(disbursement=disbursement, user=approver)
        return services.disbursement_pay(disbursement=disbursement, user=user)

    @classmethod
    def pay(cls, person, cash, date, *, payer, group=None, user=None):
        fields = {"beneficiary": person} if person else {"group_name": group[0], "head_count": group[1]}
        programme = cls.festival if group else cls.programmes[date.year]
        disbursement = services.disbursement_create(
            user=user or cls.alice, programme=programme, cash=D(cash), date=date, paying_organization=payer, **fields
        )
        return cls.through(disbursement, user)

    def test_figures_of_a_district_count_paid_payments_dated_in_the_period(self):
        section = relief_section(context(self.lena, self.district_a))
        # 3000 + 2000 + 1500 − 1500 + 6000 (group of 30)
        self.assertEqual(section.data["amount"], "11000.00")
        self.assertEqual(section.data["person_times"], 1 + 1 + 1 - 1 + 30)
        self.assertEqual(section.data["groups"], {"count": 1, "person_times": 30})
        self.assertEqual(
            section.data["by_programme"],
            {
                "大病救助": {"amount": "5000.00", "person_times": 2},
                "节日慰问": {"amount": "6000.00", "person_times": 30},
            },
        )
        # Filed by 2025-12-31 and on file: five (the sixth was filed on 2026-01-01).
        self.assertEqual(section.data["beneficiaries_on_file"], 5)
        self.assertEqual(section.figure("amount").previous, D("1000.00"))
        self.assertEqual(section.figure("person_times").previous, 1)

    def test_breakdown_by_child_and_own_records(self):
        section = relief_section(context(self.lena, self.district_a))
        rows = {row.organization.name: row for row in section.children}
        self.assertEqual(rows["甲区城关镇工会联合会"].cells[0].value, D("2000.00"))
        own = [row for row in section.children if row.own]
        self.assertEqual(len(own), 1)
        self.assertEqual(own[0].cells[0].value, D("9000.00"))  # paid by the district itself
        self.assertEqual(rows["甲区第一中学工会"].cells[2].value, 4)  # files of the union
        self.assertEqual(rows["甲区城关镇工会联合会"].cells[2].value, 1)  # and of the township's

    def test_the_city_sees_both_districts_and_a_district_leader_only_his_own(self):
        city = relief_section(context(self.lena, self.city))
        self.assertEqual(city.data["amount"], "13500.00")
        leo = relief_section(context(self.leo, self.district_b))
        self.assertEqual(leo.data["amount"], "2500.00")
        self.assertEqual(leo.data["by_programme"], {"大病救助": {"amount": "2500.00", "person_times": 1}})
        text = str([leo.data, [f.link for f in leo.figures], [c.as_json() for c in leo.charts]])
        self.assertNotIn("甲区", text)

    def test_each_figure_links_to_a_list_of_the_records_it_counts(self):
        section = relief_section(context(self.lena, self.district_a))
        client = self.login(self.lena)
        for key in ("amount", "by_programme.大病救助.amount", "by_programme.节日慰问.amount"):
            figure = section.figure(key)
            response = client.get(figure.link)
            self.assertEqual(response.status_code, 200, figure.link)
            rows = response.context["filter"].qs
            totals = rows.aggregate(cash=Sum("cash"), kind=Sum("in_kind_value"))
            self.assertEqual(totals["cash"] + totals["kind"], figure.value, key)
        response = client.get(section.figure("beneficiaries_on_file").link)
        self.assertEqual(response.context["filter"].qs.count(), 5)
        response = client.get(section.figure("groups.person_times").link)
        self.assertEqual(sum(row.head_count for row in response.context["filter"].qs), 30)
        for row in section.children:
            response = client.get(row.cells[0].link)
            rows = response.context["filter"].qs
            totals = rows.aggregate(cash=Sum("cash"), kind=Sum("in_kind_value"))
            self.assertEqual((totals["cash"] or 0) + (totals["kind"] or 0), row.cells[0].value, row.organization)
            response = client.get(row.cells[2].link)
            self.assertEqual(response.context["filter"].qs.count(), row.cells[2].value, row.organization)

    def test_charts_by_programme_and_by_month(self):
        section = relief_section(context(self.lena, self.district_a))
        by_programme, by_month = (chart.as_json() for chart in section.charts)
        self.assertEqual(by_programme["categories"], ["大病救助", "节日慰问"])
        self.assertEqual(by_programme["series"][0]["data"], [5000.0, 6000.0])
        self.assertEqual(by_month["categories"], ["2025-01", "2025-03", "2025-04", "2025-09", "2025-12"])
        self.assertEqual(by_month["series"][0]["data"], [3000.0, 1500.0, -1500.0, 6000.0, 2000.0])

    def test_queries_do_not_grow_with_children_or_payments(self):
        with self.assertNumQueries(6):
            relief_section(context(self.lena, self.city))
        for n in range(3):
            township = make_org(self.district_a, f"甲区新镇{n}工会联合会", "township_federation")
            person = file_person(township, serial=f"{100 + n:03d}", filed_on=datetime.date(2025, 2, 1))
            self.pay(person, "100", datetime.date(2025, 7, 1), payer=township)
        self.district_a.refresh_from_db()
        with self.assertNumQueries(6):
            relief_section(context(self.lena, self.district_a))

    def test_own_key_is_only_for_the_reported_organization(self):
        section = relief_section(context(self.lena, self.city))
        self.assertFalse(any(row.own for row in section.children))
        self.assertEqual(OWN, "__own__")
        self.assertEqual(Disbursement.objects.filter(status="paid").count(), 8)
