"""Every URL of the portal against every person: the authorization matrix.

`test_every_url_pattern_is_in_the_matrix` walks the URL resolver, so a new page fails the
build until someone writes down who may open it. The matrix then says, for each page and
each person of tests/base.py, what GET and POST must return:

- anonymous: 302 to the login page;
- in scope: 200, or 302 after a successful POST;
- a record outside the person's branch: 404, never 403 (it does not exist for them);
- a role that may never do the action: 403, wherever the record is;
- a page that does not take the method: 405, after the login and role checks.

Every response is also searched for the names of organizations outside the person's
branch, and for full resident ID numbers (workbooks unzipped): whatever the status, neither
may appear, except the numbers on the reveal page of someone allowed to reveal them. Each
request runs in a savepoint that is rolled back, so every person meets the same data.
"""

import copy
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import REVEAL_PERMISSION_CODENAME, AuditEvent, Job, User
from activities.models import Activity, ActivityPhoto, Campaign, Honour, HonourStatus, HonourTitle
from activities.services import PHOTO_FOLDER as ACTIVITY_PHOTO_FOLDER
from cadres.models import Attendance, Cadre, Position, Post, Rank, Staffing, Training
from cadres.views import PHOTO_FOLDER
from organizations.models import FundAllocation, MembershipFigure, Organization, OrganizationKind, Purpose
from relief import services as relief_services
from relief.models import Beneficiary, Programme
from standards.models import (
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    Criterion,
    Evidence,
    RatingThreshold,
    Standard,
)
from standards.services import EVIDENCE_FOLDER
from tests.base import PASSWORD, PortalTestCase, make_org
from tests.cadres.data import MediaRootMixin, full_ids_in, png_upload, resident_id, response_body
from unionportal.uploads import save_image
from unionportal.xlsx import XLSX_CONTENT_TYPE, table_response

PEOPLE = ("anonymous", "alice", "april", "adam", "bob", "leo", "lena", "otto", "ada", "root")
# Names the matrix leaves out on purpose: the admin site (tests/accounts/test_admin_site.py)
# and the language switch (its own tests below).
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES = {"set_language"}

NEW_PASSWORD = "Lantern-Quarry-2026"
# Real-format numbers: the walk looks for any 18-character number in every response.
ID_A_FIRST = resident_id("19800215", "031")  # entered first, then corrected: both are in the history
ID_A = resident_id("19800215", "001")
ID_A_PLAIN = resident_id("19900520", "022")
ID_B = resident_id("19751103", "002")
ID_RELIEF_A = resident_id("19700310", "041")
ID_RELIEF_A2 = resident_id("19820101", "052")
ID_RELIEF_B = resident_id("19650606", "063")
ID_RELIEF_NEW = resident_id("19881111", "074")
# Pages that show full numbers, to a person allowed to reveal them (only the superuser here).
REVEAL_PAGES = {"cadres:cadre_reveal", "relief:beneficiary_reveal", "relief:disbursement_payout"}


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with the path of `url_name`."""

    url_name: str


LOGIN = Redirect("accounts:login")
HOME = Redirect("home")
AUDIT_LOG = Redirect("accounts:auditevent_list")


def row(anonymous, alice, april, adam, bob, leo, lena, otto, ada, root):
    """One line of the matrix, in the order of PEOPLE. 302 means a redirect anywhere but the
    login page (a successful POST)."""
    return dict(zip(PEOPLE, (anonymous, alice, april, adam, bob, leo, lena, otto, ada, root), strict=True))


# fmt: off
#                   anonymous alice april adam  bob   leo   lena  otto  ada   root
# Pages of the branch (lists, tree): every role but the auditor.
READ         = row(LOGIN,    200,  200,  200,  200,  200,  200,  403,  200,  200)
READ_A       = row(LOGIN,    200,  200,  200,  404,  404,  200,  403,  200,  200)
READ_B       = row(LOGIN,    404,  404,  404,  200,  200,  200,  403,  200,  200)
READ_NO_POST = row(LOGIN,    405,  405,  405,  405,  405,  405,  403,  405,  405)
# Writing (create, edit, move, deactivate, delete, import): staff and admins.
WRITE        = row(LOGIN,    200,  403,  200,  200,  403,  403,  403,  200,  200)
WRITE_A      = row(LOGIN,    200,  403,  200,  404,  403,  403,  403,  200,  200)
WRITE_B      = row(LOGIN,    404,  403,  404,  200,  403,  403,  403,  200,  200)
SAVE_A       = row(LOGIN,    302,  403,  302,  404,  403,  403,  403,  302,  302)
SAVE_B       = row(LOGIN,    404,  403,  404,  302,  403,  403,  403,  302,  302)
# Creating under a parent of district A (B): the other district's staff get the form back
# with an error, since the parent is not among their choices.
CREATE_IN_A  = row(LOGIN,    302,  403,  302,  200,  403,  403,  403,  302,  302)
CREATE_IN_B  = row(LOGIN,    200,  403,  200,  302,  403,  403,  403,  302,  302)
WRITE_NO_GET = row(LOGIN,    405,  403,  405,  405,  403,  403,  403,  405,  405)
# Users: administrators only.
USERS        = row(LOGIN,    403,  403,  200,  403,  403,  403,  403,  200,  200)
USERS_B      = row(LOGIN,    403,  403,  404,  403,  403,  403,  403,  200,  200)
USER_SAVE_A  = row(LOGIN,    403,  403,  302,  403,  403,  403,  403,  302,  302)
USER_SAVE_B  = row(LOGIN,    403,  403,  404,  403,  403,  403,  403,  302,  302)
USER_IN_B    = row(LOGIN,    403,  403,  200,  403,  403,  403,  403,  302,  302)
USERS_NO_GET = row(LOGIN,    403,  403,  405,  403,  403,  403,  403,  405,  405)
# The audit log: auditors only, not even administrators.
AUDIT        = row(LOGIN,    403,  403,  403,  403,  403,  403,  200,  403,  200)
AUDIT_NO_POST = row(LOGIN,   403,  403,  403,  403,  403,  403,  405,  403,  405)
# A page of a record in the branch that has nothing to show (a cadre without a photo).
NOTHING_A    = row(LOGIN,    404,  404,  404,  404,  404,  404,  403,  404,  404)
# Full ID numbers: no role carries the permission; the superuser holds every permission.
REVEAL       = row(LOGIN,    403,  403,  403,  403,  403,  403,  403,  403,  200)
# Reference data (standards): read down the tree, changed by administrators of the owner's
# branch; a standard of the city is out of reach (404) for district A's administrator.
REFERENCE    = row(LOGIN,    403,  403,  200,  403,  403,  403,  403,  200,  200)
REFERENCE_SAVE = row(LOGIN,  403,  403,  302,  403,  403,  403,  403,  302,  302)
REFERENCE_ABOVE = row(LOGIN, 403,  403,  404,  403,  403,  403,  403,  200,  200)
REFERENCE_ABOVE_SAVE = row(LOGIN, 403, 403, 404, 403,  403,  403,  403,  302,  302)
# Approving or returning an assessment: approvers only (district A's april), and the superuser.
APPROVE_NO_GET = row(LOGIN,  403,  405,  403,  403,  403,  403,  403,  403,  405)
APPROVE_A    = row(LOGIN,    403,  302,  403,  403,  403,  403,  403,  403,  302)
APPROVE_B    = row(LOGIN,    403,  404,  403,  403,  403,  403,  403,  403,  302)
# A report of the whole city: the city's people only.
READ_CITY    = row(LOGIN,    404,  404,  404,  404,  404,  200,  403,  200,  200)
# Titles shipped with the portal (no owner): read by everyone, changed by superusers only.
SHIPPED      = row(LOGIN,    403,  403,  404,  403,  403,  403,  403,  404,  200)
SHIPPED_SAVE = row(LOGIN,    403,  403,  404,  403,  403,  403,  403,  404,  302)
# Pages of one's own (background jobs): every logged-in person, whatever the role.
ANYONE       = row(LOGIN,    200,  200,  200,  200,  200,  200,  200,  200,  200)
NO_POST      = row(LOGIN,    405,  405,  405,  405,  405,  405,  405,  405,  405)
OWNER_ALICE  = row(LOGIN,    200,  404,  404,  404,  404,  404,  404,  404,  404)
# fmt: on


@dataclass(frozen=True)
class Case:
    """One way to call a URL: its kwargs and query from the fixtures, what GET and POST
    must return per person, and the POST data (built so that it succeeds for whoever may)."""

    get: dict
    post: dict
    kwargs: Callable = lambda t: {}
    data: Callable = lambda t: {}
    query: Callable = lambda t: ""
    label: str = ""


def organization_data(name, kind=OrganizationKind.GRASSROOTS, unit_type="organ", **extra):
    return {"name": name, "kind": kind, "unit_type": unit_type, **extra}


def figure_data(year):
    return {"year": year, "members": 100, "employees": 120, "women_members": 40, "migrant_members": 10}


def cadre_data(organization=None, **extra):
    """A cadre's form; with `organization`, also the first post (the create form)."""
    data = {
        "full_name": "赵新",
        "gender": "female",
        "birth_date": "1990-05-20",
        "ethnicity": "汉族",
        "education": "bachelor",
        "political_status": "masses",
        "id_number": "",
        "mobile": "",
    }
    if organization is not None:
        data.update(post_data(organization))
    return {**data, **extra}


def post_data(organization, **extra):
    return {
        "organization": organization.pk,
        "position": "staff",
        "rank": "none",
        "full_time": "on",
        "staffing": "other",
        "selection_method": "",
        "start": "2024-01-01",
        **extra,
    }


def training_data(organizer, attendees=(), **extra):
    return {
        "title": "工会业务培训班",
        "organizer": organizer.pk,
        "category": "business",
        "start": "2025-03-10",
        "end": "2025-03-12",
        "place": "党校",
        "hours": "16",
        "sessions": "1",
        "other_attendees": "40",
        "attendees": [cadre.pk for cadre in attendees],
        **extra,
    }


def user_data(username, organization, role="staff"):
    return {
        "username": username,
        "full_name": username.title(),
        "email": "",
        "organization": organization.pk,
        "role": role,
    }


def fund_data(recipient, source=None, source_name="", **extra):
    return {
        "source": source.pk if source else "",
        "source_name": source_name,
        "recipient": recipient.pk,
        "date": "2025-06-01",
        "amount": "2500.00",
        "purpose": Purpose.ROUTINE,
        "note": "",
        **extra,
    }


def formset_management(prefix, total, initial):
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial)}


def standard_data(standard=None, name="新订标准", **extra):
    """A standard's page as sent: its fields, and its criteria and thresholds unchanged (a new
    standard: one criterion by hand)."""
    data = {
        "name": standard.name if standard else name,
        "kinds": standard.kinds if standard else [OrganizationKind.GRASSROOTS],
        "pass_points": str(standard.pass_points) if standard else "60",
        "expected_chair_rank": standard.expected_chair_rank if standard else "",
        "description": "",
        "active": "on",
        **extra,
    }
    criteria = list(standard.criteria.all()) if standard else []
    thresholds = list(standard.thresholds.all()) if standard else []
    data.update(formset_management("criteria", max(len(criteria), 1), len(criteria)))
    data.update(formset_management("thresholds", len(thresholds), len(thresholds)))
    for index, criterion in enumerate(criteria):
        prefix = f"criteria-{index}"
        data.update(
            {
                f"{prefix}-id": criterion.pk,
                f"{prefix}-order": criterion.order,
                f"{prefix}-code": criterion.code,
                f"{prefix}-title": criterion.title,
                f"{prefix}-category": criterion.category,
                f"{prefix}-points": str(criterion.points),
                f"{prefix}-measure": criterion.measure,
                f"{prefix}-threshold": "" if criterion.threshold is None else str(criterion.threshold),
            }
        )
        if criterion.must_pass:
            data[f"{prefix}-must_pass"] = "on"
    if not criteria:
        data.update(
            {
                "criteria-0-order": "1",
                "criteria-0-code": "X1",
                "criteria-0-title": "有工会组织",
                "criteria-0-points": "100",
            }
        )
    for index, threshold in enumerate(thresholds):
        prefix = f"thresholds-{index}"
        data.update(
            {
                f"{prefix}-id": threshold.pk,
                f"{prefix}-rating": threshold.rating,
                f"{prefix}-min_points": str(threshold.min_points),
            }
        )
        if threshold.requires_all_must_pass:
            data[f"{prefix}-requires_all_must_pass"] = "on"
    return data


def assessment_data(standard, organization, year=2026):
    return {"standard": standard.pk, "organization": organization.pk, "year": year}


def items_data(assessment, note="已核实"):
    """The assessment's edit form as sent: every item met, full points."""
    items = list(assessment.items.all())
    data = {**formset_management("items", len(items), len(items)), "note": note}
    for index, item in enumerate(items):
        data.update({f"items-{index}-id": item.pk, f"items-{index}-met": "on", f"items-{index}-points": ""})
        data[f"items-{index}-note"] = ""
    return data


def report_query(organization, standard, **extra):
    return urlencode({"organization": organization.pk, "standard": standard.pk, "year": 2025, **extra})


def evidence_data():
    """A fresh picture for each request: the client reads the upload it sends."""
    return {"picture": png_upload("evidence.png"), "caption": "活动照片"}


def campaign_data(organizer, name="“五一”职工系列活动"):
    return {"name": name, "year": 2025, "organizer": organizer.pk, "description": ""}


def activity_data(organizer, campaign=None, co_organizers=(), **extra):
    return {
        "title": "职工健步走",
        "kind": "walk",
        "organizer": organizer.pk,
        "co_organizers": [organization.pk for organization in co_organizers],
        "campaign": campaign.pk if campaign else "",
        "start": "2025-05-01",
        "end": "",
        "place": "",
        "participants": "300",
        "entries": "0",
        "funds_spent": "1200.00",
        "description": "",
        "materials": "0",
        "enterprises": "0",
        "jobs_offered": "0",
        "people_placed": "0",
        **extra,
    }


def activity_photo_data():
    """A fresh picture for each request: the client reads the upload it sends."""
    return {"picture": png_upload("activity.png"), "caption": "活动现场"}


def honour_data(title, organization, year=2024, **extra):
    return {
        "title": title.pk,
        "year": year,
        "organization": organization.pk,
        "recipient_name": "",
        "recipient_unit": "",
        "cadre": "",
        "status": "conferred",
        "conferring_body": "测试市总工会",
        "document_number": "",
        "recommended_by": "",
        **extra,
    }


def honour_title_data(title=None, name="新设工匠"):
    if title is not None:
        return {"name": title.name, "level": title.level, "recipient_type": title.recipient_type, "order": 9}
    return {"name": name, "level": "county", "recipient_type": "individual", "order": 100}


def beneficiary_data(organization, **extra):
    """A hardship file's form; on edit, the numbers left empty keep those on file."""
    return {
        "full_name": "杨光明",
        "id_number": ID_RELIEF_NEW,
        "organization": organization.pk,
        "hardship_level": "deep",
        "causes": ["illness"],
        "household_size": "3",
        "monthly_income_per_head": "500.00",
        "phone": "",
        "bank_name": "",
        "bank_account": "6217001234567890123",
        "filed_on": "2025-03-01",
        "status": "on_file",
        **extra,
    }


def review_data():
    return {"year": "2025", "hardship_level": "relative", "monthly_income_per_head": "800", "outcome": "continue"}


def programme_data(owner=None, name="就业援助"):
    data = {"name": name, "year": "2025", "budget": "50000", "standard_amount": "1000", "cap_per_person": "2000"}
    return {**data, "owner": owner.pk} if owner else data


def disbursement_data(programme, organization, **extra):
    """A group disbursement (no person, so no rule about paying someone twice)."""
    return {
        "programme": programme.pk,
        "recipient_type": "group",
        "beneficiary": "",
        "group_name": "环卫工人",
        "head_count": "20",
        "cash": "0",
        "in_kind_value": "2000.00",
        "date": "2025-09-15",
        "paying_organization": organization.pk,
        "note": "",
        **extra,
    }


def reverse_data():
    return {"date": "2025-12-01", "note": "金额有误"}


MATRIX = {
    "home": [
        Case(
            get=row(LOGIN, 200, 200, 200, 200, 200, 200, AUDIT_LOG, 200, 200),
            post=row(LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405),
        )
    ],
    # A form's search among many records (unionportal/choices.py): a field the portal offered
    # is needed, so every one here is a 404 (tests/unionportal/test_choices.py searches).
    "choices": [
        Case(
            get=row(LOGIN, 404, 404, 404, 404, 404, 404, 404, 404, 404),
            post=row(LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405),
        )
    ],
    "accounts:login": [
        Case(
            get=row(200, HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME),
            post=row(HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME, HOME),
            data=lambda t: {"username": "alice", "password": PASSWORD},
        )
    ],
    "accounts:logout": [
        Case(
            get=row(405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
            post=row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
        )
    ],
    "accounts:user_list": [
        Case(get=USERS, post=USERS_NO_GET),
        Case(get=USERS, post=USERS_NO_GET, query=lambda t: "export=xlsx", label="export"),
    ],
    "accounts:user_create": [
        Case(get=USERS, post=USER_SAVE_A, data=lambda t: {**user_data("newstaff", t.district_a), **t.passwords}),
        Case(
            get=USERS,
            post=USER_IN_B,
            data=lambda t: {**user_data("newstaff", t.district_b), **t.passwords},
            label="in B",
        ),
    ],
    "accounts:user_detail": [
        Case(get=USERS, post=USERS_NO_GET, kwargs=lambda t: {"pk": t.alice.pk}),
        Case(get=USERS_B, post=USERS_NO_GET, kwargs=lambda t: {"pk": t.bob.pk}),
    ],
    "accounts:user_update": [
        Case(
            get=USERS,
            post=USER_SAVE_A,
            kwargs=lambda t: {"pk": t.alice.pk},
            data=lambda t: user_data("alice", t.district_a),
        ),
        Case(
            get=USERS_B,
            post=USER_SAVE_B,
            kwargs=lambda t: {"pk": t.bob.pk},
            data=lambda t: user_data("bob", t.district_b),
        ),
    ],
    "accounts:user_password": [
        Case(get=USERS, post=USER_SAVE_A, kwargs=lambda t: {"pk": t.alice.pk}, data=lambda t: t.passwords),
        Case(get=USERS_B, post=USER_SAVE_B, kwargs=lambda t: {"pk": t.bob.pk}, data=lambda t: t.passwords),
    ],
    "accounts:user_active": [
        Case(get=USERS_NO_GET, post=USER_SAVE_A, kwargs=lambda t: {"pk": t.alice.pk}),
        Case(get=USERS_NO_GET, post=USER_SAVE_B, kwargs=lambda t: {"pk": t.bob.pk}),
    ],
    "accounts:auditevent_list": [
        Case(get=AUDIT, post=AUDIT_NO_POST),
        Case(get=AUDIT, post=AUDIT_NO_POST, query=lambda t: "export=xlsx", label="export"),
    ],
    # Background jobs: everyone's own list; a job and its file are its owner's alone (alice's
    # here), the superuser included.
    "accounts:job_list": [Case(get=ANYONE, post=NO_POST)],
    "accounts:job_detail": [Case(get=OWNER_ALICE, post=NO_POST, kwargs=lambda t: {"pk": t.job_a.pk})],
    "accounts:job_download": [Case(get=OWNER_ALICE, post=NO_POST, kwargs=lambda t: {"pk": t.job_a.pk})],
    "organizations:organization_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}", label="branch B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
    ],
    "organizations:organization_tree": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "q=区", label="search"),
    ],
    "organizations:organization_tree_children": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.district_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.district_b.pk}),
    ],
    "organizations:organization_create": [
        Case(
            get=WRITE,
            post=CREATE_IN_A,
            data=lambda t: {"parent": t.district_a.pk, **organization_data("新建的工会")},
        ),
        Case(
            get=WRITE,
            post=CREATE_IN_B,
            query=lambda t: f"parent={t.district_b.pk}",
            data=lambda t: {"parent": t.district_b.pk, **organization_data("新建的工会")},
            label="in B",
        ),
    ],
    "organizations:organization_import": [Case(get=WRITE, post=WRITE)],
    "organizations:organization_import_template": [
        Case(get=WRITE, post=row(LOGIN, 405, 403, 405, 405, 403, 403, 403, 405, 405))
    ],
    "organizations:organization_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.union_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.union_b.pk}),
    ],
    "organizations:organization_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.union_a.pk},
            data=lambda t: organization_data("甲区第一中学工会", short_name="一中工会"),
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.union_b.pk},
            data=lambda t: organization_data("乙区机械厂工会", short_name="机械厂工会"),
        ),
    ],
    "organizations:organization_move": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.union_a.pk},
            data=lambda t: {"new_parent": t.township_a.pk},
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.union_b.pk},
            data=lambda t: {"new_parent": t.township_b.pk},
        ),
    ],
    "organizations:organization_deactivate": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.union_a.pk},
            data=lambda t: {"deactivated": "2025-06-30"},
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.union_b.pk},
            data=lambda t: {"deactivated": "2025-06-30"},
        ),
    ],
    "organizations:organization_reactivate": [
        Case(get=WRITE_NO_GET, post=SAVE_A, kwargs=lambda t: {"pk": t.closed_a.pk}),
        Case(get=WRITE_NO_GET, post=SAVE_B, kwargs=lambda t: {"pk": t.closed_b.pk}),
    ],
    "organizations:organization_delete": [
        Case(get=WRITE_A, post=SAVE_A, kwargs=lambda t: {"pk": t.union_a.pk}),
        Case(get=WRITE_B, post=SAVE_B, kwargs=lambda t: {"pk": t.union_b.pk}),
    ],
    "organizations:membershipfigure_create": [
        Case(get=WRITE_A, post=SAVE_A, kwargs=lambda t: {"pk": t.union_a.pk}, data=lambda t: figure_data(2025)),
        Case(get=WRITE_B, post=SAVE_B, kwargs=lambda t: {"pk": t.union_b.pk}, data=lambda t: figure_data(2025)),
    ],
    "organizations:membershipfigure_update": [
        Case(get=WRITE_A, post=SAVE_A, kwargs=lambda t: {"pk": t.figure_a.pk}, data=lambda t: figure_data(2024)),
        Case(get=WRITE_B, post=SAVE_B, kwargs=lambda t: {"pk": t.figure_b.pk}, data=lambda t: figure_data(2024)),
    ],
    "cadres:post_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "on=", label="every day"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "on=&export=xlsx", label="export every day"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}", label="branch B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
    ],
    "cadres:cadre_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: cadre_data(t.union_a)),
        Case(get=WRITE, post=CREATE_IN_B, data=lambda t: cadre_data(t.union_b), label="in B"),
    ],
    "cadres:cadre_import": [Case(get=WRITE, post=WRITE)],
    "cadres:cadre_import_template": [Case(get=WRITE, post=row(LOGIN, 405, 403, 405, 405, 403, 403, 403, 405, 405))],
    "cadres:cadre_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.cadre_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.cadre_b.pk}),
    ],
    "cadres:cadre_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.cadre_a.pk},
            data=lambda t: cadre_data(full_name="张明", gender="male", birth_date="1980-02-15"),
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.cadre_b.pk},
            data=lambda t: cadre_data(full_name="李华", gender="female", birth_date="1975-11-03"),
        ),
    ],
    "cadres:cadre_photo": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.cadre_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.cadre_b.pk}),
        Case(get=NOTHING_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.cadre_a_plain.pk}, label="no photo"),
    ],
    "cadres:cadre_reveal": [
        Case(get=REVEAL, post=REVEAL, kwargs=lambda t: {"pk": t.cadre_a.pk}, data=lambda t: {"reason": "核对身份信息"}),
        Case(get=REVEAL, post=REVEAL, kwargs=lambda t: {"pk": t.cadre_b.pk}, data=lambda t: {"reason": "核对身份信息"}),
    ],
    "cadres:post_create": [
        Case(get=WRITE_A, post=SAVE_A, kwargs=lambda t: {"pk": t.cadre_a.pk}, data=lambda t: post_data(t.union_a)),
        Case(get=WRITE_B, post=SAVE_B, kwargs=lambda t: {"pk": t.cadre_b.pk}, data=lambda t: post_data(t.union_b)),
    ],
    "cadres:post_end": [
        Case(get=WRITE_A, post=SAVE_A, kwargs=lambda t: {"pk": t.post_a.pk}, data=lambda t: {"end": "2025-06-30"}),
        Case(get=WRITE_B, post=SAVE_B, kwargs=lambda t: {"pk": t.post_b.pk}, data=lambda t: {"end": "2025-06-30"}),
    ],
    "cadres:training_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
    ],
    "cadres:training_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: training_data(t.district_a, [t.cadre_a])),
        Case(get=WRITE, post=CREATE_IN_B, data=lambda t: training_data(t.district_b, [t.cadre_b]), label="in B"),
    ],
    "cadres:training_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.training_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.training_b.pk}),
    ],
    "cadres:training_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.training_a.pk},
            data=lambda t: training_data(t.district_a, [t.cadre_a, t.cadre_a_plain]),
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.training_b.pk},
            data=lambda t: training_data(t.district_b, [t.cadre_b]),
        ),
    ],
    "organizations:fundallocation_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}", label="branch B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"recipient={t.township_b.pk}", label="recipient B"),
        Case(
            get=READ,
            post=READ_NO_POST,
            query=lambda t: f"recipient={t.township_b.pk}&export=xlsx",
            label="export recipient B",
        ),
    ],
    "organizations:fundallocation_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: fund_data(t.township_a, source=t.city)),
        Case(
            get=WRITE,
            post=CREATE_IN_B,
            query=lambda t: f"recipient={t.township_b.pk}",
            data=lambda t: fund_data(t.township_b, source=t.district_b),
            label="in B",
        ),
        Case(
            get=WRITE,
            post=CREATE_IN_B,
            data=lambda t: fund_data(t.township_b, source_name="乙区人民政府", monthly="on"),
            label="monthly from outside, in B",
        ),
    ],
    "organizations:fundallocation_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.fund_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.fund_b.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.fund_b_outside.pk}, label="outside"),
    ],
    "organizations:fundallocation_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.fund_a.pk},
            data=lambda t: fund_data(t.township_a, source=t.city, amount="3000.00"),
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.fund_b.pk},
            data=lambda t: fund_data(t.township_b, source=t.district_b, amount="3000.00"),
        ),
    ],
    "organizations:fundallocation_delete": [
        Case(get=WRITE_A, post=SAVE_A, kwargs=lambda t: {"pk": t.fund_a.pk}),
        Case(get=WRITE_B, post=SAVE_B, kwargs=lambda t: {"pk": t.fund_b.pk}),
    ],
    "standards:standard_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
    ],
    "standards:standard_create": [
        Case(get=REFERENCE, post=REFERENCE_SAVE, data=lambda t: standard_data(owner=t.city.pk)),
    ],
    "standards:standard_detail": [
        Case(get=READ, post=READ_NO_POST, kwargs=lambda t: {"pk": t.standard_city.pk}, label="of the city"),
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.standard_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.standard_b.pk}),
    ],
    "standards:standard_update": [
        Case(
            get=REFERENCE_ABOVE,
            post=REFERENCE_ABOVE_SAVE,
            kwargs=lambda t: {"pk": t.standard_city.pk},
            data=lambda t: standard_data(t.standard_city, description="修订"),
            label="of the city",
        ),
        Case(
            get=REFERENCE,
            post=REFERENCE_SAVE,
            kwargs=lambda t: {"pk": t.standard_a.pk},
            data=lambda t: standard_data(t.standard_a, description="修订"),
        ),
        Case(
            get=REFERENCE_ABOVE,
            post=REFERENCE_ABOVE_SAVE,
            kwargs=lambda t: {"pk": t.standard_b.pk},
            data=lambda t: standard_data(t.standard_b, description="修订"),
        ),
    ],
    "standards:assessment_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
        Case(
            get=READ,
            post=READ_NO_POST,
            query=lambda t: f"standard={t.standard_b.pk}&export=xlsx",
            label="export standard of B",
        ),
    ],
    "standards:assessment_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: assessment_data(t.standard_city, t.township_a)),
        Case(
            get=WRITE,
            post=CREATE_IN_B,
            query=lambda t: f"standard={t.standard_b.pk}",
            data=lambda t: assessment_data(t.standard_b, t.township_b),
            label="in B",
        ),
    ],
    "standards:assessment_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.draft_a.pk}, label="draft"),
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.submitted_a.pk}, label="submitted"),
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.approved_a.pk}, label="approved"),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.draft_b.pk}, label="draft"),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.submitted_b.pk}, label="submitted"),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.approved_b.pk}, label="approved"),
    ],
    "standards:assessment_edit": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.draft_a.pk},
            data=lambda t: items_data(t.draft_a),
            label="draft",
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.draft_b.pk},
            data=lambda t: items_data(t.draft_b),
            label="draft",
        ),
        # Locked: back to the assessment's page, with the reason as a message.
        Case(
            get=SAVE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.submitted_a.pk},
            data=lambda t: items_data(t.submitted_a),
            label="submitted",
        ),
        Case(
            get=SAVE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.approved_b.pk},
            data=lambda t: items_data(t.approved_b),
            label="approved",
        ),
    ],
    "standards:assessment_submit": [
        Case(get=WRITE_NO_GET, post=SAVE_A, kwargs=lambda t: {"pk": t.draft_a.pk}),
        Case(get=WRITE_NO_GET, post=SAVE_B, kwargs=lambda t: {"pk": t.draft_b.pk}),
    ],
    "standards:assessment_approve": [
        Case(get=APPROVE_NO_GET, post=APPROVE_A, kwargs=lambda t: {"pk": t.submitted_a.pk}),
        Case(get=APPROVE_NO_GET, post=APPROVE_B, kwargs=lambda t: {"pk": t.submitted_b.pk}),
    ],
    "standards:assessment_return": [
        Case(
            get=APPROVE_NO_GET,
            post=APPROVE_A,
            kwargs=lambda t: {"pk": t.submitted_a.pk},
            data=lambda t: {"reason": "缺少活动照片"},
        ),
        Case(
            get=APPROVE_NO_GET,
            post=APPROVE_B,
            kwargs=lambda t: {"pk": t.submitted_b.pk},
            data=lambda t: {"reason": "缺少活动照片"},
        ),
    ],
    "standards:evidence_upload": [
        Case(get=WRITE_NO_GET, post=SAVE_A, kwargs=lambda t: {"pk": t.item_a.pk}, data=lambda t: evidence_data()),
        Case(get=WRITE_NO_GET, post=SAVE_B, kwargs=lambda t: {"pk": t.item_b.pk}, data=lambda t: evidence_data()),
    ],
    "standards:evidence_image": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.evidence_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.evidence_b.pk}),
    ],
    "standards:evidence_delete": [
        Case(get=WRITE_NO_GET, post=SAVE_A, kwargs=lambda t: {"pk": t.evidence_a.pk}),
        Case(get=WRITE_NO_GET, post=SAVE_B, kwargs=lambda t: {"pk": t.evidence_b.pk}),
    ],
    "reports:standardization_report": [
        # Each person's own organization, last year, the most assessed standard.
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "format=xlsx", label="export"),
        Case(get=READ_CITY, post=READ_NO_POST, query=lambda t: report_query(t.city, t.standard_city), label="city"),
        Case(
            get=READ_CITY,
            post=READ_NO_POST,
            query=lambda t: report_query(t.city, t.standard_city, format="xlsx"),
            label="export city",
        ),
        Case(get=READ_A, post=READ_NO_POST, query=lambda t: report_query(t.district_a, t.standard_city), label="A"),
        Case(
            get=READ_A,
            post=READ_NO_POST,
            query=lambda t: report_query(t.district_a, t.standard_a, format="xlsx"),
            label="export A",
        ),
        Case(get=READ_B, post=READ_NO_POST, query=lambda t: report_query(t.district_b, t.standard_city), label="B"),
        Case(
            get=READ_B,
            post=READ_NO_POST,
            query=lambda t: report_query(t.district_b, t.standard_b, format="xlsx"),
            label="export B",
        ),
        # A standard of B named without an organization: 404 for A whatever the organization.
        Case(get=READ_B, post=READ_NO_POST, query=lambda t: f"standard={t.standard_b.pk}", label="standard of B"),
    ],
    "reports:dashboard": [
        # Each person's own organization; then a district and the city by name.
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ_A, post=READ_NO_POST, query=lambda t: f"organization={t.district_a.pk}", label="A"),
        Case(get=READ_B, post=READ_NO_POST, query=lambda t: f"organization={t.district_b.pk}", label="B"),
        Case(get=READ_CITY, post=READ_NO_POST, query=lambda t: f"organization={t.city.pk}", label="city"),
        Case(get=NOTHING_A, post=READ_NO_POST, query=lambda t: "organization=x", label="not a number"),
    ],
    "reports:annual_summary": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "format=xlsx", label="export"),
        Case(
            get=READ_A,
            post=READ_NO_POST,
            query=lambda t: f"organization={t.district_a.pk}&from=2024-01-01&to=2025-12-31",
            label="A",
        ),
        Case(
            get=READ_A,
            post=READ_NO_POST,
            query=lambda t: f"organization={t.district_a.pk}&from=2024-01-01&to=2025-12-31&format=xlsx",
            label="export A",
        ),
        Case(get=READ_B, post=READ_NO_POST, query=lambda t: f"organization={t.district_b.pk}", label="B"),
        Case(
            get=READ_B,
            post=READ_NO_POST,
            query=lambda t: f"organization={t.district_b.pk}&format=xlsx",
            label="export B",
        ),
        Case(get=READ_CITY, post=READ_NO_POST, query=lambda t: f"organization={t.city.pk}", label="city"),
    ],
    "reports:missing_figures": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_a.pk}", label="A"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        # A branch outside the reader's scope lists nothing (as every list's filter does); the
        # walk's name-leak check covers the page and the workbook.
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}", label="branch B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
    ],
    "activities:activity_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}", label="branch B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"campaign={t.campaign_b.pk}", label="campaign of B"),
    ],
    "activities:activity_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: activity_data(t.township_a, t.campaign_a, [t.district_a])),
        Case(get=WRITE, post=CREATE_IN_B, data=lambda t: activity_data(t.township_b, t.campaign_b), label="in B"),
    ],
    "activities:activity_import": [Case(get=WRITE, post=WRITE)],
    "activities:activity_import_template": [
        Case(get=WRITE, post=row(LOGIN, 405, 403, 405, 405, 403, 403, 403, 405, 405))
    ],
    "activities:activity_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.activity_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.activity_b.pk}),
    ],
    "activities:activity_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.activity_a.pk},
            data=lambda t: activity_data(t.township_a, t.campaign_a, [t.district_a]),
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.activity_b.pk},
            data=lambda t: activity_data(t.township_b, t.campaign_b),
        ),
    ],
    "activities:activity_photo_upload": [
        Case(
            get=WRITE_NO_GET,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.activity_a.pk},
            data=lambda t: activity_photo_data(),
        ),
        Case(
            get=WRITE_NO_GET,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.activity_b.pk},
            data=lambda t: activity_photo_data(),
        ),
    ],
    "activities:activity_photo_image": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.activity_photo_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.activity_photo_b.pk}),
    ],
    "activities:activity_photo_delete": [
        Case(get=WRITE_NO_GET, post=SAVE_A, kwargs=lambda t: {"pk": t.activity_photo_a.pk}),
        Case(get=WRITE_NO_GET, post=SAVE_B, kwargs=lambda t: {"pk": t.activity_photo_b.pk}),
    ],
    "activities:campaign_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.township_b.pk}&export=xlsx", label="export B"),
    ],
    "activities:campaign_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: campaign_data(t.township_a, "新系列")),
        Case(get=WRITE, post=CREATE_IN_B, data=lambda t: campaign_data(t.township_b, "新系列"), label="in B"),
    ],
    "activities:campaign_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.campaign_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.campaign_b.pk}),
    ],
    "activities:campaign_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.campaign_a.pk},
            data=lambda t: campaign_data(t.township_a),
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.campaign_b.pk},
            data=lambda t: campaign_data(t.township_b),
        ),
    ],
    "activities:honour_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}", label="branch B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
        Case(
            get=READ,
            post=READ_NO_POST,
            query=lambda t: f"title={t.honour_title_b.name}&status=recommended&export=xlsx",
            label="export title of B",
        ),
        Case(
            get=READ,
            post=READ_NO_POST,
            query=lambda t: f"honour_title={t.honour_title_b.pk}&export=xlsx",
            label="export the title record of B",
        ),
    ],
    "activities:honour_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: honour_data(t.shipped_title, t.township_a)),
        Case(get=WRITE, post=CREATE_IN_B, data=lambda t: honour_data(t.shipped_title, t.township_b), label="in B"),
    ],
    "activities:honour_import": [Case(get=WRITE, post=WRITE)],
    "activities:honour_import_template": [
        Case(get=WRITE, post=row(LOGIN, 405, 403, 405, 405, 403, 403, 403, 405, 405))
    ],
    "activities:honour_matrix": [
        # Each person's own branch this year, conferred honours.
        Case(get=READ, post=READ_NO_POST),
        # District B named by district A: the form's error, nothing counted.
        Case(
            get=READ,
            post=READ_NO_POST,
            query=lambda t: f"branch={t.district_b.pk}&year_min=2020&year_max=2025&status=",
            label="B",
        ),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "branch=&year_min=2020&year_max=2025&status=", label="all"),
    ],
    "activities:honour_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.honour_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.honour_b.pk}),
    ],
    "activities:honour_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.honour_a.pk},
            data=lambda t: honour_data(t.honour_title_a, t.township_a, 2025, recipient_name="张明"),
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.honour_b.pk},
            data=lambda t: honour_data(t.honour_title_b, t.township_b, 2025, recipient_name="李华"),
        ),
    ],
    "activities:honour_confer": [
        Case(
            get=WRITE_NO_GET,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.honour_a.pk},
            data=lambda t: {"status": "conferred"},
        ),
        Case(
            get=WRITE_NO_GET,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.honour_b.pk},
            data=lambda t: {"status": "not_conferred"},
        ),
    ],
    "activities:honourtitle_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
    ],
    "activities:honourtitle_detail": [
        Case(get=READ, post=READ_NO_POST, kwargs=lambda t: {"pk": t.shipped_title.pk}, label="shipped"),
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.honour_title_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.honour_title_b.pk}),
    ],
    "activities:honourtitle_create": [
        Case(get=REFERENCE, post=REFERENCE_SAVE, data=lambda t: honour_title_data()),
    ],
    "activities:honourtitle_update": [
        Case(
            get=REFERENCE,
            post=REFERENCE_SAVE,
            kwargs=lambda t: {"pk": t.honour_title_a.pk},
            data=lambda t: honour_title_data(t.honour_title_a),
        ),
        Case(
            get=REFERENCE_ABOVE,
            post=REFERENCE_ABOVE_SAVE,
            kwargs=lambda t: {"pk": t.honour_title_b.pk},
            data=lambda t: honour_title_data(t.honour_title_b),
        ),
        Case(
            get=SHIPPED,
            post=SHIPPED_SAVE,
            kwargs=lambda t: {"pk": t.shipped_title.pk},
            data=lambda t: honour_title_data(t.shipped_title),
            label="shipped",
        ),
    ],
    "relief:beneficiary_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}", label="branch B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
    ],
    "relief:beneficiary_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: beneficiary_data(t.township_a)),
        Case(get=WRITE, post=CREATE_IN_B, data=lambda t: beneficiary_data(t.township_b), label="in B"),
    ],
    "relief:beneficiary_import": [Case(get=WRITE, post=WRITE)],
    "relief:beneficiary_import_template": [
        Case(get=WRITE, post=row(LOGIN, 405, 403, 405, 405, 403, 403, 403, 405, 405))
    ],
    "relief:beneficiary_detail": [
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.person_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.person_b.pk}),
    ],
    "relief:beneficiary_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.person_a.pk},
            data=lambda t: beneficiary_data(t.township_a, full_name="赵强", id_number="", bank_account=""),
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.person_b.pk},
            data=lambda t: beneficiary_data(t.township_b, full_name="钱红", id_number="", bank_account=""),
        ),
    ],
    "relief:beneficiary_reveal": [
        Case(
            get=REVEAL, post=REVEAL, kwargs=lambda t: {"pk": t.person_a.pk}, data=lambda t: {"reason": "银行代发核对"}
        ),
        Case(
            get=REVEAL, post=REVEAL, kwargs=lambda t: {"pk": t.person_b.pk}, data=lambda t: {"reason": "银行代发核对"}
        ),
    ],
    "relief:review_create": [
        Case(get=WRITE_A, post=SAVE_A, kwargs=lambda t: {"pk": t.person_a.pk}, data=lambda t: review_data()),
        Case(get=WRITE_B, post=SAVE_B, kwargs=lambda t: {"pk": t.person_b.pk}, data=lambda t: review_data()),
    ],
    "relief:programme_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
    ],
    "relief:programme_create": [
        Case(get=REFERENCE, post=REFERENCE_SAVE, data=lambda t: programme_data(owner=t.city)),
    ],
    "relief:programme_detail": [
        Case(get=READ, post=READ_NO_POST, kwargs=lambda t: {"pk": t.programme_city.pk}, label="of the city"),
        Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t: {"pk": t.programme_a.pk}),
        Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t: {"pk": t.programme_b.pk}),
    ],
    "relief:programme_update": [
        Case(
            get=REFERENCE_ABOVE,
            post=REFERENCE_ABOVE_SAVE,
            kwargs=lambda t: {"pk": t.programme_city.pk},
            data=lambda t: programme_data(name="两节送温暖"),
            label="of the city",
        ),
        Case(
            get=REFERENCE,
            post=REFERENCE_SAVE,
            kwargs=lambda t: {"pk": t.programme_a.pk},
            data=lambda t: programme_data(name="大病救助"),
        ),
        Case(
            get=REFERENCE_ABOVE,
            post=REFERENCE_ABOVE_SAVE,
            kwargs=lambda t: {"pk": t.programme_b.pk},
            data=lambda t: programme_data(name="金秋助学"),
        ),
    ],
    "relief:disbursement_list": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}", label="branch B"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
        Case(
            get=READ,
            post=READ_NO_POST,
            query=lambda t: f"programme={t.programme_b.pk}&export=xlsx",
            label="export programme of B",
        ),
    ],
    "relief:disbursement_create": [
        Case(get=WRITE, post=CREATE_IN_A, data=lambda t: disbursement_data(t.programme_a, t.township_a)),
        Case(
            get=WRITE,
            post=CREATE_IN_B,
            query=lambda t: f"beneficiary={t.person_b.pk}&programme={t.programme_b.pk}",
            data=lambda t: disbursement_data(t.programme_b, t.township_b),
            label="in B",
        ),
    ],
    "relief:disbursement_import": [Case(get=WRITE, post=WRITE)],
    "relief:disbursement_import_template": [
        Case(get=WRITE, post=row(LOGIN, 405, 403, 405, 405, 403, 403, 403, 405, 405))
    ],
    "relief:disbursement_payout": [
        Case(get=REVEAL, post=row(LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 405)),
        Case(
            get=REVEAL,
            post=row(LOGIN, 403, 403, 403, 403, 403, 403, 403, 403, 405),
            query=lambda t: f"branch={t.district_b.pk}",
            label="branch B",
        ),
    ],
    "relief:disbursement_publicity": [
        Case(get=READ, post=READ_NO_POST),
        Case(get=READ, post=READ_NO_POST, query=lambda t: "export=xlsx", label="export"),
        Case(get=READ, post=READ_NO_POST, query=lambda t: f"branch={t.district_b.pk}&export=xlsx", label="export B"),
    ],
    "relief:disbursement_detail": [
        *(
            Case(get=READ_A, post=READ_NO_POST, kwargs=lambda t, n=name: {"pk": getattr(t, n).pk}, label=name)
            for name in ("draft_relief_a", "submitted_relief_a", "approved_relief_a", "paid_relief_a")
        ),
        *(
            Case(get=READ_B, post=READ_NO_POST, kwargs=lambda t, n=name: {"pk": getattr(t, n).pk}, label=name)
            for name in ("draft_relief_b", "submitted_relief_b", "approved_relief_b", "paid_relief_b")
        ),
    ],
    "relief:disbursement_update": [
        Case(
            get=WRITE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.draft_relief_a.pk},
            data=lambda t: disbursement_data(t.programme_a, t.township_a, head_count="25"),
            label="draft",
        ),
        Case(
            get=WRITE_B,
            post=SAVE_B,
            kwargs=lambda t: {"pk": t.draft_relief_b.pk},
            data=lambda t: disbursement_data(t.programme_b, t.township_b, head_count="25"),
            label="draft",
        ),
        # Locked: back to the disbursement's page, with the reason as a message.
        Case(
            get=SAVE_A,
            post=SAVE_A,
            kwargs=lambda t: {"pk": t.paid_relief_a.pk},
            data=lambda t: disbursement_data(t.programme_a, t.township_a),
            label="paid",
        ),
    ],
    "relief:disbursement_submit": [
        Case(get=WRITE_NO_GET, post=SAVE_A, kwargs=lambda t: {"pk": t.draft_relief_a.pk}),
        Case(get=WRITE_NO_GET, post=SAVE_B, kwargs=lambda t: {"pk": t.draft_relief_b.pk}),
    ],
    "relief:disbursement_approve": [
        Case(get=APPROVE_NO_GET, post=APPROVE_A, kwargs=lambda t: {"pk": t.submitted_relief_a.pk}),
        Case(get=APPROVE_NO_GET, post=APPROVE_B, kwargs=lambda t: {"pk": t.submitted_relief_b.pk}),
    ],
    "relief:disbursement_return": [
        Case(
            get=APPROVE_NO_GET,
            post=APPROVE_A,
            kwargs=lambda t: {"pk": t.submitted_relief_a.pk},
            data=lambda t: {"reason": "缺少困难证明"},
        ),
        Case(
            get=APPROVE_NO_GET,
            post=APPROVE_B,
            kwargs=lambda t: {"pk": t.submitted_relief_b.pk},
            data=lambda t: {"reason": "缺少困难证明"},
        ),
    ],
    "relief:disbursement_pay": [
        Case(get=WRITE_NO_GET, post=SAVE_A, kwargs=lambda t: {"pk": t.approved_relief_a.pk}),
        Case(get=WRITE_NO_GET, post=SAVE_B, kwargs=lambda t: {"pk": t.approved_relief_b.pk}),
    ],
    "relief:disbursement_reverse": [
        Case(get=WRITE_A, post=SAVE_A, kwargs=lambda t: {"pk": t.paid_relief_a.pk}, data=lambda t: reverse_data()),
        Case(get=WRITE_B, post=SAVE_B, kwargs=lambda t: {"pk": t.paid_relief_b.pk}, data=lambda t: reverse_data()),
    ],
}


def url_names(patterns, prefix=""):
    """Every URL name under `patterns`, with its namespaces ("organizations:organization_list")."""
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            names.extend(url_names(pattern.url_patterns, namespace))
        elif isinstance(pattern, URLPattern):
            names.append(f"{prefix}{pattern.name}" if pattern.name else f"{prefix}<unnamed {pattern.pattern}>")
    return names


def matrix_url_names():
    return {
        name
        for name in url_names(get_resolver().url_patterns)
        if name.split(":")[0] not in EXCLUDED_NAMESPACES and name not in EXCLUDED_NAMES
    }


def response_text(response, body):
    """What a person can read in a response: the page, or every cell of a workbook (a
    picture has no text)."""
    if response.get("Content-Type", "").startswith("image/"):
        return ""
    if response.get("Content-Type") == XLSX_CONTENT_TYPE:
        workbook = load_workbook(io.BytesIO(body), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for values in sheet.iter_rows(values_only=True)
            for value in values
            if value is not None
        ]
        workbook.close()
        return "\n".join(cells)
    return body.decode()


class MatrixDataTestCase(MediaRootMixin, PortalTestCase):
    """The people of tests/base.py and a record of every kind on both sides of the line."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.township_a = make_org(cls.district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        cls.closed_a = make_org(cls.district_a, "甲区已注销工会", deactivated=datetime.date(2020, 1, 1))
        cls.township_b = make_org(cls.district_b, "乙区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        cls.closed_b = make_org(cls.district_b, "乙区已注销工会", deactivated=datetime.date(2020, 1, 1))
        cls.figure_a = MembershipFigure.objects.create(organization=cls.township_a, year=2024, members=10)
        cls.figure_b = MembershipFigure.objects.create(organization=cls.township_b, year=2024, members=10)
        for organization in (cls.district_a, cls.district_b, cls.union_a, cls.union_b):
            organization.refresh_from_db()
        # Lines in the audit log, so that its page and its export have rows to check.
        for user in (cls.alice, cls.bob, cls.lena):
            AuditEvent.objects.create(
                user=user,
                username=user.username,
                organization_path=user.organization.path,
                organization_name=user.organization.name,
                kind=AuditEvent.Kind.LOGIN,
            )
        cls.passwords = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        cls.add_cadres()
        cls.add_funds()
        cls.add_standards()
        cls.add_activities()
        cls.add_relief()
        cls.add_jobs()

    @classmethod
    def add_cadres(cls):
        """A cadre with a photo on each side, one without in A, their posts (one of them
        ended) and a course on each side. Not in union_a or union_b, which the matrix deletes."""
        cls.cadre_a = Cadre.objects.create(
            full_name="张明",
            gender="male",
            birth_date=datetime.date(1980, 2, 15),
            id_number=ID_A_FIRST,
            organization=cls.township_a,
            photo=save_image(png_upload(), PHOTO_FOLDER),
        )
        cls.cadre_a.id_number = ID_A
        cls.cadre_a.save()
        cls.cadre_a_plain = Cadre.objects.create(
            full_name="王芳",
            gender="female",
            birth_date=datetime.date(1990, 5, 20),
            id_number=ID_A_PLAIN,
            organization=cls.district_a,
        )
        cls.cadre_b = Cadre.objects.create(
            full_name="李华",
            gender="female",
            birth_date=datetime.date(1975, 11, 3),
            id_number=ID_B,
            organization=cls.township_b,
            photo=save_image(png_upload(), PHOTO_FOLDER),
        )
        start = datetime.date(2020, 1, 1)
        Post.objects.create(
            cadre=cls.cadre_a,
            organization=cls.township_a,
            position=Position.COMMITTEE_MEMBER,
            start=datetime.date(2015, 1, 1),
            end=datetime.date(2019, 12, 31),
        )
        cls.post_a = Post.objects.create(
            cadre=cls.cadre_a, organization=cls.township_a, position=Position.CHAIR, rank=Rank.SECTION, start=start
        )
        Post.objects.create(
            cadre=cls.cadre_a_plain,
            organization=cls.district_a,
            position=Position.STAFF,
            staffing=Staffing.SOCIAL_WORKER,
            start=start,
        )
        cls.post_b = Post.objects.create(
            cadre=cls.cadre_b, organization=cls.township_b, position=Position.CHAIR, rank=Rank.UNIT, start=start
        )
        cls.training_a = Training.objects.create(
            title="甲区工会干部培训班", organizer=cls.district_a, start=datetime.date(2025, 4, 1), hours=8
        )
        cls.training_b = Training.objects.create(
            title="乙区工会干部培训班", organizer=cls.district_b, start=datetime.date(2025, 4, 1), hours=8
        )
        for training, cadre in ((cls.training_a, cls.cadre_a), (cls.training_a, cls.cadre_a_plain)):
            Attendance.objects.create(training=training, cadre=cadre)
        Attendance.objects.create(training=cls.training_b, cadre=cls.cadre_b)

    @classmethod
    def add_funds(cls):
        """Money down the tree on each side (the city to township A, district B to township B)
        and money from outside to B. Not to union_a or union_b, which the matrix deletes."""
        routine = {"date": datetime.date(2025, 3, 1), "purpose": Purpose.ROUTINE}
        cls.fund_a = FundAllocation.objects.create(
            source=cls.city, recipient=cls.township_a, amount=Decimal("30000.00"), **routine
        )
        cls.fund_b = FundAllocation.objects.create(
            source=cls.district_b, recipient=cls.township_b, amount=Decimal("20000.00"), **routine
        )
        cls.fund_b_outside = FundAllocation.objects.create(
            source_name="乙区人民政府",
            recipient=cls.district_b,
            amount=Decimal("5000.00"),
            date=datetime.date(2025, 5, 1),
            purpose=Purpose.ACTIVITY_SUBSIDY,
        )

    @classmethod
    def add_standards(cls):
        """A standard of the city (read by everyone below it), one of each district, and on
        each side a draft (with a picture), a submitted and an approved assessment. The matrix
        rolls back each request, so a submit or an approval meets the same draft or submitted
        one for everybody."""
        kinds = [OrganizationKind.COUNTY_FEDERATION, OrganizationKind.TOWNSHIP_FEDERATION]
        cls.standard_city = cls.add_standard(cls.city, "市级工会规范化建设标准", kinds, "C")
        cls.standard_a = cls.add_standard(cls.district_a, "甲区街道工会标准", kinds[1:], "A")
        cls.standard_b = cls.add_standard(cls.district_b, "乙区街道工会标准", kinds[1:], "B")
        RatingThreshold.objects.create(standard=cls.standard_city, rating=3, min_points=Decimal(60))
        year = 2025
        cls.draft_a = cls.add_assessment(cls.township_a, cls.standard_city, year)
        cls.submitted_a = cls.add_assessment(
            cls.township_a, cls.standard_a, year, AssessmentStatus.SUBMITTED, cls.alice
        )
        cls.approved_a = cls.add_assessment(
            cls.district_a, cls.standard_city, year, AssessmentStatus.APPROVED, cls.alice
        )
        cls.draft_b = cls.add_assessment(cls.township_b, cls.standard_b, year)
        cls.submitted_b = cls.add_assessment(
            cls.township_b, cls.standard_city, year, AssessmentStatus.SUBMITTED, cls.bob
        )
        cls.approved_b = cls.add_assessment(cls.district_b, cls.standard_city, year, AssessmentStatus.APPROVED, cls.bob)
        cls.item_a = cls.draft_a.items.get()
        cls.item_b = cls.draft_b.items.get()
        cls.evidence_a = Evidence.objects.create(
            item=cls.item_a, image=save_image(png_upload(), EVIDENCE_FOLDER), caption="职工之家"
        )
        cls.evidence_b = Evidence.objects.create(
            item=cls.item_b, image=save_image(png_upload(), EVIDENCE_FOLDER), caption="职工书屋"
        )

    @classmethod
    def add_standard(cls, owner, name, kinds, code):
        standard = Standard.objects.create(name=name, owner=owner, kinds=kinds)
        Criterion.objects.create(standard=standard, code=f"{code}1", title="建有职工之家", points=100, must_pass=True)
        return standard

    @classmethod
    def add_assessment(cls, organization, standard, year, status=AssessmentStatus.DRAFT, submitter=None):
        approved = status == AssessmentStatus.APPROVED
        assessment = Assessment.objects.create(
            organization=organization,
            standard=standard,
            year=year,
            status=status,
            score=Decimal(100) if approved else 0,
            compliant=approved,
            rating=3 if approved and standard.thresholds.exists() else None,
            created_by=submitter,
            submitted_by=submitter,
        )
        for criterion in standard.criteria.all():
            AssessmentItem.objects.create(
                assessment=assessment, criterion=criterion, met=approved, points=criterion.points if approved else 0
            )
        return assessment

    @classmethod
    def add_activities(cls):
        """On each side a campaign with an activity (with a photo) and a recommended honour
        with a title of the district; district A's activity is co-organized by township B too
        (recorded by the city), which district A's people see only as a count. Not in union_a
        or union_b, which the matrix deletes."""
        cls.campaign_a = Campaign.objects.create(name="“五一”职工系列活动", year=2025, organizer=cls.township_a)
        cls.campaign_b = Campaign.objects.create(name="“五一”职工系列活动", year=2025, organizer=cls.township_b)
        start = datetime.date(2025, 4, 28)
        cls.activity_a = Activity.objects.create(
            title="甲区职工演讲比赛", kind="speech", organizer=cls.township_a, campaign=cls.campaign_a, start=start
        )
        cls.activity_a.co_organizers.set([cls.district_a, cls.township_b])
        cls.activity_b = Activity.objects.create(
            title="乙区职工书法展", kind="art", organizer=cls.township_b, campaign=cls.campaign_b, start=start
        )
        cls.activity_photo_a = ActivityPhoto.objects.create(
            activity=cls.activity_a, image=save_image(png_upload(), ACTIVITY_PHOTO_FOLDER), caption="演讲"
        )
        cls.activity_photo_b = ActivityPhoto.objects.create(
            activity=cls.activity_b, image=save_image(png_upload(), ACTIVITY_PHOTO_FOLDER), caption="书法"
        )
        cls.shipped_title = HonourTitle.objects.get(name="模范职工之家", level="county", owner=None)
        cls.honour_title_a = HonourTitle.objects.create(
            name="甲区工匠", level="county", recipient_type="individual", owner=cls.district_a
        )
        cls.honour_title_b = HonourTitle.objects.create(
            name="乙区工匠", level="county", recipient_type="individual", owner=cls.district_b
        )
        recommended = {"year": 2025, "status": HonourStatus.RECOMMENDED}
        cls.honour_a = Honour.objects.create(
            title=cls.honour_title_a, organization=cls.township_a, recipient_name="张明", **recommended
        )
        cls.honour_b = Honour.objects.create(
            title=cls.honour_title_b, organization=cls.township_b, recipient_name="李华", **recommended
        )
        Honour.objects.create(title=cls.shipped_title, year=2025, organization=cls.township_a)
        Honour.objects.create(title=cls.shipped_title, year=2025, organization=cls.township_b)

    @classmethod
    def add_relief(cls):
        """A programme of the city and one of each district; on each side two hardship files
        (in the township, not in union_a or union_b, which the matrix deletes) and a draft, a
        submitted (by the district's staff), an approved and a paid disbursement. Nobody of B
        approves, so the superuser approves B's."""
        budget = {"year": 2025, "budget": Decimal("100000"), "standard_amount": 1000, "cap_per_person": 5000}
        cls.programme_city = Programme.objects.create(name="两节送温暖", owner=cls.city, **budget)
        cls.programme_a = Programme.objects.create(name="大病救助", owner=cls.district_a, **budget)
        cls.programme_b = Programme.objects.create(name="金秋助学", owner=cls.district_b, **budget)
        filed = {"hardship_level": "deep", "filed_on": datetime.date(2024, 1, 5), "bank_name": "农村信用社"}
        cls.person_a = Beneficiary.objects.create(
            full_name="赵强",
            id_number=ID_RELIEF_A,
            organization=cls.township_a,
            bank_account="6228480402564890018",
            **filed,
        )
        person_a2 = Beneficiary.objects.create(
            full_name="孙丽",
            id_number=ID_RELIEF_A2,
            organization=cls.township_a,
            bank_account="6228480402564890026",
            **filed,
        )
        cls.person_b = Beneficiary.objects.create(
            full_name="钱红",
            id_number=ID_RELIEF_B,
            organization=cls.township_b,
            bank_account="6228480402564890034",
            **filed,
        )
        sides = {
            "a": (cls.alice, cls.april, cls.programme_a, cls.district_a, person_a2, cls.person_a),
            "b": (cls.bob, cls.root, cls.programme_b, cls.district_b, cls.person_b, cls.person_b),
        }
        for side, (staff, approver, programme, payer, approved_to, paid_to) in sides.items():
            common = {"programme": programme, "date": datetime.date(2025, 9, 1), "paying_organization": payer}
            group = {"group_name": "环卫工人", "head_count": 20, "in_kind_value": Decimal("2000")}
            draft = relief_services.disbursement_create(user=staff, **common, **group)
            submitted = relief_services.disbursement_create(user=staff, **common, **group)
            relief_services.disbursement_submit(disbursement=submitted, user=staff)
            approved = relief_services.disbursement_create(
                user=staff, beneficiary=approved_to, cash=Decimal("3000"), **common
            )
            relief_services.disbursement_submit(disbursement=approved, user=staff)
            relief_services.disbursement_approve(disbursement=approved, user=approver)
            if side == "b":  # one person on B's side: paid from the city's programme
                common["programme"] = cls.programme_city
            paid = relief_services.disbursement_create(user=staff, beneficiary=paid_to, cash=Decimal("1000"), **common)
            relief_services.disbursement_submit(disbursement=paid, user=staff)
            relief_services.disbursement_approve(disbursement=paid, user=approver)
            relief_services.disbursement_pay(disbursement=paid, user=staff)
            for state, disbursement in (
                ("draft", draft),
                ("submitted", submitted),
                ("approved", approved),
                ("paid", paid),
            ):
                setattr(cls, f"{state}_relief_{side}", disbursement)

    @classmethod
    def add_jobs(cls):
        """A finished export of alice's, its workbook under the class's MEDIA_ROOT."""
        result = Path(settings.MEDIA_ROOT) / "jobs" / "matrix.xlsx"
        result.parent.mkdir(parents=True, exist_ok=True)
        result.write_bytes(table_response("组织", ["名称"], [["甲区总工会"]], "x.xlsx").content)
        cls.job_a = Job.objects.create(
            user=cls.alice,
            kind=Job.Kind.EXPORT,
            what="organizations.views.OrganizationListView",
            title="组织",
            path=reverse("organizations:organization_list"),
            status=Job.Status.DONE,
            done=1,
            total=1,
            result=str(result),
            filename="organizations.xlsx",
            finished=timezone.now(),
        )


class AuthorizationMatrixTest(MatrixDataTestCase):
    maxDiff = None

    def person(self, name):
        return None if name == "anonymous" else getattr(self, name)

    def names_outside_branch(self, user):
        """Organizations that must never be named to `user`: all of them for the anonymous;
        for a user, those neither in their branch nor above it (the parent of one's own
        organization is shown beside it on purpose)."""
        names = set()
        for organization in Organization.objects.all():
            if user is None:
                names.add(organization.name)
            elif user.is_superuser:
                continue
            else:
                mine = user.organization.path
                if not (organization.path.startswith(mine) or mine.startswith(organization.path)):
                    names.add(organization.name)
        return names

    def client_for(self, person):
        """One client per person, logged in once (a new client would load the middleware,
        and scan the static files, on every request); its cookies are put back before each
        request, since a request may log it out."""
        if person not in self.clients:
            client = Client()
            user = self.person(person)
            if user is not None:
                client.force_login(user)
            self.clients[person] = (client, copy.deepcopy(client.cookies))
        client, cookies = self.clients[person]
        client.cookies = copy.deepcopy(cookies)
        return client

    def request(self, person, method, url, data):
        client = self.client_for(person)
        with transaction.atomic():
            try:
                response = client.get(url) if method == "GET" else client.post(url, data)
            finally:
                transaction.set_rollback(True)
        return response

    def check(self, response, expected, where, failures):
        status = response.status_code
        location = response.get("Location", "")
        login = reverse("accounts:login")
        if isinstance(expected, Redirect):
            if status != 302 or not location.startswith(reverse(expected.url_name)):
                failures.append(f"{where}: expected a redirect to {expected.url_name}, got {status} {location}")
        elif expected == 302:
            if status != 302 or location.startswith(login):
                failures.append(f"{where}: expected a redirect after saving, got {status} {location}")
        elif status != expected:
            failures.append(f"{where}: expected {expected}, got {status} {location}")

    def test_every_url_pattern_is_in_the_matrix(self):
        names = matrix_url_names()
        self.assertEqual(sorted(names - set(MATRIX)), [], "URL names missing from the authorization matrix")
        self.assertEqual(sorted(set(MATRIX) - names), [], "matrix entries naming no URL")

    def test_the_walk_sees_the_excluded_urls_too(self):
        """The exclusions must be real URLs, or the walk has stopped seeing part of the tree."""
        every_name = url_names(get_resolver().url_patterns)
        self.assertIn("set_language", every_name)
        self.assertIn("admin:index", every_name)
        self.assertIn("admin:organizations_organization_change", every_name)

    def test_every_person_gets_the_expected_status_on_every_url(self):
        self.clients = {}
        failures = []
        hidden = {person: self.names_outside_branch(self.person(person)) for person in PEOPLE}
        may_reveal = {person: person != "anonymous" and self.person(person).may_reveal for person in PEOPLE}
        self.assertEqual([person for person in PEOPLE if may_reveal[person]], ["root"])
        for name, cases in MATRIX.items():
            for case in cases:
                url = reverse(name, kwargs=case.kwargs(self))
                query = case.query(self)
                if query:
                    url = f"{url}?{query}"
                for method, expectations in (("GET", case.get), ("POST", case.post)):
                    self.assertEqual(set(expectations), set(PEOPLE))
                    for person, expected in expectations.items():
                        where = f"{method} {name} {case.label} ({url}) as {person}"
                        # Built for each request: an upload in the data is read as it is sent.
                        data = case.data(self) if method == "POST" else None
                        try:
                            response = self.request(person, method, url, data)
                        except Exception as error:  # a 500: the test client re-raises it
                            failures.append(f"{where}: raised {error!r}")
                            continue
                        self.check(response, expected, where, failures)
                        body = response_body(response)
                        text = response_text(response, body)
                        for leaked in sorted(hidden[person]):
                            if leaked in text:
                                failures.append(f"{where}: names {leaked}, outside the branch")
                        if not (name in REVEAL_PAGES and may_reveal[person]):
                            for number in full_ids_in(response, body):
                                failures.append(f"{where}: shows the full ID number {number}")
        self.assertEqual(failures, [])

    def test_the_id_number_check_finds_full_numbers_where_they_are(self):
        """The search for full numbers above must be able to fail: the fixtures hold real
        numbers, and the one page that shows them (to the superuser, who holds every
        permission) is found to."""
        self.assertEqual(set(Cadre.history.values_list("id_number", flat=True)), {ID_A_FIRST, ID_A, ID_A_PLAIN, ID_B})
        self.client.force_login(self.root)
        response = self.client.post(reverse("cadres:cadre_reveal", args=[self.cadre_a.pk]), {"reason": "核对身份信息"})
        self.assertEqual(full_ids_in(response), [ID_A])
        self.assertEqual(full_ids_in(self.client.get(reverse("cadres:cadre_detail", args=[self.cadre_a.pk]))), [])

    def test_out_of_scope_names_are_checked_for_the_district_people(self):
        """The leak check above is only as good as its list of names: make sure it holds the
        other district's organizations, and nothing of one's own branch."""
        self.assertEqual(
            self.names_outside_branch(self.alice),
            {"乙区总工会", "乙区机械厂工会", "乙区城关街道工会联合会", "乙区已注销工会"},
        )
        self.assertEqual(
            self.names_outside_branch(self.bob),
            {"甲区总工会", "甲区第一中学工会", "甲区城关街道工会联合会", "甲区已注销工会"},
        )
        self.assertEqual(self.names_outside_branch(self.lena), set())
        self.assertEqual(self.names_outside_branch(self.root), set())

    def test_the_city_reads_both_districts_where_the_walk_looks_for_leaks(self):
        """The pages and workbooks that gather records of a branch name both districts to the
        city, so the walk's name check has something to find on them if a district's person
        were shown the other district's rows."""
        self.client.force_login(self.lena)
        pages = {
            "funds": reverse("organizations:fundallocation_list"),
            "funds export": f"{reverse('organizations:fundallocation_list')}?export=xlsx",
            "assessments export": f"{reverse('standards:assessment_list')}?export=xlsx",
            "report": f"{reverse('reports:standardization_report')}?{report_query(self.city, self.standard_city)}",
            "report export": (
                f"{reverse('reports:standardization_report')}?"
                f"{report_query(self.city, self.standard_city, format='xlsx')}"
            ),
        }
        for label, url in pages.items():
            with self.subTest(label):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                text = response_text(response, response_body(response))
                self.assertIn("甲区城关街道工会联合会", text)
                self.assertIn("乙区城关街道工会联合会", text)
        report = self.client.get(pages["report"]).context["report"]
        self.assertEqual(
            [row.name for row in report.rows],
            ["甲区总工会", "甲区城关街道工会联合会", "乙区总工会", "乙区城关街道工会联合会"],
        )
        self.assertEqual([row.assessed for row in report.rows], [True, False, True, False])


class RevealTest(MatrixDataTestCase):
    """Full numbers for a user an administrator granted the permission: in scope only, after a
    reason, and recorded. (The matrix above: no role may, not even in scope.)"""

    def setUp(self):
        self.alice.user_permissions.add(Permission.objects.get(codename=REVEAL_PERMISSION_CODENAME))
        self.client.force_login(self.alice)

    def reveal_url(self, cadre):
        return reverse("cadres:cadre_reveal", args=[cadre.pk])

    def reveals(self):
        return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.REVEAL).values_list("username", "params"))

    def test_granted_user_sees_the_link_and_the_form_and_nothing_is_recorded_yet(self):
        detail = self.client.get(reverse("cadres:cadre_detail", args=[self.cadre_a.pk]))
        self.assertTrue(detail.context["may_reveal"])
        self.assertContains(detail, f'href="{self.reveal_url(self.cadre_a)}"')
        response = self.client.get(self.reveal_url(self.cadre_a))
        self.assertEqual(response.status_code, 200)
        self.assertIn("reason", response.context["form"].fields)
        self.assertEqual(full_ids_in(response), [])
        self.assertEqual(self.reveals(), [])

    def test_reveal_with_a_reason_shows_the_number_and_records_who_why_and_what(self):
        response = self.client.post(self.reveal_url(self.cadre_a), {"reason": "核对社保信息"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(full_ids_in(response), [ID_A])
        [event] = AuditEvent.objects.filter(kind=AuditEvent.Kind.REVEAL)
        self.assertEqual(event.user, self.alice)
        self.assertEqual(event.organization_path, self.district_a.path)
        self.assertEqual(event.outcome, AuditEvent.Outcome.SUCCESS)
        self.assertEqual(event.path, self.reveal_url(self.cadre_a))
        self.assertEqual(
            event.params,
            {"model": "cadres.Cadre", "pk": self.cadre_a.pk, "fields": ["id_number"], "reason": "核对社保信息"},
        )

    def test_reveal_without_a_reason_shows_the_form_error_and_records_nothing(self):
        for data in ({}, {"reason": ""}, {"reason": "看看"}):
            with self.subTest(data=data):
                response = self.client.post(self.reveal_url(self.cadre_a), data)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(list(response.context["form"].errors), ["reason"])
                self.assertIsNone(response.context["revealed"])
                self.assertEqual(full_ids_in(response), [])
        self.assertEqual(self.reveals(), [])

    def test_granted_user_gets_404_for_a_cadre_outside_the_branch_and_nothing_is_recorded(self):
        for method in ("get", "post"):
            with self.subTest(method=method):
                response = getattr(self.client, method)(self.reveal_url(self.cadre_b), {"reason": "核对社保信息"})
                self.assertEqual(response.status_code, 404)
                self.assertEqual(full_ids_in(response), [])
        self.assertEqual(self.reveals(), [])

    def test_without_the_permission_the_detail_page_has_no_reveal_link(self):
        self.client.force_login(self.adam)
        detail = self.client.get(reverse("cadres:cadre_detail", args=[self.cadre_a.pk]))
        self.assertFalse(detail.context["may_reveal"])
        self.assertNotContains(detail, self.reveal_url(self.cadre_a))
        self.assertEqual(self.client.post(self.reveal_url(self.cadre_a), {"reason": "核对社保信息"}).status_code, 403)
        self.assertEqual(self.reveals(), [])

    def test_an_inactive_user_keeps_no_reveal_permission(self):
        self.alice.is_active = False
        self.alice.save()
        self.assertFalse(User.objects.get(pk=self.alice.pk).may_reveal)


class PhotoScopeTest(MatrixDataTestCase):
    """The photo the matrix serves is the stored PNG, to the branch only."""

    def test_photo_is_served_as_png_in_scope_and_404_outside(self):
        url = reverse("cadres:cadre_photo", args=[self.cadre_a.pk])
        for user in (self.alice, self.lena, self.root):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "image/png")
                self.assertEqual(response_body(response)[:8], b"\x89PNG\r\n\x1a\n")
        for user in (self.bob, self.leo):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url).status_code, 404)


class ListScopeTest(PortalTestCase):
    """What the lists hold, person by person: the rows are the branch, never more."""

    def rows(self, user, url_name, query=""):
        self.login(user)
        response = self.client.get(f"{reverse(url_name)}{query}")
        self.assertEqual(response.status_code, 200)
        return [row.record for row in response.context["table"].paginated_rows]

    def test_admin_of_district_a_lists_only_users_of_district_a(self):
        usernames = {user.username for user in self.rows(self.adam, "accounts:user_list")}
        self.assertEqual(usernames, {"alice", "april", "adam"})

    def test_admin_of_the_city_lists_every_user_of_the_city(self):
        usernames = {user.username for user in self.rows(self.ada, "accounts:user_list")}
        self.assertEqual(usernames, {"alice", "april", "adam", "bob", "leo", "lena", "otto", "ada"})

    def test_staff_of_district_a_lists_only_organizations_of_district_a(self):
        names = [organization.name for organization in self.rows(self.alice, "organizations:organization_list")]
        self.assertEqual(names, ["甲区总工会", "甲区第一中学工会"])

    def test_staff_of_district_a_filtering_by_branch_b_gets_no_rows(self):
        rows = self.rows(self.alice, "organizations:organization_list", f"?branch={self.district_b.pk}")
        self.assertEqual(rows, [])

    def test_auditor_reads_the_audit_log_of_the_city_only(self):
        other_city = make_org(None, "邻市总工会", OrganizationKind.CITY_FEDERATION)
        for organization, username in ((self.district_a, "alice"), (other_city, "stranger")):
            AuditEvent.objects.create(
                username=username,
                organization_path=organization.path,
                organization_name=organization.name,
                kind=AuditEvent.Kind.LOGIN,
            )
        usernames = [event.username for event in self.rows(self.otto, "accounts:auditevent_list")]
        self.assertEqual(usernames, ["alice"])


class LanguageSwitchTest(PortalTestCase):
    """set_language is left out of the matrix: anyone may switch, logged in or not."""

    def test_anonymous_switches_to_english_and_returns_to_the_page(self):
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/accounts/login/")
        self.assertEqual(response.cookies["django_language"].value, "en")

    def test_logged_in_user_switches_and_sees_english(self):
        self.login(self.alice)
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        response = self.client.get(reverse("organizations:organization_tree"))
        self.assertContains(response, "Union tree")

    def test_next_pointing_to_another_site_goes_home_instead(self):
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], "/")
