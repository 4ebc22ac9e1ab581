"""The import pipeline, through the organizations import: in code, in the browser and on the
command line. All or nothing, every error with its row, column and a Chinese message."""

import datetime
import io
import re
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.models import AuditEvent
from organizations.models import MembershipFigure, Organization, OrganizationKind, UnitType
from tests.base import PortalTestCase
from tests.workbooks import workbook_bytes
from unionportal.importing import RowError, get_importer, refresh_statistics
from unionportal.validators import credit_code_check_char

HEADERS = [
    "名称*",
    "上级组织*",
    "组织类别*",
    "单位性质",
    "统一社会信用代码",
    "成立日期",
    "会员人数",
    "职工人数",
    "女会员人数",
    "农民工会员人数",
    "地址",
    "联系电话",
]
FIELDS = [
    "name",
    "parent",
    "kind",
    "unit_type",
    "credit_code",
    "established",
    "members",
    "employees",
    "women_members",
    "migrant_members",
    "address",
    "phone",
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def credit_code(body="91522727MA6DK1234"):
    return body + credit_code_check_char(body)


def row(**values):
    return [values.get(name) for name in FIELDS]


TOWNSHIP = row(name="甲区城关镇工会联合会", parent="甲区总工会", kind="乡镇(街道)工会联合会", unit_type="机关")
SCHOOL = row(
    name="甲区城关镇中心学校工会",
    parent="甲区城关镇工会联合会",
    kind="基层工会",
    unit_type="事业单位",
    credit_code=credit_code(),
    established="2018-03-31",
    members=120,
    employees=130,
    women_members=64,
    migrant_members=3,
    address="甲区城关镇学府路1号",
    phone="0854-7221234",
)


def good_file():
    return workbook_bytes([HEADERS, TOWNSHIP, SCHOOL])


def run(user, data, commit=True):
    return get_importer("organizations")(user).run(data, commit=commit)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


class ImportTestCase(PortalTestCase):
    def setUp(self):
        # Messages are built in the active language: the portal's, Chinese.
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        self.count_before = Organization.objects.count()

    def assertNothingSaved(self):
        self.assertEqual(Organization.objects.count(), self.count_before)
        self.assertFalse(MembershipFigure.objects.exists())
        self.assertFalse(Organization.history.filter(history_type="+", name__startswith="甲区城关镇").exists())


class OrganizationImportTest(ImportTestCase):
    def test_good_file_creates_the_rows_in_order_and_later_rows_refer_to_earlier_ones(self):
        result = run(self.alice, good_file())
        self.assertEqual(result.errors, [])
        self.assertTrue(result.committed)
        self.assertEqual([number for number, _text in result.rows], [2, 3])
        township = Organization.objects.get(name="甲区城关镇工会联合会")
        school = Organization.objects.get(name="甲区城关镇中心学校工会")
        self.assertEqual(township.parent, self.district_a)
        self.assertEqual(township.kind, OrganizationKind.TOWNSHIP_FEDERATION)
        self.assertEqual(township.unit_type, UnitType.ORGAN)
        self.assertTrue(township.path.startswith(self.district_a.path))
        self.assertEqual(school.parent, township)
        self.assertEqual(Organization.objects.get_parent(school), township)
        self.assertEqual(school.kind, OrganizationKind.GRASSROOTS)
        self.assertEqual(school.unit_type, UnitType.INSTITUTION)
        self.assertEqual(school.credit_code, credit_code())
        self.assertEqual(school.established, datetime.date(2018, 3, 31))
        self.assertEqual(school.address, "甲区城关镇学府路1号")
        self.assertEqual(school.phone, "0854-7221234")
        self.assertEqual(Organization.objects.count(), self.count_before + 2)

    def test_membership_figures_are_for_the_current_year(self):
        run(self.alice, good_file())
        figure = MembershipFigure.objects.get()
        self.assertEqual(figure.organization.name, "甲区城关镇中心学校工会")
        self.assertEqual(figure.year, timezone.localdate().year)
        self.assertEqual(
            (figure.members, figure.employees, figure.women_members, figure.migrant_members), (120, 130, 64, 3)
        )

    def test_row_without_figures_creates_no_figures(self):
        run(self.alice, workbook_bytes([HEADERS, TOWNSHIP]))
        self.assertFalse(MembershipFigure.objects.exists())

    def test_imported_rows_have_history_by_the_importing_user(self):
        run(self.alice, good_file())
        school = Organization.objects.get(name="甲区城关镇中心学校工会")
        record = school.history.get()
        self.assertEqual((record.history_type, record.history_user), ("+", self.alice))
        figure = MembershipFigure.objects.get()
        self.assertEqual(figure.history.get().history_user, self.alice)

    def test_dry_run_saves_nothing_but_lists_the_rows(self):
        result = run(self.alice, good_file(), commit=False)
        self.assertEqual(result.errors, [])
        self.assertFalse(result.committed)
        self.assertEqual(len(result.rows), 2)
        self.assertNothingSaved()

    def test_one_bad_row_saves_nothing_and_every_error_is_listed(self):
        data = workbook_bytes(
            [
                HEADERS,
                TOWNSHIP,
                row(name="甲区甲厂工会", parent="甲区总工会", kind="工会小组"),
                row(name="甲区乙厂工会", parent="不存在的工会", kind="基层工会"),
                row(name="甲区丙厂工会", parent="乙区总工会", kind="基层工会"),
                row(name="甲区第一中学工会", parent="甲区总工会", kind="基层工会"),
                row(name="甲区丁厂工会", parent="甲区总工会", kind="基层工会", credit_code="91522727MA6DKI23"),
                row(name="甲区戊厂工会", parent="甲区总工会", kind="基层工会", established="2018-02-30"),
                row(name="甲区己厂工会", parent="甲区总工会", kind="基层工会", established="去年春天"),
                row(name="甲区庚厂工会", parent="甲区总工会", kind="基层工会", members=-5),
                row(name="甲区辛厂工会", parent="甲区总工会", kind="基层工会", members=10, women_members=11),
                row(name="甲区城关镇工会联合会", parent="甲区总工会", kind="乡镇(街道)工会联合会"),
                SCHOOL,
            ]
        )
        result = run(self.alice, data)
        kinds = "、".join(str(label) for _code, label in OrganizationKind.choices)
        self.assertEqual(
            errors(result),
            [
                (3, "组织类别", _("“%(value)s” is not one of: %(labels)s.") % {"value": "工会小组", "labels": kinds}),
                (
                    4,
                    "上级组织",
                    _("There is no organization named “%(name)s” in your branch.") % {"name": "不存在的工会"},
                ),
                (
                    5,
                    "上级组织",
                    _("There is no organization named “%(name)s” in your branch.") % {"name": "乙区总工会"},
                ),
                (6, "名称", _("Another organization with this name already exists under the same parent.")),
                (
                    7,
                    "统一社会信用代码",
                    _(
                        "A unified social credit code has 18 characters of digits and capital letters "
                        "(no I, O, Z, S, V)."
                    ),
                ),
                (8, "成立日期", _("This date does not exist.")),
                (9, "成立日期", _("Enter a date such as 2018-03-31, 2018/3/31 or 2018年3月31日.")),
                (10, "会员人数", _("Enter a number that is not negative.")),
                (11, "女会员人数", _("Women members cannot outnumber members.")),
                (12, "名称", _("Another organization with this name already exists under the same parent.")),
            ],
        )
        self.assertFalse(result.committed)
        for _row, _column, message in errors(result):
            self.assertRegex(message, CJK)
        self.assertEqual(result.rows, [(2, result.rows[0][1]), (13, result.rows[1][1])])
        self.assertNothingSaved()

    def test_wrong_check_character_of_credit_code_is_an_error(self):
        code = credit_code()
        wrong = code[:17] + ("0" if code[17] != "0" else "1")
        data = workbook_bytes(
            [HEADERS, row(name="甲区丁厂工会", parent="甲区总工会", kind="基层工会", credit_code=wrong)]
        )
        result = run(self.alice, data)
        self.assertEqual(
            errors(result),
            [(2, "统一社会信用代码", _("The check character of this unified social credit code is wrong."))],
        )
        self.assertNothingSaved()

    def test_credit_code_of_another_organization_is_an_error_on_that_column(self):
        self.union_b.credit_code = credit_code()
        self.union_b.save()
        data = workbook_bytes(
            [HEADERS, row(name="甲区丁厂工会", parent="甲区总工会", kind="基层工会", credit_code=credit_code())]
        )
        result = run(self.alice, data)
        self.assertEqual(
            errors(result),
            [(2, "统一社会信用代码", _("Another organization already has this unified social credit code."))],
        )
        self.assertNothingSaved()

    def test_missing_required_cell_is_an_error(self):
        data = workbook_bytes([HEADERS, row(name="甲区丁厂工会", parent="甲区总工会")])
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(2, "组织类别", _("This field is required."))])
        self.assertNothingSaved()

    def test_unknown_column_is_an_error(self):
        data = workbook_bytes([[*HEADERS, "备注"], TOWNSHIP])
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(1, "备注", _("Unknown column: the template has no column of this name."))])
        self.assertNothingSaved()

    def test_missing_required_column_is_an_error(self):
        headers = [h for h in HEADERS if h != "组织类别*"]
        data = workbook_bytes([headers, ["甲区丁厂工会", "甲区总工会"]])
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(1, "组织类别", _("This required column is missing."))])
        self.assertNothingSaved()

    def test_column_given_twice_is_an_error(self):
        data = workbook_bytes([[*HEADERS, "name"], [*TOWNSHIP, "x"]])
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(1, "name", _("This column appears twice."))])
        self.assertNothingSaved()

    def test_empty_workbook_is_an_error(self):
        result = run(self.alice, workbook_bytes([]))
        self.assertEqual(errors(result), [(0, "", _("The workbook is empty."))])

    def test_file_that_is_not_a_workbook_is_an_error(self):
        result = run(self.alice, b"name,parent,kind\n")
        self.assertEqual(errors(result), [(0, "", _("The file is not an Excel workbook (.xlsx)."))])
        self.assertNothingSaved()

    def test_headers_without_star_and_english_aliases_are_accepted(self):
        headers = [
            "name",
            "Parent",
            "KIND",
            "unit type",
            "credit_code",
            "established",
            "members",
            "employees",
            "women members",
            "migrant_members",
            "address",
            "phone",
        ]
        data = workbook_bytes(
            [
                headers,
                row(name="甲区丁厂工会", parent="甲区总工会", kind="基层工会", unit_type="国有企业", members=50),
                row(name="甲区戊厂工会", parent="甲区总工会", kind="Grassroots union", unit_type="private_enterprise"),
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(result.errors, [])
        self.assertEqual(
            list(
                Organization.objects.filter(name__in=["甲区丁厂工会", "甲区戊厂工会"]).values_list("name", "unit_type")
            ),
            [("甲区丁厂工会", UnitType.STATE_ENTERPRISE), ("甲区戊厂工会", UnitType.PRIVATE_ENTERPRISE)],
        )
        self.assertEqual(MembershipFigure.objects.get().members, 50)

    def test_headers_with_star_and_without_are_both_accepted(self):
        headers = [h.rstrip("*") for h in HEADERS]
        self.assertEqual(run(self.alice, workbook_bytes([headers, TOWNSHIP])).errors, [])

    def test_every_date_format_is_read(self):
        dates = ["2018-03-31", "2018/3/31", "2018年3月31日", datetime.datetime(2018, 3, 31), 43190, " 2018.03.31 "]
        data = workbook_bytes(
            [
                HEADERS,
                *(
                    row(name=f"甲区日期{i}工会", parent="甲区总工会", kind="基层工会", established=value)
                    for i, value in enumerate(dates)
                ),
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(result.errors, [])
        self.assertEqual(
            set(Organization.objects.filter(name__startswith="甲区日期").values_list("established", flat=True)),
            {datetime.date(2018, 3, 31)},
        )
        self.assertEqual(Organization.objects.filter(name__startswith="甲区日期").count(), len(dates))

    def test_excel_date_cell_is_read_as_a_date(self):
        data = workbook_bytes(
            [
                HEADERS,
                row(name="甲区日期工会", parent="甲区总工会", kind="基层工会", established=datetime.date(2018, 3, 31)),
            ]
        )
        sheet = load_workbook(io.BytesIO(data)).active
        self.assertTrue(sheet["F2"].is_date)
        self.assertEqual(run(self.alice, data).errors, [])
        self.assertEqual(Organization.objects.get(name="甲区日期工会").established, datetime.date(2018, 3, 31))

    def test_numbers_with_thousands_separators_and_full_width_digits_are_read(self):
        data = workbook_bytes(
            [
                HEADERS,
                row(
                    name="甲区丁厂工会",
                    parent="甲区总工会",
                    kind="基层工会",
                    members="1,234",
                    employees="１２３４",
                    women_members="１２３",
                    migrant_members="１，０００",
                ),
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(result.errors, [])
        figure = MembershipFigure.objects.get()
        self.assertEqual(
            (figure.members, figure.employees, figure.women_members, figure.migrant_members), (1234, 1234, 123, 1000)
        )

    def test_text_that_is_not_a_number_is_an_error(self):
        data = workbook_bytes(
            [HEADERS, row(name="甲区丁厂工会", parent="甲区总工会", kind="基层工会", members="十二", employees=1.5)]
        )
        result = run(self.alice, data)
        self.assertEqual(
            errors(result),
            [(2, "会员人数", _("Enter a whole number.")), (2, "职工人数", _("Enter a whole number."))],
        )
        self.assertNothingSaved()

    def test_superuser_may_leave_parent_empty_to_create_a_top_level_federation(self):
        data = workbook_bytes(
            [
                HEADERS,
                row(name="新建市总工会", kind="市总工会", unit_type="机关"),
                row(name="新建区总工会", parent="新建市总工会", kind="县(区)总工会"),
            ]
        )
        result = run(self.root, data)
        self.assertEqual(result.errors, [])
        federation = Organization.objects.get(name="新建市总工会")
        self.assertIsNone(federation.parent)
        self.assertEqual(federation.depth, 1)
        self.assertEqual(Organization.objects.get(name="新建区总工会").parent, federation)

    def test_empty_parent_is_an_error_for_everyone_but_the_superuser(self):
        data = workbook_bytes([HEADERS, row(name="新建市总工会", kind="市总工会")])
        for user in (self.alice, self.ada, self.adam):
            with self.subTest(user=user.username):
                result = run(user, data)
                self.assertEqual(errors(result), [(2, "上级组织", _("This field is required."))])
        self.assertFalse(Organization.objects.filter(name="新建市总工会").exists())

    def test_parent_outside_scope_is_reported_as_not_found(self):
        data = workbook_bytes([HEADERS, row(name="乙区新厂工会", parent="乙区机械厂工会", kind="基层工会")])
        result = run(self.alice, data)
        self.assertEqual(
            errors(result),
            [
                (
                    2,
                    "上级组织",
                    _("There is no organization named “%(name)s” in your branch.") % {"name": "乙区机械厂工会"},
                )
            ],
        )
        self.assertFalse(Organization.objects.filter(name="乙区新厂工会").exists())

    def test_city_staff_may_import_anywhere_in_the_city(self):
        data = workbook_bytes(
            [HEADERS, row(name="乙区新厂工会", parent="乙区总工会", kind="基层工会", unit_type="非公有制企业")]
        )
        self.assertEqual(run(self.ada, data).errors, [])
        self.assertEqual(Organization.objects.get(name="乙区新厂工会").parent, self.district_b)


class ImportPageTest(ImportTestCase):
    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.import_root = Path(directory.name)
        settings_override = override_settings(IMPORT_ROOT=self.import_root)
        settings_override.enable()
        self.addCleanup(settings_override.disable)
        self.url = reverse("organizations:organization_import")
        self.login(self.alice)

    def upload(self, data, name="组织.xlsx"):
        upload = io.BytesIO(data)
        upload.name = name
        return self.client.post(self.url, {"file": upload})

    def test_import_page_lists_the_columns_and_links_the_template(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, reverse("organizations:organization_import_template"))
        self.assertContains(response, "组织类别*")

    def test_template_is_a_workbook_whose_first_row_is_the_headers(self):
        response = self.client.get(reverse("organizations:organization_import_template"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        self.assertTrue(response["Content-Disposition"].startswith("attachment; filename*=UTF-8''"))
        workbook = load_workbook(io.BytesIO(response.content))
        header = [cell.value for cell in workbook.worksheets[0][1]]
        self.assertEqual(header, HEADERS)
        self.assertEqual(workbook.worksheets[0].max_row, 1)

    def test_template_fills_in_and_imports(self):
        template = load_workbook(
            io.BytesIO(self.client.get(reverse("organizations:organization_import_template")).content)
        )
        template.active.append(TOWNSHIP)
        buffer = io.BytesIO()
        template.save(buffer)
        self.assertEqual(run(self.alice, buffer.getvalue()).errors, [])
        self.assertTrue(Organization.objects.filter(name="甲区城关镇工会联合会").exists())

    def test_upload_shows_a_preview_with_a_token_and_saves_nothing(self):
        response = self.upload(good_file())
        self.assertEqual(response.status_code, 200)
        result = response.context["result"]
        self.assertEqual(result.errors, [])
        self.assertEqual([number for number, _text in result.rows], [2, 3])
        self.assertContains(response, "甲区城关镇工会联合会")
        self.assertContains(response, "甲区城关镇中心学校工会")
        token = response.context["token"]
        self.assertRegex(token, r"^[0-9a-f]{32}$")
        self.assertContains(response, f'name="token" value="{token}"')
        self.assertEqual([p.name for p in self.import_root.iterdir()], [f"{token}.xlsx"])
        self.assertNothingSaved()
        self.assertFalse(AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).exists())

    def test_confirming_the_token_saves_the_rows_and_records_the_import(self):
        token = self.upload(good_file()).context["token"]
        response = self.client.post(self.url, {"token": token})
        self.assertRedirects(response, reverse("organizations:organization_list"), fetch_redirect_response=False)
        self.assertEqual(Organization.objects.get(name="甲区城关镇中心学校工会").parent.name, "甲区城关镇工会联合会")
        self.assertEqual(Organization.objects.count(), self.count_before + 2)
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
        self.assertEqual(event.user, self.alice)
        self.assertEqual((event.message, event.params), ("imported", {"kind": "organizations", "count": 2}))
        self.assertEqual(event.organization_path, self.district_a.path)
        self.assertEqual(list(self.import_root.iterdir()), [])

    def test_token_cannot_be_confirmed_twice(self):
        token = self.upload(good_file()).context["token"]
        self.client.post(self.url, {"token": token})
        response = self.client.post(self.url, {"token": token})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, _("This import has expired; upload the file again."))
        self.assertEqual(Organization.objects.count(), self.count_before + 2)
        self.assertEqual(AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT).count(), 1)

    def test_token_of_another_session_is_refused(self):
        token = self.upload(good_file()).context["token"]
        self.client.logout()
        self.login(self.adam)
        response = self.client.post(self.url, {"token": token})
        self.assertContains(response, _("This import has expired; upload the file again."))
        self.assertNothingSaved()

    def test_file_with_a_bad_row_shows_errors_no_token_and_saves_nothing(self):
        data = workbook_bytes([HEADERS, TOWNSHIP, row(name="甲区甲厂工会", parent="乙区总工会", kind="基层工会")])
        response = self.upload(data)
        self.assertEqual(response.status_code, 200)
        message = _("There is no organization named “%(name)s” in your branch.") % {"name": "乙区总工会"}
        self.assertEqual(errors(response.context["result"]), [(3, "上级组织", message)])
        self.assertContains(response, message)
        self.assertNotIn("token", response.context)
        self.assertNotContains(response, 'name="token"')
        self.assertEqual(list(self.import_root.iterdir()), [])
        self.assertNothingSaved()

    def test_text_file_is_refused_with_a_clear_message(self):
        response = self.upload(b"name,parent\n", name="组织.txt")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["upload_error"], _("Only Excel workbooks (.xlsx) can be imported."))
        self.assertContains(response, _("Only Excel workbooks (.xlsx) can be imported."))
        self.assertNotIn("result", response.context)
        self.assertNothingSaved()

    def test_file_named_xlsx_that_is_not_a_workbook_is_refused_with_a_clear_message(self):
        response = self.upload(b"name,parent\n", name="组织.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["result"].errors, [RowError(0, "", _("The file is not an Excel workbook (.xlsx)."))]
        )
        self.assertContains(response, _("The file is not an Excel workbook (.xlsx)."))
        self.assertNotIn("token", response.context)
        self.assertNothingSaved()

    def test_post_without_a_file_asks_for_one(self):
        response = self.client.post(self.url, {})
        self.assertEqual(response.context["upload_error"], _("Choose a file to upload."))
        self.assertNothingSaved()

    def test_roles_without_import_may_not_open_the_page(self):
        for user in (self.lena, self.april, self.otto):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(self.upload(good_file()).status_code, 403)
        self.assertNothingSaved()


class ImportStatisticsTest(ImportTestCase):
    """A committed import has SQLite measure its tables again (ANALYZE); a dry run or a failed
    import changes nothing, and PostgreSQL's autovacuum does it there."""

    def analyses(self, user, data, commit=True):
        with CaptureQueriesContext(connection) as captured, self.captureOnCommitCallbacks(execute=True):
            result = run(user, data, commit=commit)
        return result, [query["sql"] for query in captured.captured_queries if query["sql"].startswith("ANALYZE")]

    def rows_measured(self, table):
        with connection.cursor() as cursor:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            return {int(stat.split()[0]) for (stat,) in cursor.fetchall()}

    def test_a_committed_import_measures_the_tables(self):
        result, analyses = self.analyses(self.alice, good_file())
        self.assertTrue(result.committed)
        if connection.vendor == "sqlite":
            self.assertEqual(analyses, ["ANALYZE"])
            # The table's indexes measured with the rows it has now, the imported ones included (a
            # partial index holds fewer).
            self.assertEqual(max(self.rows_measured("organizations_organization")), Organization.objects.count())
            self.assertEqual(max(self.rows_measured("organizations_membershipfigure")), 1)
        else:
            self.assertEqual(analyses, [])

    def test_a_dry_run_or_a_failed_import_measures_nothing(self):
        bad = workbook_bytes([HEADERS, row(name="甲区某工会", parent="无此组织", kind="基层工会")])
        for data, commit in ((good_file(), False), (bad, True)):
            with self.subTest(commit=commit):
                result, analyses = self.analyses(self.alice, data, commit=commit)
                self.assertFalse(result.committed)
                self.assertEqual(analyses, [])
        self.assertNothingSaved()

    def test_the_analyze_command_measures_every_row(self):
        with CaptureQueriesContext(connection) as captured:
            call_command("analyze", stdout=io.StringIO())
        sent = [query["sql"] for query in captured.captured_queries]
        self.assertIn("ANALYZE", sent)
        if connection.vendor == "sqlite":
            self.assertEqual(sent[0], "PRAGMA analysis_limit = 0")
            self.assertEqual(max(self.rows_measured("organizations_organization")), Organization.objects.count())

    def test_a_busy_database_leaves_the_statistics_and_the_import_stands(self):
        busy = OperationalError("database is locked")
        with (
            mock.patch.object(connection, "vendor", "sqlite"),
            mock.patch.object(connection, "cursor", side_effect=busy),
            self.assertLogs("unionportal.importing", "WARNING") as logs,
        ):
            refresh_statistics()
        self.assertIn("ANALYZE after an import failed", logs.output[0])


class ImportCommandTest(ImportTestCase):
    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, data, name="组织.xlsx"):
        path = self.directory / name
        path.write_bytes(data)
        return str(path)

    def call(self, *args, **options):
        stdout, stderr = io.StringIO(), io.StringIO()
        call_command("import_xlsx", *args, stdout=stdout, stderr=stderr, **options)
        return stdout.getvalue(), stderr.getvalue()

    def test_command_saves_the_rows_as_the_user(self):
        stdout, stderr = self.call("organizations", self.write(good_file()), user="alice")
        self.assertEqual(stdout, "已导入 2 行。\n")
        self.assertEqual(stderr, "")
        self.assertEqual(Organization.objects.get(name="甲区城关镇中心学校工会").parent.name, "甲区城关镇工会联合会")
        self.assertEqual(MembershipFigure.objects.get().members, 120)

    def test_dry_run_saves_nothing(self):
        stdout, _stderr = self.call("organizations", self.write(good_file()), "--dry-run", user="alice")
        self.assertEqual(stdout, "检查通过：2 行可以导入（试运行，未保存）。\n")
        self.assertNothingSaved()

    def test_bad_row_exits_with_status_1_lists_the_errors_and_saves_nothing(self):
        data = workbook_bytes(
            [
                HEADERS,
                TOWNSHIP,
                row(name="甲区甲厂工会", parent="甲区总工会", kind="工会小组"),
                row(name="甲区乙厂工会", parent="乙区总工会", kind="基层工会"),
            ]
        )
        stderr = io.StringIO()
        with self.assertRaises(SystemExit) as caught:
            call_command("import_xlsx", "organizations", self.write(data), user="alice", stderr=stderr)
        self.assertEqual(caught.exception.code, 1)
        with translation.override("zh-hans"):
            kinds = "、".join(str(label) for _code, label in OrganizationKind.choices)
            expected = [
                "第3行【组织类别】"
                + _("“%(value)s” is not one of: %(labels)s.") % {"value": "工会小组", "labels": kinds},
                "第4行【上级组织】"
                + _("There is no organization named “%(name)s” in your branch.") % {"name": "乙区总工会"},
                "2 个错误，未保存任何记录。",
            ]
        self.assertEqual(stderr.getvalue().splitlines(), expected)
        self.assertNothingSaved()

    def test_user_scope_applies_on_the_command_line(self):
        data = workbook_bytes([HEADERS, row(name="乙区新厂工会", parent="乙区总工会", kind="基层工会")])
        with self.assertRaises(SystemExit):
            self.call("organizations", self.write(data), user="alice")
        self.assertFalse(Organization.objects.filter(name="乙区新厂工会").exists())
        self.call("organizations", self.write(data), user="bob")
        self.assertEqual(Organization.objects.get(name="乙区新厂工会").parent, self.district_b)

    def test_unknown_kind_is_refused(self):
        with self.assertRaisesMessage(CommandError, "unknown kind 'widgets'"):
            self.call("widgets", self.write(good_file()), user="alice")
        self.assertNothingSaved()

    def test_unknown_user_is_refused(self):
        with self.assertRaisesMessage(CommandError, "no active user 'nobody'"):
            self.call("organizations", self.write(good_file()), user="nobody")
        self.assertNothingSaved()

    def test_inactive_user_is_refused(self):
        self.alice.is_active = False
        self.alice.save()
        with self.assertRaisesMessage(CommandError, "no active user 'alice'"):
            self.call("organizations", self.write(good_file()), user="alice")
        self.assertNothingSaved()

    def test_missing_file_is_refused(self):
        with self.assertRaisesMessage(CommandError, "no such file"):
            self.call("organizations", str(self.directory / "missing.xlsx"), user="alice")
