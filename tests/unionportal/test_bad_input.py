"""Input nobody means to type, but someone will: a message on the field, never a 500.

Each case was a 500 (or a message above the form, or an import that failed as a whole) found by
probing every URL with odd values: digits that are not ASCII ("²" passes str.isdigit and fails
int), keys beyond 64 bits (SQLite's driver raises OverflowError), years and dates beyond what
Python's dates and Django's year lookups take, and damaged workbooks."""

import io

from django.urls import reverse
from django.utils import translation

from cadres.forms import CadreCreateForm, TrainingForm
from relief.forms import DisbursementForm
from tests.base import PortalTestCase
from tests.workbooks import rewrite_member, workbook_bytes
from unionportal.forms import parse_pk
from unionportal.importing import parse_decimal
from unionportal.validators import normalize_resident_id, resident_id_check_char, validate_resident_id
from unionportal.xlsx import WorkbookError, read_rows

HUGE = "9" * 23


class ParsePkTest(PortalTestCase):
    def test_only_ascii_digits_that_fit_a_key_are_a_key(self):
        self.assertEqual(parse_pk("12"), 12)
        self.assertEqual(parse_pk(12), 12)
        for value in ("²", "١٢", "１２", "", None, "-1", "1.0", " 1", HUGE, "9" * 19):
            with self.subTest(value=value):
                self.assertIsNone(parse_pk(value))


class QueryStringTest(PortalTestCase):
    def setUp(self):
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)

    def get(self, user, url):
        self.login(user)
        return self.client.get(url)

    def test_an_organization_named_by_no_key_is_no_organization(self):
        lists = [
            reverse("organizations:organization_list"),
            reverse("cadres:post_list"),
            reverse("relief:disbursement_list"),
            reverse("activities:honour_list"),
        ]
        for user in (self.alice, self.root):
            for url in lists:
                for value in ("²", HUGE):
                    with self.subTest(user=user.username, url=url, value=value):
                        self.assertEqual(self.get(user, f"{url}?branch={value}").status_code, 200)

    def test_a_new_records_page_ignores_a_parent_that_is_no_key(self):
        for url in (
            f"{reverse('organizations:organization_create')}?parent=²",
            f"{reverse('organizations:fundallocation_create')}?recipient=²",
            f"{reverse('relief:disbursement_create')}?beneficiary=²&programme={HUGE}",
            f"{reverse('activities:activity_create')}?campaign=²",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.get(self.alice, url).status_code, 200)

    def test_a_report_of_an_organization_that_is_no_key_does_not_exist(self):
        for name in ("reports:annual_summary", "reports:dashboard"):
            for value in ("²", HUGE):
                with self.subTest(name=name, value=value):
                    response = self.get(self.alice, f"{reverse(name)}?organization={value}")
                    self.assertEqual(response.status_code, 404)

    def test_years_and_ages_out_of_range_are_errors_on_their_fields(self):
        cases = [
            (reverse("cadres:post_list"), "age_min=5000", "age_min"),
            (reverse("cadres:post_list"), f"age_max={HUGE}", "age_max"),
            (reverse("organizations:fundallocation_list"), "year=99999", "year"),
            (reverse("activities:honour_list"), f"year_min=2000&year_max={HUGE}", "year"),
            (reverse("activities:campaign_list"), "year=0", "year"),
        ]
        for url, query, field in cases:
            with self.subTest(url=url, query=query):
                response = self.get(self.root, f"{url}?{query}")
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["filter"].form.errors)

    def test_a_day_before_1900_is_an_error_on_its_field(self):
        response = self.get(self.otto, f"{reverse('accounts:auditevent_list')}?time_after=0001-01-01")
        self.assertEqual(response.status_code, 200)
        self.assertIn("time", response.context["filter"].form.errors)
        self.assertContains(response, "请输入 1900-01-01 至 2100-12-31 之间的日期")

    def test_a_period_in_the_year_one_is_an_error_on_its_field(self):
        url = reverse("reports:annual_summary")
        for query in ("from=0001-01-01&to=0001-12-31", "from=0001-01-01&to=0001-12-31&format=xlsx"):
            with self.subTest(query=query):
                response = self.get(self.alice, f"{url}?{query}")
                self.assertEqual(response.status_code, 200)
                self.assertIn("from", response.context["form"].errors)


class FormTest(PortalTestCase):
    def test_a_malformed_id_number_is_an_error_on_the_number(self):
        form = CadreCreateForm(data={"id_number": "1234567890123456AB", "gender": "male"}, user=self.alice)
        self.assertFalse(form.is_valid())
        self.assertIn("id_number", form.errors)

    def test_a_key_beyond_64_bits_is_not_one_of_the_choices(self):
        form = TrainingForm(data={"title": "培训", "attendees": [HUGE]}, user=self.alice)
        self.assertFalse(form.is_valid())
        self.assertIn("attendees", form.errors)

    def test_a_negative_amount_is_an_error_on_that_amount(self):
        form = DisbursementForm(data={"cash": "-1", "in_kind_value": "0"}, user=self.alice)
        self.assertFalse(form.is_valid())
        self.assertIn("cash", form.errors)
        self.assertNotIn("in_kind_value", form.errors)


class FormDayTest(PortalTestCase):
    def test_a_day_of_a_record_outside_1900_to_2100_is_an_error_on_its_field(self):
        for day in ("0001-01-01", "2101-01-01"):
            with self.subTest(day=day):
                form = DisbursementForm(data={"date": day, "cash": "100"}, user=self.alice)
                self.assertFalse(form.is_valid())
                self.assertIn("date", form.errors)
        form = DisbursementForm(data={"date": "2025-06-01", "cash": "100"}, user=self.alice)
        form.is_valid()
        self.assertNotIn("date", form.errors)


class ResidentIdTest(PortalTestCase):
    def test_full_width_digits_are_the_same_number(self):
        first = "52279919800101002"
        number = first + resident_id_check_char(first)
        full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
        self.assertEqual(normalize_resident_id(f" {full_width[:6]} {full_width[6:]} "), number)
        validate_resident_id(full_width)  # normalized first: no error


class WorkbookTest(PortalTestCase):
    def test_a_damaged_sheet_is_a_workbook_error(self):
        data = workbook_bytes([["姓名"], ["张三"]])
        for change in (lambda xml: xml[: len(xml) // 2], lambda xml: xml.replace(b'r="A2"', b'r="ZZZZZZ2"')):
            with self.subTest(change=change), self.assertRaises(WorkbookError):
                read_rows(rewrite_member(data, "xl/worksheets/sheet1.xml", change))

    def test_an_amount_beyond_any_real_one_is_an_error(self):
        for value in ("1e30", 1e30):
            with self.subTest(value=value), self.assertRaisesMessage(Exception, "1200.50"):
                parse_decimal(value)

    def test_a_damaged_workbook_upload_is_answered_with_the_reason(self):
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        self.login(self.alice)
        data = rewrite_member(workbook_bytes([["名称"], ["甲"]]), "xl/worksheets/sheet1.xml", lambda xml: xml[:40])
        upload = io.BytesIO(data)
        upload.name = "组织.xlsx"
        response = self.client.post(reverse("organizations:organization_import"), {"file": upload})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "无法读取")
