"""Scoring, rating and the assessment workflow."""

import datetime
import threading
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.models import Count, Sum
from django.test import TestCase, TransactionTestCase

from cadres.models import Cadre, Post, Rank
from organizations.models import FundAllocation, Organization, OrganizationKind
from standards import services
from standards.models import Assessment, AssessmentStatus, Criterion, Measure, RatingThreshold, Standard
from tests.base import PortalTestCase, make_org, make_user


def star_standard(owner):
    standard = Standard.objects.create(
        name="星级标准", owner=owner, kinds=[OrganizationKind.GRASSROOTS], pass_points=Decimal(60)
    )
    for code, points, must in [("a", 40, True), ("b", 30, False), ("c", 20, False), ("d", 10, False)]:
        Criterion.objects.create(standard=standard, code=code, title=code, points=points, must_pass=must)
    for rating, points, requires in [(5, 90, True), (4, 80, True), (3, 60, True), (2, 50, False), (1, 30, False)]:
        RatingThreshold.objects.create(
            standard=standard, rating=rating, min_points=points, requires_all_must_pass=requires
        )
    return standard


class VerdictTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.standard = star_standard(cls.city)
        cls.criteria = {c.code: c for c in cls.standard.criteria.all()}

    def verdict(self, met, points=None):
        points = points or {}
        return self.standard.verdict(
            [(c, c.code in met, Decimal(points.get(c.code, c.points))) for c in self.criteria.values()]
        )

    def test_all_met_is_five_stars_and_compliant(self):
        self.assertEqual(self.verdict("abcd"), (Decimal(100), True, True, 5))

    def test_exactly_on_a_threshold_reaches_it_and_just_below_does_not(self):
        self.assertEqual(self.verdict("abc", {"c": 20})[3], 5)  # 90
        self.assertEqual(self.verdict("abc", {"c": Decimal("19.5")})[3], 4)  # 89.5
        self.assertEqual(self.verdict("ab", {"b": 20})[3], 3)  # 60: compliant at exactly pass points
        self.assertTrue(self.verdict("ab", {"b": 20})[2])
        self.assertFalse(self.verdict("ab", {"b": Decimal("19.9")})[2])

    def test_a_failed_must_pass_caps_the_rating_and_is_never_compliant(self):
        score, must_pass_met, compliant, rating = self.verdict("bcd")  # 60 points without "a"
        self.assertEqual((score, must_pass_met, compliant, rating), (Decimal(60), False, False, 2))

    def test_too_few_points_is_no_rating(self):
        self.assertEqual(self.verdict("d")[3], None)


class WorkflowTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.standard = star_standard(cls.city)
        cls.april_b = make_user("april_b", cls.district_b, "approver")

    def prepared(self):
        assessment = services.assessment_create(
            organization=self.union_a, standard=self.standard, year=2025, user=self.alice
        )
        items = {item.pk: {"met": True, "points": item.criterion.points} for item in assessment.items.all()}
        return services.assessment_save_items(assessment=assessment, items=items, user=self.alice)

    def test_a_draft_is_submitted_approved_and_locked(self):
        assessment = self.prepared()
        self.assertEqual((assessment.score, assessment.rating, assessment.compliant), (Decimal(100), 5, True))
        services.assessment_submit(assessment=assessment, user=self.alice)
        services.assessment_approve(assessment=assessment, user=self.april)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.APPROVED)
        self.assertEqual((assessment.submitted_by, assessment.approved_by), (self.alice, self.april))
        self.assertEqual(assessment.history.first().history_user, self.april)
        with self.assertRaises(ValidationError):
            services.assessment_save_items(assessment=assessment, items={}, user=self.alice)

    def test_a_new_assessment_is_one_version_in_its_history(self):
        assessment = services.assessment_create(
            organization=self.union_a, standard=self.standard, year=2025, user=self.alice
        )
        self.assertEqual(list(assessment.history.values_list("history_type", flat=True)), ["+"])
        self.assertEqual(assessment.items.count(), 4)

    def test_the_submitter_cannot_approve_even_with_approval_rights(self):
        assessment = self.prepared()
        services.assessment_submit(assessment=assessment, user=self.adam)
        self.adam.role = "approver"
        with self.assertRaises(ValidationError):
            services.assessment_approve(assessment=assessment, user=self.adam)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.SUBMITTED)

    def test_staff_cannot_approve(self):
        assessment = self.prepared()
        services.assessment_submit(assessment=assessment, user=self.alice)
        with self.assertRaises(PermissionDenied):
            services.assessment_approve(assessment=assessment, user=self.bob)

    def test_a_returned_assessment_keeps_its_reason_and_can_be_resubmitted(self):
        assessment = self.prepared()
        services.assessment_submit(assessment=assessment, user=self.alice)
        with self.assertRaises(ValidationError):
            services.assessment_return(assessment=assessment, user=self.april, reason="  ")
        services.assessment_return(assessment=assessment, user=self.april, reason="缺少职工之家照片")
        assessment.refresh_from_db()
        self.assertEqual((assessment.status, assessment.return_reason), (AssessmentStatus.RETURNED, "缺少职工之家照片"))
        services.assessment_save_items(assessment=assessment, items={}, user=self.alice)
        services.assessment_submit(assessment=assessment, user=self.alice)
        assessment.refresh_from_db()
        self.assertEqual((assessment.status, assessment.return_reason), (AssessmentStatus.SUBMITTED, ""))

    def test_approving_twice_approves_once(self):
        assessment = self.prepared()
        services.assessment_submit(assessment=assessment, user=self.alice)
        services.assessment_approve(assessment=assessment, user=self.april)
        with self.assertRaises(ValidationError):
            services.assessment_approve(assessment=assessment, user=self.april)
        self.assertEqual(assessment.history.filter(status=AssessmentStatus.APPROVED).count(), 1)

    def test_a_standard_for_other_kinds_cannot_be_used(self):
        with self.assertRaises(ValidationError):
            services.assessment_create(organization=self.district_a, standard=self.standard, year=2025, user=self.alice)
        self.assertFalse(Assessment.objects.exists())


class MeasuredCriteriaTest(PortalTestCase):
    def test_staff_count_chair_rank_and_routine_funds_are_prefilled_and_say_so(self):
        standard = Standard.objects.create(
            name="区工会标准",
            owner=self.city,
            kinds=[OrganizationKind.COUNTY_FEDERATION],
            expected_chair_rank=Rank.DEPUTY_DIVISION,
        )
        Criterion.objects.create(
            standard=standard, code="staff", title="人员", points=20, measure=Measure.STAFF_COUNT, threshold=2
        )
        Criterion.objects.create(standard=standard, code="chair", title="主席", points=20, measure=Measure.CHAIR_RANK)
        Criterion.objects.create(
            standard=standard, code="money", title="经费", points=20, measure=Measure.ROUTINE_FUNDS, threshold=30000
        )
        Criterion.objects.create(standard=standard, code="office", title="场所", points=40)
        start = datetime.date(2020, 1, 1)
        for index, (rank, position, staffing) in enumerate(
            [
                (Rank.DEPUTY_DIVISION, "chair", "civil_service"),
                (Rank.CLERK, "staff", "civil_service"),
                (Rank.NONE, "staff", "social_worker"),
            ]
        ):
            cadre = Cadre.objects.create(full_name=f"干部{index}", gender="male", organization=self.district_a)
            Post.objects.create(
                cadre=cadre, organization=self.district_a, position=position, rank=rank, staffing=staffing, start=start
            )
        for month in range(1, 13):
            FundAllocation.objects.create(
                source=self.city,
                recipient=self.district_a,
                amount=2500,
                date=datetime.date(2025, month, 1),
                purpose="routine",
            )
        FundAllocation.objects.create(
            source_name="甲区人民政府",
            recipient=self.district_a,
            amount=50000,
            date=datetime.date(2025, 5, 1),
            purpose="routine",
        )
        assessment = services.assessment_create(
            organization=self.district_a, standard=standard, year=2025, user=self.alice
        )
        items = {item.criterion.code: item for item in assessment.items.select_related("criterion")}
        self.assertEqual(
            (items["staff"].met, items["chair"].met, items["money"].met, items["office"].met), (True, True, True, False)
        )
        self.assertIn("2", items["staff"].measured)  # two staff: the social worker does not count
        self.assertIn("30000", items["money"].measured)  # government money is not union funding
        self.assertEqual(items["office"].measured, "")
        self.assertEqual(assessment.score, Decimal(60))
        # Created once, with its score: not created at 0 and then changed (a "changed" line
        # under "created" in the history, or "no field changed" when nothing was measured).
        version = assessment.history.get()
        self.assertEqual((version.history_type, version.score, version.history_user), ("+", Decimal(60), self.alice))


class ConcurrentApprovalTest(TransactionTestCase):
    """Eight approvers clicking at once approve once, on SQLite and on PostgreSQL."""

    def test_eight_concurrent_approvals_approve_once(self):
        city = make_org(None, "并发市总工会", OrganizationKind.CITY_FEDERATION)
        union = make_org(city, "并发基层工会")
        staff = make_user("staffer", city, "staff")
        approvers = [make_user(f"approver{i}", city, "approver") for i in range(8)]
        standard = star_standard(city)
        assessment = services.assessment_create(organization=union, standard=standard, year=2025, user=staff)
        services.assessment_submit(assessment=assessment, user=staff)
        results, barrier = [], threading.Barrier(8)

        def approve(user):
            barrier.wait()
            try:
                services.assessment_approve(assessment=Assessment.objects.get(pk=assessment.pk), user=user)
                results.append("approved")
            except ValidationError:
                results.append("refused")
            except Exception as error:  # "database is locked" would be a failure of the design
                results.append(repr(error))
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=approve, args=(user,)) for user in approvers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(sorted(results), ["approved"] + ["refused"] * 7)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.APPROVED)
        self.assertIn(assessment.approved_by, approvers)
        self.assertEqual(assessment.history.filter(status=AssessmentStatus.APPROVED).count(), 1)


class DemoStandardsTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    def test_each_shuangyashan_district_received_30000_from_the_city_in_2012_and_is_compliant(self):
        received = dict(
            FundAllocation.objects.from_unions()
            .filter(date__year=2012, recipient__parent__name="双鸭山市总工会")
            .values_list("recipient__name")
            .annotate(total=Sum("amount"))
        )
        self.assertEqual(
            received,
            {name: Decimal("30000.00") for name in ["尖山区总工会", "岭东区总工会", "四方台区总工会", "宝山区总工会"]},
        )
        assessments = Assessment.objects.filter(year=2012, standard__name="县(区)工会规范化建设标准")
        self.assertEqual(assessments.count(), 4)
        self.assertTrue(all(a.compliant and a.status == AssessmentStatus.APPROVED for a in assessments))

    def test_the_citys_one_off_support_matches_the_seed(self):
        city = FundAllocation.objects.from_unions().filter(source__name="双鸭山市总工会")
        totals = dict(city.values_list("purpose").annotate(total=Sum("amount")))
        self.assertGreaterEqual(totals["activity_subsidy"], 400000)
        self.assertEqual(totals["equipment"], 100000)
        self.assertGreaterEqual(totals["books"], 900000)
        self.assertGreaterEqual(totals["relief"], 1000000)
        outside = dict(FundAllocation.objects.from_outside().values_list("recipient__name").annotate(t=Sum("amount")))
        self.assertEqual(outside, {"宝山区总工会": Decimal("100000.00"), "尖山区总工会": Decimal("43000.00")})

    def test_pingtang_has_7_five_star_and_13_four_star_unions(self):
        pingtang = Organization.objects.get(name="平塘县总工会")
        ratings = dict(
            Assessment.objects.approved()
            .filter(organization__path__startswith=pingtang.path, standard__name="好花红星级工会评定标准")
            .values_list("rating")
            .annotate(n=Count("pk"))
        )
        self.assertEqual(ratings, {5: 7, 4: 13})
