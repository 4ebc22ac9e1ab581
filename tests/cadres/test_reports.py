"""The cadres and training sections of the annual summary against hand-counted records:
posts that begin and end on the period's boundary days, a cadre with two posts, social
workers, ages around a birthday on the last day; courses on the boundary days; the scope,
the number of queries, and the lists behind the figures."""

import datetime
import urllib.parse
from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase

from accounts.models import User
from cadres.models import Attendance, Cadre, Education, Gender, Position, Post, Rank, Staffing, Training
from cadres.reports import cadres_section, training_section
from organizations.models import Organization
from organizations.reports import funds_section, organizations_section
from tests.base import PASSWORD, PortalTestCase, make_org
from unionportal.reporting import OWN, Period, ReportContext

D = datetime.date
# A period that does not end on 31 December, so a birthday can fall after its last day.
PERIOD = Period(D(2023, 7, 1), D(2024, 6, 30))
START = D(2020, 1, 1)


def context(user, organization, period=PERIOD):
    children = Organization.objects.restrict(user).filter(parent=organization).order_by("path")
    return ReportContext(user, organization, period, children=children)


def cadre(organization, name, *, birth=None, education=""):
    return Cadre.objects.create(
        full_name=name, gender=Gender.MALE, birth_date=birth, education=education, organization=organization
    )


def post(person, organization, position, rank=Rank.NONE, *, full_time=True, staffing=Staffing.CIVIL_SERVICE, **dates):
    return Post.objects.create(
        cadre=person,
        organization=organization,
        position=position,
        rank=rank,
        full_time=full_time,
        staffing=staffing,
        start=dates.pop("start", START),
        **dates,
    )


def course(organizer, title, start, hours, other=0, sessions=1, attendees=()):
    training = Training.objects.create(
        organizer=organizer, title=title, start=start, hours=Decimal(hours), other_attendees=other, sessions=sessions
    )
    for person in attendees:
        Attendance.objects.create(training=training, cadre=person)
    return training


class SectionTestCase(PortalTestCase):
    def follow(self, user, link):
        self.client.force_login(user)
        response = self.client.get(link)
        self.assertEqual(response.status_code, 200, link)
        return response

    def listed(self, user, link):
        return self.follow(user, link).context["table"].paginator.count

    def params(self, link):
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))


class CadresSectionTest(SectionTestCase):
    """In post on 30 June 2024 (the year before: 30 June 2023):

    甲区总工会: 张 chair 副处级 (born 1980-06-15: 44, bachelor, full-time); 李 vice-chair
      副科级 (born 1990-06-30: 34 that very day, junior college), who is also chair of
      甲区第一中学工会 at 正科级 part-time: one cadre, counted by the 正科级 post; 陈 staff
      member at 股级 from 30 June 2024 (no birth date, no education, full-time); 周 committee
      member at 股级 until 30 June 2024 (born 1970-12-01: 53, postgraduate, part-time); 赵 a
      social worker; 钱 left on 29 June 2024 and 孙 starts on 1 July 2024: neither counts.
    甲区第一中学工会: 王 staff member, clerk (born 1991-07-01: 32, secondary, part-time).
    乙区机械厂工会: 吴 chair 正科级 (born 1985-05-05: 39, bachelor, full-time); 郑 a social worker.

    The city: 6 cadres = 1 副处级 + 2 正科级 + 2 股级 + 1 clerk, 2 social workers, 3 full-time,
    4 college or higher, average age (44 + 34 + 32 + 53 + 39) / 5 = 40.4."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a, b, union_a, union_b = cls.district_a, cls.district_b, cls.union_a, cls.union_b
        cls.zhang = cadre(a, "张主席", birth=D(1980, 6, 15), education=Education.BACHELOR)
        post(cls.zhang, a, Position.CHAIR, Rank.DEPUTY_DIVISION)
        cls.li = cadre(a, "李副主席", birth=D(1990, 6, 30), education=Education.COLLEGE)
        post(cls.li, a, Position.VICE_CHAIR, Rank.DEPUTY_SECTION)
        post(cls.li, union_a, Position.CHAIR, Rank.SECTION, full_time=False)
        cls.chen = cadre(a, "陈干事")
        post(cls.chen, a, Position.STAFF, Rank.UNIT, start=D(2024, 6, 30))
        cls.zhou = cadre(a, "周委员", birth=D(1970, 12, 1), education=Education.POSTGRADUATE)
        post(cls.zhou, a, Position.COMMITTEE_MEMBER, Rank.UNIT, full_time=False, end=D(2024, 6, 30))
        cls.zhao = cadre(a, "赵社工", birth=D(1995, 3, 1), education=Education.BACHELOR)
        post(cls.zhao, a, Position.STAFF, staffing=Staffing.SOCIAL_WORKER)
        cls.qian = cadre(a, "钱干事", birth=D(1960, 1, 1), education=Education.BACHELOR)
        post(cls.qian, a, Position.STAFF, Rank.CLERK, end=D(2024, 6, 29))
        cls.sun = cadre(a, "孙干事", birth=D(1960, 1, 1), education=Education.BACHELOR)
        post(cls.sun, a, Position.STAFF, Rank.CLERK, start=D(2024, 7, 1))
        cls.wang = cadre(union_a, "王干事", birth=D(1991, 7, 1), education=Education.SECONDARY)
        post(cls.wang, union_a, Position.STAFF, Rank.CLERK, full_time=False)
        cls.wu = cadre(union_b, "吴主席", birth=D(1985, 5, 5), education=Education.BACHELOR)
        post(cls.wu, union_b, Position.CHAIR, Rank.SECTION)
        cls.zheng = cadre(b, "郑社工")
        post(cls.zheng, b, Position.STAFF, staffing=Staffing.SOCIAL_WORKER)

    def test_the_city_counts_each_cadre_once_by_the_highest_rank(self):
        data = cadres_section(context(self.lena, self.city)).data
        self.assertEqual(
            data,
            {
                "total": 6,
                "by_rank": {
                    "deputy_division": 1,
                    "section": 2,
                    "deputy_section": 0,
                    "unit": 2,
                    "clerk": 1,
                    "none": 0,
                },
                "by_position": {
                    "chair": 3,
                    "executive_vice_chair": 0,
                    "vice_chair": 0,
                    "audit_head": 0,
                    "women_committee_head": 0,
                    "committee_member": 1,
                    "staff": 2,
                },
                "social_workers": 2,
                "average_age": 40.4,
                "college_or_higher": 4,
                "full_time": 3,
                "by_education": {
                    "postgraduate": 1,
                    "bachelor": 2,
                    "college": 1,
                    "secondary": 1,
                    "junior_or_below": 0,
                    "unspecified": 1,
                },
            },
        )

    def test_the_year_before(self):
        section = cadres_section(context(self.lena, self.city))
        previous = {figure.key: figure.previous for figure in section.figures}
        # 30 June 2023: 钱 is in post, 陈 not yet; ages a year younger (钱 born 1960-01-01: 63).
        self.assertEqual(previous["total"], 6)
        self.assertEqual(previous["social_workers"], 2)
        self.assertEqual(previous["by_rank.clerk"], 2)
        self.assertEqual(previous["by_rank.unit"], 1)
        self.assertEqual(previous["average_age"], round((43 + 33 + 31 + 52 + 38 + 63) / 6, 1))
        self.assertEqual(section.figure("total").format, "count")
        self.assertEqual(section.figure("average_age").format, "average")

    def test_average_age_is_exact_on_a_birthday_and_the_day_before_it(self):
        day_before = Period(D(2023, 7, 1), D(2024, 6, 29))
        # On 29 June 2024 李 (born 30 June 1990) is still 33; 周 and 陈 are in post, 钱 is too.
        data = cadres_section(context(self.lena, self.city, day_before)).data
        self.assertEqual(data["total"], 6)  # 钱 in, 陈 not yet
        self.assertEqual(data["average_age"], round((44 + 33 + 32 + 53 + 39 + 64) / 6, 1))

    def test_rows_by_child_and_the_organizations_own(self):
        city = cadres_section(context(self.lena, self.city))
        self.assertEqual(
            [key for key, _label, _format in city.columns],
            [
                "total",
                "by_rank.deputy_division",
                "by_rank.section",
                "by_rank.deputy_section",
                "by_rank.unit",
                "social_workers",
                "full_time",
                "average_age",
                "college_or_higher",
            ],
        )
        rows = {row.organization: [cell.value for cell in row.cells] for row in city.children}
        self.assertEqual(
            rows,
            {
                self.district_a: [5, 1, 1, 0, 2, 1, 2, 40.8, 3],  # (44 + 34 + 32 + 53) / 4 = 40.75
                self.district_b: [1, 0, 1, 0, 0, 1, 1, 39.0, 1],
            },
        )
        district = cadres_section(context(self.alice, self.district_a))
        rows = [(row.organization, row.own, [cell.value for cell in row.cells]) for row in district.children]
        self.assertEqual(
            rows,
            [
                # 李 is chair of the school's union, and vice-chair of the district federation.
                (self.union_a, False, [2, 0, 1, 0, 0, 0, 0, 33.0, 1]),
                (self.district_a, True, [4, 1, 0, 1, 2, 1, 3, 43.7, 3]),
            ],
        )

    def test_each_figure_and_cell_links_to_a_list_of_exactly_the_cadres_it_counts(self):
        for user, organization in ((self.lena, self.city), (self.alice, self.district_a)):
            section = cadres_section(context(user, organization))
            for figure in section.figures:
                if figure.link is None:
                    self.assertEqual(figure.key, "by_education.unspecified")
                    continue
                count = self.listed(user, figure.link)
                expected = section.data["total"] if figure.key == "average_age" else figure.value
                self.assertEqual(count, expected, (organization, figure.key))
            for row in section.children:
                for (key, _label, _format), cell in zip(section.columns, row.cells, strict=True):
                    count = self.listed(user, cell.link)
                    expected = row.cells[0].value if key == "average_age" else cell.value
                    self.assertEqual(count, expected, (organization, row.organization, key))

    def test_the_rank_link_lists_the_principal_post_only(self):
        section = cadres_section(context(self.lena, self.city))
        link = section.figure("by_rank.section").link
        self.assertEqual(
            self.params(link),
            {
                "branch": str(self.city.pk),
                "on": "2024-06-30",
                "per_cadre": "true",
                "staffing_not": "social_worker",
                "rank": "section",
            },
        )
        posts = self.follow(self.lena, link).context["filter"].qs
        self.assertEqual(sorted(p.cadre.full_name for p in posts), ["吴主席", "李副主席"])
        every_post = self.follow(self.lena, section.figure("by_rank.deputy_section").link.replace("true", "false"))
        self.assertEqual([p.cadre.full_name for p in every_post.context["filter"].qs], ["李副主席"])

    def test_a_district_leader_gets_nothing_of_the_other_district(self):
        own = cadres_section(context(self.leo, self.district_b)).data
        self.assertEqual((own["total"], own["social_workers"], own["average_age"]), (1, 1, 39.0))
        city = cadres_section(context(self.leo, self.city))
        self.assertEqual((city.data["total"], city.data["social_workers"]), (1, 1))
        self.assertEqual([row.organization for row in city.children], [self.district_b])

    def test_no_cadres_no_average(self):
        quiet = make_org(self.city, "丙区总工会", "county_federation")
        data = cadres_section(context(self.lena, quiet)).data
        self.assertEqual((data["total"], data["average_age"], data["by_rank"]["section"]), (0, None, 0))

    def test_queries_do_not_grow_with_children_or_cadres(self):
        city = context(self.lena, self.city)
        with self.assertNumQueries(3):
            cadres_section(city)
        for n in range(4):
            union = make_org(self.district_a, f"甲区新工会{n}")
            post(cadre(union, f"新主席{n}", birth=D(1980, 1, 1)), union, Position.CHAIR, Rank.UNIT)
        self.district_a.refresh_from_db()
        district = context(self.alice, self.district_a)
        self.assertEqual(len(district.children), 5)
        with self.assertNumQueries(3):
            section = cadres_section(district)
        self.assertEqual(section.data["total"], 9)


class TrainingSectionTest(SectionTestCase):
    """Courses starting from 1 July 2023 to 30 June 2024:
    - 甲区总工会, 1 July 2023 (the first day): 16 hours, 2 cadres + 100 others = 102;
    - 甲区第一中学工会, 30 June 2024 (the last day): 7.5 hours in 3 sessions, 1 cadre + 60
      others (already person-times over the sessions) = 61;
    - 乙区总工会, 10 January 2024: 4 hours, 1 cadre + 20 others = 21;
    - 甲区总工会 on 30 June 2023 (the year before: 8 hours, 10 others) and 1 July 2024 (after).
    The city: 3 courses, 184 person-times, 27.5 hours."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        a, b = cls.district_a, cls.district_b
        people = [cadre(a, f"学员{n}") for n in range(3)]
        wu = cadre(cls.union_b, "吴主席")
        course(a, "工会业务培训班", D(2023, 7, 1), 16, other=100, attendees=people[:2])
        course(cls.union_a, "职工技能培训班", D(2024, 6, 30), "7.5", other=60, sessions=3, attendees=people[2:])
        course(b, "乙区干部培训班", D(2024, 1, 10), 4, other=20, attendees=[wu])
        course(a, "上年培训班", D(2023, 6, 30), 8, other=10)
        course(a, "下年培训班", D(2024, 7, 1), 12, other=30, attendees=people)

    def test_courses_person_times_and_hours_of_the_city(self):
        section = training_section(context(self.lena, self.city))
        self.assertEqual(section.data, {"courses": 3, "person_times": 184, "hours": 27.5})
        previous = {figure.key: figure.previous for figure in section.figures}
        self.assertEqual(previous, {"courses": 1, "person_times": 10, "hours": Decimal(8)})
        self.assertEqual(section.figure("hours").value, Decimal("27.5"))

    def test_rows_by_child_and_own_courses(self):
        city = training_section(context(self.lena, self.city))
        rows = [(row.organization, row.own, [cell.value for cell in row.cells]) for row in city.children]
        self.assertEqual(
            rows,
            [
                (self.district_a, False, [2, 163, Decimal("23.5")]),
                (self.district_b, False, [1, 21, Decimal(4)]),
            ],
        )
        district = training_section(context(self.alice, self.district_a))
        self.assertEqual(district.data, {"courses": 2, "person_times": 163, "hours": 23.5})
        rows = [(row.organization, row.own, [cell.value for cell in row.cells]) for row in district.children]
        self.assertEqual(
            rows,
            [(self.union_a, False, [1, 61, Decimal("7.5")]), (self.district_a, True, [1, 102, Decimal(16)])],
        )

    def test_links_list_the_courses_whose_figures_add_up(self):
        for user, organization in ((self.lena, self.city), (self.alice, self.district_a)):
            section = training_section(context(user, organization))
            cells = [(figure.key, figure.value, figure.link) for figure in section.figures]
            cells += [
                (key, cell.value, cell.link)
                for row in section.children
                for (key, _label, _format), cell in zip(section.columns, row.cells, strict=True)
            ]
            for key, value, link in cells:
                courses = list(self.follow(user, link).context["filter"].qs)
                listed = {
                    "courses": len(courses),
                    "person_times": sum(course.person_times for course in courses),
                    "hours": sum((course.hours for course in courses), Decimal(0)),
                }
                self.assertEqual(listed[key], value, (organization, key, link))

    def test_a_district_leader_gets_nothing_of_the_other_district(self):
        self.assertEqual(
            training_section(context(self.leo, self.district_b)).data, {"courses": 1, "person_times": 21, "hours": 4}
        )
        self.assertEqual(
            training_section(context(self.leo, self.city)).data, {"courses": 1, "person_times": 21, "hours": 4}
        )

    def test_queries_do_not_grow_with_children_or_courses(self):
        city = context(self.lena, self.city)
        with self.assertNumQueries(2):
            training_section(city)
        for n in range(4):
            union = make_org(self.district_a, f"甲区新工会{n}")
            course(union, f"新培训班{n}", D(2024, 3, 1), 2, other=5, attendees=[cadre(union, f"新学员{n}")])
        self.district_a.refresh_from_db()
        district = context(self.alice, self.district_a)
        with self.assertNumQueries(2):
            section = training_section(district)
        self.assertEqual(section.data["courses"], 6)


class DemoSectionsTest(TestCase):
    """The demo data give back the seeds' figures in every section of the cadres and
    organizations apps (one class, so that load_demo runs once)."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        cls.root = User.objects.create_superuser("demo_root", "", PASSWORD)

    def test_pingtang_has_233_cadres_by_rank_and_9_social_workers_on_31_march_2018(self):
        pingtang = Organization.objects.get(name="平塘县总工会")
        data = cadres_section(context(self.root, pingtang, Period(D(2018, 1, 1), D(2018, 3, 31)))).data
        self.assertEqual(data["total"], 233)
        self.assertEqual(
            {rank: n for rank, n in data["by_rank"].items() if n},
            {"deputy_division": 1, "section": 17, "deputy_section": 91, "unit": 124},
        )
        self.assertEqual(data["social_workers"], 9)

    def test_shuangyashan_districts_in_2012(self):
        city = Organization.objects.get(name="双鸭山市总工会")
        section = cadres_section(context(self.root, city, Period.year(2012)))
        data = section.data
        self.assertEqual((data["total"], data["average_age"], data["college_or_higher"]), (24, 39.0, 24))
        self.assertEqual(data["by_rank"]["deputy_division"], 4)
        self.assertEqual((data["by_position"]["chair"], data["by_position"]["vice_chair"]), (4, 6))
        self.assertEqual([row.cells[0].value for row in section.children], [6, 6, 6, 6])

    def test_shuangyashan_trained_1800_people_in_16_hours_in_2011(self):
        city = Organization.objects.get(name="双鸭山市总工会")
        data = training_section(context(self.root, city, Period.year(2011))).data
        self.assertEqual(data, {"courses": 1, "person_times": 1800, "hours": 16})

    def test_pingtang_courses_give_the_summary_person_times(self):
        pingtang = Organization.objects.get(name="平塘县总工会")
        section = training_section(context(self.root, pingtang, Period(D(2014, 1, 1), D(2018, 3, 31))))
        # 52 union heads + 8 leadership + 12 Xiamen + 5 Guangzhou + 500 + 140 + 860.
        self.assertEqual(section.data["person_times"], 52 + 8 + 12 + 5 + 500 + 140 + 860)
        self.assertEqual(section.data["courses"], 8)
        self.assertTrue(section.children[-1].own)
        self.assertEqual(OWN, "__own__")

    def test_pingtang_has_506_unions_285_of_organs_and_221_of_enterprises(self):
        pingtang = Organization.objects.get(name="平塘县总工会")
        period = Period(D(2018, 1, 1), D(2018, 3, 31))
        data = organizations_section(context(self.root, pingtang, period)).data
        self.assertEqual((data["total"], data["organ"], data["enterprise"]), (506, 285, 221))

    def test_each_shuangyashan_district_received_30000_in_2012(self):
        city = Organization.objects.get(name="双鸭山市总工会")
        section = funds_section(context(self.root, city, Period.year(2012)))
        received = {row.organization.name: row.cells[0].value for row in section.children if not row.own}
        self.assertEqual(set(received.values()), {Decimal("30000.00")})
        self.assertEqual(len(received), 4)
        self.assertEqual(section.data["allocated"], "120000.00")
        baoshan = funds_section(context(self.root, Organization.objects.get(name="宝山区总工会"), Period.year(2012)))
        self.assertEqual(
            (baoshan.data["received"], baoshan.data["government"]),
            ("30000.00", "100000.00"),
        )
