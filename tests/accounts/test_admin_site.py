"""The Django admin at /admin/: superusers see everything; administrators see their branch
through the same restrict() as the portal; nobody else gets in."""

import datetime
import json

from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import AuditEvent, User
from activities.models import Activity, ActivityKind
from activities.services import activity_save
from cadres.models import Cadre, Post
from organizations.models import MembershipFigure, Organization, OrganizationKind
from organizations.services import organization_move
from tests.base import PortalTestCase, make_org


def admin_url(name, *args, query=""):
    return reverse(f"admin:{name}", args=args) + (f"?{query}" if query else "")


class AdminSiteTestCase(PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # A second federation beside the test city: outside the scope of even the city's admin.
        cls.other_city = make_org(None, "邻市总工会", OrganizationKind.CITY_FEDERATION)
        cls.other_union = make_org(cls.other_city, "邻市钢铁厂工会")
        cls.figure_a = MembershipFigure.objects.create(organization=cls.union_a, year=2025, members=50)
        cls.figure_b = MembershipFigure.objects.create(organization=cls.union_b, year=2025, members=80)

    def changelist(self, user, model="organizations_organization", query=""):
        self.login(user)
        response = self.client.get(admin_url(f"{model}_changelist", query=query))
        self.assertEqual(response.status_code, 200)
        return response

    def names(self, response):
        return sorted(str(obj) for obj in response.context["cl"].result_list)


class WhoGetsInTest(AdminSiteTestCase):
    def test_superuser_opens_the_admin_index_with_every_model(self):
        self.login(self.root)
        response = self.client.get(admin_url("index"))
        self.assertEqual(response.status_code, 200)
        models = sorted(model["object_name"] for app in response.context["app_list"] for model in app["models"])
        self.assertEqual(
            models,
            [
                "Activity",
                "Assessment",
                "Attendance",
                "AuditEvent",
                "Beneficiary",
                "Cadre",
                "Campaign",
                "Disbursement",
                "FundAllocation",
                "Group",
                "Honour",
                "HonourTitle",
                "MembershipFigure",
                "Organization",
                "Programme",
                "Review",
                "Standard",
                "Training",
                "User",
            ],
        )

    def test_city_admin_opens_the_admin_index_without_the_audit_log(self):
        self.login(self.ada)
        response = self.client.get(admin_url("index"))
        self.assertEqual(response.status_code, 200)
        models = sorted(model["object_name"] for app in response.context["app_list"] for model in app["models"])
        self.assertEqual(
            models,
            [
                "Activity",
                "Assessment",
                "Attendance",
                "Beneficiary",
                "Cadre",
                "Campaign",
                "Disbursement",
                "FundAllocation",
                "Honour",
                "HonourTitle",
                "MembershipFigure",
                "Organization",
                "Programme",
                "Review",
                "Standard",
                "Training",
                "User",
            ],
        )

    def test_staff_is_refused_at_the_admin(self):
        self.login(self.alice)
        response = self.client.get(admin_url("index"))
        self.assertRedirects(response, admin_url("login", query="next=/admin/"), fetch_redirect_response=False)
        response = self.client.get(admin_url("index"), follow=True)
        self.assertEqual(response.status_code, 403)

    def test_every_role_but_admin_is_refused_every_admin_page(self):
        pages = [
            admin_url("index"),
            admin_url("organizations_organization_changelist"),
            admin_url("organizations_organization_change", self.union_a.pk),
            admin_url("accounts_user_changelist"),
            admin_url("accounts_user_change", self.alice.pk),
        ]
        for user in (self.alice, self.april, self.bob, self.leo, self.lena, self.otto):
            self.login(user)
            for page in pages:
                with self.subTest(user=user.username, page=page):
                    response = self.client.get(page, follow=True)
                    self.assertEqual(response.status_code, 403)
                    self.assertNotContains(response, "甲区第一中学工会", status_code=403)

    def test_anonymous_is_sent_to_the_portal_login(self):
        response = self.client.get(admin_url("organizations_organization_changelist"), follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.request["PATH_INFO"], reverse("accounts:login"))

    def test_deactivated_admin_is_refused(self):
        User.objects.filter(pk=self.ada.pk).update(is_active=False)
        self.ada.refresh_from_db()
        self.client.force_login(self.ada)
        response = self.client.get(admin_url("organizations_organization_changelist"))
        self.assertNotEqual(response.status_code, 200)


class ChangelistScopeTest(AdminSiteTestCase):
    def test_superuser_sees_every_organization(self):
        response = self.changelist(self.root)
        self.assertEqual(
            self.names(response),
            sorted(
                [
                    "测试市总工会",
                    "甲区总工会",
                    "乙区总工会",
                    "甲区第一中学工会",
                    "乙区机械厂工会",
                    "邻市总工会",
                    "邻市钢铁厂工会",
                ]
            ),
        )

    def test_city_admin_sees_only_her_branch(self):
        response = self.changelist(self.ada)
        self.assertEqual(
            self.names(response),
            sorted(["测试市总工会", "甲区总工会", "乙区总工会", "甲区第一中学工会", "乙区机械厂工会"]),
        )
        self.assertNotContains(response, "邻市")

    def test_district_admin_does_not_see_the_other_district(self):
        response = self.changelist(self.adam)
        self.assertEqual(self.names(response), sorted(["甲区总工会", "甲区第一中学工会"]))
        self.assertNotContains(response, "乙区")

    def test_district_admin_searching_for_the_other_district_finds_nothing(self):
        response = self.changelist(self.adam, query="q=乙区")
        self.assertEqual(self.names(response), [])
        self.assertNotContains(response, "乙区机械厂工会")

    def test_district_admin_sees_only_users_of_the_district(self):
        response = self.changelist(self.adam, "accounts_user")
        self.assertEqual(self.names(response), ["Adam", "Alice", "April"])

    def test_district_admin_sees_only_membership_figures_of_the_district(self):
        response = self.changelist(self.adam, "organizations_membershipfigure")
        self.assertEqual([figure.pk for figure in response.context["cl"].result_list], [self.figure_a.pk])

    def test_admins_may_not_read_the_audit_log_in_the_admin(self):
        AuditEvent.objects.create(username="alice", kind=AuditEvent.Kind.LOGIN)
        for user in (self.adam, self.ada):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(admin_url("accounts_auditevent_changelist")).status_code, 403)
        self.assertEqual(self.changelist(self.root, "accounts_auditevent").context["cl"].result_count, 1)


class OutOfScopeObjectTest(AdminSiteTestCase):
    """A record outside the branch is a 404 in the admin as in the portal, and the same 404 as
    a record that never existed. Django's own answer, a redirect to the index with a "doesn't
    exist" warning, was the same for both too, but it is not the portal's rule ("404, never
    403"): the admin now answers as every other page does."""

    def assert_not_found(self, user, name, pk, *, post=None, absent=()):
        self.login(user)
        response = self.client.get(admin_url(name, pk)) if post is None else self.client.post(admin_url(name, pk), post)
        self.assertEqual(response.status_code, 404)
        self.assertEqual(list(get_messages(response.wsgi_request)), [])
        for name_shown in absent:
            self.assertNotContains(response, name_shown, status_code=404)

    def test_district_admin_cannot_open_an_organization_of_the_other_district(self):
        self.assert_not_found(
            self.adam, "organizations_organization_change", self.union_b.pk, absent=["乙区机械厂工会"]
        )

    def test_an_organization_of_the_other_district_looks_like_one_that_never_existed(self):
        missing = Organization.objects.order_by("-pk").first().pk + 100
        self.assert_not_found(self.adam, "organizations_organization_change", missing)
        self.assert_not_found(self.adam, "organizations_organization_history", missing)

    def test_city_admin_cannot_open_an_organization_of_another_city(self):
        self.assert_not_found(self.ada, "organizations_organization_change", self.other_union.pk, absent=["邻市"])

    def test_district_admin_cannot_open_a_user_of_the_other_district(self):
        self.assert_not_found(self.adam, "accounts_user_change", self.bob.pk)

    def test_district_admin_cannot_open_figures_of_the_other_district(self):
        self.assert_not_found(self.adam, "organizations_membershipfigure_change", self.figure_b.pk)

    def test_district_admin_cannot_change_figures_of_the_other_district_by_post(self):
        post = {"organization": self.union_a.pk, "year": 2025, "members": 1}
        self.assert_not_found(self.adam, "organizations_membershipfigure_change", self.figure_b.pk, post=post)
        self.figure_b.refresh_from_db()
        self.assertEqual((self.figure_b.organization, self.figure_b.members), (self.union_b, 80))

    def test_delete_page_of_a_record_of_the_other_district_or_of_none_is_404(self):
        missing = MembershipFigure.objects.order_by("-pk").first().pk + 100
        for pk in (self.figure_b.pk, missing):
            with self.subTest(pk=pk):
                self.assert_not_found(self.adam, "organizations_membershipfigure_delete", pk)
                self.assert_not_found(self.adam, "organizations_membershipfigure_delete", pk, post={"post": "yes"})
        self.assertTrue(MembershipFigure.objects.filter(pk=self.figure_b.pk).exists())

    def test_superuser_opening_a_missing_record_gets_404_too(self):
        missing = Organization.objects.order_by("-pk").first().pk + 100
        self.assert_not_found(self.root, "organizations_organization_change", missing)
        self.assert_not_found(self.root, "organizations_organization_history", missing)

    def test_district_admin_cannot_reset_the_password_of_a_user_of_the_other_district(self):
        self.login(self.adam)
        password_before = User.objects.get(pk=self.bob.pk).password
        url = admin_url("auth_user_password_change", self.bob.pk)
        self.assertEqual(self.client.get(url).status_code, 404)
        response = self.client.post(url, {"password1": "Harbour-Lights-88", "password2": "Harbour-Lights-88"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(User.objects.get(pk=self.bob.pk).password, password_before)

    def test_district_admin_gets_404_for_the_history_of_the_other_district(self):
        self.login(self.adam)
        record = self.union_b.history.first()
        for url in (
            admin_url("organizations_organization_history", self.union_b.pk),
            admin_url("organizations_organization_simple_history", self.union_b.pk, record.history_id),
            admin_url("accounts_user_history", self.bob.pk),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, "乙区机械厂工会", status_code=404)

    def test_district_admin_reads_the_history_of_the_own_district(self):
        self.login(self.adam)
        record = self.union_a.history.first()
        response = self.client.get(admin_url("organizations_organization_history", self.union_a.pk))
        self.assertContains(response, "甲区第一中学工会")
        response = self.client.get(
            admin_url("organizations_organization_simple_history", self.union_a.pk, record.history_id)
        )
        self.assertContains(response, "甲区第一中学工会")

    def test_superuser_reads_the_history_of_a_deleted_organization(self):
        pk = self.other_union.pk
        self.other_union.delete()
        self.login(self.root)
        response = self.client.get(admin_url("organizations_organization_history", pk))
        self.assertContains(response, "邻市钢铁厂工会")

    def test_view_on_site_for_the_other_district_is_404_like_a_missing_record(self):
        self.login(self.adam)
        content_type = ContentType.objects.get_for_model(Organization)
        missing = Organization.objects.order_by("-pk").first().pk + 100
        for pk in (self.union_b.pk, missing):
            with self.subTest(pk=pk):
                self.assertEqual(self.client.get(admin_url("view_on_site", content_type.pk, pk)).status_code, 404)
        response = self.client.get(admin_url("view_on_site", content_type.pk, self.union_a.pk))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith(self.union_a.get_absolute_url()))

    def test_superuser_view_on_site_redirects_to_the_portal_page(self):
        self.login(self.root)
        content_type = ContentType.objects.get_for_model(Organization)
        response = self.client.get(admin_url("view_on_site", content_type.pk, self.union_b.pk))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith(self.union_b.get_absolute_url()))

    def test_autocomplete_offers_only_organizations_of_the_branch(self):
        self.login(self.adam)
        query = "app_label=accounts&model_name=user&field_name=organization&term=区"
        response = self.client.get(admin_url("autocomplete", query=query))
        self.assertEqual(response.status_code, 200)
        names = sorted(result["text"] for result in json.loads(response.content)["results"])
        self.assertEqual(names, sorted(["甲区总工会", "甲区第一中学工会"]))


class HistoryMaskingTest(AdminSiteTestCase):
    """The admin's history pages read earlier versions through the portal's history display
    (unionportal/history.py): a record outside the reader's branch that an earlier version
    pointed at is "(outside your branch)", in the changes, on the version's own page and in
    its name, where simple-history named it."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # A union of district B that the city moved into district A: its first version's
        # parent is district B, which district A's administrator may not see.
        cls.moved = make_org(cls.district_b, "迁入甲区工会")
        organization_move(organization=cls.moved, new_parent=cls.district_a, user=cls.ada)
        cls.first_version = cls.moved.history.earliest()
        with translation.override("zh-hans"):
            cls.outside = gettext("(outside your branch)")

    def history(self, user, name="organizations_organization_history", pk=None):
        self.login(user)
        response = self.client.get(admin_url(name, pk or self.moved.pk))
        self.assertEqual(response.status_code, 200)
        return response

    def changes(self, response):
        return [
            (str(change["field"]), change["old"], change["new"])
            for record in response.context["page_obj"]
            for change in getattr(record, "history_delta_changes", [])
        ]

    def test_the_change_of_parent_hides_the_other_district_from_district_a(self):
        response = self.history(self.adam)
        parent = str(Organization._meta.get_field("parent").verbose_name).capitalize()
        self.assertIn((parent, self.outside, "甲区总工会"), self.changes(response))
        self.assertNotContains(response, "乙区总工会")

    def test_the_city_reads_both_parents(self):
        for user in (self.ada, self.root):
            with self.subTest(user=user.username):
                response = self.history(user)
                parent = str(Organization._meta.get_field("parent").verbose_name).capitalize()
                self.assertIn((parent, "乙区总工会", "甲区总工会"), self.changes(response))

    def version_page(self, user):
        self.login(user)
        url = admin_url("organizations_organization_simple_history", self.moved.pk, self.first_version.history_id)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_first_version_page_hides_its_parent_in_the_other_district(self):
        response = self.version_page(self.adam)
        self.assertNotContains(response, "乙区总工会")
        self.assertContains(response, self.outside)
        self.assertContains(self.version_page(self.ada), "乙区总工会")

    def test_a_version_names_itself_without_records_outside_the_branch(self):
        """A membership figure is named by its organization and year: the figure's earlier
        version, filed under another district's union, is named without that union."""
        figure = MembershipFigure.objects.create(organization=self.union_b, year=2024, members=10)
        MembershipFigure.objects.filter(pk=figure.pk).update(organization=self.union_a)
        figure.refresh_from_db()
        figure.members = 11
        figure.save()
        self.login(self.adam)
        response = self.history(self.adam, "organizations_membershipfigure_history", figure.pk)
        self.assertNotContains(response, "乙区机械厂工会")
        self.assertContains(response, f"{self.outside} 2024")
        url = admin_url("organizations_membershipfigure_simple_history", figure.pk, figure.history.earliest().pk)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "乙区机械厂工会")

    def test_co_organizers_read_as_names_in_the_admin_too(self):
        activity = Activity.objects.create(
            title="联合读书活动", kind=ActivityKind.READING, organizer=self.district_a, start=datetime.date(2025, 4, 23)
        )
        activity_save(activity=activity, co_organizers=[self.union_a, self.union_b], user=self.ada)
        field = str(Activity._meta.get_field("co_organizers").verbose_name).capitalize()
        response = self.history(self.adam, "activities_activity_history", activity.pk)
        self.assertIn((field, "—", f"甲区第一中学工会、{self.outside}"), self.changes(response))
        self.assertNotContains(response, "乙区机械厂工会")
        self.assertNotContains(response, "&#x27;organization&#x27;")
        response = self.history(self.ada, "activities_activity_history", activity.pk)
        self.assertIn((field, "—", "甲区第一中学工会、乙区机械厂工会"), self.changes(response))

    def test_a_version_cannot_be_reverted(self):
        """Reverting wrote the earlier version straight back past the services: district A's
        administrator put the moved union back under district B, out of his own branch, its
        path and the parents' child counts as they were. A version's page is for reading."""
        self.login(self.adam)
        url = admin_url("organizations_organization_simple_history", self.moved.pk, self.first_version.history_id)
        page = self.client.get(url)
        self.assertNotContains(page, 'name="_save"')
        response = self.client.post(url, {"name": self.moved.name, "parent": self.district_b.pk, "_save": "1"})
        self.assertEqual(response.status_code, 405)
        self.moved.refresh_from_db()
        self.assertEqual(self.moved.parent_id, self.district_a.pk)
        self.assertEqual(self.moved.history.count(), 2)
        self.login(self.root)
        self.assertEqual(self.client.post(url, {"name": self.moved.name}).status_code, 405)


class ForeignKeyDropdownTest(AdminSiteTestCase):
    def organization_choices(self, response):
        field = response.context["adminform"].form.fields["organization"]
        return sorted(label for value, label in field.choices if value)

    def test_district_admin_user_form_offers_only_the_district(self):
        self.login(self.adam)
        response = self.client.get(admin_url("accounts_user_change", self.alice.pk))
        self.assertEqual(self.organization_choices(response), sorted(["甲区总工会", "甲区第一中学工会"]))
        self.assertNotContains(response, "乙区")

    def test_district_admin_add_user_form_offers_only_the_district(self):
        self.login(self.adam)
        response = self.client.get(admin_url("accounts_user_add"))
        self.assertEqual(self.organization_choices(response), sorted(["甲区总工会", "甲区第一中学工会"]))

    def test_city_admin_user_form_offers_the_city_but_not_the_other_city(self):
        self.login(self.ada)
        response = self.client.get(admin_url("accounts_user_change", self.alice.pk))
        self.assertEqual(
            self.organization_choices(response),
            sorted(["测试市总工会", "甲区总工会", "乙区总工会", "甲区第一中学工会", "乙区机械厂工会"]),
        )

    def test_superuser_user_form_offers_every_organization(self):
        self.login(self.root)
        response = self.client.get(admin_url("accounts_user_change", self.alice.pk))
        self.assertEqual(len(self.organization_choices(response)), Organization.objects.count())

    def test_district_admin_figure_form_offers_only_the_district(self):
        self.login(self.adam)
        response = self.client.get(admin_url("organizations_membershipfigure_change", self.figure_a.pk))
        self.assertEqual(self.organization_choices(response), sorted(["甲区总工会", "甲区第一中学工会"]))

    def user_post(self, **extra):
        return {
            "username": "alice",
            "full_name": "Alice",
            "email": "",
            "organization": self.union_a.pk,
            "role": "staff",
            "is_active": "on",
            **extra,
        }

    def test_district_admin_moves_a_user_inside_the_district(self):
        self.login(self.adam)
        response = self.client.post(admin_url("accounts_user_change", self.alice.pk), self.user_post())
        self.assertRedirects(response, admin_url("accounts_user_changelist"), fetch_redirect_response=False)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.organization, self.union_a)

    def test_forged_organization_of_the_other_district_is_refused(self):
        self.login(self.adam)
        response = self.client.post(
            admin_url("accounts_user_change", self.alice.pk), self.user_post(organization=self.district_b.pk)
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("organization", response.context["adminform"].form.errors)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.organization, self.district_a)

    def test_district_admin_cannot_grant_superuser_or_staff(self):
        self.login(self.adam)
        response = self.client.post(
            admin_url("accounts_user_change", self.alice.pk), self.user_post(is_superuser="on", is_staff="on")
        )
        self.assertEqual(response.status_code, 302)
        self.alice.refresh_from_db()
        self.assertEqual((self.alice.is_superuser, self.alice.is_staff), (False, False))

    def test_admin_cannot_add_or_delete_organizations_in_the_admin(self):
        self.login(self.ada)
        self.assertEqual(self.client.get(admin_url("organizations_organization_add")).status_code, 403)
        response = self.client.post(admin_url("organizations_organization_delete", self.union_a.pk), {"post": "yes"})
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Organization.objects.filter(pk=self.union_a.pk).exists())


class InlineScopeTest(AdminSiteTestCase):
    def test_a_cadres_posts_inline_shows_the_posts_of_the_branch_only(self):
        """A cadre of district A who also holds a post in district B: the portal counts that
        post without naming it, and so does the admin's inline now (it listed the post)."""
        cadre = Cadre.objects.create(
            full_name="易波",
            gender="male",
            id_number="",
            organization=self.union_a,
            birth_date=datetime.date(1980, 1, 1),
        )
        mine = Post.objects.create(
            cadre=cadre, organization=self.union_a, position="chair", start=datetime.date(2020, 1, 1)
        )
        Post.objects.create(cadre=cadre, organization=self.union_b, position="staff", start=datetime.date(2021, 1, 1))
        self.login(self.adam)
        response = self.client.get(admin_url("cadres_cadre_change", cadre.pk))
        self.assertEqual(response.status_code, 200)
        [formset] = response.context["inline_admin_formsets"]
        self.assertEqual([form.original for form in formset if form.original], [mine])
        self.assertNotContains(response, "乙区机械厂工会")
