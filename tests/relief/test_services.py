"""The disbursement workflow and its money rules."""

import datetime
import threading
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.models import Count, Q, Sum
from django.test import TestCase, TransactionTestCase
from django.utils.translation import gettext as _

from organizations.models import OrganizationKind
from relief import services
from relief.models import Beneficiary, Disbursement, DisbursementStatus, Programme, mask_account
from tests.base import PortalTestCase, make_org, make_user
from unionportal.validators import resident_id_check_char

D = Decimal


def id_number(birth="19800215", serial="001"):
    body = f"522799{birth}{serial}"
    return body + resident_id_check_char(body)


def file_person(organization, serial="001", **extra):
    fields = {
        "full_name": "张明",
        "id_number": id_number(serial=serial),
        "organization": organization,
        "hardship_level": "deep",
        "filed_on": datetime.date(2024, 1, 5),
        **extra,
    }
    person = Beneficiary(**fields)
    person.full_clean()
    person.save()
    return person


class ReliefTestCase(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.programme = Programme.objects.create(
            name="大病救助",
            year=2025,
            owner=cls.district_a,
            budget=D("10000"),
            standard_amount=D("3000"),
            cap_per_person=D("5000"),
        )
        cls.person = file_person(cls.union_a)

    def draft(self, person=None, cash="3000", **extra):
        fields = {
            "programme": self.programme,
            "beneficiary": person or self.person,
            "cash": D(cash),
            "date": datetime.date(2025, 6, 1),
            "paying_organization": self.district_a,
            **extra,
        }
        return services.disbursement_create(user=self.alice, **fields)

    def paid(self, **extra):
        disbursement = self.draft(**extra)
        services.disbursement_submit(disbursement=disbursement, user=self.alice)
        services.disbursement_approve(disbursement=disbursement, user=self.april)
        return services.disbursement_pay(disbursement=disbursement, user=self.alice)


class BeneficiaryTest(ReliefTestCase):
    def test_birth_date_and_gender_come_from_the_id_number(self):
        self.assertEqual((self.person.birth_date, self.person.gender), (datetime.date(1980, 2, 15), "male"))

    def test_an_id_on_file_elsewhere_is_refused_without_saying_where(self):
        with self.assertRaises(ValidationError) as caught:
            file_person(self.union_b)  # bob's district: the same person
        message = str(caught.exception)
        self.assertNotIn("甲区", message)
        self.assertNotIn(self.union_a.name, message)
        self.assertEqual(Beneficiary.objects.count(), 1)

    def test_a_bank_account_shows_its_last_four_digits(self):
        self.assertEqual(mask_account("6228480402564890018"), "***************0018")


class WorkflowTest(ReliefTestCase):
    def test_draft_submitted_approved_paid_with_who_and_history(self):
        disbursement = self.paid()
        self.assertEqual(disbursement.status, DisbursementStatus.PAID)
        self.assertEqual(
            (disbursement.submitted_by, disbursement.approved_by, disbursement.paid_by),
            (self.alice, self.april, self.alice),
        )
        self.assertEqual(
            list(disbursement.history.order_by("history_id").values_list("status", flat=True)),
            ["draft", "submitted", "approved", "paid"],
        )

    def test_the_submitter_never_approves_and_staff_cannot(self):
        disbursement = self.draft()
        services.disbursement_submit(disbursement=disbursement, user=self.april)
        with self.assertRaises(ValidationError):
            services.disbursement_approve(disbursement=disbursement, user=self.april)
        with self.assertRaises(PermissionDenied):
            services.disbursement_approve(disbursement=disbursement, user=self.alice)
        disbursement.refresh_from_db()
        self.assertEqual(disbursement.status, DisbursementStatus.SUBMITTED)

    def test_approving_or_paying_twice_changes_the_state_once(self):
        disbursement = self.paid()
        with self.assertRaises(ValidationError):
            services.disbursement_approve(disbursement=disbursement, user=self.april)
        with self.assertRaises(ValidationError):
            services.disbursement_pay(disbursement=disbursement, user=self.alice)
        self.assertEqual(disbursement.history.filter(status="paid").count(), 1)

    def test_a_returned_disbursement_keeps_its_reason_and_is_resubmitted(self):
        disbursement = self.draft()
        services.disbursement_submit(disbursement=disbursement, user=self.alice)
        services.disbursement_return(disbursement=disbursement, user=self.april, reason="缺少医院证明")
        disbursement.refresh_from_db()
        self.assertEqual((disbursement.status, disbursement.return_reason), ("returned", "缺少医院证明"))
        services.disbursement_submit(disbursement=disbursement, user=self.alice)
        disbursement.refresh_from_db()
        self.assertEqual((disbursement.status, disbursement.return_reason), ("submitted", ""))


class RulesTest(ReliefTestCase):
    def test_over_the_cap_is_refused_with_the_reason(self):
        with self.assertRaisesMessage(ValidationError, "5000"):
            services.disbursement_submit(disbursement=self.draft(cash="5000.01"), user=self.alice)

    def test_a_second_payment_of_the_programme_to_the_same_person_in_the_year_is_refused(self):
        self.paid()
        with self.assertRaises(ValidationError) as caught:
            services.disbursement_submit(disbursement=self.draft(cash="1000"), user=self.alice)
        self.assertIn("张明", str(caught.exception))

    def test_over_the_budget_is_refused_and_says_what_is_left(self):
        for serial in ("002", "003", "004"):
            self.paid(person=file_person(self.union_a, serial=serial))
        late = self.draft(person=file_person(self.union_a, serial="005"), cash="1000.01")
        with self.assertRaisesMessage(ValidationError, "1000.00"):
            services.disbursement_submit(disbursement=late, user=self.alice)
        late.refresh_from_db()
        self.assertEqual(late.status, DisbursementStatus.DRAFT)

    def test_a_lifted_or_closed_file_is_paid_nothing_even_if_submitted_before(self):
        waiting = self.draft()
        services.disbursement_submit(disbursement=waiting, user=self.alice)
        self.person.status = "lifted"
        self.person.save()
        with self.assertRaises(ValidationError) as caught:
            services.disbursement_approve(disbursement=waiting, user=self.april)
        self.assertEqual(caught.exception.code, "not_on_file")
        waiting.refresh_from_db()
        self.assertEqual(waiting.status, DisbursementStatus.SUBMITTED)

    def test_a_paid_disbursement_is_corrected_by_a_reversing_entry_and_can_then_be_paid_again(self):
        original = self.paid()
        reversal = services.disbursement_reverse(
            disbursement=original, user=self.alice, date=datetime.date(2025, 7, 1), note="金额有误"
        )
        self.assertEqual((reversal.cash, reversal.person_times, reversal.reverses), (D("-3000"), -1, original))
        services.disbursement_submit(disbursement=reversal, user=self.alice)
        services.disbursement_approve(disbursement=reversal, user=self.april)
        services.disbursement_pay(disbursement=reversal, user=self.alice)
        original.refresh_from_db()
        self.assertEqual((original.status, original.cash), (DisbursementStatus.PAID, D("3000")))  # never edited
        with self.assertRaises(ValidationError):
            services.disbursement_reverse(
                disbursement=original, user=self.alice, date=datetime.date(2025, 7, 2), note=""
            )
        self.paid(cash="2500")  # the corrected payment
        paid = Disbursement.objects.paid().filter(beneficiary=self.person)
        self.assertEqual(sum(d.amount for d in paid), D("2500"))
        self.assertEqual(sum(d.person_times for d in paid), 1)

    def test_a_group_needs_a_name_and_a_person_no_group(self):
        with self.assertRaises(ValidationError):
            services.disbursement_create(
                user=self.alice,
                programme=self.programme,
                cash=D("100"),
                head_count=30,
                date=datetime.date(2025, 6, 1),
                paying_organization=self.district_a,
            )
        group = services.disbursement_create(
            user=self.alice,
            programme=self.programme,
            group_name="环卫工人",
            head_count=30,
            in_kind_value=D("3000"),
            date=datetime.date(2025, 6, 1),
            paying_organization=self.district_a,
        )
        self.assertEqual((group.person_times, group.amount), (30, D("3000")))


class SharedBudgetRefusalTest(ReliefTestCase):
    """A programme of the city, shared by its districts: the over-budget refusal tells what is
    left only to the city's branch (and a superuser). Below it, budget less every branch's
    commitments less the district's own would be what the other districts committed."""

    def setUp(self):
        self.shared = Programme.objects.create(
            name="两节送温暖",
            year=2025,
            owner=self.city,
            budget=D("5000"),
            standard_amount=D("1000"),
            cap_per_person=D("5000"),
        )
        # District B has committed 3,000.00 of the city's 5,000.00.
        person_b = file_person(self.union_b, serial="011")
        spent = services.disbursement_create(
            user=self.bob,
            programme=self.shared,
            beneficiary=person_b,
            cash=D("3000"),
            date=datetime.date(2025, 6, 1),
            paying_organization=self.district_b,
        )
        services.disbursement_submit(disbursement=spent, user=self.bob)

    def refusal(self, disbursement, user, step=services.disbursement_submit):
        with self.assertRaises(ValidationError) as caught:
            step(disbursement=disbursement, user=user)
        [error] = caught.exception.error_list
        self.assertEqual(error.code, "over_budget")
        disbursement.refresh_from_db()
        self.assertNotEqual(disbursement.status, DisbursementStatus.APPROVED)
        return error.message

    def without_figure(self):
        return _("Over budget: this disbursement would exceed the budget of %(programme)s.") % {
            "programme": self.shared
        }

    def with_figure(self, remaining):
        return _("Over budget: %(programme)s has %(remaining)s yuan left.") % {
            "programme": self.shared,
            "remaining": remaining,
        }

    def test_a_district_submitter_is_not_told_what_is_left(self):
        late = self.draft(programme=self.shared, cash="2000.01")
        message = self.refusal(late, self.alice)
        self.assertEqual(message, self.without_figure())
        self.assertNotIn("2000", message)

    def test_a_district_approver_is_not_told_what_is_left(self):
        waiting = self.draft(programme=self.shared, cash="2000")
        services.disbursement_submit(disbursement=waiting, user=self.alice)
        Programme.objects.filter(pk=self.shared.pk).update(budget=D("4000"))
        message = self.refusal(waiting, self.april, step=services.disbursement_approve)
        self.assertEqual(message, self.without_figure())
        self.assertNotIn("1000", message)

    def test_the_city_and_a_superuser_are_told_what_is_left(self):
        cathy = make_user("cathy", self.city, "staff")
        late = self.draft(programme=self.shared, cash="2000.01", paying_organization=self.city)
        self.assertEqual(self.refusal(late, cathy), self.with_figure("2000.00"))
        self.assertEqual(self.refusal(late, self.root), self.with_figure("2000.00"))

    def test_a_district_is_told_what_is_left_of_its_own_programme(self):
        services.disbursement_submit(disbursement=self.draft(cash="4000"), user=self.alice)
        late = self.draft(person=file_person(self.union_a, serial="002"), cash="6000.01")
        self.assertEqual(
            self.refusal(late, self.alice),
            _("Over budget: %(programme)s has %(remaining)s yuan left.")
            % {"programme": self.programme, "remaining": "6000.00"},
        )


class ConcurrencyTest(TransactionTestCase):
    """Eight approvers (or payers) clicking at once change the state once."""

    def run_at_once(self, users, action):
        results, barrier = [], threading.Barrier(len(users))

        def act(user):
            barrier.wait()
            try:
                action(user)
                results.append("done")
            except ValidationError:
                results.append("refused")
            except Exception as error:
                results.append(repr(error))
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=act, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(results)

    def test_eight_concurrent_approvals_then_payments_happen_once(self):
        county = make_org(None, "并发县总工会", OrganizationKind.COUNTY_FEDERATION)
        union = make_org(county, "并发基层工会")
        staff = [make_user(f"staff{i}", county, "staff") for i in range(8)]
        approvers = [make_user(f"approver{i}", county, "approver") for i in range(8)]
        programme = Programme.objects.create(
            name="两节送温暖",
            year=2025,
            owner=county,
            budget=D("9000"),
            standard_amount=D("1000"),
            cap_per_person=D("2000"),
        )
        person = file_person(union)
        disbursement = services.disbursement_create(
            user=staff[0],
            programme=programme,
            beneficiary=person,
            cash=D("1000"),
            date=datetime.date(2025, 1, 20),
            paying_organization=county,
        )
        services.disbursement_submit(disbursement=disbursement, user=staff[0])

        def fresh():
            return Disbursement.objects.get(pk=disbursement.pk)

        approved = self.run_at_once(approvers, lambda u: services.disbursement_approve(disbursement=fresh(), user=u))
        self.assertEqual(approved, ["done"] + ["refused"] * 7)
        paid = self.run_at_once(staff, lambda u: services.disbursement_pay(disbursement=fresh(), user=u))
        self.assertEqual(paid, ["done"] + ["refused"] * 7)
        final = fresh()
        self.assertEqual(final.status, DisbursementStatus.PAID)
        self.assertEqual(final.history.filter(status="paid").count(), 1)
        self.assertEqual(final.history.filter(status="approved").count(), 1)


class DemoReliefTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    def test_pingtang_paid_1105000_yuan_in_850_person_times(self):
        paid = Disbursement.objects.paid().filter(
            paying_organization__name="平塘县总工会", date__range=("2014-01-01", "2018-03-31")
        )
        totals = paid.aggregate(
            cash=Sum("cash"),
            kind=Sum("in_kind_value"),
            people=Count("pk", filter=Q(beneficiary__isnull=False)),
            groups=Sum("head_count", filter=Q(beneficiary__isnull=True)),
        )
        self.assertEqual(totals["cash"] + totals["kind"], D("1105000.00"))
        self.assertEqual(totals["people"] + totals["groups"], 850)

    def test_some_disbursements_wait_for_approval_and_every_id_is_valid_and_unique(self):
        self.assertEqual(Disbursement.objects.filter(status="submitted").count(), 3)
        numbers = list(Beneficiary.objects.values_list("id_number", flat=True))
        self.assertEqual(len(numbers), len(set(numbers)))
        self.assertTrue(all(number.startswith("522799") for number in numbers))
