import datetime

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from cadres.models import Attendance, Cadre, Post, Training
from tests.base import PortalTestCase
from tests.cadres.data import full_ids_in, masked, resident_id


class CadreAdminScopeTest(PortalTestCase):
    def setUp(self):
        self.cadre_a = Cadre.objects.create(full_name="甲区干部", gender="male", organization=self.union_a)
        self.cadre_b = Cadre.objects.create(full_name="乙区干部", gender="female", organization=self.union_b)
        Post.objects.create(cadre=self.cadre_b, organization=self.union_b, position="chair", start="2020-01-01")

    def test_admin_of_district_a_lists_only_cadres_of_district_a(self):
        self.login(self.adam)
        response = self.client.get(reverse("admin:cadres_cadre_changelist"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "甲区干部")
        self.assertNotContains(response, "乙区干部")

    def test_cadre_of_another_district_is_not_reachable_in_the_admin(self):
        self.login(self.adam)
        response = self.client.get(reverse("admin:cadres_cadre_change", args=[self.cadre_b.pk]))
        self.assertNotEqual(response.status_code, 200)
        self.assertNotContains(response, "乙区干部", status_code=response.status_code)

    def test_post_inline_offers_only_organizations_of_the_branch(self):
        self.login(self.adam)
        response = self.client.get(reverse("admin:cadres_cadre_change", args=[self.cadre_a.pk]))
        self.assertEqual(response.status_code, 200)
        formset = response.context["inline_admin_formsets"][0].formset
        offered = set(formset.empty_form.fields["organization"].queryset)
        self.assertEqual(offered, {self.district_a, self.union_a})

    def test_the_admin_never_shows_resident_id_numbers(self):
        self.cadre_a.id_number = "52279919800215001X"
        self.cadre_a.save()
        self.login(self.root)
        response = self.client.get(reverse("admin:cadres_cadre_change", args=[self.cadre_a.pk]))
        self.assertNotContains(response, "52279919800215001X")

    def test_the_admin_history_of_a_corrected_id_number_shows_it_masked(self):
        first, corrected = resident_id("19800215", "031"), resident_id("19800215", "001")
        self.cadre_a.id_number = first
        self.cadre_a.save()
        self.cadre_a.id_number = corrected
        self.cadre_a.save()
        for user in (self.adam, self.root):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(reverse("admin:cadres_cadre_history", args=[self.cadre_a.pk]))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(full_ids_in(response), [])
                self.assertContains(response, masked(first))
                self.assertContains(response, masked(corrected))


class AttendanceAdminScopeTest(PortalTestCase):
    """A course of district A that a cadre of district B attended (the city's staff listed
    them): the portal's course page names the cadres of the reader's branch and counts the
    others; the admin names no cadre outside the branch either, in its attendance list, on
    an attendance's pages, or on the course's delete page."""

    def setUp(self):
        self.cadre_a = Cadre.objects.create(full_name="甲区干部", gender="male", organization=self.union_a)
        self.cadre_b = Cadre.objects.create(full_name="乙区干部", gender="female", organization=self.union_b)
        self.course = Training.objects.create(
            title="甲区工会干部培训班", organizer=self.district_a, start=datetime.date(2025, 3, 1)
        )
        self.mine = Attendance.objects.create(training=self.course, cadre=self.cadre_a)
        self.theirs = Attendance.objects.create(training=self.course, cadre=self.cadre_b)

    def admin_url(self, name, *args):
        return reverse(f"admin:cadres_{name}", args=args)

    def test_the_attendance_list_shows_the_branchs_cadres_only(self):
        self.login(self.adam)
        response = self.client.get(self.admin_url("attendance_changelist"))
        self.assertEqual(list(response.context["cl"].result_list), [self.mine])
        self.assertNotContains(response, "乙区干部")
        self.login(self.ada)
        response = self.client.get(self.admin_url("attendance_changelist"))
        self.assertEqual(set(response.context["cl"].result_list), {self.mine, self.theirs})

    def test_an_attendance_of_a_cadre_outside_the_branch_is_404(self):
        self.login(self.adam)
        for name in ("attendance_change", "attendance_history", "attendance_delete"):
            with self.subTest(name=name):
                response = self.client.get(self.admin_url(name, self.theirs.pk))
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, "乙区干部", status_code=404)
        self.client.post(self.admin_url("attendance_delete", self.theirs.pk), {"post": "yes"})
        self.assertTrue(Attendance.objects.filter(pk=self.theirs.pk).exists())

    def test_the_courses_delete_page_does_not_name_the_cadre_outside_the_branch(self):
        self.login(self.adam)
        response = self.client.get(self.admin_url("training_delete", self.course.pk))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "甲区干部")
        self.assertNotContains(response, "乙区干部")
        with translation.override("zh-hans"):
            self.assertContains(response, gettext("(outside your branch)"))
        self.assertNotContains(response, self.admin_url("attendance_change", self.theirs.pk))

    def test_a_cadres_delete_page_does_not_name_a_post_outside_the_branch(self):
        """Django lists the records that protect a cadre from deletion: a post of district A's
        cadre in district B is counted there, its union not named."""
        Post.objects.create(cadre=self.cadre_a, organization=self.union_a, position="chair", start="2020-01-01")
        Post.objects.create(cadre=self.cadre_a, organization=self.union_b, position="staff", start="2021-01-01")
        self.mine.delete()
        self.login(self.adam)
        response = self.client.get(self.admin_url("cadre_delete", self.cadre_a.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["protected"]), 2)
        self.assertContains(response, "甲区第一中学工会")
        self.assertNotContains(response, "乙区机械厂工会")

    def test_the_history_of_an_attendance_whose_cadre_was_of_the_other_district(self):
        self.mine.delete()
        self.theirs.cadre = self.cadre_a
        self.theirs.save()
        self.login(self.adam)
        response = self.client.get(self.admin_url("attendance_history", self.theirs.pk))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "乙区干部")
