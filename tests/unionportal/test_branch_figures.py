"""A list's count and totals kept in parts (unionportal/branchfigures.py): whatever was cached
and whatever changed since, the figures of a branch are exactly what one aggregate over the
branch gives; a change in one union recounts the records of the organizations on its line,
never the branch; and only figures that add up are kept in parts."""

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, Max, Sum, Value
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity
from activities.views import ACTIVITY_TOTALS
from organizations.models import FundAllocation, Organization, OrganizationKind, Purpose
from relief.models import Disbursement, DisbursementStatus, Programme
from relief.views import DISBURSEMENT_TOTALS
from tests.base import PortalTestCase, make_org
from unionportal import branchfigures
from unionportal.branchfigures import BranchFigures, adds_up, combine

YEAR = 2025


class BranchFiguresTest(PortalTestCase):
    """The city holds districts A and B; A holds two townships of three unions each and two
    unions of its own; every level, federations included, pays and organizes."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.townships = [
            make_org(cls.district_a, f"甲区第{n}镇总工会", OrganizationKind.TOWNSHIP_FEDERATION) for n in range(2)
        ]
        cls.deep = [
            make_org(township, f"甲区{t}镇第{n}工会") for t, township in enumerate(cls.townships) for n in range(3)
        ]
        cls.direct = [cls.union_a, make_org(cls.district_a, "甲区直属工会")]
        for organization in (cls.city, cls.district_a, *cls.townships):
            organization.refresh_from_db()
        cls.programme = Programme.objects.create(
            name="送温暖",
            year=YEAR,
            owner=cls.city,
            budget=Decimal(1000000),
            standard_amount=Decimal(100),
            cap_per_person=Decimal(5000),
        )
        payers = [cls.city, cls.district_a, cls.district_b, cls.union_b, *cls.townships, *cls.deep, *cls.direct]
        for n, payer in enumerate(payers):
            cls.pay(payer, 100 + n, status=DisbursementStatus.PAID if n % 3 else DisbursementStatus.APPROVED)
            cls.pay(payer, 7, head_count=4)
            Activity.objects.create(
                title=f"活动{n}", kind="competition", organizer=payer, start=datetime.date(YEAR, 5, 1), participants=n
            )

    @classmethod
    def pay(cls, payer, cash, *, head_count=1, status=DisbursementStatus.PAID):
        return Disbursement.objects.create(
            programme=cls.programme,
            group_name="环卫工人",
            head_count=head_count,
            cash=Decimal(cash),
            in_kind_value=Decimal("0.50"),
            date=datetime.date(YEAR, 6, 1),
            paying_organization=payer,
            status=status,
            created_by=cls.lena,
        )

    def lists(self):
        """(name, queryset of the reader's rows with a filter, totals, scope path)."""
        lena = self.lena
        return [
            (
                "paid-disbursements",
                Disbursement.objects.restrict(lena).filter(status=DisbursementStatus.PAID),
                DISBURSEMENT_TOTALS,
                Disbursement.scope_path,
            ),
            ("activities", Activity.objects.restrict(lena), ACTIVITY_TOTALS, Activity.scope_path),
            (
                "grassroots-unions",
                Organization.objects.restrict(lena).filter(kind=OrganizationKind.GRASSROOTS),
                {},
                Organization.scope_path,
            ),
            (
                "fund-allocations",
                FundAllocation.objects.restrict(lena),
                {"total": Sum("amount")},
                FundAllocation.scope_path,
            ),
        ]

    def assert_figures(self, organization=None):
        organization = organization or self.city
        organization.refresh_from_db()
        for name, queryset, totals, scope_path in self.lists():
            with self.subTest(name, organization=organization.name):
                expected = queryset.filter(**{f"{scope_path}__startswith": organization.path}).aggregate(
                    _rows=Count("pk"), **totals
                )
                figures = BranchFigures(queryset, totals, name, scope_path=scope_path)
                self.assertTrue(BranchFigures.applies(queryset, totals))
                self.assertEqual(figures.of(organization), expected)

    def test_the_figures_are_those_of_one_aggregate_whatever_changed(self):
        self.assert_figures()  # nothing cached: counted at once
        self.assert_figures()  # from the cache
        self.pay(self.deep[4], 55)  # a union two levels below district A
        self.assert_figures()
        self.pay(self.townships[0], 11)  # a township's own payment
        self.pay(self.union_b, 13)  # and one in district B: two lines at once
        self.assert_figures()
        self.assert_figures(self.district_a)
        self.pay(self.district_a, 17)  # the district's own, then a union of its own
        self.assert_figures(self.district_a)
        self.pay(self.direct[1], 19)
        self.assert_figures()
        Disbursement.objects.filter(paying_organization=self.deep[0]).first().delete()
        self.assert_figures()
        make_org(self.townships[1], "甲区新工会")  # the tree changes
        self.assert_figures()

    def test_a_change_in_one_union_counts_the_records_on_its_line_only(self):
        queryset = Disbursement.objects.restrict(self.lena).filter(status=DisbursementStatus.PAID)
        figures = BranchFigures(queryset, DISBURSEMENT_TOTALS, "paid", scope_path=Disbursement.scope_path)

        def reads():
            with CaptureQueriesContext(connection) as captured:
                result = figures.of(self.city)
            self.assertEqual(result["_rows"], queryset.count())
            return [query["sql"] for query in captured.captured_queries if "relief_disbursement" in query["sql"]]

        self.assertEqual(len(reads()), 1)  # nothing cached: the city, by district
        self.pay(self.deep[4], 55)
        # District A's parts are not known yet: A by township, and the city's own records.
        self.assertEqual(len(reads()), 2)
        self.pay(self.deep[4], 56)
        # Now one query: the records of the city, district A, the township and its unions, by key.
        (only,) = reads()
        self.assertIn('"paying_organization_id" IN (', only)
        self.assertNotIn("SUBSTR", only.upper())
        self.assertEqual(reads(), [])  # read again: from the cache

    def test_many_changes_count_the_branch_at_once(self):
        queryset = Activity.objects.restrict(self.lena)
        figures = BranchFigures(queryset, ACTIVITY_TOTALS, "activities", scope_path=Activity.scope_path)
        figures.of(self.city)
        for township in self.townships:
            Activity.objects.create(
                title="又一活动", kind="competition", organizer=township, start=datetime.date(YEAR, 7, 1)
            )
        original = branchfigures.MAX_MISSING
        branchfigures.MAX_MISSING = 1  # two townships missing: district A is counted at once
        try:
            with CaptureQueriesContext(connection) as captured:
                result = figures.of(self.city)
        finally:
            branchfigures.MAX_MISSING = original
        reads = [query["sql"] for query in captured.captured_queries if "activities_activity" in query["sql"]]
        self.assertEqual(len(reads), 2, reads)  # district A grouped by child, the city's own by key
        self.assertEqual(result["_rows"], queryset.count())
        self.assert_figures()

    def test_the_list_pages_show_the_figures_of_one_aggregate(self):
        self.login(self.lena)
        url = reverse("relief:disbursement_list")
        paid = Disbursement.objects.filter(status=DisbursementStatus.PAID)
        for _ in range(2):
            response = self.client.get(url, {"status": "paid"})
            self.assertEqual(response.context["table"].paginator.count, paid.count())
            self.pay(self.deep[1], 23)
            paid = Disbursement.objects.filter(status=DisbursementStatus.PAID)

    def test_only_figures_that_add_up_are_kept_in_parts(self):
        self.assertTrue(adds_up({"n": Count("pk"), "s": Sum("cash"), "c": Coalesce(Sum("cash"), Value(0))}))
        for aggregate in (Avg("cash"), Max("cash"), Count("beneficiary", distinct=True), Coalesce(Sum("cash"), "cash")):
            with self.subTest(aggregate=aggregate):
                self.assertFalse(adds_up({"x": aggregate}))
        queryset = Disbursement.objects.restrict(self.lena)
        self.assertFalse(BranchFigures.applies(queryset, {"x": Avg("cash")}))
        self.assertFalse(BranchFigures.applies(queryset.distinct(), {}))
        self.assertFalse(BranchFigures.applies(Programme.objects.restrict(self.lena), {}))

    def test_parts_combine_as_one_aggregate_would(self):
        totals = {"n": Count("pk"), "s": Sum("cash"), "c": Coalesce(Sum("cash"), Value(Decimal("0.00")))}
        self.assertEqual(combine([], totals), {"n": 0, "s": None, "c": Decimal("0.00")})
        parts = [{"n": 2, "s": None, "c": Decimal("0.00")}, {"n": 1, "s": Decimal("1.50"), "c": Decimal("1.50")}]
        self.assertEqual(combine(parts, totals), {"n": 3, "s": Decimal("1.50"), "c": Decimal("1.50")})

    def test_fund_allocations_without_rows_sum_to_nothing(self):
        FundAllocation.objects.create(
            source=self.city, recipient=self.deep[0], date=datetime.date(YEAR, 1, 1), amount=10, purpose=Purpose.ROUTINE
        )
        self.assert_figures()
        self.assert_figures(self.district_b)
