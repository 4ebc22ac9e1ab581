"""The honours and activities imports: the templates of DESIGN.md, all or nothing, every error
with its row, column and a Chinese message; the same in the browser and on the command line."""

import datetime
import io
import re
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from activities.imports import ActivityImporter, HonourImporter
from activities.models import Activity, ActivityKind, Campaign, Honour, HonourLevel, HonourStatus, HonourTitle
from tests.base import PortalTestCase
from tests.workbooks import workbook_bytes
from unionportal.importing import get_importer

HONOUR_HEADERS = ["荣誉名称*", "级别*", "年度*", "获得者类型*", "获得者*", "所在组织*", "授予单位", "状态"]
HONOUR_FIELDS = ["title", "level", "year", "recipient_type", "recipient", "organization", "conferring_body", "status"]
ACTIVITY_HEADERS = ["活动名称*", "活动类型*", "主办组织*", "开始日期*", "结束日期", "参与人次", "系列活动", "地点"]
ACTIVITY_FIELDS = ["title", "kind", "organizer", "start", "end", "participants", "campaign", "place"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def honour_row(**values):
    return [values.get(name) for name in HONOUR_FIELDS]


def activity_row(**values):
    return [values.get(name) for name in ACTIVITY_FIELDS]


def run(kind, user, data, commit=True):
    return get_importer(kind)(user).run(data, commit=commit)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def not_one_of(value, labels):
    return _("“%(value)s” is not one of: %(labels)s.") % {"value": value, "labels": labels}


def too_long(limit, length):
    return ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        limit,
    ) % {"limit_value": limit, "show_value": length}


def no_organization(name):
    return _("There is no organization named “%(name)s” in your branch.") % {"name": name}


LEVELS = "国家级、省级、市(州)级、县级"
TYPES = "集体、个人"
KINDS = "劳动竞赛、技能比武、文体活动、读书征文、演讲比赛、书画摄影、徒步、宣讲、就业服务、培训、慰问"

HOME = honour_row(
    title="模范职工之家",
    level="县级",
    year=2024,
    recipient_type="集体",
    recipient="甲区第一中学工会",
    organization="甲区第一中学工会",
    conferring_body="甲区总工会",
)
MEDAL = honour_row(
    title="五一劳动奖章",
    level="市(州)级",
    year="2024",
    recipient_type="个人",
    recipient="张明",
    organization="甲区第一中学工会",
    status="推荐",
)
PIONEER = honour_row(
    title="工人先锋号",
    level="国家级",
    year=2023.0,
    recipient_type="集体",
    recipient="甲区总工会",
    organization="甲区总工会",
    status="获评",
)

SPEECH = activity_row(
    title="职工演讲比赛",
    kind="演讲比赛",
    organizer="甲区总工会",
    start="2025-04-26",
    end="2025/4/27",
    participants="1,320",
    campaign="“五一”系列活动",
    place="区文化馆",
)
WALK = activity_row(title="女职工健步走", kind="徒步", organizer="甲区第一中学工会", start=datetime.date(2025, 3, 8))
FAIR = activity_row(
    title="春风行动招聘会", kind="就业服务", organizer="甲区总工会", start="2025年2月10日", participants="６２００"
)


class ImportTestCase(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = Campaign.objects.create(name="“五一”系列活动", year=2025, organizer=cls.district_a)
        Campaign.objects.create(name="乙区系列活动", year=2025, organizer=cls.district_b)

    def setUp(self):
        # Messages are built in the active language: the portal's, Chinese.
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)

    def assertNothingSaved(self):
        self.assertFalse(Honour.objects.exists())
        self.assertFalse(Activity.objects.exists())
        self.assertFalse(Honour.history.exists())
        self.assertFalse(Activity.history.exists())


class HonourImportTest(ImportTestCase):
    def test_the_importer_is_registered_and_its_template_has_the_headers_of_the_design(self):
        self.assertIs(get_importer("honours"), HonourImporter)
        template = load_workbook(io.BytesIO(HonourImporter(self.alice).template()))
        self.assertEqual([cell.value for cell in template.worksheets[0][1]], HONOUR_HEADERS)

    def test_good_file_creates_the_honours(self):
        result = run("honours", self.alice, workbook_bytes([HONOUR_HEADERS, HOME, MEDAL, PIONEER]))
        self.assertEqual(result.errors, [])
        self.assertTrue(result.committed)
        home = Honour.objects.get(title__name="模范职工之家")
        self.assertEqual(
            (home.title.level, home.year, home.organization, home.recipient_name, home.status, home.conferring_body),
            (HonourLevel.COUNTY, 2024, self.union_a, "", HonourStatus.CONFERRED, "甲区总工会"),
        )
        medal = Honour.objects.get(title__name="五一劳动奖章")
        self.assertEqual(
            (medal.title.level, medal.recipient_name, medal.recipient_unit, medal.status),
            (HonourLevel.PREFECTURE, "张明", "甲区第一中学工会", HonourStatus.RECOMMENDED),
        )
        pioneer = Honour.objects.get(title__name="工人先锋号")
        self.assertEqual((pioneer.year, pioneer.organization, pioneer.status), (2023, self.district_a, "conferred"))
        for honour in Honour.objects.all():
            self.assertEqual(honour.history.get().history_user, self.alice)

    def test_a_title_of_the_branch_is_found_and_english_headers_and_labels_are_accepted(self):
        HonourTitle.objects.create(name="甲区工匠", level="county", recipient_type="individual", owner=self.district_a)
        headers = ["title", "level", "year", "recipient type", "recipient", "organization", "conferring body", "status"]
        data = workbook_bytes(
            [headers, ["甲区工匠", "County", 2025, "individual", "王芳", "甲区总工会", "", "recommended"]]
        )
        result = run("honours", self.alice, data)
        self.assertEqual(result.errors, [])
        honour = Honour.objects.get()
        self.assertEqual((honour.title.owner, honour.status), (self.district_a, HonourStatus.RECOMMENDED))

    def test_error_corpus(self):
        HonourTitle.objects.create(name="乙区工匠", level="county", recipient_type="individual", owner=self.district_b)
        Honour.objects.create(
            title=HonourTitle.objects.get(name="模范职工之家", level="county", owner=None),
            year=2020,
            organization=self.union_a,
        )
        before = Honour.objects.count()
        no_title = _("There is no honour title “%(name)s” at the level %(level)s in the catalogue.")
        base = dict(zip(HONOUR_FIELDS, HOME, strict=True))
        cases = [
            ({"level": "市级"}, [("级别", not_one_of("市级", LEVELS))]),
            ({"recipient_type": "团体"}, [("获得者类型", not_one_of("团体", TYPES))]),
            ({"status": "未获评"}, [("状态", not_one_of("未获评", "推荐、获评"))]),
            ({"year": "二〇二四"}, [("年度", _("Enter a whole number."))]),
            ({"year": 1900}, [("年度", _("Enter a year such as 2018."))]),
            ({"title": "优秀会员"}, [("荣誉名称", no_title % {"name": "优秀会员", "level": "县级"})]),
            (
                {"title": "乙区工匠", "recipient_type": "个人", "recipient": "张明"},
                [("荣誉名称", no_title % {"name": "乙区工匠", "level": "县级"})],
            ),
            (
                {"recipient_type": "个人", "recipient": "张明"},
                [
                    (
                        "获得者类型",
                        _("%(title)s is for a %(type)s recipient.") % {"title": "模范职工之家", "type": "集体"},
                    )
                ],
            ),
            (
                {"recipient": "乙区机械厂工会", "organization": "乙区机械厂工会"},
                [("所在组织", no_organization("乙区机械厂工会")), ("获得者", no_organization("乙区机械厂工会"))],
            ),
            ({"recipient": "不存在的工会"}, [("获得者", no_organization("不存在的工会"))]),
            (
                {"recipient": "甲区总工会"},
                [("所在组织", _("For a collective title this is the union honoured, the same as 获得者."))],
            ),
            ({"year": 2020}, [("获得者", _("This union already has this honour for this year."))]),
            ({"title": None}, [("荣誉名称", _("This field is required."))]),
            ({"level": None}, [("级别", _("This field is required."))]),
            ({"year": None}, [("年度", _("This field is required."))]),
            ({"recipient_type": None}, [("获得者类型", _("This field is required."))]),
            ({"recipient": "  "}, [("获得者", _("This field is required."))]),
            ({"organization": None}, [("所在组织", _("This field is required."))]),
        ]
        for change, expected in cases:
            with self.subTest(change=change):
                result = run("honours", self.alice, workbook_bytes([HONOUR_HEADERS, honour_row(**{**base, **change})]))
                self.assertEqual(errors(result), [(2, column, message) for column, message in expected])
                self.assertFalse(result.committed)
                self.assertEqual(Honour.objects.count(), before)
        data = workbook_bytes([HONOUR_HEADERS, MEDAL, *(honour_row(**{**base, **change}) for change, _e in cases)])
        result = run("honours", self.alice, data)
        self.assertEqual(
            errors(result),
            [
                (number, column, message)
                for number, (_change, expected) in enumerate(cases, start=3)
                for column, message in expected
            ],
        )
        self.assertEqual([number for number, _text in result.rows], [2])
        self.assertEqual(Honour.objects.count(), before)
        for _row, _column, message in errors(result):
            self.assertRegex(message, CJK)

    def test_the_same_honour_twice_in_one_file_is_an_error_on_the_second(self):
        result = run("honours", self.alice, workbook_bytes([HONOUR_HEADERS, MEDAL, MEDAL]))
        self.assertEqual(errors(result), [(3, "获得者", _("This person already has this honour for this year."))])
        self.assertNothingSaved()

    def test_missing_and_unknown_columns(self):
        result = run(
            "honours", self.alice, workbook_bytes([["荣誉名称", "级别", "备注"], ["模范职工之家", "县级", ""]])
        )
        self.assertEqual(
            errors(result),
            [
                (1, "备注", _("Unknown column: the template has no column of this name.")),
                *(
                    (1, column, _("This required column is missing."))
                    for column in ("年度", "获得者类型", "获得者", "所在组织")
                ),
            ],
        )
        self.assertNothingSaved()

    def test_staff_of_another_district_imports_into_their_own_branch_only(self):
        result = run("honours", self.bob, workbook_bytes([HONOUR_HEADERS, HOME]))
        self.assertEqual(
            errors(result),
            [(2, "所在组织", no_organization("甲区第一中学工会")), (2, "获得者", no_organization("甲区第一中学工会"))],
        )
        self.assertNothingSaved()


class ActivityImportTest(ImportTestCase):
    def test_the_importer_is_registered_and_its_template_has_the_headers_of_the_design(self):
        self.assertIs(get_importer("activities"), ActivityImporter)
        template = load_workbook(io.BytesIO(ActivityImporter(self.alice).template()))
        self.assertEqual([cell.value for cell in template.worksheets[0][1]], ACTIVITY_HEADERS)

    def test_good_file_creates_the_activities(self):
        result = run("activities", self.alice, workbook_bytes([ACTIVITY_HEADERS, SPEECH, WALK, FAIR]))
        self.assertEqual(result.errors, [])
        speech = Activity.objects.get(title="职工演讲比赛")
        self.assertEqual(
            (
                speech.kind,
                speech.organizer,
                speech.start,
                speech.end,
                speech.participants,
                speech.campaign,
                speech.place,
            ),
            (
                ActivityKind.SPEECH,
                self.district_a,
                datetime.date(2025, 4, 26),
                datetime.date(2025, 4, 27),
                1320,
                self.campaign,
                "区文化馆",
            ),
        )
        walk = Activity.objects.get(title="女职工健步走")
        self.assertEqual(
            (walk.organizer, walk.start, walk.end, walk.participants, walk.campaign),
            (self.union_a, datetime.date(2025, 3, 8), None, 0, None),
        )
        fair = Activity.objects.get(title="春风行动招聘会")
        self.assertEqual(
            (fair.kind, fair.start, fair.participants), (ActivityKind.EMPLOYMENT, datetime.date(2025, 2, 10), 6200)
        )
        for activity in Activity.objects.all():
            self.assertEqual(activity.history.get().history_user, self.alice)

    def test_a_campaign_of_the_same_name_elsewhere_in_the_branch_goes_to_the_organizers_own(self):
        own = Campaign.objects.create(name="“五一”系列活动", year=2025, organizer=self.union_a)
        data = workbook_bytes(
            [
                ACTIVITY_HEADERS,
                activity_row(
                    title="演讲",
                    kind="演讲比赛",
                    organizer="甲区第一中学工会",
                    start="2025-04-01",
                    campaign="“五一”系列活动",
                ),
            ]
        )
        self.assertEqual(run("activities", self.alice, data).errors, [])
        self.assertEqual(Activity.objects.get().campaign, own)

    def test_error_corpus(self):
        base = dict(zip(ACTIVITY_FIELDS, SPEECH, strict=True))
        no_campaign = _("There is no campaign “%(name)s” of %(year)s in your branch.")
        cases = [
            ({"kind": "联欢会"}, [("活动类型", not_one_of("联欢会", KINDS))]),
            ({"organizer": "乙区总工会"}, [("主办组织", no_organization("乙区总工会"))]),
            ({"start": "明天"}, [("开始日期", _("Enter a date such as 2018-03-31, 2018/3/31 or 2018年3月31日."))]),
            ({"start": "2025-02-30"}, [("开始日期", _("This date does not exist."))]),
            ({"end": "2025-04-01"}, [("结束日期", _("An activity cannot end before it starts."))]),
            ({"participants": "-5"}, [("参与人次", _("Enter a number that is not negative."))]),
            ({"participants": "很多"}, [("参与人次", _("Enter a whole number."))]),
            ({"campaign": "不存在的系列"}, [("系列活动", no_campaign % {"name": "不存在的系列", "year": 2025})]),
            ({"campaign": "乙区系列活动"}, [("系列活动", no_campaign % {"name": "乙区系列活动", "year": 2025})]),
            (
                {"start": "2024-04-26", "end": None},
                [("系列活动", no_campaign % {"name": "“五一”系列活动", "year": 2024})],
            ),
            ({"title": "长" * 151}, [("活动名称", too_long(150, 151))]),
            ({"title": None}, [("活动名称", _("This field is required."))]),
            ({"kind": None}, [("活动类型", _("This field is required."))]),
            ({"organizer": None}, [("主办组织", _("This field is required."))]),
            ({"start": None}, [("开始日期", _("This field is required."))]),
        ]
        for change, expected in cases:
            with self.subTest(change=change):
                result = run(
                    "activities", self.alice, workbook_bytes([ACTIVITY_HEADERS, activity_row(**{**base, **change})])
                )
                self.assertEqual(errors(result), [(2, column, message) for column, message in expected])
                self.assertNothingSaved()
        data = workbook_bytes([ACTIVITY_HEADERS, WALK, *(activity_row(**{**base, **change}) for change, _e in cases)])
        result = run("activities", self.alice, data)
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


class ImportCommandTest(ImportTestCase):
    def write(self, data, name):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        path = Path(directory.name) / name
        path.write_bytes(data)
        return str(path)

    def test_both_kinds_import_on_the_command_line_as_the_user(self):
        stdout = io.StringIO()
        call_command(
            "import_xlsx",
            "honours",
            self.write(workbook_bytes([HONOUR_HEADERS, HOME, MEDAL]), "荣誉.xlsx"),
            user="alice",
            stdout=stdout,
        )
        self.assertEqual(stdout.getvalue(), "已导入 2 行。\n")
        call_command(
            "import_xlsx",
            "activities",
            self.write(workbook_bytes([ACTIVITY_HEADERS, SPEECH]), "活动.xlsx"),
            user="alice",
            stdout=stdout,
        )
        self.assertEqual(Honour.objects.count(), 2)
        self.assertEqual(Activity.objects.get().history.get().history_user, self.alice)

    def test_a_bad_row_exits_with_status_1_and_saves_nothing(self):
        stderr = io.StringIO()
        data = workbook_bytes(
            [HONOUR_HEADERS, HOME, honour_row(**{**dict(zip(HONOUR_FIELDS, HOME, strict=True)), "level": "市级"})]
        )
        with self.assertRaises(SystemExit) as caught:
            call_command("import_xlsx", "honours", self.write(data, "荣誉.xlsx"), user="alice", stderr=stderr)
        self.assertEqual(caught.exception.code, 1)
        self.assertEqual(stderr.getvalue().splitlines()[0], "第3行【级别】" + not_one_of("市级", LEVELS))
        self.assertNothingSaved()


class ImportPageTest(ImportTestCase):
    def upload(self, name, data):
        return self.client.post(reverse(f"activities:{name}"), {"file": SimpleUploadedFile("导入.xlsx", data)})

    def test_staff_previews_then_confirms_each_kind(self):
        self.login(self.alice)
        with self.settings(IMPORT_ROOT=tempfile.mkdtemp()):
            for name, data, model, count in (
                ("honour_import", workbook_bytes([HONOUR_HEADERS, HOME, MEDAL]), Honour, 2),
                ("activity_import", workbook_bytes([ACTIVITY_HEADERS, SPEECH, WALK]), Activity, 2),
            ):
                with self.subTest(name=name):
                    response = self.upload(name, data)
                    self.assertEqual(response.status_code, 200)
                    token = response.context["token"]
                    self.assertEqual(model.objects.count(), 0)
                    response = self.client.post(reverse(f"activities:{name}"), {"token": token})
                    self.assertEqual(response.status_code, 302)
                    self.assertEqual(model.objects.count(), count)

    def test_errors_are_listed_and_nothing_is_saved(self):
        self.login(self.alice)
        response = self.upload("honour_import", workbook_bytes([HONOUR_HEADERS, honour_row(title="模范职工之家")]))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("token", response.context)
        self.assertContains(response, _("This field is required."))
        self.assertNothingSaved()

    def test_templates_download_and_roles(self):
        for user, status in ((self.alice, 200), (self.leo, 403), (self.otto, 403)):
            self.login(user)
            for name in ("honour_import_template", "activity_import_template", "honour_import", "activity_import"):
                with self.subTest(user=user.username, name=name):
                    self.assertEqual(self.client.get(reverse(f"activities:{name}")).status_code, status)

    def test_honour_level_labels_are_those_of_the_design(self):
        self.assertEqual("、".join(str(label) for _c, label in HonourLevel.choices), LEVELS)
