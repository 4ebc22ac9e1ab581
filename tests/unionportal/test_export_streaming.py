"""The list export writes row by row from `queryset.iterator()` into a temporary file that is
streamed out: the same workbook as the export that built every row in memory first, with a
peak memory that does not grow with the number of rows."""

import datetime
import io
import tempfile
import tracemalloc
from unittest import mock

import django_tables2 as tables
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from accounts.views import AuditEventListView
from organizations.views import OrganizationListView
from relief.models import Beneficiary
from relief.views import BeneficiaryListView
from tests.base import PortalTestCase, make_org
from tests.cadres.data import full_ids_in, masked, resident_id
from tests.workbooks import response_bytes
from unionportal.tables import Table
from unionportal.views import view_for
from unionportal.xlsx import table_response

ID_NUMBER = resident_id("19700310", "041")
ACCOUNT = "6228480402564890018"


def cells(data):
    """Every cell of the first sheet with its type and number format."""
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[(cell.value, cell.data_type, cell.number_format) for cell in row] for row in sheet.iter_rows()]


def export_in_memory(view_class, user, path, query):
    """The export as it was before it streamed: `Table.as_values()` into a list, then one
    workbook in memory."""
    view = view_for(view_class, user=user, path=path, query=query)
    values = view.export_table().as_values()
    headers = next(values)
    return table_response(str(view.title), headers, list(values), "x.xlsx").content


class SameWorkbookTest(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_org(cls.district_a, '=HYPERLINK("http://example.invalid")', established=datetime.date(2018, 9, 1))
        Beneficiary.objects.create(
            full_name="赵强",
            id_number=ID_NUMBER,
            organization=cls.union_a,
            bank_name="农村信用社",
            bank_account=ACCOUNT,
            hardship_level="deep",
            filed_on=datetime.date(2024, 1, 5),
        )
        for user in (cls.alice, cls.bob, cls.lena):
            AuditEvent.objects.create(
                user=user, username=user.username, organization_path=user.organization.path, kind="login"
            )

    def assert_same(self, view_class, url_name, user, query="export=xlsx"):
        before = export_in_memory(view_class, user, reverse(url_name), query)
        AuditEvent.objects.filter(kind="export").delete()  # the export is audited before it is read
        self.login(user)
        response = self.client.get(f"{reverse(url_name)}?{query}")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        body = response_bytes(response)
        self.assertEqual(cells(body), cells(before))
        self.assertEqual(full_ids_in(response, body), [])
        return cells(body)

    def test_organization_list(self):
        rows = self.assert_same(OrganizationListView, "organizations:organization_list", self.alice)
        self.assertEqual(len(rows), 4)
        self.assertIn(('=HYPERLINK("http://example.invalid")', "s", "General"), [row[0] for row in rows])

    def test_organization_list_sorted_and_filtered(self):
        rows = self.assert_same(
            OrganizationListView, "organizations:organization_list", self.lena, "kind=grassroots&sort=-name&export=xlsx"
        )
        self.assertEqual(len(rows), 4)

    def test_hardship_files_keep_id_and_account_masked(self):
        rows = self.assert_same(BeneficiaryListView, "relief:beneficiary_list", self.alice)
        values = [value for value, _type, _format in rows[1]]
        self.assertIn(masked(ID_NUMBER), values)
        self.assertIn("*" * 15 + ACCOUNT[-4:], values)
        self.assertNotIn(ACCOUNT, values)

    def test_audit_log(self):
        rows = self.assert_same(AuditEventListView, "accounts:auditevent_list", self.otto)
        self.assertEqual(len(rows), 4)


class UsernameTable(Table):
    """One cheap column: the rows, not the cells, are what the test is about."""

    username = tables.Column()


class AuditUsernamesView(AuditEventListView):
    table_class = UsernameTable


class FlatMemoryTest(PortalTestCase):
    """tracemalloc's peak while exporting 200 and then 2,000 lines of the audit log, fetched
    100 at a time: the same. (The export before held every row and every model instance at
    once: ten times as much for ten times the rows.)"""

    def add_events(self, count):
        AuditEvent.objects.bulk_create(
            AuditEvent(username=f"user{number}", organization_path=self.city.path, kind="login", detail="x" * 40)
            for number in range(count)
        )

    def export_peak(self):
        view = view_for(AuditUsernamesView, user=self.otto, path="/", query="export=xlsx")
        with tempfile.TemporaryFile() as file:
            tracemalloc.start()
            try:
                count = view.write_export(view.export_table(), file)
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        return count, peak

    @mock.patch("unionportal.views.EXPORT_CHUNK_SIZE", 100)
    def test_peak_memory_does_not_grow_with_the_rows(self):
        self.add_events(200)
        view_for(AuditUsernamesView, user=self.otto, path="/").export_table()  # imports, translations
        small_count, small = self.export_peak()
        self.add_events(1_800)
        large_count, large = self.export_peak()
        self.assertEqual((small_count, large_count), (200, 2_000))
        self.assertLess(large, small * 1.5, f"peak {small:,} bytes for 200 rows, {large:,} for 2,000")
