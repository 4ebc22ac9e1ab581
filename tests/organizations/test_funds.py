"""Fund allocations: recording them (once or monthly for a year), who sees which, the list with
its filters, total and export, and the panel on the organization page."""

import datetime
import io
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from accounts.models import AuditEvent
from organizations.models import FundAllocation, Purpose
from tests.base import PortalTestCase
from tests.workbooks import response_bytes
from unionportal.xlsx import XLSX_CONTENT_TYPE

D = datetime.date


def zh(message, **params):
    """A message as the portal shows it (zh-hans, the default language)."""
    with translation.override("zh-hans"):
        text = gettext(message)
        return text % params if params else text


def url(name, *args):
    return reverse(f"organizations:{name}", args=args)


def allocation_post(recipient, source=None, source_name="", **extra):
    return {
        "source": source.pk if source else "",
        "source_name": source_name,
        "recipient": recipient.pk,
        "date": "2012-03-15",
        "amount": "2500.00",
        "purpose": Purpose.ROUTINE,
        "note": "",
        **extra,
    }


def allocate(recipient, amount, date, source=None, source_name="", purpose=Purpose.ROUTINE, **extra):
    return FundAllocation.objects.create(
        recipient=recipient,
        source=source,
        source_name=source_name,
        amount=Decimal(amount),
        date=date,
        purpose=purpose,
        **extra,
    )


class FundTestCase(PortalTestCase):
    def choices(self, response, field):
        return [label for value, label in response.context["form"].fields[field].choices if value]

    def errors(self, response):
        self.assertEqual(response.status_code, 200)
        return response.context["form"].errors


class CreateTest(FundTestCase):
    def test_staff_records_what_the_city_gave_the_district(self):
        self.login(self.alice)
        response = self.client.post(url("fundallocation_create"), allocation_post(self.district_a, source=self.city))
        allocation = FundAllocation.objects.get()
        self.assertRedirects(response, allocation.get_absolute_url())
        self.assertEqual(
            (allocation.source, allocation.source_name, allocation.recipient, allocation.date, allocation.amount),
            (self.city, "", self.district_a, D(2012, 3, 15), Decimal("2500.00")),
        )
        self.assertEqual(allocation.purpose, Purpose.ROUTINE)
        [record] = allocation.history.all()
        self.assertEqual((record.history_type, record.history_user), ("+", self.alice))
        self.assertEqual(list(FundAllocation.objects.from_unions()), [allocation])

    def test_money_from_an_outside_source_is_recorded_by_its_name(self):
        self.login(self.alice)
        response = self.client.post(
            url("fundallocation_create"),
            allocation_post(self.union_a, source_name="甲区人民政府", purpose=Purpose.ACTIVITY_SUBSIDY, amount="800"),
        )
        allocation = FundAllocation.objects.get()
        self.assertRedirects(response, allocation.get_absolute_url())
        self.assertEqual((allocation.source, allocation.source_name), (None, "甲区人民政府"))
        self.assertEqual(list(FundAllocation.objects.from_outside()), [allocation])
        self.assertEqual(list(FundAllocation.objects.from_unions()), [])

    def test_monthly_allocation_creates_one_on_the_first_of_each_month_of_the_year(self):
        self.login(self.alice)
        response = self.client.post(
            url("fundallocation_create"), allocation_post(self.union_a, source=self.district_a, monthly="on")
        )
        listed = url("fundallocation_list") + f"?recipient={self.union_a.pk}&year=2012"
        self.assertRedirects(response, listed, fetch_redirect_response=False)
        allocations = FundAllocation.objects.order_by("date")
        self.assertEqual([a.date for a in allocations], [D(2012, month, 1) for month in range(1, 13)])
        self.assertEqual({a.amount for a in allocations}, {Decimal("2500.00")})
        self.assertEqual(
            {(a.source, a.recipient, a.purpose) for a in allocations}, {(self.district_a, self.union_a, "routine")}
        )
        self.assertEqual(
            set(FundAllocation.history.values_list("history_type", "history_user")), {("+", self.alice.pk)}
        )
        self.assertEqual(FundAllocation.history.count(), 12)

        response = self.client.get(listed)
        self.assertContains(
            response,
            zh(
                "%(count)d monthly allocations were recorded, on the 1st of each month of %(year)d.",
                count=12,
                year=2012,
            ),
        )
        self.assertEqual(response.context["total"], Decimal("30000.00"))
        self.assertContains(response, '<span class="fw-semibold" data-testid="total">30,000.00</span>')
        self.assertEqual(response.context["table"].paginator.count, 12)

    def test_a_single_allocation_says_so(self):
        self.login(self.alice)
        response = self.client.post(
            url("fundallocation_create"), allocation_post(self.union_a, source=self.district_a), follow=True
        )
        self.assertContains(response, zh("The allocation was recorded."))
        self.assertEqual(FundAllocation.objects.count(), 1)

    def test_the_city_above_is_offered_as_source_but_recipients_stay_in_the_branch(self):
        self.login(self.alice)
        response = self.client.get(url("fundallocation_create"))
        self.assertEqual(self.choices(response, "source"), ["测试市总工会", "甲区总工会", "甲区第一中学工会"])
        self.assertEqual(self.choices(response, "recipient"), ["甲区总工会", "甲区第一中学工会"])
        self.assertNotContains(response, "乙区")

    def test_the_city_sees_every_organization_of_its_branch_as_source(self):
        self.login(self.ada)
        response = self.client.get(url("fundallocation_create"))
        self.assertEqual(
            self.choices(response, "source"),
            ["测试市总工会", "甲区总工会", "甲区第一中学工会", "乙区总工会", "乙区机械厂工会"],
        )

    def test_recipient_from_the_address_is_preselected_only_within_the_branch(self):
        self.login(self.alice)
        response = self.client.get(url("fundallocation_create") + f"?recipient={self.union_a.pk}")
        self.assertEqual(response.context["form"].initial["recipient"], self.union_a)
        response = self.client.get(url("fundallocation_create") + f"?recipient={self.union_b.pk}")
        self.assertIsNone(response.context["form"].initial["recipient"])
        self.assertNotContains(response, "乙区")

    def test_forged_recipient_of_the_other_district_is_refused_and_nothing_is_created(self):
        self.login(self.alice)
        response = self.client.post(url("fundallocation_create"), allocation_post(self.union_b, source=self.city))
        self.assertIn("recipient", self.errors(response))
        response = self.client.post(
            url("fundallocation_create"), allocation_post(self.union_b, source=self.city, monthly="on")
        )
        self.assertIn("recipient", self.errors(response))
        self.assertFalse(FundAllocation.objects.exists())

    def test_forged_source_of_the_other_district_is_refused(self):
        self.login(self.alice)
        response = self.client.post(url("fundallocation_create"), allocation_post(self.union_a, source=self.district_b))
        self.assertIn("source", self.errors(response))
        self.assertFalse(FundAllocation.objects.exists())

    def test_leader_and_approver_may_not_record_and_auditor_may_not_even_look(self):
        for user in (self.lena, self.april, self.otto):
            self.login(user)
            with self.subTest(user=user.username):
                response = self.client.post(
                    url("fundallocation_create"), allocation_post(self.district_a, source=self.city)
                )
                self.assertEqual(response.status_code, 403)
        self.login(self.otto)
        self.assertEqual(self.client.get(url("fundallocation_list")).status_code, 403)
        self.assertFalse(FundAllocation.objects.exists())


class ValidationTest(FundTestCase):
    def post(self, data):
        self.login(self.alice)
        return self.errors(self.client.post(url("fundallocation_create"), data))

    def test_both_an_organization_and_an_outside_source_is_refused_on_the_outside_source(self):
        errors = self.post(allocation_post(self.union_a, source=self.district_a, source_name="甲区人民政府"))
        self.assertEqual(errors, {"source_name": [zh("Give either an organization or an outside source, not both.")]})
        self.assertFalse(FundAllocation.objects.exists())

    def test_neither_an_organization_nor_an_outside_source_is_refused_once(self):
        errors = self.post(allocation_post(self.union_a, monthly="on"))
        self.assertEqual(
            errors, {"source_name": [zh("Name where the money comes from: an organization or an outside source.")]}
        )
        self.assertFalse(FundAllocation.objects.exists())

    def test_an_organization_giving_to_itself_is_refused_on_the_recipient(self):
        errors = self.post(allocation_post(self.union_a, source=self.union_a))
        self.assertEqual(errors, {"recipient": [zh("An organization cannot allocate funds to itself.")]})
        self.assertFalse(FundAllocation.objects.exists())

    def test_a_negative_amount_is_refused_on_the_amount(self):
        errors = self.post(allocation_post(self.union_a, source=self.district_a, amount="-1.00", monthly="on"))
        self.assertEqual(list(errors), ["amount"])
        self.assertFalse(FundAllocation.objects.exists())

    def test_missing_date_and_purpose_are_refused_on_their_fields(self):
        errors = self.post(allocation_post(self.union_a, source=self.district_a, date="", purpose=""))
        self.assertEqual(sorted(errors), ["date", "purpose"])


class ScopeTest(FundTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.to_a = allocate(cls.union_a, "2500", D(2024, 1, 1), source=cls.district_a)
        cls.to_b = allocate(cls.union_b, "1200", D(2024, 2, 1), source=cls.district_b)

    def test_staff_of_the_other_district_gets_404_everywhere_and_nothing_changes(self):
        self.login(self.bob)
        for name in ("fundallocation_detail", "fundallocation_update", "fundallocation_delete"):
            with self.subTest(name=name):
                response = self.client.get(url(name, self.to_a.pk))
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, "甲区", status_code=404)
        response = self.client.post(
            url("fundallocation_update", self.to_a.pk), allocation_post(self.union_b, source=self.district_b)
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.post(url("fundallocation_delete", self.to_a.pk)).status_code, 404)
        self.to_a.refresh_from_db()
        self.assertEqual((self.to_a.recipient, self.to_a.amount), (self.union_a, Decimal("2500.00")))
        self.assertEqual(self.to_a.history.count(), 1)

    def test_each_district_lists_what_its_branch_received_and_the_city_all(self):
        for user, expected in ((self.alice, [self.to_a]), (self.bob, [self.to_b]), (self.lena, [self.to_b, self.to_a])):
            self.login(user)
            with self.subTest(user=user.username):
                response = self.client.get(url("fundallocation_list"))
                self.assertEqual([row.record for row in response.context["table"].paginated_rows], expected)
        self.login(self.alice)
        self.assertNotContains(self.client.get(url("fundallocation_list")), "乙区")

    def test_leader_reads_but_is_offered_no_edit(self):
        self.login(self.leo)
        response = self.client.get(url("fundallocation_detail", self.to_b.pk))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, url("fundallocation_update", self.to_b.pk))
        self.assertNotContains(response, url("fundallocation_delete", self.to_b.pk))
        self.assertEqual(self.client.get(url("fundallocation_update", self.to_b.pk)).status_code, 403)

    def test_union_money_comes_only_from_above_the_recipient(self):
        """Even the city cannot record money from district B to a union of district A: union
        funds flow down the tree (and district A would otherwise read district B's name)."""
        self.login(self.ada)
        response = self.client.post(
            url("fundallocation_create"), allocation_post(self.union_a, source=self.district_b, date="2024-03-01")
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("source", response.context["form"].errors)
        self.assertFalse(FundAllocation.objects.filter(recipient=self.union_a, source=self.district_b).exists())


class UpdateDeleteTest(FundTestCase):
    def setUp(self):
        self.allocation = allocate(self.union_a, "2500", D(2024, 1, 1), source=self.district_a)

    def test_editing_records_the_change_on_the_detail_page(self):
        self.login(self.alice)
        response = self.client.post(
            url("fundallocation_update", self.allocation.pk),
            allocation_post(self.union_a, source=self.district_a, date="2024-01-01", amount="3000"),
        )
        self.assertRedirects(response, self.allocation.get_absolute_url())
        self.allocation.refresh_from_db()
        self.assertEqual(self.allocation.amount, Decimal("3000.00"))
        response = self.client.get(self.allocation.get_absolute_url())
        self.assertEqual(response.context["history"][0]["record"].history_user, self.alice)
        self.assertContains(
            response, '<del class="text-danger">2500.00</del> → <ins class="text-success">3000.00</ins>'
        )
        self.assertContains(response, '<dd class="col-sm-8 fw-semibold" data-testid="amount">3,000.00</dd>')

    def test_an_invalid_edit_changes_nothing(self):
        self.login(self.alice)
        response = self.client.post(
            url("fundallocation_update", self.allocation.pk),
            allocation_post(self.union_a, source=self.union_a, date="2024-01-01"),
        )
        self.assertEqual(list(self.errors(response)), ["recipient"])
        self.allocation.refresh_from_db()
        self.assertEqual(self.allocation.source, self.district_a)
        self.assertEqual(self.allocation.history.count(), 1)

    def test_the_edit_form_has_no_monthly_choice(self):
        self.login(self.alice)
        response = self.client.get(url("fundallocation_update", self.allocation.pk))
        self.assertNotIn("monthly", response.context["form"].fields)

    def test_get_asks_for_confirmation_and_deletes_nothing(self):
        self.login(self.alice)
        response = self.client.get(url("fundallocation_delete", self.allocation.pk))
        self.assertContains(response, '<button class="btn btn-danger" type="submit">')
        self.assertTrue(FundAllocation.objects.filter(pk=self.allocation.pk).exists())

    def test_post_deletes_and_keeps_the_history_with_who_deleted(self):
        self.login(self.alice)
        response = self.client.post(url("fundallocation_delete", self.allocation.pk))
        self.assertRedirects(response, url("fundallocation_list"))
        self.assertFalse(FundAllocation.objects.exists())
        deleted = FundAllocation.history.filter(id=self.allocation.pk).first()
        self.assertEqual((deleted.history_type, deleted.history_user), ("-", self.alice))

    def test_leader_may_not_delete(self):
        self.login(self.lena)
        self.assertEqual(self.client.post(url("fundallocation_delete", self.allocation.pk)).status_code, 403)
        self.assertTrue(FundAllocation.objects.exists())


class ListTestCase(FundTestCase):
    """Two years of money in both districts, from the tree and from outside."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a1 = allocate(cls.district_a, "10000", D(2024, 1, 1), source=cls.city, note="2024年日常经费")
        cls.a2 = allocate(
            cls.union_a, "3000.50", D(2024, 5, 10), source_name="甲区人民政府", purpose=Purpose.ACTIVITY_SUBSIDY
        )
        cls.a3 = allocate(cls.union_a, "800", D(2023, 12, 20), source=cls.district_a, purpose=Purpose.BOOKS)
        cls.b1 = allocate(cls.district_b, "10000", D(2024, 1, 1), source=cls.city)
        cls.b2 = allocate(cls.union_b, "1200", D(2024, 6, 1), source=cls.district_b, purpose=Purpose.EQUIPMENT)
        cls.b3 = allocate(cls.union_b, "5000", D(2024, 3, 1), source_name="乙区人民政府", purpose=Purpose.RELIEF)

    def page(self, query="", user=None):
        self.login(user or self.lena)
        response = self.client.get(url("fundallocation_list") + query)
        self.assertEqual(response.status_code, 200)
        return response

    def rows(self, query="", user=None):
        return [row.record for row in self.page(query, user).context["table"].paginated_rows]


class FilterTest(ListTestCase):
    def test_unfiltered_list_is_newest_first(self):
        self.assertEqual(self.rows(), [self.b2, self.a2, self.b3, self.a1, self.b1, self.a3])
        self.assertEqual(self.rows(user=self.alice), [self.a2, self.a1, self.a3])

    def test_filter_by_the_recipients_branch(self):
        self.assertEqual(self.rows(f"?branch={self.district_b.pk}"), [self.b2, self.b3, self.b1])
        self.assertEqual(self.rows(f"?branch={self.district_b.pk}", user=self.alice), [])

    def test_filter_by_recipient(self):
        self.assertEqual(self.rows(f"?recipient={self.union_a.pk}"), [self.a2, self.a3])
        self.assertEqual(self.rows(f"?recipient={self.union_b.pk}", user=self.alice), [])

    def test_filter_by_recipient_name(self):
        self.assertEqual(self.rows("?recipient_name=机械厂"), [self.b2, self.b3])

    def test_filter_by_purpose(self):
        self.assertEqual(self.rows("?purpose=routine"), [self.a1, self.b1])
        self.assertEqual(self.rows("?purpose=relief", user=self.alice), [])

    def test_filter_by_source_type(self):
        self.assertEqual(self.rows("?source_type=outside"), [self.a2, self.b3])
        self.assertEqual(self.rows("?source_type=union"), [self.b2, self.a1, self.b1, self.a3])

    def test_filter_by_date_range_and_year(self):
        self.assertEqual(self.rows("?date_after=2024-01-01&date_before=2024-03-31"), [self.b3, self.a1, self.b1])
        self.assertEqual(self.rows("?year=2023"), [self.a3])

    def test_filter_by_amount_range(self):
        self.assertEqual(self.rows("?amount_min=1000&amount_max=5000"), [self.b2, self.a2, self.b3])

    def test_filters_combine(self):
        self.assertEqual(self.rows(f"?branch={self.district_a.pk}&year=2024&source_type=union"), [self.a1])

    def test_sort_by_amount(self):
        self.assertEqual(self.rows("?sort=amount", user=self.alice), [self.a3, self.a2, self.a1])
        self.assertEqual(self.rows("?sort=-amount", user=self.alice), [self.a1, self.a2, self.a3])

    def test_total_is_of_every_filtered_row(self):
        response = self.page(user=self.alice)
        self.assertEqual(response.context["total"], Decimal("13800.50"))
        self.assertContains(response, '<span class="fw-semibold" data-testid="total">13,800.50</span>')
        self.assertEqual(self.page("?purpose=routine").context["total"], Decimal("20000.00"))
        self.assertEqual(self.page("?year=1999").context["total"], Decimal("0.00"))

    def test_total_counts_rows_beyond_the_first_page(self):
        with self.settings(PAGE_SIZE=2):
            response = self.page()
        self.assertEqual(len(response.context["table"].paginated_rows), 2)
        self.assertEqual(response.context["total"], Decimal("30000.50"))

    def test_the_table_shows_amounts_with_two_decimals_and_the_source_by_name(self):
        response = self.page("?recipient_name=第一中学", user=self.alice)
        self.assertContains(response, "3,000.50")
        self.assertContains(response, "800.00")
        self.assertContains(response, "甲区人民政府")
        self.assertContains(response, self.a2.get_absolute_url())


class ExportTest(ListTestCase):
    def export(self, query, user=None):
        self.login(user or self.alice)
        response = self.client.get(url("fundallocation_list") + query)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        workbook = load_workbook(io.BytesIO(response_bytes(response)))
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows()]

    def test_export_holds_exactly_the_filtered_rows_with_amounts_and_dates_as_numbers(self):
        rows = self.export("?year=2024&export=xlsx")
        with translation.override("zh-hans"):
            field = FundAllocation._meta.get_field
            headers = [str(field("date").verbose_name).capitalize(), gettext("Source"), gettext("Recipient")]
            headers += [str(field(name).verbose_name).capitalize() for name in ("purpose", "amount", "note")]
            purposes = [str(Purpose.ACTIVITY_SUBSIDY.label), str(Purpose.ROUTINE.label)]
        self.assertEqual([cell.value for cell in rows[0]], headers)
        values = [[cell.value for cell in row] for row in rows[1:]]
        self.assertEqual(
            values,
            [
                [datetime.datetime(2024, 5, 10), "甲区人民政府", "甲区第一中学工会", purposes[0], 3000.5, None],
                [datetime.datetime(2024, 1, 1), "测试市总工会", "甲区总工会", purposes[1], 10000, "2024年日常经费"],
            ],
        )
        amounts = [row[4] for row in rows[1:]]
        self.assertEqual({cell.data_type for cell in amounts}, {"n"})
        self.assertEqual({cell.number_format for cell in amounts}, {"#,##0.00"})

    def test_export_of_the_other_districts_branch_is_empty(self):
        rows = self.export(f"?branch={self.district_b.pk}&export=xlsx")
        self.assertEqual(rows[1:], [])

    def test_export_writes_an_audit_event(self):
        self.export("?purpose=books&export=xlsx")
        [event] = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(
            (event.message, event.params["model"], event.params["count"]),
            ("exported", "organizations.FundAllocation", 1),
        )


class FundsPanelTest(FundTestCase):
    """The organization page shows what the organization itself received, this year and last."""

    def panel(self, organization, user=None):
        self.login(user or self.alice)
        response = self.client.get(organization.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        return response, response.context["funds_received"]

    def test_panel_sums_this_year_and_last_by_purpose(self):
        year = timezone.localdate().year
        allocate(self.union_a, "2500", D(year, 1, 1), source=self.district_a)
        allocate(self.union_a, "2500", D(year, 2, 1), source=self.district_a)
        allocate(self.union_a, "1000", D(year, 1, 15), source_name="甲区人民政府", purpose=Purpose.ACTIVITY_SUBSIDY)
        allocate(self.union_a, "300", D(year - 1, 12, 31), source=self.district_a, purpose=Purpose.BOOKS)
        allocate(self.union_a, "999", D(year - 2, 12, 31), source=self.district_a)  # too old
        allocate(self.district_a, "7777", D(year, 1, 1), source=self.city)  # to the district, not the union
        response, panel = self.panel(self.union_a)
        self.assertEqual([y["year"] for y in panel["years"]], [year - 1, year])
        self.assertEqual([y["total"] for y in panel["years"]], ["300.00", "6,000.00"])
        with translation.override("zh-hans"):
            expected = [
                (str(Purpose.ROUTINE.label), ["—", "5,000.00"]),
                (str(Purpose.ACTIVITY_SUBSIDY.label), ["—", "1,000.00"]),
                (str(Purpose.BOOKS.label), ["300.00", "—"]),
            ]
            self.assertEqual([(str(row["purpose"]), row["amounts"]) for row in panel["rows"]], expected)
        self.assertContains(response, zh("Funds received"))
        self.assertContains(
            response, f'href="{url("fundallocation_list")}?recipient={self.union_a.pk}&amp;year={year}"'
        )
        listed = self.client.get(panel["years"][1]["url"])
        self.assertEqual(listed.context["total"], Decimal("6000.00"))

    def test_panel_without_allocations_says_so(self):
        response, panel = self.panel(self.union_a)
        self.assertEqual(panel["rows"], [])
        self.assertContains(response, zh("No allocations received in these two years."))

    def test_leader_sees_the_panel_without_the_add_button(self):
        response, _panel = self.panel(self.union_b, user=self.leo)
        self.assertContains(response, zh("Funds received"))
        self.assertNotContains(response, url("fundallocation_create"))


class NavigationTest(FundTestCase):
    def test_the_funds_link_is_shown_to_everyone_but_the_auditor(self):
        for user in (self.alice, self.lena, self.april, self.root):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertContains(self.client.get(url("organization_tree")), url("fundallocation_list"))
        self.login(self.otto)
        self.assertNotContains(self.client.get(reverse("accounts:auditevent_list")), url("fundallocation_list"))


class AdminTest(FundTestCase):
    def test_district_admin_sees_the_districts_allocations_and_may_name_the_city_as_source(self):
        own = allocate(self.union_a, "100", D(2024, 1, 1), source=self.city)
        allocate(self.union_b, "100", D(2024, 1, 1), source=self.city)
        self.login(self.adam)
        response = self.client.get(reverse("admin:organizations_fundallocation_changelist"))
        self.assertEqual(list(response.context["cl"].result_list), [own])
        response = self.client.get(reverse("admin:organizations_fundallocation_change", args=[own.pk]))
        form = response.context["adminform"].form
        self.assertEqual(
            [label for value, label in form.fields["source"].choices if value],
            ["测试市总工会", "甲区总工会", "甲区第一中学工会"],
        )
        self.assertEqual(
            [label for value, label in form.fields["recipient"].choices if value], ["甲区总工会", "甲区第一中学工会"]
        )


class QueryCountTest(FundTestCase):
    """A page costs the same number of queries whatever the number of allocations behind it."""

    def add_allocations(self, count, start=0):
        year = timezone.localdate().year
        for number in range(start, start + count):
            allocate(
                self.union_a if number % 2 else self.district_a,
                f"{100 + number}.25",
                D(year - number % 2, number % 12 + 1, 1),
                source=self.city if number % 3 else None,
                source_name="" if number % 3 else "甲区人民政府",
                purpose=list(Purpose)[number % len(Purpose)],
            )

    def assert_same_queries_with_more_rows(self, path, grow):
        self.login(self.alice)
        self.client.get(path)  # caches warmed: the session, content types
        # The list's count and total are read from the cache until a record changes: each
        # measured request starts from the same (cold) cache.
        cache.clear()
        with CaptureQueriesContext(connection) as few:
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        grow()
        cache.clear()
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get(path)

    def test_list_costs_the_same_with_5_and_60_allocations(self):
        self.add_allocations(5)
        self.assert_same_queries_with_more_rows(url("fundallocation_list"), lambda: self.add_allocations(55, start=5))
        self.assertEqual(FundAllocation.objects.count(), 60)

    def test_filtered_list_costs_the_same_with_5_and_60_allocations(self):
        self.add_allocations(5)
        self.assert_same_queries_with_more_rows(
            url("fundallocation_list") + f"?branch={self.district_a.pk}&source_type=union&amount_min=1",
            lambda: self.add_allocations(55, start=5),
        )

    def test_export_costs_the_same_with_5_and_60_allocations(self):
        self.add_allocations(5)
        self.assert_same_queries_with_more_rows(
            url("fundallocation_list") + "?export=xlsx", lambda: self.add_allocations(55, start=5)
        )

    def test_organization_page_costs_the_same_with_many_allocations(self):
        self.add_allocations(5)
        self.assert_same_queries_with_more_rows(
            self.union_a.get_absolute_url(), lambda: self.add_allocations(55, start=5)
        )
        self.assertGreater(FundAllocation.objects.filter(recipient=self.union_a).count(), 25)

    def test_detail_costs_the_same_with_many_history_records(self):
        self.add_allocations(1)
        allocation = FundAllocation.objects.get()

        def edit():
            for number in range(30):
                allocation.amount = Decimal(number)
                allocation.save()

        self.assert_same_queries_with_more_rows(allocation.get_absolute_url(), edit)
