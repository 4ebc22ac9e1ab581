"""The synthetic population the benchmark measures: one province federation → cities →
counties (districts) → townships → grassroots unions, with cadres and their posts, training,
activities, honours, hardship files, programmes, five years of disbursements, membership
figures and fund allocations, in the sizes of issue 8's tiers.

Deterministic: every value comes from one `random.Random` seeded with the tier, the generator
version and the anchor year, so two builds of a tier are identical row for row (the checksum
says so). Fast: rows are tuples written straight to the tables, `executemany` on SQLite and
`COPY` on PostgreSQL, with explicit primary keys so that foreign keys need no lookups, and
the treebeard paths, depths and child counts computed here (steplen 4, base 36, as
`Organization` declares them). Model instances, `save()` and signals are skipped on purpose:

- no history rows: the population is not user data, and no measured page reads history;
- no cache bumps from signals: `bump_branch("")` runs once at the end instead.

Resident ID numbers are invented with a valid check digit in the unassigned area code 522799
(as relief/demo.py does): serial i gives a distinct birth date and sequence number, so every
number is unique across cadres and hardship files.
"""

import datetime
import hashlib
import io
import json
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction

from activities.models import Activity, ActivityKind, Honour, HonourStatus, HonourTitle, RecipientType
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
from organizations.models import FundAllocation, MembershipFigure, Organization, OrganizationKind, Purpose, UnitType
from relief.models import (
    Beneficiary,
    BeneficiaryStatus,
    Cause,
    Disbursement,
    DisbursementStatus,
    HardshipLevel,
    Programme,
)
from standards.demo import EIGHT_GOODS, STAR_STANDARD
from standards.models import Assessment, AssessmentItem, AssessmentStatus, Criterion, RatingThreshold, Standard
from unionportal.roles import Role
from unionportal.validators import resident_id_check_char

# Bump when the generated rows change: a stored population of another version is rebuilt.
GENERATOR_VERSION = "2"  # 2: standards and their assessments
MARKER_TABLE = "bench_population"
PASSWORD = "Bench-Password-2026"
USERS = {
    # username: (role, where) — where is "root" (the province federation) or "district"
    "bench_leader": (Role.LEADER, "root"),
    "bench_admin": (Role.ADMIN, "root"),
    "bench_staff": (Role.STAFF, "district"),
    "bench_district_leader": (Role.LEADER, "district"),
}


@dataclass(frozen=True)
class Tier:
    name: str
    cities: int  # per province
    counties: int  # per city
    townships: int  # per county
    organizations: int
    cadres: int
    activities: int
    honours: int
    beneficiaries: int
    disbursements: int  # over five years


TIERS = {
    # A few dozen rows, for the test suite only.
    "test": Tier("test", 1, 2, 2, 60, 150, 150, 60, 120, 600),
    "county": Tier("county", 2, 3, 8, 3_000, 10_000, 2_500, 500, 3_000, 50_000),
    "city": Tier("city", 4, 6, 12, 25_000, 50_000, 10_000, 2_500, 50_000, 500_000),
    "province": Tier("province", 14, 8, 15, 250_000, 1_000_000, 100_000, 25_000, 250_000, 2_500_000),
}

ALPHABET = Organization.alphabet
STEPLEN = Organization.steplen
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "明华建国军平志伟芳红英丽敏静霞秀兰玉梅强磊涛斌浩勇杰峰鹏宇辉刚健波超亮俊林海燕丹琳雪婷娟萍洁慧颖晶莉倩云飞"
UNIT_TYPES = [
    (UnitType.ORGAN, 25),
    (UnitType.INSTITUTION, 15),
    (UnitType.STATE_ENTERPRISE, 10),
    (UnitType.PRIVATE_ENTERPRISE, 35),
    (UnitType.SOCIAL_ORGANIZATION, 5),
    (UnitType.COMMUNITY, 6),
    (UnitType.RELOCATION_SITE, 2),
    (UnitType.OTHER, 2),
]
UNIT_WORDS = {
    UnitType.ORGAN: "局机关",
    UnitType.INSTITUTION: "中心",
    UnitType.STATE_ENTERPRISE: "国有公司",
    UnitType.PRIVATE_ENTERPRISE: "有限公司",
    UnitType.SOCIAL_ORGANIZATION: "协会",
    UnitType.COMMUNITY: "社区",
    UnitType.RELOCATION_SITE: "安置点",
    UnitType.OTHER: "单位",
}
PROGRAMMES = [
    # name, standard amount, cap per person
    ("两节送温暖", Decimal("1000"), Decimal("2000")),
    ("金秋助学", Decimal("3000"), Decimal("5000")),
    ("大病救助", Decimal("6800"), Decimal("10000")),
    ("就业援助", Decimal("1500"), Decimal("3000")),
    ("节日慰问", Decimal("800"), Decimal("2000")),
]
GROUPS = ["环卫工人", "一线职工（高温慰问）", "留守儿童和空巢老人", "农民工", "快递小哥"]
ACTIVITY_WORDS = {
    ActivityKind.COMPETITION: "劳动竞赛",
    ActivityKind.SKILLS_CONTEST: "职工技能比武",
    ActivityKind.CULTURAL: "职工文体活动",
    ActivityKind.READING: "职工读书征文",
    ActivityKind.SPEECH: "演讲比赛",
    ActivityKind.ART: "书画摄影展",
    ActivityKind.WALK: "健步走",
    ActivityKind.LECTURE: "政策宣讲",
    ActivityKind.EMPLOYMENT: "就业招聘会",
    ActivityKind.TRAINING: "职工技能培训",
    ActivityKind.VISIT: "走访慰问",
}
BATCH = 20_000


def weighted(rng, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def path_step(number):
    """The `number`th child's step of a materialized path (1-based), in base 36 over 4 chars."""
    digits = ""
    while number:
        number, digit = divmod(number, len(ALPHABET))
        digits = ALPHABET[digit] + digits
    return digits.rjust(STEPLEN, ALPHABET[0])


def resident_id(serial):
    """A unique, valid ID number of the unassigned area 522799: serial → (birth date, sequence).
    7919 is prime to 13,000, so the birth dates (1960–1995) are a permutation of the day numbers."""
    day = datetime.date(1960, 1, 1) + datetime.timedelta(days=(serial // 1000) * 7919 % 13_000)
    body = f"522799{day:%Y%m%d}{serial % 1000:03d}"
    return body + resident_id_check_char(body), day, Gender.MALE if serial % 2 else Gender.FEMALE


def person_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")


def random_day(rng, start, end):
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


# Writing.


class Writer:
    """Inserts rows (tuples in the order of `columns`) into a table, hashing them as it goes.
    Columns named in `unhashed` hold ids of rows created through the ORM (users), which depend
    on what the database held before; the checksum leaves them out."""

    def __init__(self, progress=None):
        self.vendor = connection.vendor
        self.digest = hashlib.sha256()
        self.counts = {}
        self.progress = progress

    def insert(self, model, columns, rows, *, unhashed=()):
        table = model._meta.db_table
        skip = {columns.index(name) for name in unhashed}
        batch = []
        for row in rows:
            self.digest.update(repr(tuple(v for i, v in enumerate(row) if i not in skip)).encode())
            batch.append(row)
            if len(batch) >= BATCH:
                self._flush(table, columns, batch)
                batch = []
        if batch:
            self._flush(table, columns, batch)
        self.counts.setdefault(table, 0)

    def _flush(self, table, columns, batch):
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                buffer = io.StringIO()
                for row in batch:
                    buffer.write("\t".join(_pg_text(value) for value in row))
                    buffer.write("\n")
                buffer.seek(0)
                names = ", ".join(f'"{name}"' for name in columns)
                cursor.cursor.copy_expert(f'COPY "{table}" ({names}) FROM STDIN', buffer)
            else:
                names = ", ".join(f'"{name}"' for name in columns)
                marks = ", ".join("?" for _ in columns)
                # The sqlite3 cursor itself: Django's wrapper would rewrite every row's params.
                raw = connection.connection.cursor()
                raw.executemany(
                    f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608 - our own table names
                    [_sqlite_row(r) for r in batch],
                )
        self.counts[table] = self.counts.get(table, 0) + len(batch)
        if self.progress is not None:
            self.progress.update(len(batch))

    @property
    def checksum(self):
        return self.digest.hexdigest()


def _plain(value):
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite_row(row):
    return tuple(int(v) if isinstance(v, bool) else _plain(v) for v in row)


def _pg_text(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(_plain(value))
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@contextmanager
def fast_bulk_load():
    """Foreign keys are right by construction: skip their per-row checks while loading."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = DEFAULT")
    elif connection.in_atomic_block:
        # Inside a transaction (the test suite) SQLite changes neither; its checks are deferred.
        yield
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA synchronous = OFF")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA foreign_keys = ON")
                cursor.execute("PRAGMA synchronous = NORMAL")


# The tables the population writes (with explicit keys: their sequences are reset after).
POPULATED_MODELS = [
    Organization,
    Cadre,
    Post,
    Training,
    Attendance,
    Activity,
    Honour,
    Beneficiary,
    Programme,
    Disbursement,
    MembershipFigure,
    FundAllocation,
    Standard,
    Criterion,
    RatingThreshold,
    Assessment,
    AssessmentItem,
]


# The population.


class Population:
    """Builds a tier's rows. `write=False` computes the same rows and checksum without writing."""

    def __init__(self, tier, year, progress=None):
        self.tier = TIERS[tier] if isinstance(tier, str) else tier
        self.year = year  # the current year: five years of records end in it
        self.years = list(range(year - 4, year + 1))
        self.today = min(datetime.date.today(), datetime.date(year, 12, 31))
        self.rng = random.Random(f"{self.tier.name}:{GENERATOR_VERSION}:{year}")
        self.writer = Writer(progress)
        self.serial = 0

    def next_id_number(self):
        self.serial += 1
        return resident_id(self.serial)

    def expected_rows(self):
        t = self.tier
        return t.organizations + 2 * t.cadres + t.activities + t.honours + t.beneficiaries + t.disbursements

    def build(self):
        if Organization.objects.exists():
            raise RuntimeError("the bench population goes into an empty database")
        with fast_bulk_load(), transaction.atomic():
            self.organizations()
            self.users = self.make_users()
            self.cadres()
            self.activities()
            self.honours()
            self.relief()
            self.membership_and_funds()
            self.assessments()
            self.reset_sequences()
        return self.writer.counts, self.writer.checksum

    # Organizations.

    def organizations(self):
        t, rng = self.tier, self.rng
        self.orgs = []  # (id, path, kind, unit_type, county index or None, name)
        self.county_of = {}  # org id → county index
        self.counties = []  # org ids of counties
        self.townships = []
        self.grassroots_by_county = []
        rows = []

        def add(parent, kind, name, unit_type="", established=None, deactivated=None, county=None):
            number = len(self.orgs) + 1
            index = parent["children"] + 1 if parent else len([o for o in self.orgs if o[2] == "root"]) + 1
            path = (parent["path"] if parent else "") + path_step(index)
            if parent:
                parent["children"] += 1
            node = {"id": number, "path": path, "children": 0, "depth": len(path) // STEPLEN}
            self.orgs.append((number, path, kind if parent else "root", unit_type, county, name))
            rows.append(
                [
                    number,
                    path,
                    node["depth"],
                    0,
                    name,
                    "",
                    parent["id"] if parent else None,
                    kind,
                    unit_type,
                    "",
                    established,
                    deactivated,
                    "",
                    "",
                    "",
                ]
            )
            if county is not None:
                self.county_of[number] = county
            return node

        # The top of the tree is a provincial federation; the portal's kinds stop at the city,
        # so it is stored as the highest kind there is.
        root = add(None, OrganizationKind.CITY_FEDERATION, "基准省总工会", established=datetime.date(1950, 5, 1))
        self.root_id, self.root_path = root["id"], root["path"]
        federations = []
        for c in range(t.cities):
            city = add(
                root, OrganizationKind.CITY_FEDERATION, f"基准第{c + 1}市总工会", established=datetime.date(1952, 1, 1)
            )
            federations.append(city)
            for k in range(t.counties):
                county_index = len(self.counties)
                county = add(
                    city,
                    OrganizationKind.COUNTY_FEDERATION,
                    f"基准第{c + 1}市第{k + 1}区县总工会",
                    established=datetime.date(1956, 1, 1),
                    county=county_index,
                )
                self.counties.append(county["id"])
                self.grassroots_by_county.append([])
                federations.append(county)
                for s in range(t.townships):
                    township = add(
                        county,
                        OrganizationKind.TOWNSHIP_FEDERATION,
                        f"基准{c + 1}-{k + 1}第{s + 1}乡镇工会联合会",
                        established=datetime.date(1985, 1, 1),
                        county=county_index,
                    )
                    township["county"] = county_index
                    self.townships.append(township)
        self.federation_count = len(self.orgs)
        remaining = t.organizations - len(self.orgs)
        start, end = datetime.date(1990, 1, 1), datetime.date(self.year - 1, 6, 30)
        for number in range(remaining):
            township = self.townships[number % len(self.townships)]
            unit_type = weighted(rng, UNIT_TYPES)
            kind = OrganizationKind.JOINT_GRASSROOTS if rng.random() < 0.1 else OrganizationKind.GRASSROOTS
            established = random_day(rng, start, end)
            deactivated = random_day(rng, established, self.today) if rng.random() < 0.02 else None
            node = add(
                township,
                kind,
                f"基准{township['id']}-{number + 1}{UNIT_WORDS[unit_type]}工会",
                unit_type,
                established,
                deactivated,
                township["county"],
            )
            self.grassroots_by_county[township["county"]].append(node["id"])
        # Child counts are known only now.
        children = {}
        for row in rows:
            if row[6] is not None:
                children[row[6]] = children.get(row[6], 0) + 1
        for row in rows:
            row[3] = children.get(row[0], 0)
        self.deactivated = {row[0] for row in rows if row[11] is not None}
        self.writer.insert(
            Organization,
            [
                "id",
                "path",
                "depth",
                "numchild",
                "name",
                "short_name",
                "parent_id",
                "kind",
                "unit_type",
                "credit_code",
                "established",
                "deactivated",
                "address",
                "phone",
                "contact_person",
            ],
            (tuple(row) for row in rows),
        )
        self.federation_ids = [o[0] for o in self.orgs[: self.federation_count]]
        self.grassroots_ids = [o[0] for o in self.orgs[self.federation_count :]]
        self.names = {o[0]: o[5] for o in self.orgs}
        self.kinds = {o[0]: o[2] for o in self.orgs}

    def make_users(self):
        """The people the benchmark logs in as, through the ORM (a handful of rows)."""
        User = get_user_model()
        district = Organization.objects.get(pk=self.counties[0])
        root = Organization.objects.get(pk=self.root_id)
        users = {}
        for username, (role, where) in USERS.items():
            user = User(
                username=username,
                full_name=username,
                role=role,
                organization=root if where == "root" else district,
            )
            user.set_password(PASSWORD)
            user.save()
            users[username] = user.pk
        return users

    # Cadres, posts, training.

    def cadres(self):
        t, rng = self.tier, self.rng
        staff_at = {"root": 20, OrganizationKind.CITY_FEDERATION: 15, OrganizationKind.COUNTY_FEDERATION: 10}
        places = []
        for org_id in self.federation_ids:
            places.extend([org_id] * staff_at.get(self.kinds[org_id], 4))
        places = places[: t.cadres * 3 // 10]
        while len(places) < t.cadres:
            places.append(rng.choice(self.grassroots_ids))
        cadre_rows, post_rows = [], []
        seen_chair = set()
        post_id = 0
        for number, org_id in enumerate(places, start=1):
            id_number, birth, gender = self.next_id_number()
            if rng.random() < 0.25:
                id_number = ""
            federation = self.kinds[org_id] not in (OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS)
            education = weighted(
                rng,
                [
                    (Education.POSTGRADUATE, 5),
                    (Education.BACHELOR, 40 if federation else 20),
                    (Education.COLLEGE, 30),
                    (Education.SECONDARY, 20),
                    (Education.JUNIOR_OR_BELOW, 5),
                ],
            )
            cadre_rows.append(
                (
                    number,
                    person_name(rng),
                    gender,
                    birth,
                    "汉族" if rng.random() < 0.85 else rng.choice(["布依族", "苗族", "水族", "满族", "回族"]),
                    education,
                    weighted(
                        rng, [(PoliticalStatus.PARTY_MEMBER, 60), (PoliticalStatus.MASSES, 30), ("league_member", 10)]
                    ),
                    id_number,
                    f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                    "",
                    org_id,
                )
            )
            if org_id not in seen_chair:
                seen_chair.add(org_id)
                position = Position.CHAIR
            else:
                position = weighted(
                    rng,
                    [
                        (Position.VICE_CHAIR, 15),
                        (Position.COMMITTEE_MEMBER, 35),
                        (Position.STAFF, 40),
                        (Position.AUDIT_HEAD, 5),
                        (Position.WOMEN_COMMITTEE_HEAD, 5),
                    ],
                )
            if federation:
                kind = self.kinds[org_id]
                if position == Position.CHAIR:
                    rank = Rank.DEPUTY_DIVISION if kind != OrganizationKind.TOWNSHIP_FEDERATION else Rank.DEPUTY_SECTION
                else:
                    rank = weighted(
                        rng, [(Rank.SECTION, 10), (Rank.DEPUTY_SECTION, 25), (Rank.UNIT, 35), (Rank.CLERK, 30)]
                    )
                staffing = weighted(
                    rng, [(Staffing.CIVIL_SERVICE, 50), (Staffing.INSTITUTION, 25), (Staffing.SOCIAL_WORKER, 25)]
                )
                full_time = True
            else:
                rank, staffing, full_time = Rank.NONE, Staffing.OTHER, rng.random() < 0.1
            start = random_day(rng, datetime.date(2005, 1, 1), datetime.date(self.year - 1, 12, 31))
            if rng.random() < 0.15:
                # An earlier post, ended: the list's "every post ever held" has more rows.
                post_id += 1
                earlier = random_day(rng, datetime.date(1995, 1, 1), start - datetime.timedelta(days=400))
                post_rows.append(
                    (
                        post_id,
                        number,
                        org_id,
                        Position.COMMITTEE_MEMBER,
                        Rank.NONE,
                        False,
                        Staffing.OTHER,
                        False,
                        "",
                        earlier,
                        start - datetime.timedelta(days=1),
                    )
                )
            post_id += 1
            post_rows.append(
                (
                    post_id,
                    number,
                    org_id,
                    position,
                    rank,
                    full_time,
                    staffing,
                    rng.random() < 0.05,
                    rng.choice([SelectionMethod.ELECTION, SelectionMethod.APPOINTMENT, ""]),
                    start,
                    None,
                )
            )
        self.cadre_count = len(cadre_rows)
        self.cadre_names = None
        self.writer.insert(
            Cadre,
            [
                "id",
                "full_name",
                "gender",
                "birth_date",
                "ethnicity",
                "education",
                "political_status",
                "id_number",
                "mobile",
                "photo",
                "organization_id",
            ],
            cadre_rows,
        )
        self.writer.insert(
            Post,
            [
                "id",
                "cadre_id",
                "organization_id",
                "position",
                "rank",
                "full_time",
                "staffing",
                "seconded",
                "selection_method",
                "start",
                "end",
            ],
            post_rows,
        )
        del cadre_rows, post_rows
        trainings = max(2, t.cadres // 100)
        training_rows, attendance_rows = [], []
        for number in range(1, trainings + 1):
            start = random_day(rng, datetime.date(self.years[0], 1, 1), self.today)
            hours = Decimal(rng.choice([8, 16, 24, 40]))
            training_rows.append(
                (
                    number,
                    f"工会干部培训班第{number}期",
                    rng.choice(self.federation_ids),
                    rng.choice([c.value for c in TrainingCategory]),
                    start,
                    start + datetime.timedelta(days=rng.randint(0, 4)),
                    "职工之家",
                    hours,
                    rng.randint(1, 3),
                    rng.randrange(0, 200),
                )
            )
            for cadre in rng.sample(range(1, self.cadre_count + 1), min(10, self.cadre_count)):
                attendance_rows.append((len(attendance_rows) + 1, number, cadre, None))
        self.writer.insert(
            Training,
            [
                "id",
                "title",
                "organizer_id",
                "category",
                "start",
                "end",
                "place",
                "hours",
                "sessions",
                "other_attendees",
            ],
            training_rows,
        )
        self.writer.insert(Attendance, ["id", "training_id", "cadre_id", "hours"], attendance_rows)

    # Activities and honours.

    def activities(self):
        rng = self.rng
        kinds = list(ActivityKind)

        def rows():
            for number in range(1, self.tier.activities + 1):
                kind = rng.choice(kinds)
                organizer = rng.choice(self.federation_ids) if rng.random() < 0.4 else rng.choice(self.grassroots_ids)
                start = random_day(rng, datetime.date(self.years[0], 1, 1), self.today)
                employment = kind == ActivityKind.EMPLOYMENT
                yield (
                    number,
                    f"{start.year}年{ACTIVITY_WORDS[kind]}（{number}）",
                    kind,
                    organizer,
                    None,
                    start,
                    start + datetime.timedelta(days=rng.randint(0, 3)),
                    "职工活动中心",
                    rng.randint(20, 2000),
                    rng.randint(0, 80) if kind in (ActivityKind.READING, ActivityKind.ART) else 0,
                    Decimal(rng.randint(0, 50_000)),
                    "",
                    rng.randint(100, 5000) if employment else 0,
                    rng.randint(5, 90) if employment else 0,
                    rng.randint(50, 5000) if employment else 0,
                    rng.randint(10, 500) if employment else 0,
                )

        self.writer.insert(
            Activity,
            [
                "id",
                "title",
                "kind",
                "organizer_id",
                "campaign_id",
                "start",
                "end",
                "place",
                "participants",
                "entries",
                "funds_spent",
                "description",
                "materials",
                "enterprises",
                "jobs_offered",
                "people_placed",
            ],
            rows(),
        )

    def honours(self):
        rng = self.rng
        titles = list(
            HonourTitle.objects.filter(owner=None).order_by("pk").values_list("pk", "recipient_type", "level")
        )
        count = len(self.orgs)
        # Each honour goes to a different organization (a permutation of the organizations), so
        # no two collide on the uniqueness of an honour per recipient and year.
        step = 7919 if count % 7919 else 7907

        def rows():
            for number in range(1, self.tier.honours + 1):
                org_id = self.orgs[(number * step) % count][0]
                title_id, recipient_type, _level = rng.choice(titles)
                individual = recipient_type == RecipientType.INDIVIDUAL
                status = weighted(
                    rng, [(HonourStatus.CONFERRED, 85), (HonourStatus.RECOMMENDED, 10), (HonourStatus.NOT_CONFERRED, 5)]
                )
                yield (
                    number,
                    title_id,
                    rng.choice(self.years),
                    org_id,
                    person_name(rng) if individual else "",
                    self.names[org_id] if individual else "",
                    None,
                    status,
                    "基准省总工会",
                    f"基工发〔{number}〕号",
                    None,
                )

        self.writer.insert(
            Honour,
            [
                "id",
                "title_id",
                "year",
                "organization_id",
                "recipient_name",
                "recipient_unit",
                "cadre_id",
                "status",
                "conferring_body",
                "document_number",
                "recommended_by_id",
            ],
            rows(),
        )

    # Relief.

    def relief(self):
        t, rng = self.tier, self.rng
        causes = [c.value for c in Cause]
        by_county = [[] for _ in self.counties]
        beneficiary_rows = []
        for number in range(1, t.beneficiaries + 1):
            county = rng.randrange(len(self.counties))
            units = self.grassroots_by_county[county] or [self.counties[county]]
            org_id = rng.choice(units)
            id_number, birth, gender = self.next_id_number()
            by_county[county].append(number)
            beneficiary_rows.append(
                (
                    number,
                    person_name(rng),
                    id_number,
                    birth,
                    gender,
                    org_id,
                    weighted(
                        rng, [(HardshipLevel.DEEP, 30), (HardshipLevel.RELATIVE, 60), (HardshipLevel.ACCIDENTAL, 10)]
                    ),
                    rng.sample(causes, rng.randint(1, 2)),
                    rng.randint(1, 6),
                    Decimal(rng.randint(300, 1200)),
                    f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                    "农村信用合作联社",
                    f"6228{rng.randrange(10**14, 10**15)}",
                    random_day(rng, datetime.date(self.years[0] - 3, 1, 1), datetime.date(self.year - 1, 12, 31)),
                    weighted(
                        rng,
                        [
                            (BeneficiaryStatus.ON_FILE, 85),
                            (BeneficiaryStatus.LIFTED, 10),
                            (BeneficiaryStatus.CLOSED, 5),
                        ],
                    ),
                )
            )
        self.writer.insert(
            Beneficiary,
            [
                "id",
                "full_name",
                "id_number",
                "birth_date",
                "gender",
                "organization_id",
                "hardship_level",
                "causes",
                "household_size",
                "monthly_income_per_head",
                "phone",
                "bank_name",
                "bank_account",
                "filed_on",
                "status",
            ],
            beneficiary_rows,
        )
        del beneficiary_rows
        # Every county runs the five programmes every year.
        programme_rows, programme_of = [], {}
        per_year = t.disbursements // len(self.counties) // len(self.years) + 1
        for county, county_id in enumerate(self.counties):
            for year in self.years:
                for name, standard, cap in PROGRAMMES:
                    number = len(programme_rows) + 1
                    budget = (standard * per_year).quantize(Decimal("1.00"))
                    programme_rows.append((number, name, year, county_id, budget, standard, cap))
                    programme_of[(county, year, name)] = (number, standard)
        self.writer.insert(
            Programme, ["id", "name", "year", "owner_id", "budget", "standard_amount", "cap_per_person"], programme_rows
        )
        staff = self.users["bench_staff"]
        this_year_end = self.today

        def rows():
            for number in range(1, t.disbursements + 1):
                county = rng.randrange(len(self.counties))
                year = rng.choice(self.years)
                name, _standard, _cap = rng.choice(PROGRAMMES)
                programme, standard = programme_of[(county, year, name)]
                end = this_year_end if year == self.year else datetime.date(year, 12, 31)
                day = random_day(rng, datetime.date(year, 1, 1), end)
                units = self.grassroots_by_county[county]
                payer = self.counties[county] if not units or rng.random() < 0.3 else rng.choice(units)
                people = by_county[county]
                if people and rng.random() < 0.9:
                    beneficiary, group, head_count = rng.choice(people), "", 1
                    cash, in_kind = standard, Decimal("0") if rng.random() < 0.7 else Decimal("200")
                else:
                    beneficiary, group, head_count = None, rng.choice(GROUPS), rng.randint(10, 100)
                    cash, in_kind = standard * head_count // 10 * 10, Decimal("0")
                if year == self.year:
                    status = weighted(
                        rng,
                        [
                            (DisbursementStatus.PAID, 75),
                            (DisbursementStatus.SUBMITTED, 12),
                            (DisbursementStatus.APPROVED, 8),
                            (DisbursementStatus.DRAFT, 5),
                        ],
                    )
                else:
                    status = weighted(
                        rng,
                        [
                            (DisbursementStatus.PAID, 97),
                            (DisbursementStatus.RETURNED, 2),
                            (DisbursementStatus.DRAFT, 1),
                        ],
                    )
                yield (
                    number,
                    programme,
                    beneficiary,
                    group,
                    head_count,
                    Decimal(cash).quantize(Decimal("1.00")),
                    in_kind.quantize(Decimal("1.00")),
                    day,
                    payer,
                    status,
                    "材料不全" if status == DisbursementStatus.RETURNED else "",
                    False,
                    None,
                    "",
                    staff,
                    staff if status != DisbursementStatus.DRAFT else None,
                    None,
                    None,
                    None,
                    None,
                )

        self.writer.insert(
            Disbursement,
            [
                "id",
                "programme_id",
                "beneficiary_id",
                "group_name",
                "head_count",
                "cash",
                "in_kind_value",
                "date",
                "paying_organization_id",
                "status",
                "return_reason",
                "historical",
                "reverses_id",
                "note",
                "created_by_id",
                "submitted_by_id",
                "approved_by_id",
                "paid_by_id",
                "approved_at",
                "paid_at",
            ],
            rows(),
            unhashed=("created_by_id", "submitted_by_id"),
        )

    # Membership figures and funds.

    def membership_and_funds(self):
        rng = self.rng
        grassroots = list(self.orgs[self.federation_count :])

        def figures():
            number = 0
            for org in grassroots:
                members = rng.randint(10, 2000)
                for year, filed in ((self.year - 1, 1.0), (self.year, 0.85)):
                    if rng.random() >= filed:
                        continue
                    number += 1
                    size = max(1, members + rng.randint(-20, 20))
                    yield (
                        number,
                        org[0],
                        year,
                        size,
                        size + rng.randint(0, 200),
                        size * rng.randint(20, 60) // 100,
                        size * rng.randint(0, 40) // 100,
                    )

        self.writer.insert(
            MembershipFigure,
            ["id", "organization_id", "year", "members", "employees", "women_members", "migrant_members"],
            figures(),
        )
        parent_of = {}
        for township in self.townships:
            parent_of[township["id"]] = self.counties[township["county"]]

        def allocations():
            number = 0
            for year in (self.year - 1, self.year):
                for township in self.townships:
                    number += 1
                    yield (
                        number,
                        parent_of[township["id"]],
                        "",
                        township["id"],
                        datetime.date(year, 1, 15),
                        Decimal(rng.randint(20, 200) * 1000),
                        Purpose.ROUTINE,
                        "",
                    )
                    if rng.random() < 0.5:
                        number += 1
                        yield (
                            number,
                            None,
                            "区政府",
                            township["id"],
                            datetime.date(year, 3, 1),
                            Decimal(rng.randint(5, 50) * 1000),
                            Purpose.OTHER,
                            "行政补助",
                        )
                for org in grassroots:
                    if rng.random() < 0.2:
                        number += 1
                        day = random_day(rng, datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), self.today))
                        yield (
                            number,
                            self.counties[org[4]],
                            "",
                            org[0],
                            day,
                            Decimal(rng.randint(1, 30) * 1000),
                            rng.choice([Purpose.ACTIVITY_SUBSIDY, Purpose.BOOKS, Purpose.EQUIPMENT, Purpose.RELIEF]),
                            "",
                        )

        self.writer.insert(
            FundAllocation,
            ["id", "source_id", "source_name", "recipient_id", "date", "amount", "purpose", "note"],
            allocations(),
        )

    # Standards and assessments.

    def assessments(self):
        """The province's two standards of the demo (seed 003's star standard for grassroots
        unions, the "eight goods" for township federations) and their assessments of the last
        three years: every township federation each year, and a sixth of the grassroots unions
        still active, most of them each year. Each assessment has an item per criterion; its
        score, verdict and stars are `Standard.verdict` of those items. The years gone by are
        mostly approved; the current one is in progress."""
        rng = self.rng
        specs = [(1, STAR_STANDARD), (2, EIGHT_GOODS)]
        standards, criteria, thresholds = [], [], []
        criteria_of = {}  # standard id → [(criterion id, points)]
        for standard_id, spec in specs:
            standards.append(
                (
                    standard_id,
                    spec["name"],
                    self.root_id,
                    list(spec["kinds"]),
                    spec["description"],
                    Decimal(spec["pass_points"]),
                    spec["expected_chair_rank"],
                    True,
                )
            )
            for order, (code, title, category, points, must_pass, measure, threshold) in enumerate(spec["criteria"]):
                criterion_id = len(criteria) + 1
                criteria.append(
                    (
                        criterion_id,
                        standard_id,
                        code,
                        title,
                        category,
                        Decimal(points),
                        must_pass,
                        measure,
                        threshold,
                        order,
                    )
                )
                criteria_of.setdefault(standard_id, []).append((criterion_id, Decimal(points)))
            for stars, least, requires in spec["thresholds"]:
                thresholds.append((len(thresholds) + 1, standard_id, stars, Decimal(least), requires))
        self.writer.insert(
            Standard,
            ["id", "name", "owner_id", "kinds", "description", "pass_points", "expected_chair_rank", "active"],
            standards,
        )
        self.writer.insert(
            Criterion,
            ["id", "standard_id", "code", "title", "category", "points", "must_pass", "measure", "threshold", "order"],
            criteria,
        )
        self.writer.insert(
            RatingThreshold, ["id", "standard_id", "rating", "min_points", "requires_all_must_pass"], thresholds
        )
        star_kinds = set(STAR_STANDARD["kinds"])
        assessed = [(township["id"], 2) for township in self.townships]
        assessed += [
            (org[0], 1)
            for org in self.orgs[self.federation_count :]
            if org[2] in star_kinds and rng.random() < 1 / 6 and org[0] not in self.deactivated
        ]
        marks = []  # (assessment id, standard id, met per criterion)

        # The score, verdict and stars as the portal computes them (`Standard.verdict`), from
        # the standards and criteria just written.
        written = {standard.pk: standard for standard in Standard.objects.prefetch_related("thresholds")}
        criterion_of = Criterion.objects.in_bulk()

        def verdict(standard_id, met):
            items = [
                (criterion_of[criterion_id], is_met, points)
                for (criterion_id, points), is_met in zip(criteria_of[standard_id], met, strict=True)
            ]
            score, _must_pass_met, compliant, rating = written[standard_id].verdict(items)
            return score, compliant, rating

        def rows():
            number = 0
            for year in (self.year - 2, self.year - 1, self.year):
                current = year == self.year
                submitted_at = datetime.datetime(year, 11, 20, 2, tzinfo=datetime.UTC)
                approved_at = datetime.datetime(year, 12, 10, 2, tzinfo=datetime.UTC)
                for org_id, standard_id in assessed:
                    if standard_id == 1 and rng.random() >= 0.9:
                        continue
                    number += 1
                    quality = rng.uniform(0.5, 1.0)
                    met = [rng.random() < quality for _criterion in criteria_of[standard_id]]
                    score, compliant, rating = verdict(standard_id, met)
                    if current:
                        status = weighted(rng, [(AssessmentStatus.DRAFT, 7), (AssessmentStatus.SUBMITTED, 3)])
                    else:
                        status = weighted(
                            rng,
                            [
                                (AssessmentStatus.APPROVED, 90),
                                (AssessmentStatus.SUBMITTED, 7),
                                (AssessmentStatus.RETURNED, 3),
                            ],
                        )
                    marks.append((number, standard_id, met))
                    yield (
                        number,
                        org_id,
                        standard_id,
                        year,
                        status,
                        score,
                        compliant,
                        rating,
                        "",
                        "材料不全" if status == AssessmentStatus.RETURNED else "",
                        None,
                        None,
                        submitted_at if status != AssessmentStatus.DRAFT else None,
                        None,
                        approved_at if status == AssessmentStatus.APPROVED else None,
                    )

        self.writer.insert(
            Assessment,
            [
                "id",
                "organization_id",
                "standard_id",
                "year",
                "status",
                "score",
                "compliant",
                "rating",
                "note",
                "return_reason",
                "created_by_id",
                "submitted_by_id",
                "submitted_at",
                "approved_by_id",
                "approved_at",
            ],
            rows(),
        )

        def items():
            number = 0
            for assessment_id, standard_id, met in marks:
                for (criterion_id, points), is_met in zip(criteria_of[standard_id], met, strict=True):
                    number += 1
                    yield (number, assessment_id, criterion_id, is_met, points if is_met else Decimal(0), "", "")

        self.writer.insert(
            AssessmentItem, ["id", "assessment_id", "criterion_id", "met", "points", "note", "measured"], items()
        )

    def reset_sequences(self):
        models = POPULATED_MODELS
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


# The marker: which population the database holds.


def definition(tier):
    """The tier's sizes as stored in the marker: a changed tier is a different population."""
    return repr(TIERS[tier])


def read_marker():
    """The stored marker as a dict, or None when the database holds no finished population."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if MARKER_TABLE not in tables:
            return None
        cursor.execute(f"SELECT key, value FROM {MARKER_TABLE}")  # noqa: S608 - a constant
        return {key: json.loads(value) for key, value in cursor.fetchall()}


def write_marker(values):
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key varchar(40) PRIMARY KEY, value text)")
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")  # noqa: S608
        for key, value in values.items():
            cursor.execute(
                f"INSERT INTO {MARKER_TABLE} (key, value) VALUES (%s, %s)",  # noqa: S608
                [key, json.dumps(value, ensure_ascii=False)],
            )


def build(tier, year, progress=None):
    """Build `tier` into the current (empty) database and record the marker. Returns it."""
    started = time.monotonic()
    population = Population(tier, year, progress)
    counts, checksum = population.build()
    if connection.vendor == "postgresql":
        # What autovacuum would do shortly after a bulk load: statistics for the planner.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    marker = {
        "tier": population.tier.name,
        "version": GENERATOR_VERSION,
        "definition": definition(population.tier.name),
        "year": year,
        "checksum": checksum,
        "counts": counts,
        "seconds": round(time.monotonic() - started, 1),
        "built_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    write_marker(marker)
    try:
        from unionportal.cache import EVERYTHING, bump_branch

        bump_branch(EVERYTHING)
    except ImportError:  # the cache of branch figures is optional here
        pass
    return marker


def table_counts():
    """Rows per table of the population, counted in the database."""
    models = POPULATED_MODELS
    counts = {}
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'SELECT COUNT(*) FROM "{model._meta.db_table}"')  # noqa: S608
            counts[model._meta.db_table] = cursor.fetchone()[0]
    return counts
