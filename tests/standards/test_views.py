"""The standardization pages: standards defined by administrators and read down the tree,
assessments opened from the records, edited, submitted, approved or returned, their evidence
pictures, the list's filters and export, and what each page costs in queries."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms import BooleanField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import load_workbook

from cadres.models import Cadre, Position, Post, Rank, Staffing
from organizations.models import OrganizationKind
from standards import services
from standards.models import (
    Assessment,
    AssessmentItem,
    AssessmentStatus,
    Criterion,
    Evidence,
    Measure,
    RatingThreshold,
    Standard,
)
from tests.base import PortalTestCase, make_org, make_user
from tests.cadres.data import MediaRootMixin, png_upload, response_body
from tests.workbooks import response_bytes
from unionportal.xlsx import XLSX_CONTENT_TYPE

HTML_AS_PNG = b"<html><body><script>alert(document.cookie)</script></body></html>"


def url(name, *args):
    return reverse(f"standards:{name}", args=args)


def zh(text, **params):
    with translation.override("zh-hans"):
        message = str(translation.gettext(text))
    return message % params if params else message


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def form_data(form):
    """What a browser sends for an unbound form as rendered: every field with its shown value."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, BooleanField):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        else:
            data[key] = value
    return data


def formset_data(formset):
    data = form_data(formset.management_form)
    for form in formset.forms:
        data.update(form_data(form))
    return data


def add_cadre(name, organization, position, rank=Rank.NONE, start=datetime.date(2020, 1, 1), **extra):
    cadre = Cadre.objects.create(full_name=name, gender="male", organization=organization)
    Post.objects.create(
        cadre=cadre,
        organization=organization,
        position=position,
        rank=rank,
        staffing=extra.pop("staffing", Staffing.CIVIL_SERVICE),
        start=start,
        **extra,
    )
    return cadre


def city_standard(owner, criteria=None):
    """好花红 stars for grassroots unions: two criteria measured from the cadres, two by hand."""
    standard = Standard.objects.create(
        name="好花红星级工会标准",
        owner=owner,
        kinds=[OrganizationKind.GRASSROOTS],
        pass_points=Decimal(60),
        expected_chair_rank=Rank.SECTION,
    )
    rows = criteria or [
        ("S1", "工作人员不少于2名", "组织建设", 20, True, Measure.STAFF_COUNT, 2),
        ("S2", "主席职级达到正科级", "组织建设", 20, False, Measure.CHAIR_RANK, None),
        ("S3", "建有职工书屋", "阵地建设", 30, False, Measure.NONE, None),
        ("S4", "有固定办公场所", "阵地建设", 30, True, Measure.NONE, None),
    ]
    for order, (code, title, category, points, must_pass, measure, threshold) in enumerate(rows):
        Criterion.objects.create(
            standard=standard,
            code=code,
            title=title,
            category=category,
            points=points,
            must_pass=must_pass,
            measure=measure,
            threshold=threshold,
            order=order,
        )
    for rating, points, requires in [(5, 90, True), (4, 80, True), (3, 60, False)]:
        RatingThreshold.objects.create(
            standard=standard, rating=rating, min_points=points, requires_all_must_pass=requires
        )
    return standard


class StandardsTestCase(MediaRootMixin, PortalTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.standard = city_standard(cls.city)
        cls.standard_b = Standard.objects.create(
            name="乙区职工之家标准", owner=cls.district_b, kinds=[OrganizationKind.GRASSROOTS]
        )
        Criterion.objects.create(standard=cls.standard_b, code="B1", title="乙区条目", points=100)
        cls.bella = make_user("bella", cls.district_b, "approver")
        # The union's staff as of 2025-12-31: a chair at section level and one staff member;
        # a social worker and a post ended in 2024 do not count.
        add_cadre("王主席", cls.union_a, Position.CHAIR, Rank.SECTION)
        add_cadre("李干事", cls.union_a, Position.STAFF)
        add_cadre("赵社工", cls.union_a, Position.STAFF, staffing=Staffing.SOCIAL_WORKER)
        add_cadre("钱前任", cls.union_a, Position.STAFF, end=datetime.date(2024, 6, 30))

    def open_assessment(self, user=None, organization=None, year=2025, standard=None):
        return services.assessment_create(
            organization=organization or self.union_a,
            standard=standard or self.standard,
            year=year,
            user=user or self.alice,
        )

    def items_by_code(self, assessment):
        return {item.criterion.code: item for item in assessment.items.select_related("criterion")}

    def edit_post(self, assessment, values, note=""):
        """The edit form as shown, with `values` (code → (met, points, note)) changed."""
        page = self.client.get(url("assessment_edit", assessment.pk))
        self.assertEqual(page.status_code, 200)
        formset = page.context["formset"]
        data = formset_data(formset)
        for form in formset.forms:
            code = form.instance.criterion.code
            if code in values:
                met, points, item_note = values[code]
                data.pop(form.add_prefix("met"), None)
                if met:
                    data[form.add_prefix("met")] = "on"
                data[form.add_prefix("points")] = "" if points is None else str(points)
                data[form.add_prefix("note")] = item_note
        data["note"] = note
        return self.client.post(url("assessment_edit", assessment.pk), data)


class StandardPagesTest(StandardsTestCase):
    def create_post(self, **extra):
        page = self.client.get(url("standard_create"))
        self.assertEqual(page.status_code, 200)
        data = {
            "name": "甲区模范职工小家标准",
            "kinds": [OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS],
            "pass_points": "70",
            "expected_chair_rank": "",
            "description": "甲区自定标准",
            "active": "on",
            **formset_data(page.context["criteria"]),
            **formset_data(page.context["thresholds"]),
        }
        data.update(
            {
                "criteria-0-order": "1",
                "criteria-0-code": "J1",
                "criteria-0-title": "有职工小家活动室",
                "criteria-0-points": "60",
                "criteria-0-must_pass": "on",
                "criteria-1-order": "2",
                "criteria-1-code": "J2",
                "criteria-1-title": "经费收入达标",
                "criteria-1-points": "40",
                "criteria-1-measure": Measure.FUNDS_RECEIVED,
                "criteria-1-threshold": "5000",
                "thresholds-0-rating": "5",
                "thresholds-0-min_points": "90",
                "thresholds-0-requires_all_must_pass": "on",
            }
        )
        data.update(extra)
        return self.client.post(url("standard_create"), data)

    def test_admin_creates_a_standard_with_its_criteria_and_thresholds_owned_by_her_organization(self):
        self.login(self.adam)
        response = self.create_post()
        standard = Standard.objects.get(name="甲区模范职工小家标准")
        self.assertRedirects(response, standard.get_absolute_url())
        self.assertEqual(standard.owner, self.district_a)
        self.assertEqual(standard.kinds, [OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS])
        self.assertEqual(standard.pass_points, Decimal(70))
        self.assertEqual(
            list(standard.criteria.values_list("code", "points", "must_pass", "measure", "threshold")),
            [("J1", Decimal(60), True, "", None), ("J2", Decimal(40), False, "funds_received", Decimal(5000))],
        )
        self.assertEqual(list(standard.thresholds.values_list("rating", "min_points")), [(5, Decimal(90))])
        self.assertEqual(standard.history.get().history_user, self.adam)
        self.assertEqual({c.history_user for c in Criterion.history.filter(standard_id=standard.pk)}, {self.adam})
        page = self.client.get(standard.get_absolute_url())
        self.assertContains(page, "有职工小家活动室")
        self.assertContains(page, '<dd class="col-sm-7" data-testid="pass-points">70</dd>', html=True)

    def test_a_measured_criterion_without_its_threshold_is_refused_and_nothing_is_saved(self):
        self.login(self.adam)
        response = self.create_post(**{"criteria-1-threshold": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, zh("A measured criterion needs its threshold."))
        self.assertFalse(Standard.objects.filter(name="甲区模范职工小家标准").exists())

    def test_a_chair_rank_criterion_needs_the_expected_rank(self):
        self.login(self.adam)
        response = self.create_post(**{"criteria-1-measure": Measure.CHAIR_RANK, "criteria-1-threshold": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response, escape(zh("A criterion measured against the chair's rank needs the expected rank of the chair."))
        )
        self.assertFalse(Standard.objects.filter(name="甲区模范职工小家标准").exists())

    def test_staff_leader_and_approver_may_not_create_or_edit_a_standard(self):
        for user in (self.alice, self.april, self.lena):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(url("standard_create")).status_code, 403)
                self.assertEqual(self.client.post(url("standard_create"), {"name": "x"}).status_code, 403)
                self.assertEqual(self.client.get(url("standard_update", self.standard.pk)).status_code, 403)
                self.assertEqual(self.client.post(url("standard_update", self.standard.pk), {}).status_code, 403)
        self.assertEqual(Standard.objects.count(), 2)

    def test_the_city_standard_is_read_by_alice_of_district_a(self):
        self.login(self.alice)
        listing = self.client.get(url("standard_list"))
        self.assertEqual([row.record for row in listing.context["table"].rows], [self.standard])
        self.assertNotContains(listing, "乙区职工之家标准")
        self.assertNotContains(listing, zh("Add"))
        page = self.client.get(url("standard_detail", self.standard.pk))
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, "工作人员不少于2名")
        self.assertContains(page, zh("Section chief level"))
        self.assertNotContains(page, 'data-testid="edit-standard"')
        self.assertContains(page, 'data-testid="assess"')

    def test_the_city_standard_is_not_editable_by_the_district_admin(self):
        self.login(self.adam)
        page = self.client.get(url("standard_detail", self.standard.pk))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'data-testid="edit-standard"')
        self.assertEqual(self.client.get(url("standard_update", self.standard.pk)).status_code, 404)
        self.assertEqual(self.client.post(url("standard_update", self.standard.pk), {"name": "改"}).status_code, 404)
        self.standard.refresh_from_db()
        self.assertEqual(self.standard.name, "好花红星级工会标准")

    def test_the_standard_of_district_b_does_not_exist_for_alice_or_adam(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(url("standard_detail", self.standard_b.pk)).status_code, 404)
        self.login(self.adam)
        self.assertEqual(self.client.get(url("standard_detail", self.standard_b.pk)).status_code, 404)
        self.assertEqual(self.client.get(url("standard_update", self.standard_b.pk)).status_code, 404)
        self.login(self.bob)
        self.assertEqual(self.client.get(url("standard_detail", self.standard_b.pk)).status_code, 200)

    def test_the_auditor_reads_no_standards(self):
        self.login(self.otto)
        self.assertEqual(self.client.get(url("standard_list")).status_code, 403)
        self.assertEqual(self.client.get(url("standard_detail", self.standard.pk)).status_code, 403)

    def update_post(self, standard, **changes):
        page = self.client.get(url("standard_update", standard.pk))
        self.assertEqual(page.status_code, 200)
        data = {
            **form_data(page.context["form"]),
            **formset_data(page.context["criteria"]),
            **formset_data(page.context["thresholds"]),
        }
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return self.client.post(url("standard_update", standard.pk), data)

    def test_city_admin_edits_the_standard_its_kinds_criteria_and_thresholds_on_one_page(self):
        self.login(self.ada)
        page = self.client.get(url("standard_update", self.standard.pk))
        self.assertEqual(page.context["form"]["kinds"].value(), ["grassroots"])
        self.assertContains(page, 'name="kinds" value="joint_grassroots"')
        response = self.update_post(
            self.standard,
            name="好花红星级工会标准（2026版）",
            kinds=[OrganizationKind.GRASSROOTS, OrganizationKind.JOINT_GRASSROOTS],
            **{
                "criteria-2-points": "25",
                "criteria-3-DELETE": "on",
                "criteria-4-code": "S5",
                "criteria-4-title": "职工之家活动正常",
                "criteria-4-points": "35",
                "criteria-4-order": "9",
                "thresholds-2-DELETE": "on",
            },
        )
        self.assertRedirects(response, self.standard.get_absolute_url())
        self.standard.refresh_from_db()
        self.assertEqual(self.standard.name, "好花红星级工会标准（2026版）")
        self.assertEqual(self.standard.kinds, ["grassroots", "joint_grassroots"])
        self.assertEqual(
            list(self.standard.criteria.values_list("code", "points")),
            [("S1", Decimal(20)), ("S2", Decimal(20)), ("S3", Decimal(25)), ("S5", Decimal(35))],
        )
        self.assertEqual(list(self.standard.thresholds.values_list("rating", flat=True)), [5, 4])
        deleted = Criterion.history.get(code="S4", history_type="-")
        self.assertEqual(deleted.history_user, self.ada)

    def test_a_criterion_used_by_an_assessment_cannot_be_deleted_and_the_page_says_so(self):
        self.open_assessment()
        self.login(self.ada)
        page = self.client.get(url("standard_update", self.standard.pk))
        self.assertContains(page, 'data-testid="criterion-in-use"', count=4)
        response = self.update_post(self.standard, **{"criteria-3-DELETE": "on"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            zh("Criterion %(code)s is used by %(count)d assessment and cannot be deleted.", code="S4", count=1),
        )
        self.assertTrue(Criterion.objects.filter(standard=self.standard, code="S4").exists())

    def test_superuser_names_the_owner_of_a_new_standard(self):
        self.login(self.root)
        page = self.client.get(url("standard_create"))
        self.assertIn("owner", page.context["form"].fields)
        self.login(self.ada)
        page = self.client.get(url("standard_create"))
        self.assertNotIn("owner", page.context["form"].fields)

    def test_a_second_standard_of_the_same_name_for_the_same_owner_is_refused(self):
        self.login(self.ada)
        response = self.client.get(url("standard_create"))
        data = {
            "name": "好花红星级工会标准",
            "kinds": ["grassroots"],
            "pass_points": "60",
            **formset_data(response.context["criteria"]),
            **formset_data(response.context["thresholds"]),
        }
        response = self.client.post(url("standard_create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, zh("This federation already has a standard of this name."))
        self.assertEqual(Standard.objects.filter(name="好花红星级工会标准").count(), 1)


class AssessmentCreateTest(StandardsTestCase):
    def test_staff_opens_an_assessment_with_the_measured_criteria_prefilled_from_the_records(self):
        self.login(self.alice)
        page = self.client.get(url("assessment_create") + f"?standard={self.standard.pk}")
        self.assertEqual(page.status_code, 200)
        response = self.client.post(
            url("assessment_create"),
            {"standard": self.standard.pk, "organization": self.union_a.pk, "year": "2025"},
        )
        assessment = Assessment.objects.get()
        self.assertRedirects(response, assessment.get_absolute_url())
        self.assertEqual((assessment.created_by, assessment.status), (self.alice, AssessmentStatus.DRAFT))
        items = self.items_by_code(assessment)
        self.assertEqual(
            {code: (item.met, item.points) for code, item in items.items()},
            {"S1": (True, Decimal(20)), "S2": (True, Decimal(20)), "S3": (False, 0), "S4": (False, 0)},
        )
        self.assertEqual(items["S1"].measured, zh("%(count)d staff in post on 31 December (cadre records)", count=2))
        self.assertEqual(items["S2"].measured, zh("Chair at %(rank)s (cadre records)", rank=zh("Section chief level")))
        self.assertEqual(items["S3"].measured, "")
        page = self.client.get(assessment.get_absolute_url())
        self.assertEqual(zh("Auto-filled"), "自动取数")
        self.assertContains(page, "自动取数", count=2)
        self.assertContains(page, items["S1"].measured)
        self.assertContains(page, items["S2"].measured)
        self.assertEqual(assessment.score, Decimal(40))
        self.assertContains(page, '<div class="display-6" data-testid="score">40</div>', html=True)

    def test_a_chair_below_the_expected_rank_is_prefilled_as_not_met(self):
        Post.objects.filter(position=Position.CHAIR).update(rank=Rank.DEPUTY_SECTION)
        items = self.items_by_code(self.open_assessment())
        self.assertEqual((items["S2"].met, items["S2"].points), (False, 0))
        self.assertEqual(
            items["S2"].measured, zh("Chair at %(rank)s (cadre records)", rank=zh("Deputy section chief level"))
        )

    def test_the_form_offers_only_unions_of_the_branch_of_a_kind_the_standard_applies_to(self):
        self.login(self.alice)
        page = self.client.get(url("assessment_create") + f"?standard={self.standard.pk}")
        form = page.context["form"]
        self.assertEqual(list(form.fields["organization"].queryset), [self.union_a])
        self.assertEqual(list(form.fields["standard"].queryset), [self.standard])
        self.assertNotContains(page, "乙区")

    def test_a_union_of_another_kind_another_branch_or_an_unreadable_standard_is_refused(self):
        self.login(self.alice)
        cases = [
            ({"organization": self.district_a.pk}, "organization"),
            ({"organization": self.union_b.pk}, "organization"),
            ({"standard": self.standard_b.pk}, "standard"),
        ]
        for change, field in cases:
            with self.subTest(change=change):
                data = {"standard": self.standard.pk, "organization": self.union_a.pk, "year": "2025", **change}
                response = self.client.post(url("assessment_create"), data)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors[field])
        self.assertFalse(Assessment.objects.exists())

    def test_a_second_assessment_of_the_union_for_the_year_is_refused(self):
        self.open_assessment()
        self.login(self.alice)
        response = self.client.post(
            url("assessment_create"), {"standard": self.standard.pk, "organization": self.union_a.pk, "year": "2025"}
        )
        self.assertContains(response, zh("This union already has an assessment against this standard for this year."))
        self.assertEqual(Assessment.objects.count(), 1)

    def test_leader_and_approver_may_not_open_an_assessment(self):
        for user in (self.lena, self.april):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(url("assessment_create")).status_code, 403)


class WorkflowTest(StandardsTestCase):
    def test_prepare_submit_and_approve_through_the_pages_with_who_did_what_in_the_history(self):
        self.login(self.alice)
        self.client.post(
            url("assessment_create"), {"standard": self.standard.pk, "organization": self.union_a.pk, "year": "2025"}
        )
        assessment = Assessment.objects.get()
        response = self.edit_post(assessment, {"S3": (True, None, "书屋藏书2000册"), "S4": (True, "30", "")})
        self.assertRedirects(response, assessment.get_absolute_url())
        assessment.refresh_from_db()
        self.assertEqual((assessment.score, assessment.compliant, assessment.rating), (Decimal(100), True, 5))
        self.assertEqual(self.items_by_code(assessment)["S3"].note, "书屋藏书2000册")

        response = self.client.post(url("assessment_submit", assessment.pk), follow=True)
        self.assertEqual(messages_of(response), [zh("The assessment was submitted for approval.")])
        self.assertContains(response, 'data-testid="waiting"')
        self.assertNotContains(response, 'data-testid="edit-items"')
        self.assertNotContains(response, 'data-testid="approve"')

        self.login(self.april)
        page = self.client.get(assessment.get_absolute_url())
        self.assertContains(page, 'data-testid="approve"')
        self.assertContains(page, 'data-testid="return"')
        response = self.client.post(url("assessment_approve", assessment.pk), follow=True)
        self.assertEqual(messages_of(response), [zh("The assessment was approved.")])
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.APPROVED)
        self.assertEqual((assessment.submitted_by, assessment.approved_by), (self.alice, self.april))
        self.assertEqual(zh("Approved: the record is locked."), "已审核通过，记录已锁定")
        self.assertContains(response, "已审核通过，记录已锁定")
        self.assertContains(response, 'data-rating="5"')
        self.assertNotContains(response, 'data-testid="approve"')
        self.assertNotContains(response, 'data-testid="submit"')

        versions = list(assessment.history.order_by("history_date", "history_id"))
        self.assertEqual(versions[0].history_user, self.alice)
        self.assertEqual(versions[0].history_type, "+")
        by_status = {}
        for version in versions:
            by_status.setdefault(version.status, set()).add(version.history_user)
        self.assertEqual(
            by_status,
            {
                AssessmentStatus.DRAFT: {self.alice},
                AssessmentStatus.SUBMITTED: {self.alice},
                AssessmentStatus.APPROVED: {self.april},
            },
        )
        item_users = {version.history_user for version in AssessmentItem.history.filter(assessment_id=assessment.pk)}
        self.assertEqual(item_users, {self.alice})

    def submitted(self, by=None):
        assessment = self.open_assessment()
        return services.assessment_submit(assessment=assessment, user=by or self.alice)

    def test_the_submitter_may_not_approve_and_the_page_says_why(self):
        assessment = self.submitted(by=self.root)
        self.login(self.root)
        page = self.client.get(assessment.get_absolute_url())
        self.assertNotContains(page, 'data-testid="approve"')
        self.assertContains(page, zh("You submitted this assessment, so someone else must approve it."))
        response = self.client.post(url("assessment_approve", assessment.pk), follow=True)
        self.assertEqual(messages_of(response), [zh("You submitted this assessment, so someone else must approve it.")])
        assessment.refresh_from_db()
        self.assertEqual((assessment.status, assessment.approved_by), (AssessmentStatus.SUBMITTED, None))

    def test_an_approver_of_another_district_gets_404(self):
        assessment = self.submitted()
        self.login(self.bella)
        for response in (
            self.client.get(assessment.get_absolute_url()),
            self.client.post(url("assessment_approve", assessment.pk)),
            self.client.post(url("assessment_return", assessment.pk), {"reason": "不行"}),
        ):
            self.assertEqual(response.status_code, 404)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.SUBMITTED)

    def test_staff_leader_and_admin_may_not_approve_or_return(self):
        assessment = self.submitted()
        for user in (self.alice, self.lena, self.adam):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.post(url("assessment_approve", assessment.pk)).status_code, 403)
                self.assertEqual(
                    self.client.post(url("assessment_return", assessment.pk), {"reason": "x"}).status_code, 403
                )
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.SUBMITTED)

    def test_approver_and_leader_may_not_submit_or_edit(self):
        assessment = self.open_assessment()
        for user in (self.april, self.lena):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.post(url("assessment_submit", assessment.pk)).status_code, 403)
                self.assertEqual(self.client.get(url("assessment_edit", assessment.pk)).status_code, 403)
                page = self.client.get(assessment.get_absolute_url())
                self.assertNotContains(page, 'data-testid="submit"')
                self.assertNotContains(page, 'data-testid="edit-items"')

    def test_the_actions_take_post_only(self):
        assessment = self.submitted()
        item = assessment.items.first()
        for user, name, pk in (
            (self.alice, "assessment_submit", assessment.pk),
            (self.april, "assessment_approve", assessment.pk),
            (self.april, "assessment_return", assessment.pk),
            (self.alice, "evidence_upload", item.pk),
        ):
            self.login(user)
            with self.subTest(name=name):
                self.assertEqual(self.client.get(url(name, pk)).status_code, 405)

    def approved(self):
        assessment = self.submitted()
        return services.assessment_approve(assessment=assessment, user=self.april)

    def test_an_approved_assessment_is_locked_and_the_page_says_why(self):
        assessment = self.approved()
        before = [(item.met, item.points, item.note) for item in assessment.items.all()]
        files_before = sorted(Path(self.media_root).rglob("*.*"))
        self.login(self.alice)
        page = self.client.get(assessment.get_absolute_url())
        self.assertContains(page, "已审核通过，记录已锁定")
        self.assertContains(page, 'data-testid="locked"')
        self.assertContains(page, "April")
        for hidden in ("edit-items", "submit", "approve"):
            self.assertNotContains(page, f'data-testid="{hidden}"')
        self.assertNotContains(page, url("evidence_upload", assessment.items.first().pk))

        locked = zh("This assessment is approved and locked.")
        response = self.client.get(url("assessment_edit", assessment.pk), follow=True)
        self.assertRedirects(response, assessment.get_absolute_url())
        self.assertEqual(messages_of(response), [locked])
        response = self.client.post(url("assessment_edit", assessment.pk), {"note": "改"}, follow=True)
        self.assertEqual(messages_of(response), [locked])
        response = self.client.post(url("assessment_submit", assessment.pk), follow=True)
        self.assertEqual(messages_of(response), [zh("Only a draft or a returned assessment can be submitted.")])
        item = assessment.items.first()
        response = self.client.post(
            url("evidence_upload", item.pk), {"picture": png_upload(), "caption": "晚到的照片"}, follow=True
        )
        self.assertEqual(messages_of(response), [locked])
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(sorted(Path(self.media_root).rglob("*.*")), files_before)

        assessment.refresh_from_db()
        self.assertEqual((assessment.status, assessment.note), (AssessmentStatus.APPROVED, ""))
        self.assertEqual([(item.met, item.points, item.note) for item in assessment.items.all()], before)

    def test_a_submitted_assessment_cannot_be_edited_until_it_is_returned(self):
        assessment = self.submitted()
        self.login(self.alice)
        response = self.client.get(url("assessment_edit", assessment.pk), follow=True)
        self.assertEqual(
            messages_of(response), [zh("This assessment is waiting for approval; it can be changed once returned.")]
        )

    def test_return_with_a_reason_then_edit_and_resubmit(self):
        assessment = self.submitted()
        self.login(self.april)
        response = self.client.post(
            url("assessment_return", assessment.pk), {"reason": "  缺少职工书屋照片  "}, follow=True
        )
        self.assertEqual(messages_of(response), [zh("The assessment was returned with your reason.")])
        assessment.refresh_from_db()
        self.assertEqual((assessment.status, assessment.return_reason), (AssessmentStatus.RETURNED, "缺少职工书屋照片"))

        self.login(self.alice)
        page = self.client.get(assessment.get_absolute_url())
        self.assertContains(page, '<span data-testid="return-reason">缺少职工书屋照片</span>', html=True)
        self.assertContains(page, zh("Returned by %(name)s.") % {"name": "April"})
        self.assertContains(page, 'data-testid="edit-items"')
        response = self.edit_post(assessment, {"S3": (True, "25", "已补照片")})
        self.assertRedirects(response, assessment.get_absolute_url())
        page = self.client.get(assessment.get_absolute_url())
        # Alice's edit keeps the status "returned", but April is still the one who returned it.
        self.assertContains(page, zh("Returned by %(name)s.") % {"name": "April"})
        self.client.post(url("assessment_submit", assessment.pk))
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.SUBMITTED)
        self.assertEqual(assessment.return_reason, "")
        self.assertEqual(assessment.score, Decimal(65))
        self.assertEqual(self.items_by_code(assessment)["S3"].points, Decimal(25))

    def test_a_return_without_a_reason_is_refused_with_the_message(self):
        assessment = self.submitted()
        self.login(self.april)
        response = self.client.post(url("assessment_return", assessment.pk), {"reason": "   "}, follow=True)
        self.assertEqual(messages_of(response), [zh("Say why the assessment is returned.")])
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.SUBMITTED)


class EditItemsTest(StandardsTestCase):
    def test_points_above_the_criterion_are_refused_and_nothing_is_saved(self):
        assessment = self.open_assessment()
        self.login(self.alice)
        response = self.edit_post(assessment, {"S3": (True, "31", "")})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, zh("At most %(max)s points.", max="30.0"))
        self.assertEqual(self.items_by_code(assessment)["S3"].met, False)

    def test_a_criterion_not_met_gives_no_points_and_a_met_one_left_empty_gives_full_points(self):
        assessment = self.open_assessment()
        self.login(self.alice)
        self.edit_post(assessment, {"S1": (False, "20", "名单未更新"), "S4": (True, None, "")})
        items = self.items_by_code(assessment)
        self.assertEqual((items["S1"].met, items["S1"].points, items["S1"].note), (False, 0, "名单未更新"))
        self.assertEqual((items["S4"].met, items["S4"].points), (True, Decimal(30)))
        # The measured text stays, to show what the records said.
        self.assertNotEqual(items["S1"].measured, "")
        assessment.refresh_from_db()
        # 20 (S2) + 30 (S4): S1 must pass and is not met, so no stars needing it; 3 stars need 60.
        self.assertEqual((assessment.score, assessment.compliant, assessment.rating), (Decimal(50), False, None))

    def test_a_form_opened_before_the_assessment_was_submitted_is_refused_on_save(self):
        assessment = self.open_assessment()
        self.login(self.alice)
        page = self.client.get(url("assessment_edit", assessment.pk))
        data = formset_data(page.context["formset"])
        data["items-2-met"] = "on"
        services.assessment_submit(assessment=Assessment.objects.get(pk=assessment.pk), user=self.alice)
        response = self.client.post(url("assessment_edit", assessment.pk), data, follow=True)
        self.assertEqual(
            messages_of(response), [zh("This assessment is waiting for approval; it can be changed once returned.")]
        )
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.SUBMITTED)
        self.assertFalse(self.items_by_code(assessment)["S3"].met)

    def test_the_service_reads_the_status_again_so_a_stale_draft_never_reopens_a_submitted_assessment(self):
        stale = self.open_assessment()
        services.assessment_submit(assessment=Assessment.objects.get(pk=stale.pk), user=self.alice)
        self.assertEqual(stale.status, AssessmentStatus.DRAFT)
        with self.assertRaises(ValidationError) as refused:
            services.assessment_save_items(assessment=stale, items={}, note="旧页面", user=self.alice)
        self.assertEqual(
            refused.exception.messages,
            [zh("This assessment is waiting for approval; it can be changed once returned.")],
        )
        stale.refresh_from_db()
        self.assertEqual((stale.status, stale.note), (AssessmentStatus.SUBMITTED, ""))

    def test_a_forged_item_of_another_assessment_is_not_touched(self):
        other = self.open_assessment(organization=self.union_b, user=self.bob)
        other_item = other.items.first()
        assessment = self.open_assessment()
        self.login(self.alice)
        page = self.client.get(url("assessment_edit", assessment.pk))
        data = formset_data(page.context["formset"])
        data["items-0-id"] = str(other_item.pk)
        data["items-0-met"] = "on"
        data["items-0-note"] = "伪造"
        response = self.client.post(url("assessment_edit", assessment.pk), data)
        self.assertContains(response, zh("The form is out of date: open the assessment again."))
        other_item.refresh_from_db()
        self.assertEqual((other_item.met, other_item.note), (False, ""))
        self.assertFalse(assessment.items.filter(note="伪造").exists())

    def test_staff_of_another_district_gets_404_on_the_pages_of_the_assessment(self):
        assessment = self.open_assessment()
        item = assessment.items.first()
        self.login(self.bob)
        for response in (
            self.client.get(assessment.get_absolute_url()),
            self.client.get(url("assessment_edit", assessment.pk)),
            self.client.post(url("assessment_submit", assessment.pk)),
            self.client.post(url("evidence_upload", item.pk), {"picture": png_upload()}),
        ):
            self.assertEqual(response.status_code, 404)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, AssessmentStatus.DRAFT)


class EvidenceTest(StandardsTestCase):
    def setUp(self):
        self.assessment = self.open_assessment()
        self.item = self.items_by_code(self.assessment)["S3"]

    def upload(self, picture, caption="职工书屋"):
        return self.client.post(
            url("evidence_upload", self.item.pk), {"picture": picture, "caption": caption}, follow=True
        )

    def test_a_picture_is_stored_re_encoded_and_served_only_in_the_branch(self):
        self.login(self.alice)
        response = self.upload(png_upload(width=40, height=30))
        self.assertEqual(messages_of(response), [zh("The picture was added.")])
        evidence = Evidence.objects.get()
        self.assertEqual((evidence.item, evidence.caption), (self.item, "职工书屋"))
        self.assertTrue(evidence.image.startswith(services.EVIDENCE_FOLDER + "/"))
        self.assertTrue((Path(self.media_root) / evidence.image).is_file())
        self.assertEqual(evidence.history.get().history_user, self.alice)
        self.assertContains(response, f'src="{url("evidence_image", evidence.pk)}"')

        picture = self.client.get(url("evidence_image", evidence.pk))
        self.assertEqual(picture.status_code, 200)
        self.assertEqual(picture["Content-Type"], "image/png")
        self.assertEqual(picture["X-Content-Type-Options"], "nosniff")
        self.assertTrue(response_body(picture).startswith(b"\x89PNG"))
        for user, status in ((self.lena, 200), (self.bob, 404), (self.leo, 404), (self.otto, 403)):
            self.login(user)
            with self.subTest(user=user.username):
                response = self.client.get(url("evidence_image", evidence.pk))
                self.assertEqual(response.status_code, status)
                response_body(response)

    def stored_files(self):
        return sorted(Path(self.media_root).rglob("*.*"))

    def test_html_called_png_is_refused_with_the_upload_message_and_nothing_is_stored(self):
        before = self.stored_files()
        self.login(self.alice)
        response = self.upload(SimpleUploadedFile("照片.png", HTML_AS_PNG, content_type="image/png"))
        self.assertEqual(messages_of(response), [zh("Only JPEG or PNG pictures can be uploaded.")])
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(self.stored_files(), before)

    def test_an_upload_without_a_picture_says_so(self):
        self.login(self.alice)
        response = self.client.post(url("evidence_upload", self.item.pk), {"caption": "x"}, follow=True)
        self.assertEqual(messages_of(response), [zh("Choose a picture to upload.")])

    def test_a_picture_is_removed_while_the_assessment_is_a_draft_but_not_once_submitted(self):
        self.login(self.alice)
        self.upload(png_upload())
        first = Evidence.objects.get()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url("evidence_delete", first.pk), follow=True)
        self.assertEqual(messages_of(response), [zh("The picture was removed.")])
        self.assertFalse(Evidence.objects.exists())
        self.assertFalse((Path(self.media_root) / first.image).exists())

        self.upload(png_upload())
        second = Evidence.objects.get()
        services.assessment_submit(assessment=self.assessment, user=self.alice)
        response = self.client.post(url("evidence_delete", second.pk), follow=True)
        self.assertEqual(
            messages_of(response), [zh("This assessment is waiting for approval; it can be changed once returned.")]
        )
        self.assertTrue(Evidence.objects.filter(pk=second.pk).exists())
        self.assertTrue((Path(self.media_root) / second.image).is_file())

    def test_upload_and_delete_are_refused_to_roles_that_may_not_change(self):
        self.login(self.alice)
        self.upload(png_upload())
        evidence = Evidence.objects.get()
        for user in (self.april, self.lena):
            self.login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.post(url("evidence_upload", self.item.pk)).status_code, 403)
                self.assertEqual(self.client.post(url("evidence_delete", evidence.pk)).status_code, 403)
        self.assertEqual(Evidence.objects.count(), 1)


class AssessmentListTest(StandardsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.union_a2 = make_org(cls.district_a, "甲区第二中学工会")
        cls.draft = services.assessment_create(
            organization=cls.union_a, standard=cls.standard, year=2025, user=cls.alice
        )
        cls.approved = services.assessment_create(
            organization=cls.union_a2, standard=cls.standard, year=2025, user=cls.alice
        )
        services.assessment_save_items(
            assessment=cls.approved,
            items={item.pk: {"met": True, "points": item.criterion.points} for item in cls.approved.items.all()},
            user=cls.alice,
        )
        services.assessment_submit(assessment=cls.approved, user=cls.alice)
        services.assessment_approve(assessment=cls.approved, user=cls.april)
        cls.other = services.assessment_create(organization=cls.union_b, standard=cls.standard, year=2025, user=cls.bob)

    def listed(self, user, query=""):
        self.login(user)
        response = self.client.get(url("assessment_list") + query)
        self.assertEqual(response.status_code, 200)
        return [row.record for row in response.context["table"].rows]

    def test_each_person_lists_the_assessments_of_their_branch(self):
        self.assertEqual(set(self.listed(self.alice)), {self.draft, self.approved})
        self.assertEqual(set(self.listed(self.bob)), {self.other})
        self.assertEqual(set(self.listed(self.lena)), {self.draft, self.approved, self.other})
        self.login(self.otto)
        self.assertEqual(self.client.get(url("assessment_list")).status_code, 403)

    def test_filters(self):
        self.assertEqual(self.listed(self.lena, f"?branch={self.district_b.pk}"), [self.other])
        self.assertEqual(self.listed(self.lena, "?status=approved"), [self.approved])
        self.assertEqual(self.listed(self.lena, "?rating=5"), [self.approved])
        self.assertEqual(set(self.listed(self.lena, "?rating=none")), {self.draft, self.other})
        self.assertEqual(self.listed(self.lena, "?compliant=true"), [self.approved])
        self.assertEqual(self.listed(self.lena, "?year=2024"), [])
        self.assertEqual(len(self.listed(self.lena, f"?standard={self.standard.pk}&year=2025")), 3)

    def test_the_standard_filter_offers_only_readable_standards(self):
        self.login(self.alice)
        response = self.client.get(url("assessment_list"))
        self.assertEqual(list(response.context["filter"].form.fields["standard"].queryset), [self.standard])

    def test_the_table_shows_stars_and_compliance(self):
        self.login(self.alice)
        response = self.client.get(url("assessment_list"))
        self.assertContains(response, "★★★★★")
        self.assertContains(response, zh("Compliant"))
        self.assertContains(response, zh("Not compliant"))
        self.assertContains(response, 'data-testid="standardization-tabs"')

    def test_export_has_the_rows_and_columns_shown(self):
        self.login(self.alice)
        response = self.client.get(url("assessment_list") + "?export=xlsx&status=approved")
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        rows = list(load_workbook(io.BytesIO(response_bytes(response))).worksheets[0].iter_rows(values_only=True))
        self.assertEqual(len(rows), 2)
        self.assertEqual(
            rows[0],
            tuple(zh(text) for text in ("organization", "standard", "year", "status", "score", "stars", "compliant")),
        )
        self.assertEqual(
            rows[1], ("甲区第二中学工会", "好花红星级工会标准", 2025, zh("Approved"), 100, 5, zh("Compliant"))
        )


class QueryCountTest(StandardsTestCase):
    def queries(self, path):
        cache.clear()  # the branch dropdown is kept until the tree changes: measure it cold
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def assert_same_queries_with_more_rows(self, path, grow):
        self.login(self.alice)
        self.client.get(path)  # caches warmed: the session, content types
        few = self.queries(path)
        grow()  # new unions: a new tree
        cache.clear()
        with self.assertNumQueries(few):
            response = self.client.get(path)
        return response

    def add_assessments(self, count, start=0):
        for number in range(start, start + count):
            union = make_org(self.district_a, f"甲区第{number:03d}工会")
            assessment = services.assessment_create(
                organization=union, standard=self.standard, year=2020 + number % 6, user=self.alice
            )
            if number % 3 == 1:
                services.assessment_submit(assessment=assessment, user=self.alice)

    def test_assessment_list_and_export_cost_the_same_with_3_and_30_assessments(self):
        self.add_assessments(3)
        response = self.assert_same_queries_with_more_rows(
            url("assessment_list"), lambda: self.add_assessments(27, start=3)
        )
        self.assertEqual(response.context["table"].paginator.count, 30)
        self.assert_same_queries_with_more_rows(
            url("assessment_list") + "?export=xlsx", lambda: self.add_assessments(3, start=30)
        )

    def test_assessment_page_costs_the_same_with_3_and_12_criteria(self):
        standard = city_standard(
            self.district_a,
            [(f"C{n:02d}", f"条目{n}", "类别", 10, n % 2 == 0, Measure.NONE, None) for n in range(3)],
        )
        small = self.open_assessment(standard=standard)
        for item in small.items.all():
            services.evidence_add(item=item, upload=png_upload(), caption="照片", user=self.alice)
        path = small.get_absolute_url()

        def grow():
            for n in range(3, 12):
                Criterion.objects.create(standard=standard, code=f"C{n:02d}", title=f"条目{n}", points=5, order=n)
            big = self.open_assessment(standard=standard, year=2024)
            for item in big.items.all():
                services.evidence_add(item=item, upload=png_upload(), caption="照片", user=self.alice)
                services.evidence_add(item=item, upload=png_upload(), caption="照片2", user=self.alice)
            self.big_path = big.get_absolute_url()

        self.login(self.alice)
        self.client.get(path)
        few = self.queries(path)
        grow()
        cache.clear()
        with self.assertNumQueries(few):
            response = self.client.get(self.big_path)
        self.assertEqual(len(response.context["items"]), 12)
        self.assertContains(response, 'data-testid="evidence"', count=24)

    def test_standard_list_and_page_cost_the_same_with_more_standards_and_assessments(self):
        def add_standards():
            for number in range(10):
                Standard.objects.create(name=f"标准{number}", owner=self.district_a, kinds=["grassroots"])

        self.assert_same_queries_with_more_rows(url("standard_list"), add_standards)
        self.assert_same_queries_with_more_rows(
            url("standard_detail", self.standard.pk), lambda: self.add_assessments(5, start=40)
        )


class CriterionScopeTest(StandardsTestCase):
    def test_criteria_are_read_where_their_standard_is_and_changed_only_in_the_owners_branch(self):
        city_codes = {"S1", "S2", "S3", "S4"}
        self.assertEqual(set(Criterion.objects.restrict(self.alice).values_list("code", flat=True)), city_codes)
        self.assertEqual(set(Criterion.objects.restrict(self.bob).values_list("code", flat=True)), {*city_codes, "B1"})
        self.assertEqual(set(Criterion.objects.restrict(self.adam, "change").values_list("code", flat=True)), set())
        self.assertEqual(
            set(Criterion.objects.restrict(self.ada, "change").values_list("code", flat=True)), {*city_codes, "B1"}
        )
        self.assertFalse(Criterion.objects.restrict(self.otto).exists())


class AdminTest(StandardsTestCase):
    def admin(self, name, *args):
        return reverse(f"admin:standards_{name}", args=args)

    def test_the_city_admin_edits_a_standard_with_its_criteria_and_thresholds_inline(self):
        self.login(self.ada)
        response = self.client.get(self.admin("standard_change", self.standard.pk))
        self.assertEqual(response.status_code, 200)
        inlines = [formset.opts.model for formset in response.context["inline_admin_formsets"]]
        self.assertEqual(inlines, [Criterion, RatingThreshold])
        self.assertTrue(response.context["has_change_permission"])

    def test_the_district_admin_reads_the_city_standard_but_may_not_change_it(self):
        self.login(self.adam)
        response = self.client.get(self.admin("standard_changelist"))
        self.assertEqual(list(response.context["cl"].result_list), [self.standard])
        response = self.client.get(self.admin("standard_change", self.standard.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        response = self.client.post(self.admin("standard_change", self.standard.pk), {"name": "改"})
        self.assertEqual(response.status_code, 403)
        # Another district's standard is a 404, as in the portal (Django's admin redirected).
        self.assertEqual(self.client.get(self.admin("standard_change", self.standard_b.pk)).status_code, 404)
        self.standard.refresh_from_db()
        self.assertEqual(self.standard.name, "好花红星级工会标准")

    def test_assessments_are_read_only_in_the_admin_and_scoped(self):
        mine = self.open_assessment()
        other = self.open_assessment(organization=self.union_b, user=self.bob)
        self.login(self.adam)
        response = self.client.get(self.admin("assessment_changelist"))
        self.assertEqual(list(response.context["cl"].result_list), [mine])
        response = self.client.get(self.admin("assessment_change", mine.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        self.assertEqual(self.client.post(self.admin("assessment_change", mine.pk), {}).status_code, 403)
        self.assertEqual(self.client.post(self.admin("assessment_delete", mine.pk), {"post": "yes"}).status_code, 403)
        self.assertEqual(self.client.get(self.admin("assessment_change", other.pk)).status_code, 404)  # not a redirect
        self.assertTrue(Assessment.objects.filter(pk=mine.pk).exists())
