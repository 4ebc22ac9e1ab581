"""The hardship-file and disbursement imports: the templates of DESIGN.md, all or nothing, every
error with its row and column; disbursements enter the workflow as submitted (the money rules
checked across the file), or as paid and historical when an administrator brings in old ones;
an ID number outside the branch is refused without saying where it is."""

import datetime
import io
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from relief.imports import BeneficiaryImporter, DisbursementImporter, parse_causes
from relief.models import Beneficiary, Cause, Disbursement, DisbursementStatus, HardshipLevel, Programme
from tests.base import PortalTestCase, make_user
from tests.workbooks import workbook_bytes
from unionportal.importing import get_importer
from unionportal.validators import resident_id_check_char, validate_resident_id

D = Decimal
BENEFICIARY_HEADERS = [
    "姓名*",
    "身份证号*",
    "所在组织*",
    "困难类别*",
    "致困原因",
    "家庭人口",
    "家庭月人均收入",
    "手机号",
    "建档日期",
]
BENEFICIARY_FIELDS = [
    "full_name",
    "id_number",
    "organization",
    "hardship_level",
    "causes",
    "household_size",
    "income",
    "phone",
    "filed_on",
]
DISBURSEMENT_HEADERS = ["身份证号", "帮扶项目*", "金额*", "发放日期*", "发放组织*", "受助人数", "状态", "备注"]
DISBURSEMENT_FIELDS = ["id_number", "programme", "cash", "date", "paying", "head_count", "status", "note"]
CJK = re.compile(r"[\u4e00-\u9fff]")
ID_LIKE = re.compile(r"\d{17}[\dXx]")


def resident_id(birth="19800215", sequence="001"):
    """A valid ID of the unassigned county 522799: it belongs to nobody."""
    body = "522799" + birth + sequence
    return body + resident_id_check_char(body)


def wrong_check(number):
    return number[:17] + ("0" if number[17] != "0" else "1")


def full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def beneficiary_row(**values):
    return [values.get(name) for name in BENEFICIARY_FIELDS]


def disbursement_row(**values):
    return [values.get(name) for name in DISBURSEMENT_FIELDS]


def run(kind, user, data, commit=True):
    return get_importer(kind)(user).run(data, commit=commit)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def no_organization(name):
    return _("There is no organization named “%(name)s” in your branch.") % {"name": name}


def no_programme(name, year):
    return _("There is no relief programme “%(name)s” of %(year)s in your branch.") % {"name": name, "year": year}


ZHOU_ID = resident_id("19780512", "013")
WU_ID = resident_id("19850101", "024")
# Ends in X: written with a lower-case x in the file.
XU_ID = next(
    resident_id("19700707", f"{n:03d}") for n in range(1, 1000) if resident_id("19700707", f"{n:03d}").endswith("X")
)
TAKEN = _("A hardship file with this resident ID number already exists.")
NOT_IN_BRANCH = _("No hardship file of your branch has this resident ID number.")
BAD_CHECK = _("The check digit of this resident ID number is wrong.")

ZHOU = beneficiary_row(
    full_name="周建国",
    id_number=ZHOU_ID,
    organization="甲区第一中学工会",
    hardship_level="深度困难",
    causes="大病、子女上学",
    household_size="４",
    income="1,200.50",
    phone="13800000001",
    filed_on="2024-03-31",
)
WU = beneficiary_row(
    full_name="吴丽",
    id_number=full_width(WU_ID),
    organization="甲区总工会",
    hardship_level="相对困难",
    causes="残疾, 失业；单亲 工伤",
    filed_on="2024年3月31日",
)
XU = beneficiary_row(
    full_name="许强",
    id_number=f" {XU_ID[:6]} {XU_ID[6:].lower()} ",
    organization="甲区第一中学工会",
    hardship_level="意外致困",
    causes="disaster，本人或家庭成员患大病",
    filed_on=datetime.date(2024, 3, 31),
)


class ReliefImportTestCase(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()

        def programme(name, owner, budget="10000", cap="5000", year=2025):
            return Programme.objects.create(
                name=name, year=year, owner=owner, budget=D(budget), standard_amount=D("1000"), cap_per_person=D(cap)
            )

        cls.illness = programme("大病救助", cls.district_a)
        cls.festival = programme("节日慰问", cls.district_a, budget="100000", cap="2000")
        cls.warmth = programme("两节送温暖", cls.city, budget="50000", cap="2000")  # the city's, seen below
        cls.illness_b = programme("大病救助", cls.district_b)
        cls.school_b = programme("金秋助学", cls.district_b)
        cls.chen = cls.file("陈明", resident_id("19800215", "001"), cls.union_a)
        cls.lin = cls.file("林芳", resident_id("19820303", "002"), cls.union_a)
        cls.zheng = cls.file("郑军", resident_id("19750610", "011"), cls.union_b)  # district B's

    @classmethod
    def file(cls, name, number, organization):
        person = Beneficiary(
            full_name=name,
            id_number=number,
            organization=organization,
            hardship_level=HardshipLevel.DEEP,
            filed_on=datetime.date(2024, 1, 5),
        )
        person.full_clean()
        person.save()
        return person

    def setUp(self):
        # Messages are built in the active language: the portal's, Chinese.
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        self.beneficiaries_before = set(Beneficiary.objects.values_list("pk", flat=True))

    def assertNothingSaved(self):
        self.assertEqual(set(Beneficiary.objects.values_list("pk", flat=True)), self.beneficiaries_before)
        self.assertFalse(Disbursement.objects.exists())
        self.assertFalse(Disbursement.history.exists())
        self.assertFalse(
            Beneficiary.history.exclude(id__in=self.beneficiaries_before).exists(),
        )


class BeneficiaryImportTest(ReliefImportTestCase):
    def test_the_importer_is_registered_and_its_template_has_the_headers_of_the_design(self):
        self.assertIs(get_importer("beneficiaries"), BeneficiaryImporter)
        template = load_workbook(io.BytesIO(BeneficiaryImporter(self.alice).template()))
        self.assertEqual([cell.value for cell in template.worksheets[0][1]], BENEFICIARY_HEADERS)

    def test_good_file_creates_the_hardship_files_with_history_by_the_importing_user(self):
        result = run("beneficiaries", self.alice, workbook_bytes([BENEFICIARY_HEADERS, ZHOU, WU, XU]))
        self.assertEqual(result.errors, [])
        self.assertTrue(result.committed)
        self.assertEqual([number for number, _text in result.rows], [2, 3, 4])

        zhou = Beneficiary.objects.get(full_name="周建国")
        self.assertEqual(
            (
                zhou.id_number,
                zhou.organization,
                zhou.hardship_level,
                zhou.causes,
                zhou.household_size,
                zhou.monthly_income_per_head,
                zhou.phone,
                zhou.filed_on,
                zhou.birth_date,
                zhou.gender,
            ),
            (
                ZHOU_ID,
                self.union_a,
                HardshipLevel.DEEP,
                [Cause.ILLNESS, Cause.SCHOOLING],
                4,
                D("1200.50"),
                "13800000001",
                datetime.date(2024, 3, 31),
                datetime.date(1978, 5, 12),
                "male",
            ),
        )
        wu = Beneficiary.objects.get(full_name="吴丽")
        self.assertEqual(
            (wu.id_number, wu.organization, wu.hardship_level, wu.causes, wu.household_size, wu.gender),
            (
                WU_ID,
                self.district_a,
                HardshipLevel.RELATIVE,
                [Cause.DISABILITY, Cause.UNEMPLOYMENT, Cause.SINGLE_PARENT, Cause.WORK_INJURY],
                1,
                "female",
            ),
        )
        xu = Beneficiary.objects.get(full_name="许强")
        self.assertEqual(
            (xu.id_number, xu.hardship_level, xu.causes, xu.monthly_income_per_head),
            (XU_ID, HardshipLevel.ACCIDENTAL, [Cause.DISASTER, Cause.ILLNESS], D("0")),
        )
        for person in (zhou, wu, xu):
            record = person.history.get()
            self.assertEqual((record.history_type, record.history_user), ("+", self.alice))

    def test_filed_on_defaults_to_today_and_english_headers_are_accepted(self):
        headers = ["name", "ID number", "organization", "hardship level", "causes", "household size", "income"]
        data = workbook_bytes([headers, ["周建国", ZHOU_ID, "甲区第一中学工会", "deep", "illness", 3, 800]])
        self.assertEqual(run("beneficiaries", self.alice, data).errors, [])
        zhou = Beneficiary.objects.get(full_name="周建国")
        self.assertEqual(
            (zhou.filed_on, zhou.hardship_level, zhou.causes, zhou.household_size, zhou.monthly_income_per_head),
            (timezone.localdate(), HardshipLevel.DEEP, [Cause.ILLNESS], 3, D("800.00")),
        )

    def test_every_cause_label_is_read(self):
        self.assertEqual(
            parse_causes("本人或家庭成员患大病、残疾、子女就学、失业、单亲、灾害、工伤"), list(Cause.values)
        )
        self.assertEqual(parse_causes("大病，子女上学;本人或家属大病"), [Cause.ILLNESS, Cause.SCHOOLING])
        self.assertEqual(parse_causes("work_injury single_parent"), [Cause.WORK_INJURY, Cause.SINGLE_PARENT])

    def test_preview_describes_the_rows_without_id_numbers_and_saves_nothing(self):
        result = run("beneficiaries", self.alice, workbook_bytes([BENEFICIARY_HEADERS, ZHOU, WU, XU]), commit=False)
        self.assertEqual(result.errors, [])
        self.assertFalse(result.committed)
        fmt = _("%(name)s (%(level)s, %(organization)s)")
        self.assertEqual(
            result.rows[0],
            (2, fmt % {"name": "周建国", "level": HardshipLevel.DEEP.label, "organization": "甲区第一中学工会"}),
        )
        for _number, text in result.rows:
            self.assertNotRegex(text, ID_LIKE)
        self.assertNothingSaved()

    def test_error_corpus(self):
        base = {
            "full_name": "错例",
            "id_number": resident_id("19900101", "031"),
            "organization": "甲区第一中学工会",
            "hardship_level": "深度困难",
        }
        levels = "、".join(str(label) for label in HardshipLevel.labels)
        causes = "、".join(str(label) for label in Cause.labels)
        cases = [
            ({"id_number": wrong_check(resident_id("19900101", "031"))}, [("身份证号", BAD_CHECK)]),
            (
                {"id_number": "52279919900101031"},
                [("身份证号", _("A resident ID number has 18 characters: 17 digits and a digit or X."))],
            ),
            ({"id_number": self.zheng.id_number}, [("身份证号", TAKEN)]),  # on file in district B
            ({"id_number": self.chen.id_number}, [("身份证号", TAKEN)]),  # on file in alice's branch
            ({"organization": "乙区机械厂工会"}, [("所在组织", no_organization("乙区机械厂工会"))]),
            ({"organization": "不存在的工会"}, [("所在组织", no_organization("不存在的工会"))]),
            (
                {"hardship_level": "特困"},
                [("困难类别", _("“%(value)s” is not one of: %(labels)s.") % {"value": "特困", "labels": levels})],
            ),
            (
                {"causes": "大病、懒惰"},
                [
                    (
                        "致困原因",
                        _("“%(value)s” is not a cause of hardship; one of: %(labels)s.")
                        % {"value": "懒惰", "labels": causes},
                    )
                ],
            ),
            ({"household_size": "两人"}, [("家庭人口", _("Enter a whole number."))]),
            (
                {"household_size": 0},
                [
                    (
                        "家庭人口",
                        _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": 1},
                    )
                ],
            ),
            ({"income": "-5"}, [("家庭月人均收入", _("Enter an amount that is not negative."))]),
            (
                {"phone": "1380000000"},
                [("手机号", _("A mainland mobile number has 11 digits and starts with 13 to 19."))],
            ),
            ({"filed_on": "2024-02-30"}, [("建档日期", _("This date does not exist."))]),
            ({"filed_on": "去年"}, [("建档日期", _("Enter a date such as 2018-03-31, 2018/3/31 or 2018年3月31日."))]),
            ({"full_name": None}, [("姓名", _("This field is required."))]),
            ({"id_number": None}, [("身份证号", _("This field is required."))]),
            ({"hardship_level": None}, [("困难类别", _("This field is required."))]),
            (
                {"organization": "乙区机械厂工会", "phone": "123"},
                [
                    ("所在组织", no_organization("乙区机械厂工会")),
                    ("手机号", _("A mainland mobile number has 11 digits and starts with 13 to 19.")),
                ],
            ),
        ]
        for change, expected in cases:
            with self.subTest(change=change):
                result = run(
                    "beneficiaries",
                    self.alice,
                    workbook_bytes([BENEFICIARY_HEADERS, beneficiary_row(**{**base, **change})]),
                )
                self.assertEqual(errors(result), [(2, column, message) for column, message in expected])
                self.assertFalse(result.committed)
                self.assertNothingSaved()
        # Each row its own ID number, so that no row repeats another's.
        data = workbook_bytes(
            [
                BENEFICIARY_HEADERS,
                ZHOU,
                *(
                    beneficiary_row(**{**base, "id_number": resident_id("19900101", f"{100 + i:03d}"), **change})
                    for i, (change, _expected) in enumerate(cases)
                ),
            ]
        )
        result = run("beneficiaries", self.alice, data)
        self.assertEqual(
            errors(result),
            [
                (number, column, message)
                for number, (_change, expected) in enumerate(cases, start=3)
                for column, message in expected
            ],
        )
        self.assertEqual([number for number, _text in result.rows], [2])
        self.assertNothingSaved()

    def test_an_id_on_file_in_another_branch_is_refused_without_saying_where(self):
        row = beneficiary_row(
            full_name="郑军", id_number=self.zheng.id_number, organization="甲区总工会", hardship_level="深度困难"
        )
        result = run("beneficiaries", self.alice, workbook_bytes([BENEFICIARY_HEADERS, row]))
        self.assertEqual(errors(result), [(2, "身份证号", TAKEN)])
        for forbidden in ("乙区", self.union_b.name, self.district_b.name, self.zheng.full_name):
            self.assertNotIn(forbidden, result.errors[0].message)
        self.assertNothingSaved()

    def test_the_same_id_number_twice_in_one_file_is_an_error_on_the_second(self):
        second = beneficiary_row(
            full_name="周二", id_number=ZHOU_ID.lower(), organization="甲区总工会", hardship_level="相对困难"
        )
        result = run("beneficiaries", self.alice, workbook_bytes([BENEFICIARY_HEADERS, ZHOU, WU, second]))
        self.assertEqual(
            errors(result),
            [(4, "身份证号", _("This resident ID number is already in row %(row)d of this file.") % {"row": 2})],
        )
        self.assertEqual([number for number, _text in result.rows], [2, 3])
        self.assertNothingSaved()

    def test_missing_and_unknown_columns(self):
        headers = [h for h in BENEFICIARY_HEADERS if h != "困难类别*"] + ["银行账号"]
        result = run("beneficiaries", self.alice, workbook_bytes([headers, ["周建国"]]))
        self.assertEqual(
            errors(result),
            [
                (1, "银行账号", _("Unknown column: the template has no column of this name.")),
                (1, "困难类别", _("This required column is missing.")),
            ],
        )
        self.assertNothingSaved()

    def test_staff_of_another_district_imports_into_their_own_branch_only(self):
        row = beneficiary_row(
            full_name="周建国", id_number=ZHOU_ID, organization="乙区机械厂工会", hardship_level="深度困难"
        )
        self.assertEqual(
            errors(run("beneficiaries", self.alice, workbook_bytes([BENEFICIARY_HEADERS, row]))),
            [(2, "所在组织", no_organization("乙区机械厂工会"))],
        )
        self.assertEqual(run("beneficiaries", self.bob, workbook_bytes([BENEFICIARY_HEADERS, row])).errors, [])
        self.assertEqual(Beneficiary.objects.get(id_number=ZHOU_ID).organization, self.union_b)

    def test_a_leader_imports_nothing(self):
        result = run("beneficiaries", self.lena, workbook_bytes([BENEFICIARY_HEADERS, ZHOU]))
        self.assertEqual(errors(result), [(2, "所在组织", no_organization("甲区第一中学工会"))])
        self.assertNothingSaved()


PERSON = disbursement_row(
    id_number=resident_id("19800215", "001"),  # 陈明
    programme="大病救助",
    cash="3,000",
    date="2025-06-01",
    paying="甲区总工会",
    note="住院",
)
GROUP = disbursement_row(
    programme="节日慰问",
    cash="１６０００",
    date="2025/9/15",
    paying="甲区总工会",
    head_count="80",
    note="环卫工人",
)
UNNAMED_GROUP = disbursement_row(
    programme="两节送温暖", cash=20000, date="2025年1月20日", paying="甲区第一中学工会", head_count=20
)


class DisbursementImportTest(ReliefImportTestCase):
    def test_the_importer_is_registered_and_its_template_has_the_headers_of_the_design(self):
        self.assertIs(get_importer("disbursements"), DisbursementImporter)
        template = load_workbook(io.BytesIO(DisbursementImporter(self.alice).template()))
        self.assertEqual([cell.value for cell in template.worksheets[0][1]], DISBURSEMENT_HEADERS)

    def test_no_template_holds_a_valid_id_number(self):
        for importer in (BeneficiaryImporter, DisbursementImporter):
            for language in ("zh-hans", "en"):
                with self.subTest(importer=importer.kind, language=language), translation.override(language):
                    workbook = load_workbook(io.BytesIO(importer(self.alice).template()))
                    for sheet in workbook.worksheets:
                        for row in sheet.iter_rows(values_only=True):
                            for value in row:
                                for candidate in ID_LIKE.findall(str(value or "")):
                                    with self.assertRaises(ValidationError):
                                        validate_resident_id(candidate)

    def test_good_file_enters_the_disbursements_as_submitted_by_the_importing_user(self):
        result = run("disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, PERSON, GROUP, UNNAMED_GROUP]))
        self.assertEqual(result.errors, [])
        self.assertTrue(result.committed)
        person = Disbursement.objects.get(beneficiary=self.chen)
        self.assertEqual(
            (
                person.programme,
                person.cash,
                person.in_kind_value,
                person.date,
                person.paying_organization,
                person.head_count,
                person.group_name,
                person.note,
                person.status,
                person.historical,
                person.created_by,
                person.submitted_by,
            ),
            (
                self.illness,
                D("3000.00"),
                D("0"),
                datetime.date(2025, 6, 1),
                self.district_a,
                1,
                "",
                "住院",
                DisbursementStatus.SUBMITTED,
                False,
                self.alice,
                self.alice,
            ),
        )
        self.assertEqual(
            list(person.history.order_by("history_id").values_list("status", "history_user")),
            [(DisbursementStatus.DRAFT, self.alice.pk), (DisbursementStatus.SUBMITTED, self.alice.pk)],
        )
        group = Disbursement.objects.get(programme=self.festival)
        self.assertEqual(
            (group.beneficiary, group.group_name, group.head_count, group.cash, group.status, group.note),
            (None, "环卫工人", 80, D("16000.00"), DisbursementStatus.SUBMITTED, ""),
        )
        # No 备注: the group is named after the programme; the city's programme is seen below.
        unnamed = Disbursement.objects.get(programme=self.warmth)
        self.assertEqual(
            (unnamed.group_name, unnamed.head_count, unnamed.paying_organization, unnamed.status),
            ("两节送温暖", 20, self.union_a, DisbursementStatus.SUBMITTED),
        )
        self.assertEqual(
            result.rows[0],
            (
                2,
                _("%(programme)s · %(recipient)s · %(amount)s yuan (%(status)s)")
                % {
                    "programme": self.illness,
                    "recipient": "陈明",
                    "amount": "3000.00",
                    "status": DisbursementStatus.SUBMITTED.label,
                },
            ),
        )

    def test_an_imported_disbursement_waits_for_another_approver(self):
        from relief import services

        run("disbursements", self.adam, workbook_bytes([DISBURSEMENT_HEADERS, PERSON]))
        disbursement = Disbursement.objects.get()
        services.disbursement_approve(disbursement=disbursement, user=self.april)
        self.assertEqual(disbursement.status, DisbursementStatus.APPROVED)

    def test_an_administrator_brings_in_old_payments_as_paid_and_historical(self):
        paid = _("Paid")
        rows = [
            disbursement_row(**{**dict(zip(DISBURSEMENT_FIELDS, PERSON, strict=True)), "status": paid}),
            disbursement_row(**{**dict(zip(DISBURSEMENT_FIELDS, GROUP, strict=True)), "status": "已发放"}),
            disbursement_row(
                id_number=self.lin.id_number, programme="大病救助", cash=2000, date="2025-06-02", paying="甲区总工会"
            ),
        ]
        result = run("disbursements", self.adam, workbook_bytes([DISBURSEMENT_HEADERS, *rows]))
        self.assertEqual(result.errors, [])
        for disbursement in Disbursement.objects.exclude(beneficiary=self.lin):
            with self.subTest(disbursement=str(disbursement)):
                self.assertEqual(
                    (disbursement.status, disbursement.historical, disbursement.paid_by, disbursement.created_by),
                    (DisbursementStatus.PAID, True, self.adam, self.adam),
                )
                record = disbursement.history.get()
                self.assertEqual(
                    (record.history_type, record.history_user, record.status, record.historical),
                    ("+", self.adam, DisbursementStatus.PAID, True),
                )
                self.assertEqual(record.history_change_reason, _("Paid before the portal; imported as historical"))
        # Without 状态 the row waits for approval, whoever imports it.
        self.assertEqual(
            (
                Disbursement.objects.get(beneficiary=self.lin).status,
                Disbursement.objects.get(beneficiary=self.lin).historical,
            ),
            (DisbursementStatus.SUBMITTED, False),
        )

    def test_a_superuser_may_bring_in_old_payments_anywhere(self):
        row = disbursement_row(
            id_number=self.zheng.id_number,
            programme="大病救助",
            cash=1000,
            date="2025-03-01",
            paying="乙区总工会",
            status="已发放",
        )
        self.assertEqual(run("disbursements", self.root, workbook_bytes([DISBURSEMENT_HEADERS, row])).errors, [])
        disbursement = Disbursement.objects.get()
        self.assertEqual(
            (disbursement.programme, disbursement.status, disbursement.historical),
            (self.illness_b, DisbursementStatus.PAID, True),
        )

    def test_the_programme_closest_above_the_payer_is_taken_when_several_have_the_name(self):
        district = Programme.objects.create(
            name="两节送温暖",
            year=2025,
            owner=self.district_a,
            budget=D("90000"),
            standard_amount=D("500"),
            cap_per_person=D("1000"),
        )
        result = run("disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, UNNAMED_GROUP]))
        self.assertEqual(result.errors, [])
        self.assertEqual(Disbursement.objects.get().programme, district)

    def test_error_corpus(self):
        chen = self.chen.id_number
        base = {"id_number": chen, "programme": "大病救助", "cash": 1000, "date": "2025-06-01", "paying": "甲区总工会"}
        group = {**base, "id_number": None, "head_count": 10, "note": "一线职工"}
        cases = [
            ({"id_number": wrong_check(chen)}, [("身份证号", BAD_CHECK)]),
            ({"id_number": self.zheng.id_number}, [("身份证号", NOT_IN_BRANCH)]),  # on file in district B
            ({"id_number": resident_id("19910101", "051")}, [("身份证号", NOT_IN_BRANCH)]),  # on file nowhere
            ({"paying": "乙区总工会"}, [("发放组织", no_organization("乙区总工会"))]),
            ({"programme": "不存在的项目"}, [("帮扶项目", no_programme("不存在的项目", 2025))]),
            ({"programme": "金秋助学"}, [("帮扶项目", no_programme("金秋助学", 2025))]),  # district B's
            ({"date": "2024-06-01"}, [("帮扶项目", no_programme("大病救助", 2024))]),  # no programme that year
            ({"date": "六月一日"}, [("发放日期", _("Enter a date such as 2018-03-31, 2018/3/31 or 2018年3月31日."))]),
            ({"date": "2025-02-30"}, [("发放日期", _("This date does not exist."))]),
            ({"cash": "-100"}, [("金额", _("Enter an amount that is not negative."))]),
            ({"cash": 0}, [("金额", _("Give the cash or the value in kind."))]),
            ({"cash": "一千"}, [("金额", _("Enter an amount such as 1200.50."))]),
            (
                {"cash": 6000},
                [
                    (
                        "金额",
                        _("Over the cap: at most %(cap)s yuan per person per year from %(programme)s.")
                        % {"cap": "5000.00", "programme": self.illness},
                    )
                ],
            ),
            (
                # District A's own programme: its staff are told what is left (not so below a
                # city's programme, test_over_the_budget_of_the_city_programme_...).
                {**group, "cash": 10001},
                [
                    (
                        "金额",
                        _("Over budget: %(programme)s has %(remaining)s yuan left.")
                        % {"programme": self.illness, "remaining": "10000.00"},
                    )
                ],
            ),
            (
                {"status": "已发放"},
                [
                    (
                        "状态",
                        _("Only an administrator may import disbursements as %(paid)s.") % {"paid": _("Paid")},
                    )
                ],
            ),
            (
                {"status": "已审核"},
                [
                    (
                        "状态",
                        _("“%(value)s” is not one of: %(labels)s.")
                        % {"value": "已审核", "labels": f"{_('Submitted')}、{_('Paid')}"},
                    )
                ],
            ),
            (
                {"head_count": 3},
                [("受助人数", _("A disbursement to one person helps one person: leave 受助人数 empty."))],
            ),
            (
                {**group, "head_count": None},
                [("受助人数", _("A group disbursement (no 身份证号) needs the number of people helped."))],
            ),
            (
                {**group, "head_count": 0},
                [
                    (
                        "受助人数",
                        _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": 1},
                    )
                ],
            ),
            ({"programme": None}, [("帮扶项目", _("This field is required."))]),
            ({"cash": None}, [("金额", _("This field is required."))]),
            ({"date": None}, [("发放日期", _("This field is required."))]),
            ({"paying": None}, [("发放组织", _("This field is required."))]),
            (
                {"id_number": self.zheng.id_number, "paying": "乙区总工会", "programme": "金秋助学"},
                [
                    ("发放组织", no_organization("乙区总工会")),
                    ("帮扶项目", no_programme("金秋助学", 2025)),
                    ("身份证号", NOT_IN_BRANCH),
                ],
            ),
        ]
        for change, expected in cases:
            with self.subTest(change=change):
                result = run(
                    "disbursements",
                    self.alice,
                    workbook_bytes([DISBURSEMENT_HEADERS, disbursement_row(**{**base, **change})]),
                )
                self.assertEqual(errors(result), [(2, column, message) for column, message in expected])
                self.assertFalse(result.committed)
                self.assertNothingSaved()
        # All of them in one file after a good row (of another programme: the budget stays whole).
        data = workbook_bytes(
            [DISBURSEMENT_HEADERS, GROUP, *(disbursement_row(**{**base, **change}) for change, _expected in cases)]
        )
        result = run("disbursements", self.alice, data)
        self.assertEqual(
            errors(result),
            [
                (number, column, message)
                for number, (_change, expected) in enumerate(cases, start=3)
                for column, message in expected
            ],
        )
        self.assertEqual([number for number, _text in result.rows], [2])
        self.assertNothingSaved()

    def test_an_id_on_file_in_another_branch_is_refused_without_saying_where(self):
        row = disbursement_row(
            id_number=self.zheng.id_number, programme="大病救助", cash=1000, date="2025-06-01", paying="甲区总工会"
        )
        result = run("disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, row]))
        self.assertEqual(errors(result), [(2, "身份证号", NOT_IN_BRANCH)])
        unknown = {**dict(zip(DISBURSEMENT_FIELDS, row, strict=True)), "id_number": resident_id("19910101", "051")}
        self.assertEqual(
            [
                e.message
                for e in run(
                    "disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, disbursement_row(**unknown)])
                ).errors
            ],
            [result.errors[0].message],
        )
        for forbidden in ("乙区", self.union_b.name, self.district_b.name, self.zheng.full_name):
            self.assertNotIn(forbidden, result.errors[0].message)
        self.assertNothingSaved()

    def test_the_branch_rules_of_the_form_hold_in_the_import(self):
        """A person is paid by an organization whose branch holds their file, from a programme
        of a federation above the payer: the form always refused these, the import did not,
        and a township's staff then read another township's file in their list."""
        cathy = make_user("cathy", self.city, "staff")
        elsewhere = disbursement_row(
            id_number=self.chen.id_number, programme="两节送温暖", cash=500, date="2025-06-01", paying="乙区总工会"
        )
        other_programme = disbursement_row(
            programme="金秋助学", cash=500, date="2025-06-01", paying="甲区总工会", head_count=3, note="环卫工人"
        )
        result = run("disbursements", cathy, workbook_bytes([DISBURSEMENT_HEADERS, elsewhere, other_programme]))
        self.assertEqual(
            errors(result),
            [
                (2, "身份证号", _("The person must be on file in the paying organization's branch.")),
                (3, "帮扶项目", _("This programme is run by another branch than the paying organization's.")),
            ],
        )
        self.assertNothingSaved()

    def test_money_rules_hold_across_the_file(self):
        chen = self.chen.id_number
        rows = [
            disbursement_row(id_number=chen, programme="大病救助", cash=3000, date="2025-06-01", paying="甲区总工会"),
            disbursement_row(
                id_number=chen, programme="大病救助", cash=1000, date="2025-11-01", paying="甲区第一中学工会"
            ),
            disbursement_row(
                id_number=self.lin.id_number, programme="大病救助", cash=5000, date="2025-06-01", paying="甲区总工会"
            ),
            disbursement_row(
                programme="大病救助", cash=2500, date="2025-07-01", paying="甲区总工会", head_count=5, note="困难家庭"
            ),
        ]
        result = run("disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, *rows]))
        self.assertEqual(
            errors(result),
            [
                (
                    3,
                    "身份证号",
                    _("%(name)s has already received %(programme)s this year.")
                    % {"name": "陈明", "programme": self.illness},
                ),
                (
                    5,
                    "金额",
                    # District A's own programme: the figure is given.
                    _("Over budget: %(programme)s has %(remaining)s yuan left.")
                    % {"programme": self.illness, "remaining": "2000.00"},
                ),
            ],
        )
        self.assertEqual([number for number, _text in result.rows], [2, 4])
        self.assertNothingSaved()

    def test_over_the_budget_of_the_city_programme_tells_what_is_left_only_to_the_city(self):
        """District B has committed 20,000.00 of the city's 两节送温暖 (50,000.00): a row of
        district A over what is left is refused without the figure, which with A's own use
        would give B's spending; the city's staff are told it."""
        spent = disbursement_row(
            programme="两节送温暖", cash=20000, date="2025-06-01", paying="乙区总工会", head_count=40, note="一线职工"
        )
        self.assertEqual(run("disbursements", self.bob, workbook_bytes([DISBURSEMENT_HEADERS, spent])).errors, [])
        over = {
            "programme": "两节送温暖",
            "cash": "30000.01",
            "date": "2025-06-01",
            "head_count": 60,
            "note": "环卫工人",
        }
        without_figure = _("Over budget: this disbursement would exceed the budget of %(programme)s.") % {
            "programme": self.warmth
        }
        with_figure = _("Over budget: %(programme)s has %(remaining)s yuan left.") % {
            "programme": self.warmth,
            "remaining": "30000.00",
        }
        cathy = make_user("cathy", self.city, "staff")
        cases = [
            (self.alice, {"paying": "甲区总工会"}, without_figure),
            (self.adam, {"paying": "甲区总工会", "status": "已发放"}, without_figure),  # paid before the portal
            (cathy, {"paying": "甲区总工会"}, with_figure),
            (self.root, {"paying": "甲区总工会", "status": "已发放"}, with_figure),
        ]
        for user, change, message in cases:
            with self.subTest(user=user.username):
                row = disbursement_row(**over, **change)
                result = run("disbursements", user, workbook_bytes([DISBURSEMENT_HEADERS, row]))
                self.assertEqual(errors(result), [(2, "金额", message)])
                if message == without_figure:
                    self.assertNotIn("30000", result.errors[0].message)
        self.assertEqual(Disbursement.objects.count(), 1)

    def test_a_payment_already_submitted_counts_against_the_rules(self):
        run("disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, PERSON]))
        result = run("disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, PERSON]))
        self.assertEqual(
            errors(result),
            [
                (
                    2,
                    "身份证号",
                    _("%(name)s has already received %(programme)s this year.")
                    % {"name": "陈明", "programme": self.illness},
                )
            ],
        )
        self.assertEqual(Disbursement.objects.count(), 1)

    def test_missing_and_unknown_columns(self):
        headers = [h for h in DISBURSEMENT_HEADERS if h != "金额*"] + ["实物折价"]
        result = run("disbursements", self.alice, workbook_bytes([headers, PERSON]))
        self.assertEqual(
            errors(result),
            [
                (1, "实物折价", _("Unknown column: the template has no column of this name.")),
                (1, "金额", _("This required column is missing.")),
            ],
        )
        self.assertNothingSaved()

    def test_english_headers_and_a_file_without_optional_columns(self):
        headers = ["ID number", "programme", "amount", "date", "paying organization"]
        data = workbook_bytes([headers, [self.chen.id_number.lower(), "大病救助", 1000, 45809, "甲区总工会"]])
        self.assertEqual(run("disbursements", self.alice, data).errors, [])
        disbursement = Disbursement.objects.get()
        self.assertEqual(
            (disbursement.beneficiary, disbursement.date, disbursement.status),
            (self.chen, datetime.date(2025, 6, 1), DisbursementStatus.SUBMITTED),
        )

    def test_dry_run_saves_nothing(self):
        result = run("disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, PERSON, GROUP]), commit=False)
        self.assertEqual(result.errors, [])
        self.assertEqual(len(result.rows), 2)
        self.assertFalse(result.committed)
        self.assertNothingSaved()

    def test_queries_grow_by_a_fixed_number_per_row(self):
        def queries(count):
            rows = [
                disbursement_row(
                    programme="节日慰问", cash=100, date="2025-09-15", paying="甲区总工会", head_count=10, note=f"组{i}"
                )
                for i in range(count)
            ]
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(
                    run(
                        "disbursements", self.alice, workbook_bytes([DISBURSEMENT_HEADERS, *rows]), commit=False
                    ).errors,
                    [],
                )
            return len(captured)

        two, six = queries(2), queries(6)
        self.assertLessEqual((six - two) / 4, 30)
        self.assertEqual(six - two, 2 * (queries(4) - two))


class ReliefImportCommandTest(ReliefImportTestCase):
    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, data, name="帮扶.xlsx"):
        path = self.directory / name
        path.write_bytes(data)
        return str(path)

    def call(self, *args, **options):
        stdout, stderr = io.StringIO(), io.StringIO()
        call_command("import_xlsx", *args, stdout=stdout, stderr=stderr, **options)
        return stdout.getvalue(), stderr.getvalue()

    def test_both_kinds_import_on_the_command_line_as_the_user(self):
        stdout, stderr = self.call(
            "beneficiaries", self.write(workbook_bytes([BENEFICIARY_HEADERS, ZHOU, WU])), user="alice"
        )
        self.assertEqual((stdout, stderr), ("已导入 2 行。\n", ""))
        self.assertEqual(Beneficiary.objects.get(id_number=ZHOU_ID).history.get().history_user, self.alice)
        zhou = disbursement_row(
            id_number=ZHOU_ID, programme="大病救助", cash=2000, date="2025-05-05", paying="甲区总工会"
        )
        stdout, stderr = self.call(
            "disbursements", self.write(workbook_bytes([DISBURSEMENT_HEADERS, zhou, GROUP])), user="alice"
        )
        self.assertEqual((stdout, stderr), ("已导入 2 行。\n", ""))
        self.assertEqual(
            set(Disbursement.objects.values_list("status", "submitted_by")),
            {(DisbursementStatus.SUBMITTED, self.alice.pk)},
        )

    def test_dry_run_saves_nothing(self):
        stdout, _stderr = self.call(
            "disbursements",
            self.write(workbook_bytes([DISBURSEMENT_HEADERS, PERSON, GROUP])),
            "--dry-run",
            user="alice",
        )
        self.assertEqual(stdout, "检查通过：2 行可以导入（试运行，未保存）。\n")
        stdout, _stderr = self.call(
            "beneficiaries", self.write(workbook_bytes([BENEFICIARY_HEADERS, ZHOU])), "--dry-run", user="alice"
        )
        self.assertEqual(stdout, "检查通过：1 行可以导入（试运行，未保存）。\n")
        self.assertNothingSaved()

    def test_a_bad_row_exits_with_status_1_lists_the_errors_and_saves_nothing(self):
        bad = disbursement_row(
            id_number=self.zheng.id_number,
            programme="大病救助",
            cash=100,
            date="2025-06-01",
            paying="甲区总工会",
            status="已发放",
        )
        stderr = io.StringIO()
        with self.assertRaises(SystemExit) as caught:
            call_command(
                "import_xlsx",
                "disbursements",
                self.write(workbook_bytes([DISBURSEMENT_HEADERS, PERSON, bad])),
                user="alice",
                stderr=stderr,
            )
        self.assertEqual(caught.exception.code, 1)
        with translation.override("zh-hans"):
            expected = [
                "第3行【身份证号】" + NOT_IN_BRANCH,
                "第3行【状态】"
                + _("Only an administrator may import disbursements as %(paid)s.") % {"paid": _("Paid")},
                "2 个错误，未保存任何记录。",
            ]
        self.assertEqual(stderr.getvalue().splitlines(), expected)
        self.assertNothingSaved()

    def test_the_users_scope_applies_on_the_command_line(self):
        row = disbursement_row(
            id_number=self.zheng.id_number, programme="大病救助", cash=1000, date="2025-06-01", paying="乙区总工会"
        )
        path = self.write(workbook_bytes([DISBURSEMENT_HEADERS, row]))
        with self.assertRaises(SystemExit):
            self.call("disbursements", path, user="alice")
        self.assertNothingSaved()
        self.call("disbursements", path, user="bob")
        disbursement = Disbursement.objects.get()
        self.assertEqual((disbursement.programme, disbursement.beneficiary), (self.illness_b, self.zheng))
