"""The relief pages: hardship files with masked numbers and their reveal, yearly reviews,
programmes with their budget figures, disbursements through their workflow buttons, the bank
payout list (full numbers, for revealers only), the publicity list, the organization page's
panel, and what each list costs in queries."""

import datetime
import io
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import REVEAL_PERMISSION_CODENAME, AuditEvent
from relief import services
from relief.models import Beneficiary, Disbursement, DisbursementStatus, Programme, Review
from tests.base import PortalTestCase, make_user
from tests.cadres.data import full_ids_in, masked, resident_id
from tests.workbooks import response_bytes
from unionportal.xlsx import XLSX_CONTENT_TYPE

D = Decimal
ID_A = resident_id("19800215", "001")
ID_A2 = resident_id("19851020", "022")
ID_B = resident_id("19751103", "003")
ID_NEW = resident_id("19900520", "045")
ACCOUNT_A = "6228480402564890018"
ACCOUNT_NEW = "6217001234567890123"


def zh(text):
    """What the portal says in Chinese: the zh-hans translation, or the English source string
    while the catalogue is still being written."""
    with translation.override("zh-hans"):
        return str(translation.gettext(text))


def url(name, *args):
    return reverse(f"relief:{name}", args=args)


def workbook_rows(response):
    workbook = load_workbook(io.BytesIO(response_bytes(response)), read_only=True)
    rows = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    workbook.close()
    return rows


def grant_reveal(user):
    user.user_permissions.add(Permission.objects.get(codename=REVEAL_PERMISSION_CODENAME))


def file_data(organization, **extra):
    return {
        "full_name": "杨光明",
        "id_number": ID_NEW,
        "organization": organization.pk,
        "hardship_level": "deep",
        "causes": ["illness", "schooling"],
        "household_size": "4",
        "monthly_income_per_head": "450.00",
        "phone": "13800001234",
        "bank_name": "平塘县农村信用合作联社",
        "bank_account": ACCOUNT_NEW,
        "filed_on": "2025-03-01",
        **extra,
    }


def disbursement_data(programme, organization, person=None, **extra):
    data = {
        "programme": programme.pk,
        "recipient_type": "person" if person else "group",
        "beneficiary": person.pk if person else "",
        "group_name": "" if person else "环卫工人",
        "head_count": "1" if person else "30",
        "cash": "1000.00",
        "in_kind_value": "0",
        "date": "2025-06-01",
        "paying_organization": organization.pk,
        "note": "",
    }
    return {**data, **extra}


class ReliefViewTestCase(PortalTestCase):
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
        cls.programme_b = Programme.objects.create(
            name="金秋助学",
            year=2025,
            owner=cls.district_b,
            budget=D("8000"),
            standard_amount=D("2000"),
            cap_per_person=D("3000"),
        )
        cls.person = cls.file(cls.union_a, "张明", ID_A, bank_account=ACCOUNT_A, causes=["illness"])
        cls.person_b = cls.file(cls.union_b, "李华", ID_B, hardship_level="relative")

    @classmethod
    def file(cls, organization, name, number, **extra):
        fields = {
            "full_name": name,
            "id_number": number,
            "organization": organization,
            "hardship_level": "deep",
            "bank_name": "平塘县农村信用合作联社",
            "filed_on": datetime.date(2024, 1, 5),
            **extra,
        }
        return Beneficiary.objects.create(**fields)

    def draft(self, person=None, cash="3000", programme=None, organization=None, user=None, **extra):
        fields = {
            "programme": programme or self.programme,
            # A group (named in `extra`) has no person; otherwise the person given, or 张明.
            "beneficiary": None if "group_name" in extra else (person or self.person),
            "cash": D(cash),
            "date": datetime.date(2025, 6, 1),
            "paying_organization": organization or self.district_a,
            **extra,
        }
        return services.disbursement_create(user=user or self.alice, **fields)

    def submitted(self, **extra):
        disbursement = self.draft(**extra)
        return services.disbursement_submit(disbursement=disbursement, user=self.alice)

    def approved(self, **extra):
        disbursement = self.submitted(**extra)
        return services.disbursement_approve(disbursement=disbursement, user=self.april)

    def paid(self, **extra):
        return services.disbursement_pay(disbursement=self.approved(**extra), user=self.alice)

    def messages_of(self, response):
        return [str(message) for message in response.context["messages"]]


class BeneficiaryListTest(ReliefViewTestCase):
    def rows(self, query="", user=None):
        self.login(user or self.alice)
        response = self.client.get(f"{url('beneficiary_list')}{query}")
        self.assertEqual(response.status_code, 200)
        return [row.record.full_name for row in response.context["table"].paginated_rows]

    def test_staff_of_district_a_lists_only_files_of_district_a_masked(self):
        self.assertEqual(self.rows(), ["张明"])
        response = self.client.get(url("beneficiary_list"))
        self.assertContains(response, masked(ID_A))
        self.assertContains(response, "***************0018")
        self.assertEqual(full_ids_in(response), [])
        self.assertNotContains(response, ACCOUNT_A)

    def test_the_city_lists_both_districts(self):
        self.assertEqual(self.rows(user=self.lena), ["张明", "李华"])

    def test_filters_by_level_cause_status_name_branch_and_filing_date(self):
        self.file(self.district_a, "王芳", ID_A2, hardship_level="relative", causes=["disaster"], status="lifted")
        self.assertEqual(self.rows("?hardship_level=relative"), ["王芳"])
        self.assertEqual(self.rows("?cause=illness"), ["张明"])
        self.assertEqual(self.rows("?cause=disability"), [])
        self.assertEqual(self.rows("?status=lifted"), ["王芳"])
        self.assertEqual(self.rows("?name=明"), ["张明"])
        self.assertEqual(self.rows(f"?branch={self.union_a.pk}"), ["张明"])
        self.assertEqual(self.rows(f"?branch={self.district_b.pk}"), [])
        self.assertEqual(self.rows("?filed_on_after=2024-01-06"), [])
        self.assertEqual(self.rows("?filed_on_before=2024-01-05"), ["王芳", "张明"])

    def test_export_is_masked_and_recorded(self):
        self.login(self.alice)
        response = self.client.get(f"{url('beneficiary_list')}?export=xlsx")
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        rows = workbook_rows(response)
        self.assertEqual(len(rows), 2)
        self.assertIn(masked(ID_A), rows[1])
        self.assertIn("***************0018", rows[1])
        self.assertEqual(full_ids_in(response), [])
        self.assertTrue(AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, username="alice").exists())


class BeneficiaryPagesTest(ReliefViewTestCase):
    def test_detail_is_masked_without_a_reveal_link_and_404_outside_the_branch(self):
        self.login(self.alice)
        response = self.client.get(self.person.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, masked(ID_A))
        self.assertEqual(full_ids_in(response), [])
        self.assertNotContains(response, ACCOUNT_A)
        self.assertNotContains(response, url("beneficiary_reveal", self.person.pk))
        self.assertEqual(self.client.get(self.person_b.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(url("beneficiary_reveal", self.person.pk)).status_code, 403)

    def test_a_granted_user_reveals_both_numbers_with_a_reason_and_it_is_recorded(self):
        grant_reveal(self.alice)
        self.login(self.alice)
        detail = self.client.get(self.person.get_absolute_url())
        self.assertContains(detail, url("beneficiary_reveal", self.person.pk))
        response = self.client.post(url("beneficiary_reveal", self.person.pk), {"reason": "银行代发核对"})
        self.assertEqual(full_ids_in(response)[0], ID_A)
        self.assertContains(response, ACCOUNT_A)
        [event] = AuditEvent.objects.filter(kind=AuditEvent.Kind.REVEAL)
        self.assertEqual(event.message, "revealed")
        self.assertEqual(
            event.params,
            {
                "model": "relief.Beneficiary",
                "pk": self.person.pk,
                "fields": ["id_number", "bank_account"],
                "reason": "银行代发核对",
            },
        )
        response = self.client.post(url("beneficiary_reveal", self.person_b.pk), {"reason": "银行代发核对"})
        self.assertEqual(response.status_code, 404)

    def test_staff_files_a_person_and_birth_date_and_gender_come_from_the_id(self):
        self.login(self.alice)
        response = self.client.post(url("beneficiary_create"), file_data(self.union_a))
        person = Beneficiary.objects.get(full_name="杨光明")
        self.assertRedirects(response, person.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((person.birth_date, person.gender), (datetime.date(1990, 5, 20), "male"))
        self.assertEqual((person.causes, person.bank_account), (["illness", "schooling"], ACCOUNT_NEW))
        self.assertEqual(person.history.get().history_user, self.alice)

    def test_an_id_on_file_in_another_branch_is_refused_without_saying_where(self):
        self.login(self.bob)
        response = self.client.post(url("beneficiary_create"), file_data(self.union_b, id_number=ID_A))
        self.assertEqual(response.status_code, 200)
        form = response.context["form"]
        self.assertEqual(form.non_field_errors(), [str(Beneficiary._meta.constraints[0].violation_error_message)])
        for leak in ("张明", "甲区", self.union_a.name):
            self.assertNotContains(response, leak)
        self.assertEqual(full_ids_in(response), [])  # the number typed is not sent back either
        self.assertEqual(Beneficiary.objects.filter(id_number=ID_A).count(), 1)

    def test_a_person_cannot_be_filed_in_another_branch(self):
        self.login(self.alice)
        response = self.client.post(url("beneficiary_create"), file_data(self.union_b))
        self.assertEqual(response.status_code, 200)
        self.assertIn("organization", response.context["form"].errors)
        self.assertFalse(Beneficiary.objects.filter(full_name="杨光明").exists())

    def test_editing_keeps_the_numbers_left_empty_and_never_sends_them_back(self):
        self.login(self.alice)
        edit = url("beneficiary_update", self.person.pk)
        page = self.client.get(edit)
        self.assertEqual(full_ids_in(page), [])
        self.assertNotContains(page, ACCOUNT_A)
        self.assertContains(page, masked(ID_A))
        data = file_data(self.union_a, full_name="张明", id_number="", bank_account="", status="on_file")
        response = self.client.post(edit, data)
        self.assertRedirects(response, self.person.get_absolute_url(), fetch_redirect_response=False)
        self.person.refresh_from_db()
        self.assertEqual((self.person.id_number, self.person.bank_account), (ID_A, ACCOUNT_A))
        self.assertEqual(self.person.household_size, 4)

    def test_history_shows_a_changed_account_masked(self):
        self.person.bank_account = "6228480402564890999"
        self.person.save()
        self.login(self.lena)
        response = self.client.get(self.person.get_absolute_url())
        self.assertContains(response, "***************0018")
        self.assertContains(response, "***************0999")
        self.assertNotContains(response, "6228480402564890999")

    def test_the_yearly_review_sets_the_file_and_comes_once_a_year(self):
        self.login(self.alice)
        data = {"year": "2025", "hardship_level": "relative", "monthly_income_per_head": "900", "outcome": "lift"}
        response = self.client.post(url("review_create", self.person.pk), {**data, "note": "已就业"})
        self.assertRedirects(response, self.person.get_absolute_url(), fetch_redirect_response=False)
        self.person.refresh_from_db()
        self.assertEqual((self.person.status, self.person.hardship_level), ("lifted", "relative"))
        again = self.client.post(url("review_create", self.person.pk), data)
        self.assertEqual(again.status_code, 200)
        self.assertTrue(again.context["form"].non_field_errors())
        self.assertEqual(Review.objects.count(), 1)
        self.assertEqual(self.client.post(url("review_create", self.person_b.pk), data).status_code, 404)


class ProgrammeTest(ReliefViewTestCase):
    def test_list_shows_budget_committed_paid_and_remaining(self):
        self.paid()
        self.submitted(person=self.file(self.union_a, "王芳", ID_A2), cash="2000")
        self.draft(group_name="环卫工人", head_count=10, cash="500")
        self.login(self.alice)
        response = self.client.get(url("programme_list"))
        [row] = [row.record for row in response.context["table"].paginated_rows]
        self.assertEqual((row.committed, row.paid, row.remaining), (D("5000"), D("3000"), D("5000")))
        self.assertContains(response, "5,000.00")
        self.assertEqual(response.context["totals"]["remaining"], "5,000.00")
        detail = self.client.get(self.programme.get_absolute_url())
        self.assertEqual(detail.context["money"]["remaining"], "5,000.00")
        self.assertEqual(detail.context["branch_totals"]["amount"], "3,000.00")

    def test_district_b_does_not_read_district_a_programmes(self):
        self.login(self.bob)
        response = self.client.get(url("programme_list"))
        self.assertEqual([row.record for row in response.context["table"].paginated_rows], [self.programme_b])
        self.assertEqual(self.client.get(self.programme.get_absolute_url()).status_code, 404)

    def test_an_admin_adds_a_programme_of_their_organization_and_staff_may_not(self):
        data = {
            "name": "就业援助",
            "year": "2025",
            "budget": "50000",
            "standard_amount": "1000",
            "cap_per_person": "2000",
        }
        self.login(self.alice)
        self.assertEqual(self.client.post(url("programme_create"), data).status_code, 403)
        self.login(self.adam)
        response = self.client.post(url("programme_create"), data)
        programme = Programme.objects.get(name="就业援助")
        self.assertRedirects(response, programme.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(programme.owner, self.district_a)

    def test_a_programme_of_the_city_is_read_below_but_changed_only_by_the_city(self):
        city = Programme.objects.create(
            name="两节送温暖", year=2025, owner=self.city, budget=1, standard_amount=1, cap_per_person=1
        )
        self.login(self.adam)
        self.assertEqual(self.client.get(city.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(url("programme_update", city.pk)).status_code, 404)
        self.login(self.ada)
        self.assertEqual(self.client.get(url("programme_update", city.pk)).status_code, 200)


class SharedProgrammeTest(ReliefViewTestCase):
    """A programme of the city is used by both districts: each district reads the figures of
    its own disbursements on the list, in its export and on the programme's page, never the
    other's; the remaining budget is read only where the whole programme is in scope."""

    def setUp(self):
        self.shared = Programme.objects.create(
            name="两节送温暖",
            year=2025,
            owner=self.city,
            budget=D("20000"),
            standard_amount=D("1000"),
            cap_per_person=D("4800"),
        )
        # District A: 3,000.00 paid to a person and 500.00 submitted to a group of 10.
        self.paid(programme=self.shared, cash="3000")
        self.submitted(programme=self.shared, group_name="环卫工人", head_count=10, cash="500")
        # District B: 2,100.00 paid to a person and 4,200.00 approved to a group of 20.
        self.paid(programme=self.shared, person=self.person_b, cash="2100", organization=self.district_b)
        self.approved(
            programme=self.shared, group_name="一线职工", head_count=20, cash="4200", organization=self.union_b
        )

    def list_row(self, user, export=False):
        self.login(user)
        if export:
            [headers, *rows] = workbook_rows(self.client.get(f"{url('programme_list')}?export=xlsx"))
            [row] = [row for row in rows if row[headers.index(zh("name"))] == "两节送温暖"]
            row += [None] * (len(headers) - len(row))  # an empty last cell is not read back
            columns = ("committed (yuan)", "paid (yuan)", "remaining (yuan)")
            return tuple(row[headers.index(zh(name))] for name in columns)
        response = self.client.get(url("programme_list"))
        self.list_page = response
        [row] = [row.record for row in response.context["table"].paginated_rows if row.record == self.shared]
        return (row.committed, row.paid, row.remaining)

    def test_district_a_lists_its_own_use_of_the_city_programme_and_no_remaining_budget(self):
        self.assertEqual(self.list_row(self.alice), (D("3500"), D("3000"), None))
        # The other district's figures appear nowhere, nor the programme's whole use.
        for figure in ("6,300.00", "2,100.00", "9,800.00", "5,100.00", "10,200.00"):
            self.assertNotContains(self.list_page, figure)
        # District A's own programme (10,000.00, nothing spent) and its use of the city's.
        self.assertEqual(
            self.list_page.context["totals"],
            {"budget": "30,000.00", "committed": "3,500.00", "paid": "3,000.00", "remaining": "10,000.00"},
        )

    def test_district_b_lists_its_own_use_of_the_city_programme(self):
        self.assertEqual(self.list_row(self.bob), (D("6300"), D("2100"), None))
        self.assertNotContains(self.list_page, "3,500.00")
        self.assertNotContains(self.list_page, "9,800.00")

    def test_district_a_exports_its_own_use_of_the_city_programme(self):
        self.assertEqual(self.list_row(self.alice, export=True), (3500, 3000, None))

    def test_the_city_reads_the_whole_programme_with_its_remaining_budget(self):
        self.assertEqual(self.list_row(self.lena), (D("9800"), D("5100"), D("10200")))
        self.assertEqual(self.list_row(self.lena, export=True), (9800, 5100, 10200))
        detail = self.client.get(self.shared.get_absolute_url())
        money = detail.context["money"]
        self.assertEqual(
            (money["budget"], money["committed"], money["paid"], money["remaining"]),
            ("20,000.00", "9,800.00", "5,100.00", "10,200.00"),
        )
        self.assertEqual(
            (detail.context["branch_totals"]["amount"], detail.context["branch_totals"]["person_times"]),
            ("5,100.00", 2),
        )

    def test_district_a_reads_its_own_use_on_the_programme_page(self):
        self.login(self.alice)
        detail = self.client.get(self.shared.get_absolute_url())
        money = detail.context["money"]
        self.assertEqual(
            (money["budget"], money["committed"], money["paid"], money["remaining"]),
            ("20,000.00", "3,500.00", "3,000.00", None),
        )
        self.assertContains(detail, '<div class="fs-5 fw-semibold" data-testid="budget-remaining">—</div>', html=True)
        self.assertEqual(
            (detail.context["branch_totals"]["amount"], detail.context["branch_totals"]["person_times"]),
            ("3,000.00", 1),
        )
        for figure in ("6,300.00", "2,100.00", "9,800.00", "5,100.00", "10,200.00", "一线职工", "李华"):
            self.assertNotContains(detail, figure)

    def test_submitting_over_the_budget_tells_what_is_left_only_to_the_city(self):
        """Below the city, budget less what is committed (9,800.00, of which district A's own
        3,500.00) would give away district B's 6,300.00: the refusal says only that it is over."""
        over = {"programme": self.shared, "group_name": "困难职工", "head_count": 4, "cash": "10200.01"}
        late = self.draft(**over)
        self.login(self.alice)
        response = self.client.post(url("disbursement_submit", late.pk), follow=True)
        [message] = self.messages_of(response)
        self.assertEqual(
            message,
            zh("Over budget: this disbursement would exceed the budget of %(programme)s.") % {"programme": self.shared},
        )
        for figure in ("10200", "10,200", "6300", "6,300", "9800", "9,800"):
            self.assertNotIn(figure, message)
        late.refresh_from_db()
        self.assertEqual(late.status, DisbursementStatus.DRAFT)

        cathy = make_user("cathy", self.city, "staff")
        city_late = self.draft(user=cathy, organization=self.city, **over)
        self.login(cathy)
        response = self.client.post(url("disbursement_submit", city_late.pk), follow=True)
        self.assertEqual(
            self.messages_of(response),
            [
                zh("Over budget: %(programme)s has %(remaining)s yuan left.")
                % {"programme": self.shared, "remaining": "10200.00"}
            ],
        )


class DisbursementFormTest(ReliefViewTestCase):
    def test_staff_creates_a_draft_to_a_person_on_file(self):
        self.login(self.alice)
        response = self.client.post(
            url("disbursement_create"), disbursement_data(self.programme, self.district_a, self.person)
        )
        disbursement = Disbursement.objects.get()
        self.assertRedirects(response, disbursement.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(
            (disbursement.status, disbursement.beneficiary, disbursement.created_by, disbursement.amount),
            (DisbursementStatus.DRAFT, self.person, self.alice, D("1000")),
        )

    def test_staff_creates_a_draft_to_a_group_with_its_head_count(self):
        self.login(self.alice)
        self.client.post(url("disbursement_create"), disbursement_data(self.programme, self.district_a))
        disbursement = Disbursement.objects.get()
        self.assertEqual(
            (disbursement.group_name, disbursement.head_count, disbursement.person_times), ("环卫工人", 30, 30)
        )

    def test_dropdowns_offer_only_the_branch_and_the_programmes_it_reads(self):
        self.login(self.alice)
        form = self.client.get(url("disbursement_create")).context["form"]
        self.assertEqual(list(form.fields["programme"].queryset), [self.programme])
        self.assertEqual(list(form.fields["beneficiary"].queryset), [self.person])
        self.assertEqual(set(form.fields["paying_organization"].queryset), {self.district_a, self.union_a})
        page = self.client.get(url("disbursement_create"))
        self.assertEqual(full_ids_in(page), [])

    def test_a_person_or_programme_of_another_branch_is_refused(self):
        self.login(self.alice)
        response = self.client.post(
            url("disbursement_create"), disbursement_data(self.programme_b, self.district_a, self.person_b)
        )
        self.assertEqual(set(response.context["form"].errors), {"programme", "beneficiary"})
        self.assertFalse(Disbursement.objects.exists())

    def test_the_person_must_be_on_file_below_the_paying_organization(self):
        self.login(self.alice)
        person = self.file(self.district_a, "王芳", ID_A2)
        response = self.client.post(url("disbursement_create"), disbursement_data(self.programme, self.union_a, person))
        self.assertIn("beneficiary", response.context["form"].errors)

    def test_a_submitted_disbursement_cannot_be_edited(self):
        disbursement = self.submitted()
        self.login(self.alice)
        for method in ("get", "post"):
            with self.subTest(method=method):
                response = getattr(self.client, method)(
                    url("disbursement_update", disbursement.pk),
                    disbursement_data(self.programme, self.district_a, self.person, cash="10"),
                )
                self.assertRedirects(response, disbursement.get_absolute_url(), fetch_redirect_response=False)
        disbursement.refresh_from_db()
        self.assertEqual(disbursement.cash, D("3000"))

    def test_a_draft_is_edited(self):
        disbursement = self.draft()
        self.login(self.alice)
        data = disbursement_data(self.programme, self.district_a, self.person, cash="2500")
        response = self.client.post(url("disbursement_update", disbursement.pk), data)
        self.assertRedirects(response, disbursement.get_absolute_url(), fetch_redirect_response=False)
        disbursement.refresh_from_db()
        self.assertEqual(disbursement.cash, D("2500"))


class WorkflowTest(ReliefViewTestCase):
    def post(self, user, action, disbursement, data=None):
        self.login(user)
        return self.client.post(url(f"disbursement_{action}", disbursement.pk), data or {}, follow=True)

    def test_submit_approve_pay_by_two_people(self):
        disbursement = self.draft()
        self.post(self.alice, "submit", disbursement)
        response = self.post(self.april, "approve", disbursement)
        self.assertEqual(self.messages_of(response), [zh("The disbursement was approved.")])
        response = self.post(self.alice, "pay", disbursement)
        disbursement.refresh_from_db()
        self.assertEqual(disbursement.status, DisbursementStatus.PAID)
        self.assertEqual((disbursement.approved_by, disbursement.paid_by), (self.april, self.alice))
        self.assertContains(response, 'data-testid="paid"')

    def test_approving_twice_is_harmless_and_says_why(self):
        disbursement = self.submitted()
        self.post(self.april, "approve", disbursement)
        response = self.post(self.april, "approve", disbursement)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            self.messages_of(response),
            [zh("This disbursement is not waiting for approval (it may just have been approved).")],
        )
        self.assertEqual(disbursement.history.filter(status="approved").count(), 1)
        self.post(self.alice, "pay", disbursement)
        response = self.post(self.alice, "pay", disbursement)
        self.assertEqual(self.messages_of(response), [zh("Only an approved disbursement can be paid, and only once.")])
        self.assertEqual(disbursement.history.filter(status="paid").count(), 1)

    def test_the_submitter_cannot_approve_and_is_told_so(self):
        approver_who_submits = make_user("ann", self.district_a, "approver")
        disbursement = self.draft()
        services.disbursement_submit(disbursement=disbursement, user=approver_who_submits)
        self.login(approver_who_submits)
        page = self.client.get(disbursement.get_absolute_url())
        self.assertContains(page, 'data-testid="not-your-approval"')
        self.assertNotContains(page, 'data-testid="approve"')
        response = self.post(approver_who_submits, "approve", disbursement)
        self.assertEqual(
            self.messages_of(response), [zh("You submitted this disbursement, so someone else must approve it.")]
        )
        disbursement.refresh_from_db()
        self.assertEqual(disbursement.status, DisbursementStatus.SUBMITTED)

    def test_staff_may_not_approve_and_approvers_may_not_pay(self):
        disbursement = self.submitted()
        self.login(self.alice)
        self.assertEqual(self.client.post(url("disbursement_approve", disbursement.pk)).status_code, 403)
        services.disbursement_approve(disbursement=disbursement, user=self.april)
        self.login(self.april)
        self.assertEqual(self.client.post(url("disbursement_pay", disbursement.pk)).status_code, 403)
        self.login(self.bob)
        self.assertEqual(self.client.post(url("disbursement_pay", disbursement.pk)).status_code, 404)

    def test_return_needs_a_reason_then_the_draft_is_edited_and_resubmitted(self):
        disbursement = self.submitted()
        response = self.post(self.april, "return", disbursement, {"reason": ""})
        self.assertEqual(self.messages_of(response), [zh("Say why the disbursement is returned.")])
        self.post(self.april, "return", disbursement, {"reason": "缺少医院证明"})
        disbursement.refresh_from_db()
        self.assertEqual((disbursement.status, disbursement.return_reason), ("returned", "缺少医院证明"))
        self.login(self.alice)
        page = self.client.get(disbursement.get_absolute_url())
        self.assertContains(page, "缺少医院证明")
        self.assertContains(page, 'data-testid="submit"')
        self.post(self.alice, "submit", disbursement)
        disbursement.refresh_from_db()
        self.assertEqual(disbursement.status, DisbursementStatus.SUBMITTED)

    def test_a_broken_money_rule_is_a_message_on_the_page_not_an_error(self):
        disbursement = self.draft(cash="6000")  # over the cap of 5000
        response = self.post(self.alice, "submit", disbursement)
        self.assertEqual(response.status_code, 200)
        self.assertIn("5000", self.messages_of(response)[0])
        disbursement.refresh_from_db()
        self.assertEqual(disbursement.status, DisbursementStatus.DRAFT)

    def test_a_paid_disbursement_is_corrected_by_a_reversing_draft(self):
        disbursement = self.paid()
        self.login(self.alice)
        page = self.client.get(url("disbursement_reverse", disbursement.pk))
        self.assertEqual(page.status_code, 200)
        response = self.client.post(
            url("disbursement_reverse", disbursement.pk), {"date": "2025-07-01", "note": "金额有误"}
        )
        reversal = Disbursement.objects.get(reverses=disbursement)
        self.assertRedirects(response, reversal.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((reversal.cash, reversal.status), (D("-3000"), DisbursementStatus.DRAFT))
        again = self.client.post(url("disbursement_reverse", disbursement.pk), {"date": "2025-07-01", "note": "再次"})
        self.assertEqual(again.status_code, 200)
        self.assertTrue(again.context["form"].non_field_errors())
        self.assertEqual(Disbursement.objects.filter(reverses=disbursement).count(), 1)
        refused = self.client.get(url("disbursement_reverse", disbursement.pk))
        self.assertRedirects(refused, disbursement.get_absolute_url(), fetch_redirect_response=False)


class DisbursementListTest(ReliefViewTestCase):
    def rows(self, query="", user=None):
        self.login(user or self.alice)
        response = self.client.get(f"{url('disbursement_list')}{query}")
        self.assertEqual(response.status_code, 200)
        return [row.record for row in response.context["table"].paginated_rows]

    def test_filters_and_totals(self):
        paid = self.paid()
        group = self.draft(group_name="环卫工人", head_count=10, cash="500")
        other = self.draft(
            person=self.person_b, programme=self.programme_b, organization=self.district_b, user=self.bob
        )
        self.assertEqual(set(self.rows()), {paid, group})
        self.assertEqual(set(self.rows(user=self.lena)), {paid, group, other})
        self.assertEqual(self.rows("?status=paid"), [paid])
        self.assertEqual(self.rows("?recipient_type=group"), [group])
        self.assertEqual(self.rows("?recipient=张"), [paid])
        self.assertEqual(self.rows(f"?programme={self.programme.pk}&recipient_type=person"), [paid])
        self.assertEqual(self.rows("?programme_name=金秋", user=self.lena), [other])
        self.assertEqual(self.rows("?historical=true"), [])
        self.assertEqual(self.rows(f"?branch={self.district_b.pk}"), [])
        self.assertEqual(self.rows("?date_after=2025-06-02"), [])
        response = self.client.get(url("disbursement_list"))
        self.assertEqual(response.context["totals"]["person_times"], 11)
        self.assertEqual(response.context["totals"]["amount"], "3,500.00")

    def test_export_is_masked(self):
        self.paid()
        self.login(self.alice)
        response = self.client.get(f"{url('disbursement_list')}?export=xlsx")
        rows = workbook_rows(response)
        self.assertIn(masked(ID_A), rows[1])
        self.assertEqual(full_ids_in(response), [])


class PayoutTest(ReliefViewTestCase):
    def test_without_the_reveal_permission_it_is_refused_and_nothing_is_recorded(self):
        self.approved()
        for user in (self.alice, self.april, self.adam, self.lena):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(url("disbursement_payout"))
                self.assertEqual(response.status_code, 403)
                self.assertEqual(full_ids_in(response), [])
        list_page = self.client.get(url("disbursement_list"))
        self.assertNotContains(list_page, url("disbursement_payout"))
        self.assertFalse(AuditEvent.objects.filter(kind__in=["export", "reveal"]).exists())

    def test_a_revealer_gets_full_numbers_of_approved_payments_to_persons_and_it_is_recorded(self):
        approved = self.approved()
        self.paid(person=self.file(self.union_a, "王芳", ID_A2), cash="1000")
        self.approved(group_name="环卫工人", head_count=10, cash="500")
        services.disbursement_approve(
            disbursement=services.disbursement_submit(
                disbursement=self.draft(
                    person=self.person_b, programme=self.programme_b, organization=self.district_b, user=self.bob
                ),
                user=self.bob,
            ),
            user=make_user("bill", self.district_b, "approver"),
        )
        grant_reveal(self.alice)
        self.login(self.alice)
        response = self.client.get(url("disbursement_payout"))
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        rows = workbook_rows(response)
        headers = ["No.", "Full name", "Resident ID number", "Bank", "Bank account", "Amount (yuan)"]
        self.assertEqual(rows[0], [zh(header) for header in [*headers, "Relief programme", "Paying organization"]])
        self.assertEqual(
            rows[1:],
            [[1, "张明", ID_A, "平塘县农村信用合作联社", ACCOUNT_A, 3000, "大病救助（2025）", "甲区总工会"]],
        )
        self.assertEqual(approved.status, DisbursementStatus.APPROVED)
        kinds = sorted(AuditEvent.objects.filter(username="alice").values_list("kind", flat=True))
        self.assertEqual(kinds, ["export", "reveal"])
        filtered = self.client.get(f"{url('disbursement_payout')}?programme_name=金秋")
        self.assertEqual(len(workbook_rows(filtered)), 1)


class PublicityTest(ReliefViewTestCase):
    def test_paid_persons_only_masked_and_a_reversed_payment_is_left_out(self):
        paid = self.paid()
        other = self.paid(person=self.file(self.union_a, "王芳", ID_A2), cash="1000")
        self.approved(group_name="环卫工人", head_count=10, cash="500")
        reversal = services.disbursement_reverse(disbursement=other, user=self.alice, date=other.date, note="错发")
        services.disbursement_submit(disbursement=reversal, user=self.alice)
        services.disbursement_approve(disbursement=reversal, user=self.april)
        services.disbursement_pay(disbursement=reversal, user=self.alice)
        self.login(self.alice)
        response = self.client.get(url("disbursement_publicity"))
        self.assertEqual([row["url"] for row in response.context["rows"]], [paid.get_absolute_url()])
        self.assertContains(response, masked(ID_A))
        self.assertContains(response, self.union_a.name)
        self.assertEqual(full_ids_in(response), [])
        self.assertEqual(response.context["total"], "3,000.00")

    def test_export_is_masked_scoped_and_recorded(self):
        self.paid()
        self.login(self.bob)
        self.assertEqual(len(workbook_rows(self.client.get(f"{url('disbursement_publicity')}?export=xlsx"))), 1)
        self.login(self.alice)
        response = self.client.get(f"{url('disbursement_publicity')}?export=xlsx")
        rows = workbook_rows(response)
        headers = ["No.", "Full name", "Resident ID number", "Responsible union", "Relief programme"]
        self.assertEqual(rows[0], [zh(header) for header in [*headers, "Amount (yuan)", "Date paid"]])
        self.assertEqual(rows[1][:5], [1, "张明", masked(ID_A), self.union_a.name, "大病救助（2025）"])
        self.assertEqual(full_ids_in(response), [])
        self.assertTrue(AuditEvent.objects.filter(kind="export", username="alice").exists())


class PanelTest(ReliefViewTestCase):
    def test_the_organization_page_shows_files_on_file_and_disbursements_paid_there(self):
        self.paid()
        self.login(self.alice)
        response = self.client.get(self.district_a.get_absolute_url())
        [panel] = [panel for panel in response.context["panels"] if panel["template"] == "relief/_panel.html"]
        self.assertEqual(panel["on_file"], 0)
        self.assertEqual(len(panel["disbursements"]), 1)
        response = self.client.get(self.union_a.get_absolute_url())
        [panel] = [panel for panel in response.context["panels"] if panel["template"] == "relief/_panel.html"]
        self.assertEqual(panel["on_file"], 1)
        self.assertEqual(full_ids_in(response), [])


class QueryCountTest(ReliefViewTestCase):
    """A list costs the same number of queries whatever the number of rows behind it."""

    def queries(self, path):
        cache.clear()  # a list's count is kept until its branch changes: measure it cold
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def assert_flat(self, path, user=None):
        self.login(user or self.alice)
        self.client.get(path)  # caches warmed: the session, content types
        few = self.queries(path)
        self.grow()
        cache.clear()
        with self.assertNumQueries(few):
            response = self.client.get(path)
        return response

    def grow(self):
        if Programme.objects.filter(name="两节送温暖").exists():
            return  # grown by an earlier check of the same test
        Programme.objects.filter(pk=self.programme.pk).update(budget=D("100000"))
        programme = Programme.objects.create(
            name="两节送温暖",
            year=2025,
            owner=self.district_a,
            budget=D("100000"),
            standard_amount=1,
            cap_per_person=D("5000"),
        )
        for number in range(8):
            person = self.file(self.union_a, f"困难职工{number}", resident_id("19700101", f"{100 + number}"))
            self.paid(person=person, programme=programme, cash="1000")
            self.approved(person=person, cash="1000")
        for number in range(3):
            Programme.objects.create(
                name=f"项目{number}", year=2025, owner=self.district_a, budget=1, standard_amount=1, cap_per_person=1
            )

    def setUp(self):
        self.paid()
        self.approved(person=self.file(self.union_a, "王芳", ID_A2), cash="1000")

    def test_beneficiary_list_and_export(self):
        self.assert_flat(url("beneficiary_list"))
        self.assert_flat(f"{url('beneficiary_list')}?export=xlsx")

    def test_disbursement_list_and_export(self):
        self.assert_flat(url("disbursement_list"))
        self.assert_flat(f"{url('disbursement_list')}?export=xlsx")

    def test_programme_list_export_and_page(self):
        # A programme of the city that district B pays from too: its rows are counted out in
        # the same query as the programmes, not one query a programme.
        shared = Programme.objects.create(
            name="节日慰问", year=2025, owner=self.city, budget=D("9000"), standard_amount=1, cap_per_person=D("3000")
        )
        self.paid(programme=shared, cash="1000")
        self.paid(programme=shared, person=self.person_b, cash="2000", organization=self.district_b)
        self.assert_flat(url("programme_list"))
        self.assert_flat(f"{url('programme_list')}?export=xlsx")
        self.assert_flat(shared.get_absolute_url())

    def test_publicity_page_and_export(self):
        self.assert_flat(url("disbursement_publicity"))
        self.assert_flat(f"{url('disbursement_publicity')}?export=xlsx")

    def test_payout_list(self):
        grant_reveal(self.alice)
        response = self.assert_flat(url("disbursement_payout"))
        self.assertEqual(len(workbook_rows(response)), 10)

    def test_beneficiary_and_disbursement_pages(self):
        self.assert_flat(self.person.get_absolute_url())
        self.assert_flat(self.programme.get_absolute_url())
