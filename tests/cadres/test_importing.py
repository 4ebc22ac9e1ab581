"""The cadres import: each row a cadre and their first post, all or nothing, every error with
its row, column and a Chinese message; never a full ID number in the preview."""

import datetime
import io
import re
import tempfile
from pathlib import Path
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from cadres.imports import CadreImporter
from cadres.models import Cadre, Education, Gender, PoliticalStatus, Position, Post, Rank, Staffing
from tests.base import PortalTestCase, make_org
from tests.workbooks import workbook_bytes
from unionportal.importing import get_importer, parse_number_as_text
from unionportal.validators import resident_id_check_char

HEADERS = [
    "姓名*",
    "性别*",
    "出生日期",
    "民族",
    "学历",
    "政治面貌",
    "身份证号",
    "手机号",
    "所在组织*",
    "职务*",
    "职级",
    "专兼职",
    "人员类别",
    "任职日期",
]
FIELDS = [
    "full_name",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "political_status",
    "id_number",
    "mobile",
    "organization",
    "position",
    "rank",
    "full_time",
    "staffing",
    "start",
]
ENGLISH_HEADERS = [
    "full name",
    "Gender",
    "birth date",
    "ethnicity",
    "education",
    "political status",
    "ID number",
    "mobile",
    "organization",
    "position",
    "rank",
    "full-time",
    "staffing",
    "start date",
]
# Messages of cadres/imports.py that the zh-hans catalogue must translate.
NEW_MESSAGES = [
    "The birth date differs from the one in the resident ID number.",
    "The gender differs from the one in the resident ID number.",
    "%(name)s (%(gender)s, %(organization)s · %(position)s)",
    "Full name of an organization in your branch",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
FULL_ID = re.compile(r"\d{17}[\dXx]")


def resident_id(birth="19800215", sequence="001"):
    """A valid ID of the unassigned county 522799: it belongs to nobody. The last digit of
    `sequence` is odd for a man, even for a woman."""
    body = "522799" + birth + sequence
    return body + resident_id_check_char(body)


def full_width(text):
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def wrong_check(number):
    return number[:17] + ("0" if number[17] != "0" else "1")


def row(**values):
    return [values.get(name) for name in FIELDS]


ZHANG_ID = resident_id("19800215", "002")
LI_ID = resident_id("19750610", "011")

ZHANG = row(
    full_name="张明",
    gender="女",
    birth_date="1980-02-15",
    ethnicity="汉族",
    education="本科",
    political_status="中共党员",
    id_number=ZHANG_ID,
    mobile="13800000001",
    organization="甲区第一中学工会",
    position="主席",
    rank="副科级",
    full_time="专职",
    staffing="事业编制",
    start="2018-03-31",
)
LI = row(
    full_name="李强",
    gender="男",
    ethnicity="布依族",
    education="大专",
    political_status="群众",
    id_number=LI_ID,
    organization="甲区总工会",
    position="常务副主席",
    rank="正科级",
    full_time="兼职",
    staffing="行政编制",
    start="2018/3/31",
)
WANG = row(
    full_name="王芳",
    gender="女",
    birth_date=datetime.date(1990, 1, 1),
    education="研究生",
    political_status="共青团员",
    mobile="13900000002",
    organization="甲区第一中学工会",
    position="委员",
    rank="股级",
    full_time="专职",
    staffing="社会化工会工作者",
    start="2018年3月31日",
)
ZHAO = row(
    full_name="赵磊",
    gender="男",
    birth_date="1985/5/5",
    education="中专/高中",
    political_status="民主党派",
    organization="甲区第一中学工会",
    position="工作人员",
    rank="科员",
    staffing="其他",
    start=43190,  # 2018-03-31 as Excel stores it
)


def good_file():
    return workbook_bytes([HEADERS, ZHANG, LI, WANG, ZHAO])


def run(user, data, commit=True):
    return get_importer("cadres")(user).run(data, commit=commit)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def not_one_of(value, choices):
    labels = "、".join(str(label) for _code, label in choices.choices)
    return _("“%(value)s” is not one of: %(labels)s.") % {"value": value, "labels": labels}


def no_organization(name):
    return _("There is no organization named “%(name)s” in your branch.") % {"name": name}


class CadreImportTestCase(PortalTestCase):
    def setUp(self):
        # Messages are built in the active language: the portal's, Chinese.
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        self.cadres_before = Cadre.objects.count()

    def assertNothingSaved(self):
        self.assertEqual(Cadre.objects.count(), self.cadres_before)
        self.assertFalse(Post.objects.exists())
        self.assertFalse(Cadre.history.filter(history_type="+").exclude(id__in=Cadre.objects.values("id")).exists())
        self.assertFalse(Post.history.exists())


class CadreImportTest(CadreImportTestCase):
    def test_the_importer_is_registered_for_its_kind(self):
        self.assertIs(get_importer("cadres"), CadreImporter)

    def test_the_template_has_the_headers_of_the_design(self):
        template = load_workbook(io.BytesIO(CadreImporter(self.alice).template()))
        self.assertEqual([cell.value for cell in template.worksheets[0][1]], HEADERS)

    def test_good_file_creates_the_cadres_and_their_first_posts(self):
        result = run(self.alice, good_file())
        self.assertEqual(result.errors, [])
        self.assertTrue(result.committed)
        self.assertEqual([number for number, _text in result.rows], [2, 3, 4, 5])
        self.assertEqual(Cadre.objects.count(), self.cadres_before + 4)

        zhang = Cadre.objects.get(full_name="张明")
        self.assertEqual(
            (
                zhang.gender,
                zhang.birth_date,
                zhang.ethnicity,
                zhang.education,
                zhang.political_status,
                zhang.id_number,
                zhang.mobile,
                zhang.organization,
            ),
            (
                Gender.FEMALE,
                datetime.date(1980, 2, 15),
                "汉族",
                Education.BACHELOR,
                PoliticalStatus.PARTY_MEMBER,
                ZHANG_ID,
                "13800000001",
                self.union_a,
            ),
        )
        post = zhang.posts.get()
        self.assertEqual(
            (post.organization, post.position, post.rank, post.full_time, post.staffing, post.start, post.end),
            (
                self.union_a,
                Position.CHAIR,
                Rank.DEPUTY_SECTION,
                True,
                Staffing.INSTITUTION,
                datetime.date(2018, 3, 31),
                None,
            ),
        )

        li = Cadre.objects.get(full_name="李强")
        # Without 出生日期 the birth date is the one inside the ID number.
        self.assertEqual((li.gender, li.birth_date, li.ethnicity), (Gender.MALE, datetime.date(1975, 6, 10), "布依族"))
        self.assertEqual((li.education, li.political_status), (Education.COLLEGE, PoliticalStatus.MASSES))
        self.assertEqual(li.organization, self.district_a)
        post = li.posts.get()
        self.assertEqual(
            (post.position, post.rank, post.full_time, post.staffing, post.start),
            (Position.EXECUTIVE_VICE_CHAIR, Rank.SECTION, False, Staffing.CIVIL_SERVICE, datetime.date(2018, 3, 31)),
        )

        wang = Cadre.objects.get(full_name="王芳")
        self.assertEqual((wang.birth_date, wang.id_number, wang.ethnicity), (datetime.date(1990, 1, 1), "", "汉族"))
        self.assertEqual(
            (wang.education, wang.political_status), (Education.POSTGRADUATE, PoliticalStatus.LEAGUE_MEMBER)
        )
        post = wang.posts.get()
        self.assertEqual(
            (post.position, post.rank, post.full_time, post.staffing, post.start),
            (Position.COMMITTEE_MEMBER, Rank.UNIT, True, Staffing.SOCIAL_WORKER, datetime.date(2018, 3, 31)),
        )
        self.assertTrue(post.is_social_worker)

        zhao = Cadre.objects.get(full_name="赵磊")
        self.assertEqual(
            (zhao.birth_date, zhao.education, zhao.political_status),
            (datetime.date(1985, 5, 5), Education.SECONDARY, PoliticalStatus.DEMOCRATIC_PARTY),
        )
        post = zhao.posts.get()
        self.assertEqual(
            (post.position, post.rank, post.full_time, post.staffing, post.start),
            (Position.STAFF, Rank.CLERK, True, Staffing.OTHER, datetime.date(2018, 3, 31)),
        )

    def test_every_date_format_is_read(self):
        dates = ["2018-03-31", "2018/3/31", "2018年3月31日", datetime.date(2018, 3, 31), 43190, " 2018.03.31 "]
        data = workbook_bytes(
            [
                HEADERS,
                *(
                    row(
                        full_name=f"日期{i}",
                        gender="男",
                        birth_date=value,
                        organization="甲区第一中学工会",
                        position="委员",
                        start=value,
                    )
                    for i, value in enumerate(dates)
                ),
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(result.errors, [])
        cadres = Cadre.objects.filter(full_name__startswith="日期")
        self.assertEqual(cadres.count(), len(dates))
        self.assertEqual(set(cadres.values_list("birth_date", flat=True)), {datetime.date(2018, 3, 31)})
        self.assertEqual(
            set(Post.objects.filter(cadre__in=cadres).values_list("start", flat=True)), {datetime.date(2018, 3, 31)}
        )

    def test_only_the_required_cells_take_the_defaults(self):
        data = workbook_bytes(
            [HEADERS, row(full_name="钱进", gender="男", organization="甲区第一中学工会", position="副主席")]
        )
        result = run(self.alice, data)
        self.assertEqual(result.errors, [])
        cadre = Cadre.objects.get(full_name="钱进")
        self.assertEqual(
            (cadre.birth_date, cadre.ethnicity, cadre.education, cadre.political_status, cadre.id_number, cadre.mobile),
            (None, "汉族", "", "", "", ""),
        )
        post = cadre.posts.get()
        # 任职日期 empty: today; 职级, 专兼职 and 人员类别 empty: the model's defaults.
        self.assertEqual(
            (post.position, post.rank, post.full_time, post.staffing, post.start),
            (Position.VICE_CHAIR, Rank.NONE, True, Staffing.OTHER, timezone.localdate()),
        )

    def test_template_with_only_the_required_columns_is_enough(self):
        data = workbook_bytes([["姓名", "性别", "所在组织", "职务"], ["钱进", "男", "甲区第一中学工会", "委员"]])
        self.assertEqual(run(self.alice, data).errors, [])
        self.assertEqual(Cadre.objects.get(full_name="钱进").posts.get().position, Position.COMMITTEE_MEMBER)

    def test_cadres_and_posts_have_history_by_the_importing_user(self):
        run(self.alice, good_file())
        for cadre in Cadre.objects.filter(full_name__in=["张明", "李强", "王芳", "赵磊"]):
            with self.subTest(cadre=cadre.full_name):
                record = cadre.history.get()
                self.assertEqual((record.history_type, record.history_user), ("+", self.alice))
                record = cadre.posts.get().history.get()
                self.assertEqual((record.history_type, record.history_user), ("+", self.alice))

    def test_english_headers_and_labels_are_accepted(self):
        data = workbook_bytes(
            [
                ENGLISH_HEADERS,
                ZHANG,
                row(
                    full_name="周红",
                    gender="Female",
                    education="bachelor",
                    organization="甲区第一中学工会",
                    position="Vice-chair",
                    rank="Unit level",
                    full_time="part-time",
                    staffing="social_worker",
                ),
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(result.errors, [])
        self.assertEqual(Cadre.objects.get(full_name="张明").id_number, ZHANG_ID)
        zhou = Cadre.objects.get(full_name="周红")
        self.assertEqual((zhou.gender, zhou.education), (Gender.FEMALE, Education.BACHELOR))
        post = zhou.posts.get()
        self.assertEqual(
            (post.position, post.rank, post.full_time, post.staffing),
            (Position.VICE_CHAIR, Rank.UNIT, False, Staffing.SOCIAL_WORKER),
        )

    def test_other_aliases_and_starred_headers_are_accepted(self):
        headers = ["name", "gender", "resident id", "organization", "position"]
        data = workbook_bytes([headers, ["张明", "女", ZHANG_ID, "甲区第一中学工会", "主席"]])
        self.assertEqual(run(self.alice, data).errors, [])
        self.assertEqual(Cadre.objects.get(full_name="张明").birth_date, datetime.date(1980, 2, 15))

    def test_id_number_with_lower_case_x_full_width_digits_or_spaces_is_normalised(self):
        number = next(
            resident_id("19800215", f"{n:03d}")
            for n in range(1, 1000, 2)
            if resident_id("19800215", f"{n:03d}").endswith("X")
        )
        data = workbook_bytes(
            [
                HEADERS,
                row(
                    full_name="孙武", gender="男", id_number=number.lower(), organization="甲区总工会", position="委员"
                ),
                row(
                    full_name="李强",
                    gender="男",
                    id_number=full_width(LI_ID),
                    organization="甲区总工会",
                    position="委员",
                ),
                row(
                    full_name="吴敏",
                    gender="女",
                    id_number=f" {ZHANG_ID[:6]} {ZHANG_ID[6:]} ",
                    mobile=full_width("13800000001"),
                    organization="甲区总工会",
                    position="委员",
                ),
            ]
        )
        self.assertEqual(run(self.alice, data).errors, [])
        self.assertEqual(Cadre.objects.get(full_name="孙武").id_number, number)
        self.assertEqual(Cadre.objects.get(full_name="李强").id_number, LI_ID)
        wu = Cadre.objects.get(full_name="吴敏")
        self.assertEqual((wu.id_number, wu.mobile), (ZHANG_ID, "13800000001"))

    def test_staff_of_another_district_imports_into_their_own_branch(self):
        data = workbook_bytes(
            [HEADERS, row(full_name="郑军", gender="男", organization="乙区机械厂工会", position="主席")]
        )
        self.assertEqual(run(self.bob, data).errors, [])
        cadre = Cadre.objects.get(full_name="郑军")
        self.assertEqual((cadre.organization, cadre.posts.get().organization), (self.union_b, self.union_b))
        self.assertEqual(cadre.history.get().history_user, self.bob)

    def test_superuser_may_name_any_organization(self):
        data = workbook_bytes(
            [
                HEADERS,
                row(full_name="郑军", gender="男", organization="乙区机械厂工会", position="主席"),
                row(full_name="冯兰", gender="女", organization="甲区第一中学工会", position="主席"),
            ]
        )
        self.assertEqual(run(self.root, data).errors, [])
        self.assertEqual(Cadre.objects.filter(full_name__in=["郑军", "冯兰"]).count(), 2)

    def test_preview_describes_each_row_without_the_id_number(self):
        result = run(self.alice, good_file(), commit=False)
        self.assertEqual(result.errors, [])
        self.assertFalse(result.committed)
        fmt = _("%(name)s (%(gender)s, %(organization)s · %(position)s)")
        self.assertEqual(
            result.rows,
            [
                (2, fmt % {"name": "张明", "gender": "女", "organization": "甲区第一中学工会", "position": "主席"}),
                (3, fmt % {"name": "李强", "gender": "男", "organization": "甲区总工会", "position": "常务副主席"}),
                (4, fmt % {"name": "王芳", "gender": "女", "organization": "甲区第一中学工会", "position": "委员"}),
                (5, fmt % {"name": "赵磊", "gender": "男", "organization": "甲区第一中学工会", "position": "工作人员"}),
            ],
        )
        for _number, text in result.rows:
            self.assertNotRegex(text, FULL_ID)
            self.assertNotIn(ZHANG_ID, text)
            self.assertNotIn(LI_ID, text)
        self.assertNothingSaved()

    def test_dry_run_saves_nothing_but_lists_the_rows(self):
        result = run(self.alice, good_file(), commit=False)
        self.assertEqual(result.errors, [])
        self.assertFalse(result.committed)
        self.assertEqual(len(result.rows), 4)
        self.assertNothingSaved()


class CadreImportErrorTest(CadreImportTestCase):
    def setUp(self):
        super().setUp()
        self.existing = Cadre.objects.create(
            full_name="陈旧", gender=Gender.MALE, id_number=resident_id("19700101", "031"), organization=self.union_b
        )
        self.cadres_before = Cadre.objects.count()

    def test_one_bad_row_saves_nothing_and_every_error_is_listed(self):
        data = workbook_bytes(
            [
                HEADERS,
                ZHANG,
                LI,
                row(full_name="错行", gender="男", organization="乙区机械厂工会", position="主席"),
                WANG,
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(4, "所在组织", no_organization("乙区机械厂工会"))])
        self.assertFalse(result.committed)
        self.assertEqual([number for number, _text in result.rows], [2, 3, 5])
        self.assertNothingSaved()

    def test_error_corpus(self):
        woman = resident_id("19810707", "022")
        another_woman = resident_id("19830808", "044")
        base = {"full_name": "错例", "gender": "男", "organization": "甲区第一中学工会", "position": "委员"}
        cases = [
            ({"gender": "未知"}, [("性别", not_one_of("未知", Gender))]),
            ({"education": "硕士"}, [("学历", not_one_of("硕士", Education))]),
            ({"political_status": "无党派"}, [("政治面貌", not_one_of("无党派", PoliticalStatus))]),
            ({"position": "书记"}, [("职务", not_one_of("书记", Position))]),
            ({"rank": "正处级"}, [("职级", not_one_of("正处级", Rank))]),
            (
                {"full_time": "全职"},
                [("专兼职", _("“%(value)s” is not one of: %(labels)s.") % {"value": "全职", "labels": "专职、兼职"})],
            ),
            ({"staffing": "合同工"}, [("人员类别", not_one_of("合同工", Staffing))]),
            (
                {"id_number": wrong_check(resident_id("19820303", "011"))},
                [("身份证号", _("The check digit of this resident ID number is wrong."))],
            ),
            (
                {"id_number": "52279919820303011"},
                [("身份证号", _("A resident ID number has 18 characters: 17 digits and a digit or X."))],
            ),
            (
                {"id_number": resident_id("19820303", "011"), "birth_date": "1982-03-04"},
                [("出生日期", _("The birth date differs from the one in the resident ID number."))],
            ),
            (
                {"id_number": woman, "gender": "男"},
                [("性别", _("The gender differs from the one in the resident ID number."))],
            ),
            (
                {"id_number": self.existing.id_number},
                [("身份证号", _("A cadre with this resident ID number is already on record."))],
            ),
            ({"organization": "乙区机械厂工会"}, [("所在组织", no_organization("乙区机械厂工会"))]),
            ({"organization": "不存在的工会"}, [("所在组织", no_organization("不存在的工会"))]),
            (
                {"mobile": "1380000000"},
                [("手机号", _("A mainland mobile number has 11 digits and starts with 13 to 19."))],
            ),
            (
                {"mobile": "23800000000"},
                [("手机号", _("A mainland mobile number has 11 digits and starts with 13 to 19."))],
            ),
            ({"full_name": None}, [("姓名", _("This field is required."))]),
            ({"full_name": "   "}, [("姓名", _("This field is required."))]),
            ({"gender": None}, [("性别", _("This field is required."))]),
            ({"organization": None}, [("所在组织", _("This field is required."))]),
            ({"position": None}, [("职务", _("This field is required."))]),
            ({"birth_date": "1980-02-30"}, [("出生日期", _("This date does not exist."))]),
            ({"start": "去年"}, [("任职日期", _("Enter a date such as 2018-03-31, 2018/3/31 or 2018年3月31日."))]),
            (
                {"organization": "乙区机械厂工会", "mobile": "123"},
                [
                    ("所在组织", no_organization("乙区机械厂工会")),
                    ("手机号", _("A mainland mobile number has 11 digits and starts with 13 to 19.")),
                ],
            ),
            (
                {"id_number": another_woman, "birth_date": "1983-08-09", "gender": "男"},
                [
                    ("出生日期", _("The birth date differs from the one in the resident ID number.")),
                    ("性别", _("The gender differs from the one in the resident ID number.")),
                ],
            ),
        ]
        # Each case alone, then all of them in one file after a good row.
        for change, expected in cases:
            with self.subTest(change=change):
                result = run(self.alice, workbook_bytes([HEADERS, row(**{**base, **change})]))
                self.assertEqual(errors(result), [(2, column, message) for column, message in expected])
                self.assertFalse(result.committed)
                self.assertNothingSaved()
        data = workbook_bytes([HEADERS, ZHANG, *(row(**{**base, **change}) for change, _expected in cases)])
        result = run(self.alice, data)
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
        for _row, _column, message in errors(result):
            self.assertRegex(message, CJK)

    def test_the_id_number_check_reads_the_unique_index(self):
        """One query before the rows asks which of the file's ID numbers are taken; it must be
        answered from the unique constraint's partial index, which SQLite uses only when the
        query restates the index's condition (otherwise it scans every cadre)."""
        data = workbook_bytes(
            [
                HEADERS,
                row(
                    full_name="甲",
                    gender="男",
                    id_number=resident_id("19820303", "011"),
                    organization="甲区第一中学工会",
                    position="委员",
                ),
            ]
        )
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(errors(run(self.alice, data)), [])
        checks = [
            query["sql"] for query in captured.captured_queries if '"cadres_cadre"."id_number" IN' in query["sql"]
        ]
        self.assertEqual(len(checks), 1, checks)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {checks[0]}")
            else:
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN {checks[0]}")
            plan = " ".join(str(line) for line in cursor.fetchall())
        self.assertIn("cadre_unique_id_number", plan)

    def test_the_unions_the_rows_name_are_looked_up_at_once(self):
        """A file naming several unions reads them in one query before the rows (not one per
        union); a name missing from the branch, or one that two unions share, is still reported
        on its row."""
        make_org(self.district_a, "甲区第二中学工会")
        town = make_org(self.district_a, "甲区某镇总工会")
        make_org(self.district_a, "同名工会")
        make_org(town, "同名工会")
        make_org(self.district_b, "乙区另一工会")
        names = ["甲区第一中学工会", "甲区第二中学工会", "甲区某镇总工会", "甲区总工会"]
        rows = [
            row(full_name=f"员{number}", gender="男", organization=name, position="委员")
            for number, name in enumerate(names)
        ]
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(errors(run(self.alice, workbook_bytes([HEADERS, *rows]))), [])
        lookups = [
            query["sql"] for query in captured.captured_queries if 'FROM "organizations_organization"' in query["sql"]
        ]
        self.assertEqual(len(lookups), 1, lookups)
        self.assertEqual(Post.objects.filter(organization__name__in=names).count(), 4)

        bad = [
            row(full_name="甲", gender="男", organization="乙区另一工会", position="委员"),
            row(full_name="乙", gender="男", organization="同名工会", position="委员"),
        ]
        several = _("Several organizations in your branch are named “%(name)s”; rename one so the name is unique.")
        self.assertEqual(
            errors(run(self.alice, workbook_bytes([HEADERS, *bad]))),
            [(2, "所在组织", no_organization("乙区另一工会")), (3, "所在组织", several % {"name": "同名工会"})],
        )

    def test_the_same_id_number_twice_in_one_file_is_an_error_on_the_second(self):
        number = resident_id("19820303", "011")
        data = workbook_bytes(
            [
                HEADERS,
                row(full_name="甲", gender="男", id_number=number, organization="甲区第一中学工会", position="委员"),
                row(full_name="乙", gender="男", id_number=number.lower(), organization="甲区总工会", position="委员"),
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(
            errors(result), [(3, "身份证号", _("A cadre with this resident ID number is already on record."))]
        )
        self.assertEqual([number for number, _text in result.rows], [2])
        self.assertNothingSaved()

    def test_rows_are_written_in_batches_with_the_same_queries_for_any_number(self):
        """Rows are checked one by one and written in batches: cadres, posts and their histories
        in one INSERT each, so 40 rows cost the queries of 4."""

        def rows(count, first):
            return [
                row(
                    full_name=f"员{first + number}",
                    gender="男",
                    id_number=resident_id(
                        (datetime.date(1980, 1, 1) + datetime.timedelta(days=first + number)).strftime("%Y%m%d"), "011"
                    ),
                    organization="甲区第一中学工会",
                    position="委员",
                )
                for number in range(count)
            ]

        counts = {}
        for count, first in ((4, 100), (40, 200)):
            data = workbook_bytes([HEADERS, *rows(count, first)])
            with CaptureQueriesContext(connection) as captured:
                result = run(self.alice, data, commit=False)
            self.assertEqual(errors(result), [])
            self.assertEqual(len(result.rows), count)
            counts[count] = len(captured.captured_queries)
        self.assertEqual(counts[4], counts[40])

    def test_rows_across_several_batches_keep_their_own_cadres_posts_and_history(self):
        self.enterContext(mock.patch.object(CadreImporter, "batch_size", 2))
        data = workbook_bytes(
            [
                HEADERS,
                *(
                    row(full_name=f"员{number}", gender="女", organization=name, position=position)
                    for number, (name, position) in enumerate(
                        [("甲区第一中学工会", "委员"), ("甲区总工会", "主席"), ("甲区第一中学工会", "工作人员")] * 2
                    )
                ),
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(errors(result), [])
        self.assertEqual([number for number, _text in result.rows], [2, 3, 4, 5, 6, 7])
        for number in range(6):
            with self.subTest(row=number + 2):
                cadre = Cadre.objects.get(full_name=f"员{number}")
                post = cadre.posts.get()
                self.assertEqual(post.organization, cadre.organization)
                self.assertEqual(
                    (post.organization.name, post.position),
                    [
                        ("甲区第一中学工会", Position.COMMITTEE_MEMBER),
                        ("甲区总工会", Position.CHAIR),
                        ("甲区第一中学工会", Position.STAFF),
                    ][number % 3],
                )
                self.assertEqual(cadre.history.get().history_user, self.alice)
                self.assertEqual(post.history.get().cadre_id, cadre.pk)

    def test_a_number_taken_meanwhile_is_reported_on_its_row(self):
        """The file's ID numbers are looked up before the rows; one written by someone else in
        the meantime makes the database refuse the batch, which is then written row by row so
        the message names the row. Nothing is saved."""
        taken = resident_id("19820303", "011")
        original = CadreImporter.prepare

        def prepare_then_someone_writes(importer, rows, mapping):
            original(importer, rows, mapping)
            Cadre.objects.create(full_name="先到者", gender=Gender.MALE, id_number=taken, organization=self.union_a)

        self.enterContext(mock.patch.object(CadreImporter, "prepare", prepare_then_someone_writes))
        data = workbook_bytes(
            [
                HEADERS,
                row(full_name="甲", gender="男", organization="甲区第一中学工会", position="委员"),
                row(full_name="乙", gender="男", id_number=taken, organization="甲区第一中学工会", position="委员"),
            ]
        )
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(3, "", _("This row conflicts with a record that already exists."))])
        self.assertEqual([number for number, _text in result.rows], [2])
        self.assertFalse(result.committed)
        # The other writer's cadre stays; none of the file's.
        self.assertEqual(
            list(Cadre.objects.filter(full_name__in=["甲", "乙", "先到者"]).values_list("full_name", flat=True)),
            ["先到者"],
        )

    def test_an_import_gives_the_branches_of_its_unions_new_versions(self):
        """Bulk writes send no signals: the import itself tells the cache that the figures of
        the unions it wrote to, and of every federation above them, have changed."""
        from unionportal.cache import branch_version

        watched = [self.union_a, self.district_a, self.city, self.district_b]
        before = {org.name: branch_version(org.path) for org in watched}
        result = run(
            self.alice,
            workbook_bytes(
                [HEADERS, row(full_name="甲", gender="男", organization="甲区第一中学工会", position="委员")]
            ),
        )
        self.assertTrue(result.committed)
        after = {org.name: branch_version(org.path) for org in watched}
        for org in watched[:3]:
            self.assertNotEqual(before[org.name], after[org.name], org.name)
        self.assertEqual(before[self.district_b.name], after[self.district_b.name])

    def test_missing_required_column_is_an_error(self):
        headers = [h for h in HEADERS if h != "职务*"]
        data = workbook_bytes([headers, [v for h, v in zip(HEADERS, ZHANG, strict=True) if h != "职务*"]])
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(1, "职务", _("This required column is missing."))])
        self.assertNothingSaved()

    def test_every_missing_required_column_is_listed(self):
        data = workbook_bytes([["姓名", "民族"], ["张明", "汉族"]])
        result = run(self.alice, data)
        self.assertEqual(
            errors(result),
            [(1, column, _("This required column is missing.")) for column in ("性别", "所在组织", "职务")],
        )
        self.assertNothingSaved()

    def test_unknown_column_is_an_error(self):
        data = workbook_bytes([[*HEADERS, "备注"], [*ZHANG, "x"]])
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(1, "备注", _("Unknown column: the template has no column of this name."))])
        self.assertNothingSaved()

    def test_column_given_twice_is_an_error(self):
        data = workbook_bytes([[*HEADERS, "mobile"], [*ZHANG, "13800000001"]])
        result = run(self.alice, data)
        self.assertEqual(errors(result), [(1, "mobile", _("This column appears twice."))])
        self.assertNothingSaved()

    def test_the_messages_of_the_cadres_import_are_translated(self):
        for message in NEW_MESSAGES:
            with self.subTest(message=message):
                self.assertNotEqual(_(message), message)

    def test_every_message_is_chinese(self):
        data = workbook_bytes(
            [
                [*HEADERS, "备注"],
                [
                    *row(**{"full_name": "错例", "gender": "人", "organization": "乙区机械厂工会", "position": "委员"}),
                    "",
                ],
            ]
        )
        result = run(self.alice, data)
        self.assertTrue(result.errors)
        for error in result.errors:
            self.assertRegex(error.message, CJK)


class CadreImportCommandTest(CadreImportTestCase):
    def setUp(self):
        super().setUp()
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.directory = Path(directory.name)

    def write(self, data, name="干部.xlsx"):
        path = self.directory / name
        path.write_bytes(data)
        return str(path)

    def call(self, *args, **options):
        stdout, stderr = io.StringIO(), io.StringIO()
        call_command("import_xlsx", *args, stdout=stdout, stderr=stderr, **options)
        return stdout.getvalue(), stderr.getvalue()

    def test_command_saves_the_rows_as_the_user(self):
        stdout, stderr = self.call("cadres", self.write(good_file()), user="alice")
        self.assertEqual(stdout, "已导入 4 行。\n")
        self.assertEqual(stderr, "")
        zhang = Cadre.objects.get(full_name="张明")
        self.assertEqual(zhang.posts.get().position, Position.CHAIR)
        self.assertEqual(zhang.history.get().history_user, self.alice)
        self.assertEqual(zhang.posts.get().history.get().history_user, self.alice)

    def test_dry_run_saves_nothing(self):
        stdout, _stderr = self.call("cadres", self.write(good_file()), "--dry-run", user="alice")
        self.assertEqual(stdout, "检查通过：4 行可以导入（试运行，未保存）。\n")
        self.assertNothingSaved()

    def test_bad_row_exits_with_status_1_lists_the_errors_and_saves_nothing(self):
        data = workbook_bytes(
            [
                HEADERS,
                ZHANG,
                row(full_name="错例", gender="男", organization="甲区第一中学工会", position="书记"),
                row(full_name="错例", gender="男", organization="乙区机械厂工会", position="委员"),
            ]
        )
        stderr = io.StringIO()
        with self.assertRaises(SystemExit) as caught:
            call_command("import_xlsx", "cadres", self.write(data), user="alice", stderr=stderr)
        self.assertEqual(caught.exception.code, 1)
        with translation.override("zh-hans"):
            expected = [
                "第3行【职务】" + not_one_of("书记", Position),
                "第4行【所在组织】" + no_organization("乙区机械厂工会"),
                "2 个错误，未保存任何记录。",
            ]
        self.assertEqual(stderr.getvalue().splitlines(), expected)
        self.assertNothingSaved()

    def test_user_scope_applies_on_the_command_line(self):
        data = workbook_bytes(
            [HEADERS, row(full_name="郑军", gender="男", organization="乙区机械厂工会", position="主席")]
        )
        with self.assertRaises(SystemExit):
            self.call("cadres", self.write(data), user="alice")
        self.assertFalse(Cadre.objects.filter(full_name="郑军").exists())
        self.call("cadres", self.write(data), user="bob")
        self.assertEqual(Cadre.objects.get(full_name="郑军").organization, self.union_b)


class ExcelNumberTest(PortalTestCase):
    def test_an_id_stored_by_excel_as_a_number_gets_a_message_that_says_so(self):
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            parse_number_as_text(5.22799198002151e17)
        self.assertIn("format the column as text", caught.exception.messages[0])
        self.assertEqual(parse_number_as_text(" 522799 19800215001X "), "52279919800215001X")

    def test_the_template_formats_id_and_mobile_columns_as_text(self):
        sheet = load_workbook(io.BytesIO(CadreImporter(self.alice).template())).worksheets[0]
        headers = {cell.value: cell.column_letter for cell in sheet[1]}
        self.assertEqual(sheet.column_dimensions[headers["身份证号"]].number_format, "@")
        self.assertEqual(sheet.column_dimensions[headers["手机号"]].number_format, "@")
        self.assertEqual(sheet.column_dimensions[headers["姓名*"]].number_format, "General")
        self.assertEqual(sheet.max_row, 1)
