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
branch: whatever the status, none may appear. Each request runs in a savepoint that is
rolled back, so every person meets the same data.
"""

import copy
import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from organizations.models import MembershipFigure, Organization, OrganizationKind
from tests.base import PASSWORD, PortalTestCase, make_org
from unionportal.xlsx import XLSX_CONTENT_TYPE

PEOPLE = ("anonymous", "alice", "april", "adam", "bob", "leo", "lena", "otto", "ada", "root")
# Names the matrix leaves out on purpose: the admin site (tests/accounts/test_admin_site.py)
# and the language switch (its own tests below).
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES = {"set_language"}

NEW_PASSWORD = "Lantern-Quarry-2026"


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


def user_data(username, organization, role="staff"):
    return {
        "username": username,
        "full_name": username.title(),
        "email": "",
        "organization": organization.pk,
        "role": role,
    }


MATRIX = {
    "home": [
        Case(
            get=row(LOGIN, 200, 200, 200, 200, 200, 200, AUDIT_LOG, 200, 200),
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


def response_text(response):
    """What a person can read in a response: the page, or every cell of a workbook."""
    if response.get("Content-Type") == XLSX_CONTENT_TYPE:
        workbook = load_workbook(io.BytesIO(response.content), read_only=True)
        cells = [
            str(value)
            for sheet in workbook.worksheets
            for values in sheet.iter_rows(values_only=True)
            for value in values
            if value is not None
        ]
        workbook.close()
        return "\n".join(cells)
    return response.content.decode()


class AuthorizationMatrixTest(PortalTestCase):
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
        for name, cases in MATRIX.items():
            for case in cases:
                url = reverse(name, kwargs=case.kwargs(self))
                query = case.query(self)
                if query:
                    url = f"{url}?{query}"
                for method, expectations in (("GET", case.get), ("POST", case.post)):
                    self.assertEqual(set(expectations), set(PEOPLE))
                    data = case.data(self) if method == "POST" else None
                    for person, expected in expectations.items():
                        where = f"{method} {name} {case.label} ({url}) as {person}"
                        try:
                            response = self.request(person, method, url, data)
                        except Exception as error:  # a 500: the test client re-raises it
                            failures.append(f"{where}: raised {error!r}")
                            continue
                        self.check(response, expected, where, failures)
                        text = response_text(response)
                        for leaked in sorted(hidden[person]):
                            if leaked in text:
                                failures.append(f"{where}: names {leaked}, outside the branch")
        self.assertEqual(failures, [])

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
