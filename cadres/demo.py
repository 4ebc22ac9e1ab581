"""Demo cadres and training of seeds/README.md, with invented names and ID numbers.

ID numbers carry the unassigned county codes 522799 (Qiannan) and 230599 (Shuangyashan), so
they pass the GB 11643 check but can belong to nobody. No demo birthday falls in January, so
ages are the same at the end of a year and on 23 January after it (the Shuangyashan report)."""

import datetime
import random
from decimal import Decimal

from simple_history.utils import bulk_create_with_history

from cadres.models import (
    Attendance,
    Cadre,
    Education,
    Gender,
    PoliticalStatus,
    Position,
    Post,
    Rank,
    SelectionMethod,
    Staffing,
    Training,
    TrainingCategory,
)
from organizations.demo import demo_reason
from organizations.models import OrganizationKind
from unionportal.validators import resident_id_check_char

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾韦夏付方邹熊白孟秦邱侯江尹薛闫段雷龙"
    "黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔"
)
GIVEN = "明华建国军平志伟芳红英丽敏静霞秀兰玉梅强磊涛斌浩勇杰峰鹏宇辉刚健波超亮俊林海燕丹琳雪婷娟萍洁慧颖晶莉倩云飞"

PINGTANG_DAY = datetime.date(2018, 3, 31)
SHUANGYASHAN_DAY = datetime.date(2013, 1, 23)


class _People:
    def __init__(self, seed, region):
        self.rng = random.Random(seed)
        self.region = region
        self.serial = 0

    def name(self):
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.7 else "")
        return self.rng.choice(SURNAMES) + given

    def birth_date(self, age, on_day):
        """A birth date (February to November) that makes the person exactly `age` on `on_day`."""
        month, day = self.rng.randint(2, 11), self.rng.randint(1, 28)
        year = on_day.year - age - (1 if (month, day) > (on_day.month, on_day.day) else 0)
        return datetime.date(year, month, day)

    def id_number(self, birth, gender):
        self.serial += 1
        sequence = f"{self.serial % 500:03d}"
        odd = int(sequence[-1]) % 2 == 1
        if odd != (gender == Gender.MALE):
            sequence = sequence[:2] + str((int(sequence[-1]) + 1) % 10)
        body = f"{self.region}{birth:%Y%m%d}{sequence}"
        return body + resident_id_check_char(body)

    def mobile(self):
        return f"13{self.rng.randint(0, 9)}{self.rng.randint(0, 99999999):08d}"


def _cadre(people, organization, age, on_day, education, gender=None, status=PoliticalStatus.PARTY_MEMBER):
    gender = gender or (Gender.MALE if people.rng.random() < 0.6 else Gender.FEMALE)
    birth = people.birth_date(age, on_day)
    return Cadre(
        full_name=people.name(),
        gender=gender,
        birth_date=birth,
        ethnicity="汉族" if people.rng.random() < 0.7 else people.rng.choice(["布依族", "苗族", "毛南族", "水族"]),
        education=education,
        political_status=status,
        id_number=people.id_number(birth, gender),
        mobile=people.mobile(),
        organization=organization,
    )


def _age(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _save(cadre, posts):
    """Save a cadre and their posts unless a cadre of that ID number is on record already."""
    existing = Cadre.objects.filter(id_number=cadre.id_number).first()
    if existing:
        return existing
    cadre._change_reason = demo_reason()
    cadre.save()
    for fields in posts:
        post = Post(cadre=cadre, organization=cadre.organization, **fields)
        post._change_reason = demo_reason()
        post.save()
    return cadre


# Shuangyashan, 23 January 2013: 6 staff in each district federation; vice-chairs 1/2/2/1, one
# of them at 副科级 sent by the city federation; 18 of the 24 sent from the city's institutions.
# Where there are two vice-chairs the second is elected locally, so those districts have one
# fewer seconded person: 5 + 4 + 4 + 5 = 18.
SHUANGYASHAN_TEAMS = {
    "尖山区总工会": {"vice_chairs": 1, "seconded": 5},
    "岭东区总工会": {"vice_chairs": 2, "seconded": 4},
    "四方台区总工会": {"vice_chairs": 2, "seconded": 4},
    "宝山区总工会": {"vice_chairs": 1, "seconded": 5},
}
# Ages of the six in each district on 23 January 2013: 234 each, 936 in all, 39.0 on average.
SHUANGYASHAN_AGES = [48, 44, 40, 36, 34, 32]


def load_shuangyashan(organizations):
    people = _People(2013, "230599")
    cadres = []
    for district, team in SHUANGYASHAN_TEAMS.items():
        organization = organizations[district]
        for index, age in enumerate(SHUANGYASHAN_AGES):
            education = [Education.BACHELOR, Education.COLLEGE, Education.POSTGRADUATE][index % 3]
            cadre = _cadre(people, organization, age, SHUANGYASHAN_DAY, education)
            local_vice_chair = index == 2 and team["vice_chairs"] == 2
            sent = [i for i in range(1, 6) if not (i == 2 and team["vice_chairs"] == 2)][: team["seconded"]]
            seconded = index in sent and not local_vice_chair
            if index == 0:
                post = {
                    "position": Position.CHAIR,
                    "rank": Rank.DEPUTY_DIVISION,
                    "full_time": True,
                    "staffing": Staffing.CIVIL_SERVICE,
                    "selection_method": SelectionMethod.OPEN_SELECTION,
                    "start": datetime.date(2011, 9, 1),
                }
            elif index == 1:
                # The vice-chair sent by the city federation, at 副科级, keeping their post.
                post = {
                    "position": Position.VICE_CHAIR,
                    "rank": Rank.DEPUTY_SECTION,
                    "full_time": True,
                    "staffing": Staffing.INSTITUTION,
                    "selection_method": SelectionMethod.APPOINTMENT,
                    "start": datetime.date(2011, 10, 1),
                }
            elif local_vice_chair:
                post = {
                    "position": Position.VICE_CHAIR,
                    "rank": Rank.DEPUTY_SECTION,
                    "full_time": True,
                    "staffing": Staffing.CIVIL_SERVICE,
                    "selection_method": SelectionMethod.ELECTION,
                    "start": datetime.date(2010, 3, 1),
                }
            else:
                post = {
                    "position": Position.STAFF,
                    "rank": Rank.CLERK,
                    "full_time": True,
                    "selection_method": SelectionMethod.APPOINTMENT,
                    "start": datetime.date(2011, 10, 1),
                }
            post["seconded"] = seconded
            if index:
                # Those sent from the city's institutions keep their public-institution post.
                post["staffing"] = Staffing.INSTITUTION if seconded else Staffing.CIVIL_SERVICE
            cadres.append(_save(cadre, [post]))
    training = _training(
        organizations["双鸭山市总工会"],
        "2011年区总工会干部及职工培训",
        TrainingCategory.BUSINESS,
        datetime.date(2011, 5, 9),
        datetime.date(2011, 5, 12),
        hours=Decimal(16),
        other=1800 - len(cadres),
        place="双鸭山市工人文化宫",
    )
    _attend(training, cadres)
    return cadres


# Pingtang, 31 March 2018: 233 cadres in post = 1 副处级 + 17 正科级 + 91 副科级 + 124 股级,
# plus 9 contracted social workers.
PINGTANG_RANKS = {Rank.DEPUTY_DIVISION: 1, Rank.SECTION: 17, Rank.DEPUTY_SECTION: 91, Rank.UNIT: 124}


def _pingtang_posts(county, townships, grassroots):
    """(organization, position, rank, full-time, staffing) for the 233 posts and 9 social workers."""
    posts = [(county, Position.CHAIR, Rank.DEPUTY_DIVISION, True, Staffing.CIVIL_SERVICE)]
    posts += [(county, Position.EXECUTIVE_VICE_CHAIR, Rank.SECTION, True, Staffing.CIVIL_SERVICE)]
    posts += [(county, Position.VICE_CHAIR, Rank.SECTION, True, Staffing.CIVIL_SERVICE)] * 2
    posts += [(county, Position.STAFF, Rank.SECTION, True, Staffing.CIVIL_SERVICE)] * 5
    posts += [(township, Position.CHAIR, Rank.SECTION, False, Staffing.CIVIL_SERVICE) for township in townships[:9]]
    posts += [(county, Position.AUDIT_HEAD, Rank.DEPUTY_SECTION, True, Staffing.CIVIL_SERVICE)]
    posts += [(townships[9], Position.CHAIR, Rank.DEPUTY_SECTION, False, Staffing.CIVIL_SERVICE)]
    posts += [(t, Position.VICE_CHAIR, Rank.DEPUTY_SECTION, False, Staffing.CIVIL_SERVICE) for t in townships] * 2
    deputy_section_left = PINGTANG_RANKS[Rank.DEPUTY_SECTION] - 22
    posts += [
        (union, Position.CHAIR, Rank.DEPUTY_SECTION, False, Staffing.CIVIL_SERVICE)
        for union in grassroots[:deputy_section_left]
    ]
    posts += [
        (union, Position.CHAIR, Rank.UNIT, False, Staffing.OTHER)
        for union in grassroots[deputy_section_left : deputy_section_left + PINGTANG_RANKS[Rank.UNIT]]
    ]
    social = [(county, Position.STAFF, Rank.NONE, True, Staffing.SOCIAL_WORKER)] * 3
    social += [(township, Position.STAFF, Rank.NONE, True, Staffing.SOCIAL_WORKER) for township in townships[:6]]
    return posts, social


def load_pingtang(organizations):
    people = _People(2018, "522799")
    county = organizations["平塘县总工会"]
    townships = [
        o
        for o in organizations.values()
        if o.kind == OrganizationKind.TOWNSHIP_FEDERATION and o.path.startswith(county.path)
    ]
    grassroots = [
        o for o in organizations.values() if o.kind == OrganizationKind.GRASSROOTS and o.path.startswith(county.path)
    ]
    posts, social = _pingtang_posts(county, townships, grassroots)
    cadres = []
    for organization, position, rank, full_time, staffing in posts + social:
        age = people.rng.randint(26, 56)
        education = people.rng.choice(
            [
                Education.BACHELOR,
                Education.BACHELOR,
                Education.COLLEGE,
                Education.COLLEGE,
                Education.SECONDARY,
                Education.POSTGRADUATE,
            ]
        )
        cadre = _cadre(people, organization, age, PINGTANG_DAY, education)
        start = datetime.date(people.rng.randint(2008, 2017), people.rng.randint(1, 12), 1)
        cadres.append(
            _save(
                cadre,
                [
                    {
                        "position": position,
                        "rank": rank,
                        "full_time": full_time,
                        "staffing": staffing,
                        "selection_method": SelectionMethod.ELECTION
                        if position != Position.STAFF
                        else SelectionMethod.HIRE,
                        "start": start,
                    }
                ],
            )
        )
    # Three posts that ended before the report date and one begun after it: none counts on 31 March 2018.
    for organization, start, end in [
        (grassroots[0], datetime.date(2012, 3, 1), datetime.date(2016, 6, 30)),
        (grassroots[1], datetime.date(2013, 5, 1), datetime.date(2017, 12, 31)),
        (townships[0], datetime.date(2014, 1, 1), datetime.date(2018, 3, 30)),
        (county, datetime.date(2018, 4, 1), None),
    ]:
        cadre = _cadre(people, organization, people.rng.randint(30, 50), PINGTANG_DAY, Education.BACHELOR)
        _save(
            cadre,
            [
                {
                    "position": Position.COMMITTEE_MEMBER,
                    "rank": Rank.UNIT,
                    "full_time": False,
                    "staffing": Staffing.OTHER,
                    "start": start,
                    "end": end,
                }
            ],
        )
    _pingtang_training(county, cadres)
    return cadres


def _training(organizer, title, category, start, end, *, hours, other=0, sessions=1, place=""):
    training, _created = Training.objects.get_or_create(
        organizer=organizer,
        title=title,
        start=start,
        defaults={
            "category": category,
            "end": end,
            "hours": hours,
            "other_attendees": other,
            "sessions": sessions,
            "place": place,
        },
    )
    return training


def _attend(training, cadres):
    have = set(training.attendances.values_list("cadre_id", flat=True))
    bulk_create_with_history(
        [Attendance(training=training, cadre=cadre) for cadre in cadres if cadre.pk not in have],
        Attendance,
        default_change_reason=demo_reason(),
    )


def _pingtang_training(county, cadres):
    heads = [c for c in cadres if c.organization.kind == OrganizationKind.GRASSROOTS][:52]
    leaders = cadres[:4]
    courses = [
        (
            "学习贯彻党的十九大精神基层工会主席培训班",
            TrainingCategory.POLITICAL,
            datetime.date(2017, 11, 20),
            16,
            0,
            1,
            "平塘县委党校",
            heads,
        ),
        ("全省工会领导干部培训班", TrainingCategory.LEADERSHIP, datetime.date(2016, 6, 13), 40, 0, 1, "贵阳", leaders),
        ("全州工会领导干部培训班", TrainingCategory.LEADERSHIP, datetime.date(2017, 5, 8), 32, 0, 1, "都匀", leaders),
        (
            "工会干部厦门专题培训班",
            TrainingCategory.BUSINESS,
            datetime.date(2017, 9, 4),
            40,
            0,
            1,
            "厦门",
            cadres[4:16],
        ),
        (
            "工会干部广州专题培训班",
            TrainingCategory.BUSINESS,
            datetime.date(2016, 10, 17),
            32,
            0,
            1,
            "广州",
            cadres[16:21],
        ),
        (
            "基层工会干部业务培训班",
            TrainingCategory.BUSINESS,
            datetime.date(2015, 7, 6),
            24,
            500,
            1,
            "平塘县总工会",
            [],
        ),
        ("旅游景区讲解员培训班", TrainingCategory.VOCATIONAL, datetime.date(2017, 4, 10), 48, 140, 4, "平塘县", []),
        (
            "酒店从业人员服务技能培训班",
            TrainingCategory.VOCATIONAL,
            datetime.date(2016, 8, 1),
            36,
            860,
            3,
            "平塘县",
            [],
        ),
    ]
    for title, category, start, hours, other, sessions, place, attendees in courses:
        training = _training(
            county,
            title,
            category,
            start,
            start + datetime.timedelta(days=4),
            hours=Decimal(hours),
            other=other,
            sessions=sessions,
            place=place,
        )
        _attend(training, attendees)


def load(organizations):
    """Both federations' cadres and courses (idempotent); `organizations` maps names to records."""
    return load_shuangyashan(organizations) + load_pingtang(organizations)
