"""The people and places every test speaks of.

测试市总工会 (city)                 lena (leader), otto (auditor), ada (admin)
├── 甲区总工会 (district A)          alice (staff), april (approver), adam (admin)
│   └── 甲区第一中学工会 (union A)
└── 乙区总工会 (district B)          bob (staff), leo (leader)
    └── 乙区机械厂工会 (union B)
root: superuser, no organization
"""

import time

from django.test import TestCase

from accounts.middleware import LAST_SEEN, STARTED
from accounts.models import User
from organizations.models import Organization, OrganizationKind, UnitType

PASSWORD = "Test-Pass-2026"


def make_user(username, organization, role, **extra):
    return User.objects.create_user(
        username, password=PASSWORD, organization=organization, role=role, full_name=username.title(), **extra
    )


def make_org(parent, name, kind=OrganizationKind.GRASSROOTS, unit_type=UnitType.ORGAN, **extra):
    fields = {"name": name, "kind": kind, "unit_type": unit_type, "parent": parent, **extra}
    if parent is None:
        return Organization.objects.add_root(fields)
    organization = Organization.objects.add_child(parent, fields)
    parent.refresh_from_db()
    return organization


class PortalTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.city = make_org(None, "测试市总工会", OrganizationKind.CITY_FEDERATION)
        cls.district_a = make_org(cls.city, "甲区总工会", OrganizationKind.COUNTY_FEDERATION)
        cls.district_b = make_org(cls.city, "乙区总工会", OrganizationKind.COUNTY_FEDERATION)
        cls.union_a = make_org(cls.district_a, "甲区第一中学工会", unit_type=UnitType.INSTITUTION)
        cls.union_b = make_org(cls.district_b, "乙区机械厂工会", unit_type=UnitType.PRIVATE_ENTERPRISE)
        cls.city.refresh_from_db()
        cls.alice = make_user("alice", cls.district_a, "staff")
        cls.april = make_user("april", cls.district_a, "approver")
        cls.adam = make_user("adam", cls.district_a, "admin")
        cls.bob = make_user("bob", cls.district_b, "staff")
        cls.leo = make_user("leo", cls.district_b, "leader")
        cls.lena = make_user("lena", cls.city, "leader")
        cls.otto = make_user("otto", cls.city, "auditor")
        cls.ada = make_user("ada", cls.city, "admin")
        cls.root = User.objects.create_superuser("root", "", PASSWORD)

    def login(self, user):
        """Logged in, with the session stamped as the first page would stamp it (so that the
        first request measured is not the one that writes the session)."""
        self.client.force_login(user)
        session = self.client.session
        now = time.time()
        session[STARTED] = session[LAST_SEEN] = now
        session.save()
        return self.client
