from django.urls import reverse

from cadres.models import Cadre, Post
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
