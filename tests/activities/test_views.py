"""The activities and honours pages: campaigns, activities with co-organizers and photos,
honours with their catalogue, the confer step, the lists' filters, totals and exports, the
honours matrix, the organization page's panel, and what each page costs in queries."""

import datetime
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from activities import services
from activities.models import (
    Activity,
    ActivityKind,
    ActivityPhoto,
    Campaign,
    Honour,
    HonourLevel,
    HonourStatus,
    HonourTitle,
)
from activities.services import PHOTO_FOLDER
from cadres.models import Cadre
from organizations import panels
from tests.base import PortalTestCase, make_org, make_user
from tests.cadres.data import png_upload, refused_uploads, response_body
from tests.workbooks import response_bytes
from unionportal.xlsx import XLSX_CONTENT_TYPE


def url(name, *args):
    return reverse(f"activities:{name}", args=args)


def zh(text):
    with translation.override("zh-hans"):
        return str(translation.gettext(text))


def activity_post(organizer, **extra):
    return {
        "title": "职工演讲比赛",
        "kind": ActivityKind.SPEECH,
        "organizer": organizer.pk,
        "co_organizers": [],
        "campaign": "",
        "start": "2025-04-26",
        "end": "2025-04-26",
        "place": "县文化馆",
        "participants": "320",
        "entries": "24",
        "funds_spent": "8000.00",
        "description": "",
        "materials": "0",
        "enterprises": "0",
        "jobs_offered": "0",
        "people_placed": "0",
        **extra,
    }


def honour_post(title, organization, **extra):
    return {
        "title": title.pk,
        "year": "2025",
        "organization": organization.pk,
        "recipient_name": "",
        "recipient_unit": "",
        "cadre": "",
        "status": HonourStatus.CONFERRED,
        "conferring_body": "测试市总工会",
        "document_number": "测工发〔2025〕1号",
        "recommended_by": "",
        **extra,
    }


class ActivitiesTestCase(PortalTestCase):
    """Titles of the shipped catalogue and a MEDIA_ROOT of each test's own."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        shipped = HonourTitle.objects.filter(owner=None)
        cls.home_county = shipped.get(name="模范职工之家", level=HonourLevel.COUNTY)
        cls.home_city = shipped.get(name="模范职工之家", level=HonourLevel.PREFECTURE)
        cls.medal_county = shipped.get(name="五一劳动奖章", level=HonourLevel.COUNTY)
        cls.pioneer_national = shipped.get(name="工人先锋号", level=HonourLevel.NATIONAL)

    def setUp(self):
        super().setUp()
        self.media_root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(override_settings(MEDIA_ROOT=str(self.media_root)))

    def stored_files(self):
        return sorted(path.relative_to(self.media_root).as_posix() for path in self.media_root.rglob("*.*"))

    def add_activity(self, title="活动", organizer=None, **fields):
        fields.setdefault("kind", ActivityKind.CULTURAL)
        fields.setdefault("start", datetime.date(2025, 5, 1))
        return Activity.objects.create(title=title, organizer=organizer or self.district_a, **fields)

    def add_honour(self, title=None, organization=None, **fields):
        return Honour.objects.create(
            title=title or self.home_county,
            year=fields.pop("year", 2025),
            organization=organization or self.union_a,
            **fields,
        )


class CampaignTest(ActivitiesTestCase):
    def test_staff_adds_a_campaign_of_their_branch_and_history_names_them(self):
        self.login(self.alice)
        response = self.client.post(
            url("campaign_create"),
            {"name": "“五一”系列活动", "year": "2025", "organizer": self.district_a.pk, "description": ""},
        )
        campaign = Campaign.objects.get()
        self.assertRedirects(response, campaign.get_absolute_url())
        self.assertEqual(campaign.history.get().history_user, self.alice)

    def test_an_organizer_of_another_district_is_refused(self):
        self.login(self.alice)
        response = self.client.post(
            url("campaign_create"), {"name": "系列活动", "year": "2025", "organizer": self.district_b.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("organizer", response.context["form"].errors)
        self.assertFalse(Campaign.objects.exists())

    def test_the_same_name_in_the_same_year_twice_is_refused(self):
        Campaign.objects.create(name="系列活动", year=2025, organizer=self.district_a)
        self.login(self.alice)
        response = self.client.post(
            url("campaign_create"), {"name": "系列活动", "year": "2025", "organizer": self.district_a.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Campaign.objects.count(), 1)

    def test_the_campaign_page_lists_its_activities_with_totals(self):
        campaign = Campaign.objects.create(name="系列活动", year=2025, organizer=self.district_a)
        self.add_activity("演讲", campaign=campaign, participants=300, entries=30, funds_spent=Decimal("1000.50"))
        self.add_activity("书法", campaign=campaign, participants=200, entries=70, funds_spent=Decimal("2000"))
        self.add_activity("无关")
        self.login(self.alice)
        response = self.client.get(campaign.get_absolute_url())
        self.assertEqual([a.title for a in response.context["activities"]], ["书法", "演讲"])
        self.assertEqual(
            response.context["totals"], {"participants": 500, "entries": 100, "funds": "3,000.50", "count": 2}
        )

    def test_the_list_counts_only_the_readers_activities_of_a_campaign(self):
        """A campaign of district A holds an activity of district B (as the city's staff may
        file it): alice's list counts her own, as the campaign's page does (a join counted
        every one)."""
        campaign = Campaign.objects.create(name="全区竞赛", year=2025, organizer=self.district_a)
        self.add_activity("甲区赛", campaign=campaign, participants=300)
        self.add_activity("乙区赛", organizer=self.district_b, campaign=campaign, participants=555)
        for user, counts in ((self.alice, (1, 300)), (self.lena, (2, 855))):
            with self.subTest(user=user.username):
                self.login(user)
                [row] = self.client.get(url("campaign_list")).context["table"].data.data
                self.assertEqual((row.activity_count, row.participant_total), counts)

    def test_honour_titles_count_only_the_readers_honours(self):
        self.add_honour(organization=self.union_a)
        self.add_honour(organization=self.union_b)
        self.add_honour(organization=self.union_b, year=2024)
        for user, count in ((self.alice, 1), (self.leo, 2), (self.lena, 3)):
            with self.subTest(user=user.username):
                self.login(user)
                rows = self.client.get(url("honourtitle_list")).context["table"].data.data
                self.assertEqual({row.pk: row.honour_count for row in rows}[self.home_county.pk], count)

    def test_a_campaign_of_another_district_is_404_and_a_leader_may_not_add_one(self):
        campaign = Campaign.objects.create(name="系列活动", year=2025, organizer=self.district_b)
        self.login(self.alice)
        self.assertEqual(self.client.get(campaign.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(url("campaign_update", campaign.pk)).status_code, 404)
        self.login(self.leo)
        self.assertEqual(self.client.get(campaign.get_absolute_url()).status_code, 200)
        self.assertEqual(self.client.get(url("campaign_create")).status_code, 403)
        self.assertEqual(self.client.get(url("campaign_update", campaign.pk)).status_code, 403)


class ActivityFormTest(ActivitiesTestCase):
    def test_staff_records_an_activity_with_co_organizers_of_the_branch(self):
        self.login(self.alice)
        response = self.client.post(
            url("activity_create"), activity_post(self.district_a, co_organizers=[self.union_a.pk])
        )
        activity = Activity.objects.get()
        self.assertRedirects(response, activity.get_absolute_url())
        self.assertEqual(list(activity.co_organizers.all()), [self.union_a])
        self.assertEqual((activity.participants, activity.entries, activity.funds_spent), (320, 24, Decimal("8000.00")))
        self.assertEqual(activity.history.first().history_user, self.alice)

    def test_co_organizers_and_campaigns_are_offered_from_the_branch_only(self):
        Campaign.objects.create(name="甲区系列", year=2025, organizer=self.district_a)
        Campaign.objects.create(name="乙区系列", year=2025, organizer=self.district_b)
        self.login(self.alice)
        form = self.client.get(url("activity_create")).context["form"]
        self.assertEqual(set(form.fields["co_organizers"].queryset), {self.district_a, self.union_a})
        self.assertEqual([c.name for c in form.fields["campaign"].queryset], ["甲区系列"])

    def test_a_forged_co_organizer_or_campaign_of_another_district_is_refused(self):
        campaign_b = Campaign.objects.create(name="乙区系列", year=2025, organizer=self.district_b)
        self.login(self.alice)
        response = self.client.post(
            url("activity_create"),
            activity_post(self.district_a, co_organizers=[self.union_b.pk], campaign=campaign_b.pk),
        )
        self.assertEqual(set(response.context["form"].errors), {"co_organizers", "campaign"})
        self.assertFalse(Activity.objects.exists())

    def test_a_campaign_of_another_year_and_an_end_before_the_start_are_refused(self):
        campaign = Campaign.objects.create(name="系列", year=2024, organizer=self.district_a)
        self.login(self.alice)
        response = self.client.post(
            url("activity_create"), activity_post(self.district_a, campaign=campaign.pk, end="2025-04-01")
        )
        self.assertEqual(set(response.context["form"].errors), {"campaign", "end"})
        self.assertFalse(Activity.objects.exists())

    def test_editing_keeps_co_organizers_outside_the_editors_branch(self):
        activity = self.add_activity(organizer=self.district_a)
        activity.co_organizers.set([self.union_a, self.union_b])  # recorded by the city
        self.login(self.alice)
        form = self.client.get(url("activity_update", activity.pk)).context["form"]
        self.assertEqual(form.initial["co_organizers"], [self.union_a.pk])
        response = self.client.post(
            url("activity_update", activity.pk), activity_post(self.district_a, title="改名", co_organizers=[])
        )
        self.assertRedirects(response, activity.get_absolute_url())
        activity.refresh_from_db()
        self.assertEqual(activity.title, "改名")
        self.assertEqual(list(activity.co_organizers.all()), [self.union_b])

    def test_a_campaign_outside_the_editors_branch_is_kept_and_not_named(self):
        campaign_b = Campaign.objects.create(name="乙区系列", year=2025, organizer=self.district_b)
        activity = self.add_activity(organizer=self.district_a, campaign=campaign_b)  # recorded by the city
        self.login(self.alice)
        response = self.client.get(activity.get_absolute_url())
        self.assertNotContains(response, "乙区系列")
        self.assertContains(response, zh("a campaign outside your branch"))
        response = self.client.post(
            url("activity_update", activity.pk), activity_post(self.district_a, start="2025-05-01", end="")
        )
        self.assertRedirects(response, activity.get_absolute_url())
        activity.refresh_from_db()
        self.assertEqual(activity.campaign, campaign_b)

    def test_the_activity_page_names_co_organizers_of_the_branch_only(self):
        activity = self.add_activity(organizer=self.district_a)
        activity.co_organizers.set([self.union_a, self.union_b])
        self.login(self.alice)
        response = self.client.get(activity.get_absolute_url())
        self.assertEqual(response.context["co_organizers"], [self.union_a])
        self.assertEqual(response.context["co_organizers_elsewhere"], 1)
        self.assertNotContains(response, self.union_b.name)
        self.login(self.lena)
        response = self.client.get(activity.get_absolute_url())
        self.assertContains(response, self.union_b.name)

    def test_employment_figures_are_recorded_and_shown(self):
        self.login(self.alice)
        self.client.post(
            url("activity_create"),
            activity_post(
                self.district_a,
                kind=ActivityKind.EMPLOYMENT,
                materials="18000",
                enterprises="55",
                jobs_offered="3000",
                people_placed="420",
            ),
        )
        activity = Activity.objects.get()
        self.assertEqual(
            (activity.materials, activity.enterprises, activity.jobs_offered, activity.people_placed),
            (18000, 55, 3000, 420),
        )
        response = self.client.get(activity.get_absolute_url())
        self.assertContains(response, zh("Jobs offered"))

    def test_scope_and_role(self):
        activity_b = self.add_activity(organizer=self.district_b)
        self.login(self.alice)
        for name in ("activity_detail", "activity_update"):
            self.assertEqual(self.client.get(url(name, activity_b.pk)).status_code, 404)
        self.assertEqual(
            self.client.post(url("activity_update", activity_b.pk), activity_post(self.district_b)).status_code, 404
        )
        self.login(self.leo)
        self.assertEqual(self.client.get(url("activity_detail", activity_b.pk)).status_code, 200)
        self.assertEqual(self.client.get(url("activity_create")).status_code, 403)
        self.assertEqual(self.client.get(url("activity_update", activity_b.pk)).status_code, 403)
        self.login(self.otto)
        self.assertEqual(self.client.get(url("activity_list")).status_code, 403)


class ActivityPhotoTest(ActivitiesTestCase):
    def setUp(self):
        super().setUp()
        self.activity = self.add_activity(organizer=self.district_a)
        self.activity_b = self.add_activity(organizer=self.district_b)

    def upload(self, activity=None, upload=None, caption="颁奖现场"):
        return self.client.post(
            url("activity_photo_upload", (activity or self.activity).pk),
            {"picture": upload or png_upload(), "caption": caption},
        )

    def test_a_photo_is_stored_re_encoded_and_served_on_the_activity_page(self):
        self.login(self.alice)
        response = self.upload()
        self.assertRedirects(response, f"{self.activity.get_absolute_url()}#photos", fetch_redirect_response=False)
        photo = ActivityPhoto.objects.get()
        self.assertEqual((photo.activity, photo.caption), (self.activity, "颁奖现场"))
        self.assertTrue(photo.image.startswith(f"{PHOTO_FOLDER}/"))
        self.assertEqual(self.stored_files(), [photo.image])
        self.assertEqual(photo.history.get().history_user, self.alice)
        page = self.client.get(self.activity.get_absolute_url())
        self.assertContains(page, url("activity_photo_image", photo.pk))
        image = self.client.get(url("activity_photo_image", photo.pk))
        self.assertEqual((image.status_code, image["Content-Type"]), (200, "image/png"))
        self.assertEqual(image["X-Content-Type-Options"], "nosniff")
        response_body(image)

    def test_every_file_of_the_corpus_is_refused_and_nothing_is_stored(self):
        self.login(self.alice)
        for label, _code, upload in refused_uploads():
            with self.subTest(label):
                response = self.client.post(
                    url("activity_photo_upload", self.activity.pk), {"picture": upload}, follow=True
                )
                self.assertEqual(response.status_code, 200)
                self.assertEqual([m.level_tag for m in response.context["messages"]], ["error"])
        self.assertFalse(ActivityPhoto.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_no_file_is_a_message(self):
        self.login(self.alice)
        response = self.client.post(url("activity_photo_upload", self.activity.pk), {}, follow=True)
        self.assertContains(response, zh("Choose a picture to upload."))

    def test_deleting_a_photo_removes_the_file(self):
        self.login(self.alice)
        self.upload()
        photo = ActivityPhoto.objects.get()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url("activity_photo_delete", photo.pk))
        self.assertRedirects(response, f"{self.activity.get_absolute_url()}#photos", fetch_redirect_response=False)
        self.assertFalse(ActivityPhoto.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_photos_of_another_district_are_404_and_a_leader_may_not_upload(self):
        photo_b = services.activity_photo_add(activity=self.activity_b, upload=png_upload(), user=self.bob)
        self.login(self.alice)
        self.assertEqual(self.upload(self.activity_b).status_code, 404)
        self.assertEqual(self.client.get(url("activity_photo_image", photo_b.pk)).status_code, 404)
        self.assertEqual(self.client.post(url("activity_photo_delete", photo_b.pk)).status_code, 404)
        self.assertEqual(self.client.get(url("activity_photo_upload", self.activity.pk)).status_code, 405)
        self.login(self.leo)
        self.assertEqual(self.upload(self.activity_b).status_code, 403)
        self.assertEqual(self.client.post(url("activity_photo_delete", photo_b.pk)).status_code, 403)
        self.assertEqual(self.client.get(url("activity_photo_image", photo_b.pk)).status_code, 200)
        self.assertEqual(ActivityPhoto.objects.count(), 1)


class ActivityListTest(ActivitiesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.township = make_org(cls.district_a, "甲区城关街道工会联合会", "township_federation")
        cls.campaign = Campaign.objects.create(name="五一系列", year=2025, organizer=cls.district_a)
        day = datetime.date
        rows = [
            ("演讲比赛", cls.district_a, ActivityKind.SPEECH, day(2025, 4, 26), 300, 20, "1000.00", cls.campaign),
            ("书法展", cls.township, ActivityKind.ART, day(2025, 4, 28), 200, 80, "500.50", cls.campaign),
            ("招聘会", cls.union_a, ActivityKind.EMPLOYMENT, day(2024, 2, 10), 6000, 0, "2000.00", None),
            ("乙区徒步", cls.district_b, ActivityKind.WALK, day(2025, 3, 8), 700, 0, "0", None),
        ]
        for title, organizer, kind, start, participants, entries, funds, campaign in rows:
            Activity.objects.create(
                title=title,
                organizer=organizer,
                kind=kind,
                start=start,
                participants=participants,
                entries=entries,
                funds_spent=Decimal(funds),
                campaign=campaign,
                jobs_offered=3000 if kind == ActivityKind.EMPLOYMENT else 0,
            )

    def titles(self, query="", user=None):
        self.login(user or self.alice)
        response = self.client.get(f"{url('activity_list')}?{query}")
        self.assertEqual(response.status_code, 200)
        return sorted(row.record.title for row in response.context["table"].rows), response

    def test_the_list_holds_the_branch_only_with_totals_of_the_rows(self):
        titles, response = self.titles()
        self.assertEqual(titles, ["书法展", "招聘会", "演讲比赛"])
        self.assertEqual(response.context["totals"]["participants"], 6500)
        self.assertEqual(response.context["totals"]["entries"], 100)
        self.assertEqual(response.context["totals"]["funds"], "3,500.50")

    def test_filters(self):
        cases = [
            (f"branch={self.township.pk}", ["书法展"]),
            (f"branch={self.union_a.pk}", ["招聘会"]),  # a union's page links here too
            (f"branch={self.district_b.pk}", []),
            ("kind=employment", ["招聘会"]),
            (f"campaign={self.campaign.pk}", ["书法展", "演讲比赛"]),
            ("start_after=2025-04-27&start_before=2025-12-31", ["书法展"]),
            ("title=比赛", ["演讲比赛"]),
            (f"kind=art&campaign={self.campaign.pk}", ["书法展"]),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                titles, response = self.titles(query)
                self.assertEqual(titles, expected)
                expected_total = sum(Activity.objects.filter(title__in=expected).values_list("participants", flat=True))
                self.assertEqual(response.context["totals"]["participants"], expected_total)

    def test_the_branch_dropdown_offers_federations_and_the_chosen_union(self):
        _titles, response = self.titles(f"branch={self.union_a.pk}")
        offered = [choice[1] for choice in response.context["filter"].form.fields["branch"].choices][1:]
        self.assertEqual(offered, ["甲区总工会", "甲区第一中学工会", "甲区城关街道工会联合会"])

    def test_export_holds_the_filtered_rows_with_the_columns_shown(self):
        self.login(self.alice)
        response = self.client.get(f"{url('activity_list')}?export=xlsx&kind=employment")
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        rows = list(load_workbook(io.BytesIO(response_bytes(response))).worksheets[0].iter_rows(values_only=True))
        headers = [str(h) for h in rows[0]]
        self.assertEqual(len(rows), 2)
        self.assertIn(zh("jobs offered").capitalize(), [h.capitalize() for h in headers])
        record = dict(zip(headers, rows[1], strict=True))
        self.assertEqual(record[headers[0]], "招聘会")
        self.assertIn(3000, rows[1])
        self.assertIn(Decimal("2000.00"), [Decimal(str(v)) for v in rows[1] if isinstance(v, (int, float))])


class CampaignElsewhereTest(ActivitiesTestCase):
    """An activity of district A in a campaign of district B (the city's staff may file it so):
    district A's readers see the activity, and the campaign exists for them nowhere on the list,
    as on the activity's page."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign_a = Campaign.objects.create(name="甲区五一系列", year=2025, organizer=cls.district_a)
        cls.campaign_b = Campaign.objects.create(name="乙区秘密系列", year=2025, organizer=cls.district_b)
        for title, campaign in (("本区赛", cls.campaign_a), ("跨区赛", cls.campaign_b)):
            Activity.objects.create(
                title=title, kind="cultural", organizer=cls.union_a, start=datetime.date(2025, 5, 1), campaign=campaign
            )

    def campaigns(self, user, query=""):
        """{activity title: campaign shown} on the list `user` reads."""
        self.login(user)
        response = self.client.get(f"{url('activity_list')}?{query}")
        self.assertEqual(response.status_code, 200)
        return {row.record.title: row.get_cell_value("campaign") for row in response.context["table"].rows}, response

    def test_the_list_names_only_campaigns_of_the_readers_branch(self):
        shown, response = self.campaigns(self.alice)
        self.assertEqual(shown, {"本区赛": "甲区五一系列", "跨区赛": None})
        self.assertNotContains(response, "乙区秘密系列")
        shown, _response = self.campaigns(self.lena)
        self.assertEqual(shown, {"本区赛": "甲区五一系列", "跨区赛": "乙区秘密系列"})

    def test_sorting_by_campaign_does_not_order_by_a_hidden_name(self):
        """Hidden, a campaign sorts as no campaign: its name cannot be guessed from where its
        activity stands. By name, 乙区秘密系列 sorts before 甲区五一系列 and 龙城系列 after it."""
        city_campaign = Campaign.objects.create(name="龙城系列", year=2025, organizer=self.city)
        self.add_activity("全市赛", self.union_a, campaign=city_campaign)
        shown, response = self.campaigns(self.alice, "sort=campaign")
        order = [row.record.title for row in response.context["table"].rows]
        self.assertEqual((shown["跨区赛"], shown["全市赛"]), (None, None))
        # The two hidden together (first on SQLite, last on PostgreSQL, which sort no value so).
        self.assertIn(order.index("本区赛"), (0, 2))
        self.login(self.lena)
        response = self.client.get(f"{url('activity_list')}?sort=campaign")
        self.assertEqual([row.record.title for row in response.context["table"].rows], ["跨区赛", "本区赛", "全市赛"])

    def test_the_export_names_only_campaigns_of_the_readers_branch(self):
        for user, expected in ((self.alice, {None, "甲区五一系列"}), (self.lena, {"乙区秘密系列", "甲区五一系列"})):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(f"{url('activity_list')}?export=xlsx")
                sheet = load_workbook(io.BytesIO(response_bytes(response))).worksheets[0]
                rows = list(sheet.iter_rows(values_only=True))
                column = [str(header) for header in rows[0]].index(zh("campaign"))
                self.assertEqual({row[column] for row in rows[1:]}, expected)

    def test_the_campaign_name_filter_finds_no_campaign_outside_the_branch(self):
        # Else a reader would probe another district's campaign names one guess at a time.
        for user, query, expected in (
            (self.alice, "campaign_name=秘密", []),
            (self.alice, "campaign_name=系列", ["本区赛"]),
            (self.lena, "campaign_name=秘密", ["跨区赛"]),
        ):
            with self.subTest(user=user.username, query=query):
                shown, response = self.campaigns(user, query)
                self.assertEqual(sorted(shown), expected)
                self.assertEqual(response.context["table"].paginator.count, len(expected))

    def test_the_campaign_name_filter_counts_afresh_after_a_rename_above_the_branch(self):
        """The city's campaign holds district A's activity: renaming it (a write in the city's
        branch, not district A's) changes which activities the name filter keeps, so the list's
        cached figures (kept in parts per district) cannot serve that filter."""
        campaign = Campaign.objects.create(name="全市读书月", year=2025, organizer=self.city)
        self.add_activity("读书会", self.union_a, campaign=campaign)
        self.login(self.lena)
        query = f"{url('activity_list')}?campaign_name=读书月"
        self.assertEqual(self.client.get(query).context["table"].paginator.count, 1)
        campaign.name = "全市征文月"
        campaign.save()
        response = self.client.get(query)
        self.assertEqual((response.context["table"].paginator.count, len(response.context["table"].rows)), (0, 0))


class HonourFormTest(ActivitiesTestCase):
    def test_staff_records_a_collective_honour(self):
        self.login(self.alice)
        response = self.client.post(url("honour_create"), honour_post(self.home_county, self.union_a))
        honour = Honour.objects.get()
        self.assertRedirects(response, honour.get_absolute_url())
        self.assertEqual(
            (honour.title, honour.organization, honour.recipient_name, honour.status),
            (self.home_county, self.union_a, "", HonourStatus.CONFERRED),
        )
        self.assertEqual(honour.history.get().history_user, self.alice)

    def test_an_individual_honour_takes_the_work_unit_of_the_union_by_default(self):
        self.login(self.alice)
        self.client.post(
            url("honour_create"),
            honour_post(self.medal_county, self.union_a, recipient_name="张明", status=HonourStatus.RECOMMENDED),
        )
        honour = Honour.objects.get()
        self.assertEqual(
            (honour.recipient_name, honour.recipient_unit, honour.status),
            ("张明", "甲区第一中学工会", HonourStatus.RECOMMENDED),
        )

    def test_a_cadre_fills_the_recipients_name(self):
        cadre = Cadre.objects.create(full_name="李强", gender="male", organization=self.union_a)
        self.login(self.alice)
        self.client.post(url("honour_create"), honour_post(self.medal_county, self.union_a, cadre=cadre.pk))
        self.assertEqual(Honour.objects.get().recipient_name, "李强")

    def test_the_same_honour_to_the_same_recipient_in_the_same_year_is_refused(self):
        self.add_honour(self.home_county, self.union_a, year=2025)
        self.add_honour(self.medal_county, self.union_a, recipient_name="张明", recipient_unit="甲区第一中学工会")
        self.login(self.alice)
        for data in (
            honour_post(self.home_county, self.union_a),
            honour_post(self.medal_county, self.union_a, recipient_name="张明"),
        ):
            with self.subTest(data=data):
                response = self.client.post(url("honour_create"), data)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].non_field_errors())
        self.assertEqual(Honour.objects.count(), 2)
        # Another year, another level or another person is another honour.
        self.client.post(url("honour_create"), honour_post(self.home_county, self.union_a, year="2024"))
        self.client.post(url("honour_create"), honour_post(self.home_city, self.union_a))
        self.client.post(url("honour_create"), honour_post(self.medal_county, self.union_a, recipient_name="王芳"))
        self.assertEqual(Honour.objects.count(), 5)

    def test_recipient_must_match_the_titles_recipient_type(self):
        self.login(self.alice)
        response = self.client.post(url("honour_create"), honour_post(self.medal_county, self.union_a))
        self.assertIn("recipient_name", response.context["form"].errors)
        response = self.client.post(
            url("honour_create"), honour_post(self.home_county, self.union_a, recipient_name="张明")
        )
        self.assertIn("recipient_name", response.context["form"].errors)
        self.assertFalse(Honour.objects.exists())

    def test_titles_of_another_branch_are_not_offered_nor_accepted(self):
        own = HonourTitle.objects.create(
            name="甲区工匠", level="county", recipient_type="individual", owner=self.district_a
        )
        other = HonourTitle.objects.create(
            name="乙区工匠", level="county", recipient_type="individual", owner=self.district_b
        )
        self.login(self.alice)
        titles = set(self.client.get(url("honour_create")).context["form"].fields["title"].queryset)
        self.assertIn(own, titles)
        self.assertIn(self.home_county, titles)
        self.assertNotIn(other, titles)
        response = self.client.post(url("honour_create"), honour_post(other, self.union_a, recipient_name="张明"))
        self.assertIn("title", response.context["form"].errors)
        # The city's admin reads both, but a district's title is for that district's branch.
        self.login(self.ada)
        response = self.client.post(url("honour_create"), honour_post(other, self.union_a, recipient_name="张明"))
        self.assertIn("title", response.context["form"].errors)
        self.assertFalse(Honour.objects.exists())

    def test_editing_keeps_a_recommending_organization_above_the_editor(self):
        honour = self.add_honour(self.home_county, self.union_a, recommended_by=self.city)
        self.login(self.alice)
        response = self.client.post(
            url("honour_update", honour.pk), honour_post(self.home_county, self.union_a, document_number="改")
        )
        self.assertRedirects(response, honour.get_absolute_url())
        honour.refresh_from_db()
        self.assertEqual((honour.document_number, honour.recommended_by), ("改", self.city))

    def test_scope_and_role(self):
        honour_b = self.add_honour(self.home_county, self.union_b)
        self.login(self.alice)
        for name in ("honour_detail", "honour_update"):
            self.assertEqual(self.client.get(url(name, honour_b.pk)).status_code, 404)
        response = self.client.post(url("honour_create"), honour_post(self.home_county, self.union_b))
        self.assertIn("organization", response.context["form"].errors)
        self.login(self.leo)
        self.assertEqual(self.client.get(url("honour_detail", honour_b.pk)).status_code, 200)
        self.assertEqual(self.client.get(url("honour_create")).status_code, 403)
        self.assertEqual(self.client.get(url("honour_update", honour_b.pk)).status_code, 403)


class ConferTest(ActivitiesTestCase):
    def setUp(self):
        super().setUp()
        self.honour = self.add_honour(self.home_county, self.union_a, status=HonourStatus.RECOMMENDED)

    def confer(self, status="conferred", **extra):
        return self.client.post(url("honour_confer", self.honour.pk), {"status": status, **extra}, follow=True)

    def test_staff_confers_a_recommended_honour_once_with_the_document(self):
        self.login(self.alice)
        detail = self.client.get(self.honour.get_absolute_url())
        self.assertContains(detail, 'data-testid="confer"')
        response = self.confer(conferring_body="甲区总工会", document_number="甲工发〔2025〕3号")
        self.assertRedirects(response, self.honour.get_absolute_url())
        self.honour.refresh_from_db()
        self.assertEqual(
            (self.honour.status, self.honour.conferring_body, self.honour.document_number),
            (HonourStatus.CONFERRED, "甲区总工会", "甲工发〔2025〕3号"),
        )
        self.assertNotContains(response, 'data-testid="confer"')
        record = self.honour.history.first()
        self.assertEqual((record.status, record.history_user), (HonourStatus.CONFERRED, self.alice))
        # A second click finds it decided: refused, nothing written.
        versions = self.honour.history.count()
        response = self.confer("not_conferred")
        self.assertEqual([m.level_tag for m in response.context["messages"]], ["error"])
        self.honour.refresh_from_db()
        self.assertEqual(self.honour.status, HonourStatus.CONFERRED)
        self.assertEqual(self.honour.history.count(), versions)

    def test_a_recommendation_may_end_not_conferred(self):
        self.login(self.alice)
        self.confer("not_conferred")
        self.honour.refresh_from_db()
        self.assertEqual(self.honour.status, HonourStatus.NOT_CONFERRED)

    def test_the_service_confers_once_whoever_clicks(self):
        stale = Honour.objects.get(pk=self.honour.pk)
        services.honour_set_status(honour=self.honour, status=HonourStatus.CONFERRED, user=self.alice)
        with self.assertRaises(services.ValidationError):
            services.honour_set_status(honour=stale, status=HonourStatus.CONFERRED, user=self.adam)
        self.assertEqual(self.honour.history.filter(status=HonourStatus.CONFERRED).count(), 1)
        with self.assertRaises(services.ValidationError):
            services.honour_set_status(honour=self.honour, status=HonourStatus.RECOMMENDED, user=self.alice)

    def test_scope_role_and_method(self):
        self.login(self.bob)
        self.assertEqual(self.confer().status_code, 404)
        self.login(self.april)
        self.assertEqual(self.confer().status_code, 403)
        self.login(self.alice)
        self.assertEqual(self.client.get(url("honour_confer", self.honour.pk)).status_code, 405)
        self.honour.refresh_from_db()
        self.assertEqual(self.honour.status, HonourStatus.RECOMMENDED)


class HonourListTest(ActivitiesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a1 = Honour.objects.create(title=cls.home_county, year=2023, organization=cls.union_a)
        cls.a2 = Honour.objects.create(
            title=cls.medal_county,
            year=2024,
            organization=cls.union_a,
            recipient_name="张明",
            recipient_unit="甲区第一中学",
        )
        cls.a3 = Honour.objects.create(
            title=cls.home_city, year=2025, organization=cls.district_a, status=HonourStatus.RECOMMENDED
        )
        cls.b1 = Honour.objects.create(title=cls.home_county, year=2024, organization=cls.union_b)

    def rows(self, query="", user=None):
        self.login(user or self.alice)
        response = self.client.get(f"{url('honour_list')}?{query}")
        self.assertEqual(response.status_code, 200)
        return {row.record for row in response.context["table"].rows}

    def test_filters(self):
        cases = [
            ("", {self.a1, self.a2, self.a3}),
            (f"branch={self.union_a.pk}", {self.a1, self.a2}),
            ("level=county", {self.a1, self.a2}),
            ("title=模范职工之家", {self.a1, self.a3}),
            ("status=recommended", {self.a3}),
            ("year_min=2024&year_max=2024", {self.a2}),
            ("year_min=2024", {self.a2, self.a3}),
            ("recipient_type=individual", {self.a2}),
            ("name=张", {self.a2}),
            ("name=甲区总", {self.a3}),
        ]
        for query, expected in cases:
            with self.subTest(query=query):
                self.assertEqual(self.rows(query), expected)
        self.assertEqual(self.rows("", self.lena), {self.a1, self.a2, self.a3, self.b1})

    def test_export_holds_the_filtered_rows(self):
        self.login(self.alice)
        response = self.client.get(f"{url('honour_list')}?export=xlsx&level=county")
        rows = list(load_workbook(io.BytesIO(response_bytes(response))).worksheets[0].iter_rows(values_only=True))
        self.assertEqual(len(rows), 3)
        self.assertEqual({row[1] for row in rows[1:]}, {"模范职工之家", "五一劳动奖章"})
        self.assertIn("张明", [value for row in rows for value in row])


class HonourMatrixTest(ActivitiesTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.township = make_org(cls.district_a, "甲区城关街道工会联合会", "township_federation")
        cls.unions = [make_org(cls.township, f"城关{n}号工会") for n in range(4)]
        cls.craftsman = HonourTitle.objects.create(
            name="甲区工匠", level="county", recipient_type="individual", owner=cls.district_a, order=50
        )
        medal_city = HonourTitle.objects.get(name="五一劳动奖章", level="prefecture", owner=None)
        rows = [
            (cls.home_county, 2024, cls.unions[0], "", HonourStatus.CONFERRED),
            (cls.home_county, 2024, cls.unions[1], "", HonourStatus.CONFERRED),
            (cls.home_county, 2024, cls.unions[2], "", HonourStatus.RECOMMENDED),
            (cls.home_city, 2024, cls.unions[0], "", HonourStatus.CONFERRED),
            (cls.medal_county, 2024, cls.unions[0], "张明", HonourStatus.CONFERRED),
            (medal_city, 2023, cls.unions[1], "李强", HonourStatus.CONFERRED),
            (cls.craftsman, 2024, cls.unions[3], "王芳", HonourStatus.CONFERRED),
            (cls.pioneer_national, 2024, cls.union_a, "", HonourStatus.CONFERRED),
            (cls.home_county, 2024, cls.union_b, "", HonourStatus.CONFERRED),
        ]
        for title, year, organization, name, status in rows:
            Honour.objects.create(title=title, year=year, organization=organization, recipient_name=name, status=status)

    def matrix(self, query, user=None):
        self.login(user or self.alice)
        response = self.client.get(f"{url('honour_matrix')}?{query}")
        self.assertEqual(response.status_code, 200)
        return response, response.context["matrix"]

    def cell(self, matrix, level, name):
        row = next(row for row in matrix["rows"] if row["label"] == HonourLevel(level).label)
        return row["cells"][matrix["names"].index(name)]

    def listed(self, link):
        """The honours the list shows at a link of the matrix."""
        path, _query = link.split("?")
        self.assertEqual(path, url("honour_list"))
        response = self.client.get(link)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["filter"].is_valid(), response.context["filter"].errors)
        return response.context["table"].paginator.count

    def test_defaults_are_the_users_branch_this_year_and_conferred(self):
        response, matrix = self.matrix("")
        form = response.context["form"]
        self.assertEqual(form.cleaned_data["branch"], self.district_a)
        year = timezone.localdate().year
        self.assertEqual((form.cleaned_data["year_min"], form.cleaned_data["year_max"]), (year, year))
        self.assertEqual(form.cleaned_data["status"], HonourStatus.CONFERRED)
        self.assertEqual(matrix["total"]["count"], 0)
        self.assertContains(response, 'data-testid="matrix-empty"')

    def test_counts_by_level_and_title_with_totals_and_subtotals(self):
        _response, matrix = self.matrix(f"branch={self.district_a.pk}&year_min=2023&year_max=2024&status=conferred")
        # Names merged across levels, in catalogue order.
        self.assertEqual(matrix["names"], ["模范职工之家", "五一劳动奖章", "工人先锋号", "甲区工匠"])
        self.assertEqual(self.cell(matrix, "county", "模范职工之家")["count"], 2)
        self.assertEqual(self.cell(matrix, "prefecture", "模范职工之家")["count"], 1)
        self.assertEqual(self.cell(matrix, "prefecture", "五一劳动奖章")["count"], 1)
        self.assertEqual(self.cell(matrix, "national", "工人先锋号")["count"], 1)
        self.assertEqual(self.cell(matrix, "county", "甲区工匠")["count"], 1)
        self.assertEqual(self.cell(matrix, "provincial", "模范职工之家"), {"count": 0, "url": ""})
        totals = {row["label"]: row["total"]["count"] for row in matrix["rows"]}
        self.assertEqual(list(totals.values()), [1, 0, 2, 4])
        self.assertEqual([cell["count"] for cell in matrix["column_totals"]], [3, 2, 1, 1])
        self.assertEqual(matrix["total"]["count"], 7)
        county = matrix["rows"][3]
        self.assertEqual([cell["count"] for cell in county["types"]], [2, 2])
        self.assertEqual([cell["count"] for cell in matrix["type_totals"]], [4, 3])

    def test_every_count_links_to_exactly_the_honours_behind_it(self):
        _response, matrix = self.matrix(f"branch={self.district_a.pk}&year_min=2023&year_max=2024&status=conferred")
        links = [
            *(cell for row in matrix["rows"] for cell in [*row["cells"], row["total"], *row["types"]]),
            *matrix["column_totals"],
            *matrix["type_totals"],
            matrix["total"],
        ]
        for cell in links:
            if cell["count"]:
                with self.subTest(url=cell["url"]):
                    self.assertEqual(self.listed(cell["url"]), cell["count"])
        query = parse_qs(urlparse(self.cell(matrix, "county", "模范职工之家")["url"]).query)
        self.assertEqual(
            query,
            {
                "branch": [str(self.district_a.pk)],
                "year_min": ["2023"],
                "year_max": ["2024"],
                "status": ["conferred"],
                "level": ["county"],
                "title": ["模范职工之家"],
            },
        )

    def test_a_township_branch_all_statuses_and_one_year(self):
        _response, matrix = self.matrix(f"branch={self.township.pk}&year_min=2024&year_max=2024&status=")
        self.assertEqual(self.cell(matrix, "county", "模范职工之家")["count"], 3)
        self.assertNotIn("工人先锋号", matrix["names"])
        self.assertEqual(matrix["total"]["count"], 6)
        self.assertEqual(self.listed(self.cell(matrix, "county", "模范职工之家")["url"]), 3)

    def test_the_city_sees_both_districts_and_a_district_not_the_other(self):
        _response, matrix = self.matrix("branch=&year_min=2024&year_max=2024", self.lena)
        self.assertEqual(self.cell(matrix, "county", "模范职工之家")["count"], 3)
        response, _matrix = self.matrix(f"branch={self.district_b.pk}&year_min=2024&year_max=2024")
        self.assertIn("branch", response.context["form"].errors)
        self.assertIsNone(response.context["matrix"])
        self.assertNotContains(response, self.district_b.name)

    def test_a_reversed_span_of_years_is_an_error(self):
        response, matrix = self.matrix("year_min=2025&year_max=2024")
        self.assertIsNone(matrix)
        self.assertIn("year_max", response.context["form"].errors)

    def test_the_auditor_may_not_see_it(self):
        self.login(self.otto)
        self.assertEqual(self.client.get(url("honour_matrix")).status_code, 403)


class HonourTitleTest(ActivitiesTestCase):
    def title_post(self, **extra):
        return {"name": "甲区工匠", "level": "county", "recipient_type": "individual", "order": "50", **extra}

    def test_an_admin_adds_a_title_for_their_organization(self):
        self.login(self.adam)
        response = self.client.post(url("honourtitle_create"), self.title_post())
        self.assertRedirects(response, url("honourtitle_list"))
        title = HonourTitle.objects.get(name="甲区工匠")
        self.assertEqual((title.owner, title.level, title.recipient_type), (self.district_a, "county", "individual"))
        self.assertEqual(title.history.get().history_user, self.adam)
        # Staff of the branch now choose it for an honour.
        self.login(self.alice)
        self.assertIn(title, self.client.get(url("honour_create")).context["form"].fields["title"].queryset)

    def test_staff_and_leaders_may_not_change_the_catalogue(self):
        title = HonourTitle.objects.create(
            name="甲区工匠", level="county", recipient_type="individual", owner=self.district_a
        )
        for user in (self.alice, self.lena):
            self.login(user)
            self.assertEqual(self.client.get(url("honourtitle_list")).status_code, 200)
            self.assertEqual(self.client.get(url("honourtitle_create")).status_code, 403)
            self.assertEqual(self.client.get(url("honourtitle_update", title.pk)).status_code, 403)

    def test_shipped_titles_are_read_only_but_for_superusers(self):
        self.login(self.adam)
        self.assertEqual(self.client.get(url("honourtitle_update", self.home_county.pk)).status_code, 404)
        response = self.client.get(url("honourtitle_list"))
        self.assertContains(response, "模范职工之家")
        self.assertNotContains(response, url("honourtitle_update", self.home_county.pk))
        self.login(self.root)
        response = self.client.post(
            url("honourtitle_update", self.home_county.pk),
            {"name": "模范职工之家", "level": "county", "recipient_type": "collective", "order": "7"},
        )
        self.assertRedirects(response, url("honourtitle_list"))
        self.home_county.refresh_from_db()
        self.assertEqual((self.home_county.order, self.home_county.owner), (7, None))

    def test_an_admin_of_another_district_gets_404_and_the_city_admin_may_change_it(self):
        title = HonourTitle.objects.create(
            name="甲区工匠", level="county", recipient_type="individual", owner=self.district_a
        )
        self.login(self.ada)  # the city's admin: district A is in the city's branch
        self.assertEqual(self.client.get(url("honourtitle_update", title.pk)).status_code, 200)
        bea = make_user("bea", self.district_b, "admin")
        self.login(bea)
        self.assertEqual(self.client.get(url("honourtitle_update", title.pk)).status_code, 404)
        self.assertNotContains(self.client.get(url("honourtitle_list")), "甲区工匠")

    def test_a_name_already_read_at_the_level_is_refused(self):
        self.login(self.adam)
        response = self.client.post(
            url("honourtitle_create"), self.title_post(name="模范职工之家", recipient_type="collective")
        )
        self.assertIn("name", response.context["form"].errors)
        HonourTitle.objects.create(name="测试市工匠", level="county", recipient_type="individual", owner=self.city)
        response = self.client.post(url("honourtitle_create"), self.title_post(name="测试市工匠"))
        self.assertIn("name", response.context["form"].errors)
        # The same name at another level is another title.
        response = self.client.post(url("honourtitle_create"), self.title_post(name="测试市工匠", level="prefecture"))
        self.assertEqual(response.status_code, 302)

    def test_a_title_in_use_keeps_its_level_and_recipient_type(self):
        title = HonourTitle.objects.create(
            name="甲区工匠", level="county", recipient_type="individual", owner=self.district_a
        )
        self.add_honour(title, self.union_a, recipient_name="张明", recipient_unit="甲区第一中学")
        self.login(self.adam)
        response = self.client.post(url("honourtitle_update", title.pk), self.title_post(recipient_type="collective"))
        self.assertIn("recipient_type", response.context["form"].errors)
        response = self.client.post(url("honourtitle_update", title.pk), self.title_post(name="甲区大工匠"))
        self.assertEqual(response.status_code, 302)
        title.refresh_from_db()
        self.assertEqual((title.name, title.recipient_type), ("甲区大工匠", "individual"))


class HonourTitleDetailTest(ActivitiesTestCase):
    """A title's page: its fields, the reader's honours under it and its history, read where
    the title list shows the title."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Each district adds a craftsman title of the same name at the same level (neither reads
        # the other's, so neither is refused); the city reads both.
        cls.craftsman_a = HonourTitle.objects.create(
            name="工匠", level="county", recipient_type="individual", owner=cls.district_a
        )
        cls.craftsman_b = HonourTitle.objects.create(
            name="工匠", level="county", recipient_type="individual", owner=cls.district_b
        )

    def test_the_list_links_each_title_to_its_page(self):
        self.login(self.alice)
        response = self.client.get(url("honourtitle_list"))
        self.assertContains(response, f'href="{self.craftsman_a.get_absolute_url()}"')
        self.assertContains(response, f'href="{self.home_county.get_absolute_url()}"')
        self.assertEqual(self.craftsman_a.get_absolute_url(), f"/activities/honours/titles/{self.craftsman_a.pk}/")

    def test_the_page_shows_the_fields_and_the_history_of_changes(self):
        self.login(self.adam)
        self.client.post(
            url("honourtitle_create"),
            {"name": "甲区能手", "level": "county", "recipient_type": "individual", "order": "50"},
        )
        title = HonourTitle.objects.get(name="甲区能手")
        self.client.post(
            url("honourtitle_update", title.pk),
            {"name": "甲区技术能手", "level": "county", "recipient_type": "individual", "order": "60"},
        )
        self.login(self.alice)
        response = self.client.get(title.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "甲区技术能手")
        self.assertContains(response, self.district_a.name)
        self.assertContains(response, zh("Individual"))
        history = response.context["history"]
        self.assertEqual([row["record"].history_type for row in history], ["~", "+"])
        self.assertEqual({row["record"].history_user for row in history}, {self.adam})
        self.assertEqual(
            {(change["old"], change["new"]) for change in history[0]["changes"]},
            {("甲区能手", "甲区技术能手"), (50, 60)},
        )
        self.assertContains(response, "甲区能手")  # the old name, in the history panel
        self.assertContains(response, zh("History"))

    def test_it_counts_the_readers_honours_and_links_to_exactly_those(self):
        own = self.add_honour(self.craftsman_a, self.union_a, recipient_name="张明", recipient_unit="一中")
        self.add_honour(self.craftsman_b, self.union_b, recipient_name="李华", recipient_unit="机械厂")
        self.add_honour(self.home_county, self.union_a)
        self.add_honour(self.home_county, self.union_b)
        self.add_honour(self.home_county, self.union_b, year=2024)
        for user, title, count in (
            (self.alice, self.craftsman_a, 1),
            (self.lena, self.craftsman_a, 1),  # not B's title of the same name and level
            (self.alice, self.home_county, 1),
            (self.leo, self.home_county, 2),
            (self.lena, self.home_county, 3),
        ):
            with self.subTest(user=user.username, title=str(title)):
                self.login(user)
                response = self.client.get(title.get_absolute_url())
                self.assertEqual(response.context["honour_count"], count)
                link = response.context["honours_url"]
                self.assertContains(response, f'href="{link.replace("&", "&amp;")}"')
                listed = self.client.get(link).context["table"].data.data
                self.assertEqual(len(listed), count)
                self.assertEqual({honour.title_id for honour in listed}, {title.pk})
        self.login(self.lena)
        listed = self.client.get(self.craftsman_a.get_absolute_url()).context["honours_url"]
        self.assertEqual(list(self.client.get(listed).context["table"].data.data), [own])

    def test_a_title_of_another_branch_is_404_and_shipped_titles_are_read_by_everyone(self):
        for user, title, status in (
            (self.alice, self.craftsman_a, 200),
            (self.lena, self.craftsman_a, 200),
            (self.bob, self.craftsman_a, 404),
            (self.leo, self.craftsman_a, 404),
            (self.alice, self.craftsman_b, 404),
            (self.alice, self.home_county, 200),
            (self.bob, self.home_county, 200),
            (self.otto, self.home_county, 403),
        ):
            with self.subTest(user=user.username, title=title.pk):
                self.login(user)
                self.assertEqual(self.client.get(title.get_absolute_url()).status_code, status)
        # A district reads the titles its city defined, as the title list shows them.
        city_title = HonourTitle.objects.create(
            name="测试市工匠", level="prefecture", recipient_type="individual", owner=self.city
        )
        self.login(self.bob)
        self.assertContains(self.client.get(url("honourtitle_list")), "测试市工匠")
        self.assertEqual(self.client.get(city_title.get_absolute_url()).status_code, 200)

    def test_a_title_of_another_branch_is_not_a_filter_of_the_honour_list(self):
        self.add_honour(self.craftsman_b, self.union_b, recipient_name="李华", recipient_unit="机械厂")
        self.login(self.alice)
        response = self.client.get(f"{url('honour_list')}?honour_title={self.craftsman_b.pk}")
        self.assertEqual(list(response.context["table"].data.data), [])
        self.assertNotContains(response, "李华")

    def test_edit_is_offered_to_those_who_may_change_the_title(self):
        for user, title, offered in (
            (self.adam, self.craftsman_a, True),
            (self.ada, self.craftsman_a, True),
            (self.alice, self.craftsman_a, False),
            (self.adam, self.home_county, False),
            (self.root, self.home_county, True),
        ):
            with self.subTest(user=user.username, title=title.pk):
                self.login(user)
                response = self.client.get(title.get_absolute_url())
                self.assertEqual(url("honourtitle_update", title.pk) in response.content.decode(), offered)


class PanelTest(ActivitiesTestCase):
    def panel(self, organization, user=None):
        self.login(user or self.alice)
        response = self.client.get(reverse("organizations:organization_detail", args=[organization.pk]))
        [panel] = [p for p in response.context["panels"] if p["template"] == "activities/_panel.html"]
        return response, panel

    def test_the_organization_page_lists_its_own_latest_activities_and_honours(self):
        own = self.add_activity("甲区活动", self.district_a, start=datetime.date(2025, 1, 1))
        co = self.add_activity("合办活动", self.union_a, start=datetime.date(2025, 2, 1))
        co.co_organizers.set([self.district_a])
        self.add_activity("下级活动", self.union_a)
        honour = self.add_honour(self.home_city, self.district_a)
        self.add_honour(self.home_county, self.union_a)
        response, panel = self.panel(self.district_a)
        self.assertEqual(panel["activities"], [co, own])
        self.assertEqual(panel["honours"], [honour])
        self.assertContains(response, f"{url('activity_list')}?branch={self.district_a.pk}")
        self.assertContains(response, f"{url('honour_list')}?branch={self.district_a.pk}")

    def test_at_most_ten_of_each_are_shown(self):
        for number in range(12):
            self.add_activity(f"活动{number}", self.union_a, start=datetime.date(2025, 1, 1 + number))
            self.add_honour(self.home_county, self.union_a, year=2000 + number)
        _response, panel = self.panel(self.union_a)
        self.assertEqual(len(panel["activities"]), 10)
        self.assertEqual(panel["activities"][0].title, "活动11")
        self.assertEqual([h.year for h in panel["honours"]], list(range(2011, 2001, -1)))


class QueryCountTest(ActivitiesTestCase):
    """A page costs the same number of queries whatever the number of rows behind it."""

    def queries(self, path):
        cache.clear()  # a list's count is kept until its branch changes: measure it cold
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def assert_same_queries_with_more_rows(self, path, grow, user=None):
        self.login(user or self.alice)
        self.client.get(path)  # caches warmed: the session, content types
        few = self.queries(path)
        grow()
        cache.clear()
        with self.assertNumQueries(few):
            response = self.client.get(path)
        return response

    def add_activities(self, count, start=0):
        campaign = Campaign.objects.get_or_create(name="系列", year=2025, organizer=self.district_a)[0]
        for number in range(start, start + count):
            activity = self.add_activity(
                f"活动{number:03d}",
                self.union_a if number % 2 else self.district_a,
                kind=list(ActivityKind)[number % len(ActivityKind)],
                start=datetime.date(2025, 1, 1) + datetime.timedelta(days=number),
                participants=number,
                campaign=campaign if number % 3 else None,
            )
            activity.co_organizers.set([self.union_a])

    def add_honours(self, count, start=0):
        titles = list(HonourTitle.objects.filter(owner=None, recipient_type="collective"))
        for number in range(start, start + count):
            self.add_honour(
                titles[number % len(titles)],
                self.union_a if number % 2 else self.district_a,
                year=2000 + number // len(titles),
                status=HonourStatus.CONFERRED if number % 4 else HonourStatus.RECOMMENDED,
            )

    def test_activity_list_and_export_cost_the_same_with_5_and_60_activities(self):
        self.add_activities(5)
        response = self.assert_same_queries_with_more_rows(
            url("activity_list"), lambda: self.add_activities(55, start=5)
        )
        self.assertEqual(response.context["table"].paginator.count, 60)
        self.assert_same_queries_with_more_rows(
            f"{url('activity_list')}?export=xlsx&kind=speech", lambda: self.add_activities(20, start=60)
        )

    def test_filtered_activity_list_costs_the_same(self):
        self.add_activities(5)
        self.assert_same_queries_with_more_rows(
            f"{url('activity_list')}?branch={self.union_a.pk}&start_after=2025-01-01&title=活动",
            lambda: self.add_activities(55, start=5),
        )

    def test_honour_list_and_export_cost_the_same_with_5_and_60_honours(self):
        self.add_honours(5)
        response = self.assert_same_queries_with_more_rows(url("honour_list"), lambda: self.add_honours(55, start=5))
        self.assertEqual(response.context["table"].paginator.count, 60)
        self.assert_same_queries_with_more_rows(
            f"{url('honour_list')}?export=xlsx&title=模范职工之家&level=county", lambda: self.add_honours(24, start=60)
        )

    def test_the_matrix_costs_the_same_with_5_and_60_honours_and_counts_in_one_query(self):
        self.add_honours(5)
        path = f"{url('honour_matrix')}?year_min=2000&year_max=2030&status="
        response = self.assert_same_queries_with_more_rows(path, lambda: self.add_honours(55, start=5))
        self.assertEqual(response.context["matrix"]["total"]["count"], 60)
        self.login(self.alice)
        with CaptureQueriesContext(connection) as context:
            self.client.get(path)
        grouped = [q["sql"] for q in context.captured_queries if "GROUP BY" in q["sql"]]
        self.assertEqual(len(grouped), 1)

    def test_campaign_and_honour_title_lists_cost_the_same(self):
        self.add_activities(5)
        self.assert_same_queries_with_more_rows(url("campaign_list"), lambda: self.add_activities(20, start=5))
        self.add_honours(5)
        self.assert_same_queries_with_more_rows(
            url("honourtitle_list"), lambda: self.add_honours(20, start=5), self.adam
        )

    def test_the_organization_page_panel_costs_two_queries_whatever_the_rows(self):
        path = reverse("organizations:organization_detail", args=[self.district_a.pk])
        self.add_activities(2)
        self.add_honours(2)
        self.assert_same_queries_with_more_rows(
            path, lambda: (self.add_activities(20, start=2), self.add_honours(20, start=2))
        )
        self.login(self.alice)
        request = self.client.get(path).wsgi_request
        with CaptureQueriesContext(connection) as context:
            [panel] = [
                p for p in panels.render_context(request, self.district_a) if p["template"] == "activities/_panel.html"
            ]
        self.assertEqual(len(panel["activities"]), 10)
        activity_queries = [q for q in context.captured_queries if "activities_" in q["sql"]]
        self.assertEqual(len(activity_queries), 2)


class AdminTest(ActivitiesTestCase):
    """The Django admin reads through restrict(): an administrator sees their branch and the
    shipped titles, and changes none of the latter."""

    def admin_url(self, name, *args):
        return reverse(f"admin:activities_{name}", args=args)

    def test_an_administrator_sees_the_branch_and_reads_shipped_titles_without_changing_them(self):
        activity_a = self.add_activity("甲区活动", self.district_a)
        activity_b = self.add_activity("乙区活动", self.district_b)
        honour_b = self.add_honour(self.home_county, self.union_b)
        self.login(self.adam)
        response = self.client.get(self.admin_url("activity_changelist"))
        self.assertEqual(list(response.context["cl"].result_list), [activity_a])
        # Outside the branch: a 404, as in the portal (Django's admin redirected to its index
        # with a "does not exist" warning, the answer to a missing record).
        for page in (self.admin_url("activity_change", activity_b.pk), self.admin_url("honour_change", honour_b.pk)):
            self.assertEqual(self.client.get(page).status_code, 404)
        response = self.client.get(self.admin_url("honourtitle_change", self.home_county.pk))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["has_change_permission"])
        response = self.client.post(
            self.admin_url("honourtitle_change", self.home_county.pk),
            {"name": "改名", "level": "county", "recipient_type": "collective", "order": "1"},
        )
        self.assertEqual(response.status_code, 403)
        self.home_county.refresh_from_db()
        self.assertEqual(self.home_county.name, "模范职工之家")

    def test_a_title_added_in_the_admin_by_an_administrator_is_their_organizations(self):
        self.login(self.adam)
        response = self.client.post(
            self.admin_url("honourtitle_add"),
            {"name": "甲区工匠", "level": "county", "recipient_type": "individual", "owner": "", "order": "100"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(HonourTitle.objects.get(name="甲区工匠").owner, self.district_a)
