"""The cadres pages: adding and editing a cadre with their photo, posts that start and end,
training courses, the cadre list's filters and export, the team panel of an organization
page, and what each page costs in queries."""

import datetime
import io
import re
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from PIL import Image

from accounts.models import AuditEvent
from cadres.models import (
    Attendance,
    Cadre,
    Education,
    Position,
    Post,
    Rank,
    Staffing,
    Training,
)
from cadres.tables import PostTable
from cadres.views import PHOTO_FOLDER
from organizations.models import OrganizationKind
from tests.base import PortalTestCase, make_org, make_user
from tests.cadres.data import (
    full_ids_in,
    masked,
    png_upload,
    refused_uploads,
    resident_id,
    response_body,
)
from tests.workbooks import response_bytes
from unionportal import uploads
from unionportal.xlsx import XLSX_CONTENT_TYPE


def url(name, *args):
    return reverse(f"cadres:{name}", args=args)


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def zh_label(choice):
    with translation.override("zh-hans"):
        return str(choice.label)


ID_MAN = resident_id("19800215", "001")
ID_MAN_OTHER = resident_id("19800215", "013")
ID_WOMAN = resident_id("19911230", "024")


def cadre_post(organization=None, **extra):
    """The form of a cadre (and, with `organization`, of their first post)."""
    data = {
        "full_name": "张明",
        "gender": "male",
        "birth_date": "1980-02-15",
        "ethnicity": "汉族",
        "education": Education.BACHELOR,
        "political_status": "party_member",
        "id_number": ID_MAN,
        "mobile": "13800001234",
    }
    if organization is not None:
        data.update(post_post(organization))
    data.update(extra)
    return data


def post_post(organization, **extra):
    return {
        "organization": organization.pk,
        "position": Position.CHAIR,
        "rank": Rank.DEPUTY_DIVISION,
        "full_time": "on",
        "staffing": Staffing.CIVIL_SERVICE,
        "selection_method": "election",
        "start": "2021-03-01",
        **extra,
    }


def training_post(organizer, attendees=(), **extra):
    return {
        "title": "基层工会主席培训班",
        "organizer": organizer.pk,
        "category": "business",
        "start": "2025-05-12",
        "end": "2025-05-14",
        "place": "市委党校",
        "hours": "24",
        "sessions": "1",
        "other_attendees": "40",
        "attendees": [cadre.pk for cadre in attendees],
        **extra,
    }


def team_panel(response):
    [panel] = [panel for panel in response.context["panels"] if panel["template"] == "cadres/_team_panel.html"]
    return panel


class CadreTestCase(PortalTestCase):
    """Adds cadres in post, and gives each test a MEDIA_ROOT of its own."""

    def setUp(self):
        super().setUp()
        self.media_root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.enterContext(override_settings(MEDIA_ROOT=str(self.media_root)))

    def stored_files(self):
        return sorted(path.relative_to(self.media_root).as_posix() for path in self.media_root.rglob("*.*"))

    def add_cadre(
        self,
        name,
        organization,
        *,
        gender="male",
        birth_date=datetime.date(1980, 2, 15),
        education=Education.BACHELOR,
        id_number="",
        position=Position.STAFF,
        rank=Rank.NONE,
        full_time=True,
        staffing=Staffing.OTHER,
        start=datetime.date(2020, 1, 1),
        end=None,
    ):
        cadre = Cadre.objects.create(
            full_name=name,
            gender=gender,
            birth_date=birth_date,
            education=education,
            id_number=id_number,
            organization=organization,
        )
        Post.objects.create(
            cadre=cadre,
            organization=organization,
            position=position,
            rank=rank,
            full_time=full_time,
            staffing=staffing,
            start=start,
            end=end,
        )
        return cadre

    def form_errors(self, response):
        self.assertEqual(response.status_code, 200)
        return response.context["form"].errors


class CreateTest(CadreTestCase):
    def test_staff_adds_a_cadre_with_the_first_post_and_history_names_them(self):
        self.login(self.alice)
        response = self.client.post(url("cadre_create"), cadre_post(self.union_a))
        cadre = Cadre.objects.get()
        self.assertRedirects(response, url("cadre_detail", cadre.pk))
        self.assertEqual(
            (cadre.full_name, cadre.gender, cadre.birth_date, cadre.id_number, cadre.organization),
            ("张明", "male", datetime.date(1980, 2, 15), ID_MAN, self.union_a),
        )
        [post] = cadre.posts.all()
        self.assertEqual(
            (post.organization, post.position, post.rank, post.full_time, post.staffing, post.start, post.end),
            (
                self.union_a,
                Position.CHAIR,
                Rank.DEPUTY_DIVISION,
                True,
                Staffing.CIVIL_SERVICE,
                datetime.date(2021, 3, 1),
                None,
            ),
        )
        self.assertEqual([record.history_user for record in cadre.history.all()], [self.alice])
        self.assertEqual([record.history_user for record in post.history.all()], [self.alice])
        self.assertEqual(cadre.photo, "")

    def test_birth_date_is_taken_from_the_id_number_when_left_empty(self):
        self.login(self.alice)
        self.client.post(url("cadre_create"), cadre_post(self.union_a, birth_date=""))
        self.assertEqual(Cadre.objects.get().birth_date, datetime.date(1980, 2, 15))

    def test_organization_of_another_district_is_refused_and_nothing_is_created(self):
        self.login(self.alice)
        response = self.client.post(url("cadre_create"), cadre_post(self.union_b))
        self.assertEqual(list(self.form_errors(response)), ["organization"])
        self.assertFalse(Cadre.objects.exists())
        self.assertFalse(Post.objects.exists())
        self.assertNotContains(response, "乙区")

    def test_the_organization_dropdown_offers_the_branch_only(self):
        self.login(self.alice)
        response = self.client.get(url("cadre_create"))
        offered = set(response.context["form"].fields["organization"].queryset)
        self.assertEqual(offered, {self.district_a, self.union_a})

    def test_birth_date_differing_from_the_id_number_is_refused_on_that_field(self):
        self.login(self.alice)
        response = self.client.post(url("cadre_create"), cadre_post(self.union_a, birth_date="1980-02-16"))
        self.assertEqual(list(self.form_errors(response)), ["birth_date"])
        self.assertFalse(Cadre.objects.exists())

    def test_gender_differing_from_the_id_number_is_refused_on_that_field(self):
        self.login(self.alice)
        response = self.client.post(url("cadre_create"), cadre_post(self.union_a, gender="female"))
        self.assertEqual(list(self.form_errors(response)), ["gender"])
        self.assertFalse(Cadre.objects.exists())

    def test_id_number_with_a_wrong_check_character_is_refused(self):
        wrong = ID_MAN[:-1] + ("0" if ID_MAN[-1] != "0" else "1")
        self.login(self.alice)
        response = self.client.post(url("cadre_create"), cadre_post(self.union_a, id_number=wrong))
        self.assertEqual(list(self.form_errors(response)), ["id_number"])
        self.assertFalse(Cadre.objects.exists())

    def test_an_id_number_already_on_record_is_refused(self):
        self.add_cadre("张明", self.union_b, id_number=ID_MAN)
        self.login(self.alice)
        response = self.client.post(url("cadre_create"), cadre_post(self.union_a, full_name="张明明"))
        self.assertTrue(self.form_errors(response))
        self.assertEqual(list(Cadre.objects.values_list("full_name", flat=True)), ["张明"])
        # The refusal says nothing about where the other record is.
        self.assertNotContains(response, "乙区")

    def test_leader_may_not_add_a_cadre(self):
        self.login(self.lena)
        response = self.client.post(url("cadre_create"), cadre_post(self.union_a))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Cadre.objects.exists())


class UpdateTest(CadreTestCase):
    def setUp(self):
        super().setUp()
        self.cadre = self.add_cadre("张明", self.union_a, id_number=ID_MAN)

    def test_the_edit_form_never_carries_the_full_id_number(self):
        self.login(self.alice)
        response = self.client.get(url("cadre_update", self.cadre.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(full_ids_in(response), [])
        self.assertNotContains(response, ID_MAN)
        self.assertContains(response, masked(ID_MAN))
        self.assertIn(response.context["form"]["id_number"].value(), ("", None))
        [field] = re.findall(r'<input[^>]*name="id_number"[^>]*>', response.content.decode())
        self.assertNotIn("value=", field)

    def test_an_empty_id_field_keeps_the_number_on_record(self):
        self.login(self.alice)
        response = self.client.post(url("cadre_update", self.cadre.pk), cadre_post(full_name="张明华", id_number=""))
        self.assertRedirects(response, url("cadre_detail", self.cadre.pk))
        self.cadre.refresh_from_db()
        self.assertEqual((self.cadre.full_name, self.cadre.id_number), ("张明华", ID_MAN))
        self.assertEqual(self.cadre.history.first().history_user, self.alice)

    def test_a_new_valid_id_number_replaces_the_old_one(self):
        self.login(self.alice)
        response = self.client.post(url("cadre_update", self.cadre.pk), cadre_post(id_number=ID_MAN_OTHER.lower()))
        self.assertRedirects(response, url("cadre_detail", self.cadre.pk))
        self.cadre.refresh_from_db()
        self.assertEqual(self.cadre.id_number, ID_MAN_OTHER)

    def test_the_history_shows_a_corrected_id_number_masked(self):
        self.login(self.alice)
        self.client.post(url("cadre_update", self.cadre.pk), cadre_post(id_number=ID_MAN_OTHER))
        response = self.client.get(url("cadre_detail", self.cadre.pk))
        label = Cadre._meta.get_field("id_number").verbose_name
        [change] = [change for change in response.context["history"][0]["changes"] if change["field"] == label]
        self.assertEqual((change["old"], change["new"]), (masked(ID_MAN), masked(ID_MAN_OTHER)))
        self.assertEqual(full_ids_in(response), [])

    def test_a_new_id_number_of_a_woman_is_refused_for_a_man_and_nothing_changes(self):
        self.login(self.alice)
        response = self.client.post(
            url("cadre_update", self.cadre.pk), cadre_post(id_number=ID_WOMAN, birth_date="1991-12-30")
        )
        self.assertEqual(list(self.form_errors(response)), ["gender"])
        # The number typed is the user's own input; the one on record never comes back.
        self.assertNotContains(response, ID_MAN)
        self.cadre.refresh_from_db()
        self.assertEqual(self.cadre.id_number, ID_MAN)
        self.assertEqual(self.cadre.history.count(), 1)

    def test_staff_of_another_district_gets_404_and_nothing_changes(self):
        self.login(self.bob)
        response = self.client.post(url("cadre_update", self.cadre.pk), cadre_post(full_name="改名"))
        self.assertEqual(response.status_code, 404)
        self.cadre.refresh_from_db()
        self.assertEqual(self.cadre.full_name, "张明")


class PhotoTest(CadreTestCase):
    def setUp(self):
        super().setUp()
        self.cadre = self.add_cadre("张明", self.union_a, id_number=ID_MAN)

    def upload(self, upload, user=None):
        self.login(user or self.alice)
        return self.client.post(
            url("cadre_update", self.cadre.pk), {**cadre_post(id_number=""), "photo_upload": upload}
        )

    def served(self, cadre, user=None):
        self.login(user or self.alice)
        response = self.client.get(url("cadre_photo", cadre.pk))
        return response, response_body(response) if response.status_code == 200 else b""

    def test_an_uploaded_photo_is_stored_and_served_on_the_cadre_page(self):
        response = self.upload(png_upload(width=30, height=40))
        self.assertRedirects(response, url("cadre_detail", self.cadre.pk))
        self.cadre.refresh_from_db()
        self.assertTrue(self.cadre.photo.startswith(f"{PHOTO_FOLDER}/"))
        self.assertEqual(self.stored_files(), [self.cadre.photo])

        response, body = self.served(self.cadre)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(body, (self.media_root / self.cadre.photo).read_bytes())
        with Image.open(io.BytesIO(body)) as image:
            self.assertEqual((image.format, image.size), ("PNG", (30, 40)))

        page = self.client.get(url("cadre_detail", self.cadre.pk))
        self.assertContains(page, f'src="{url("cadre_photo", self.cadre.pk)}"')

    def test_a_cadre_added_with_a_photo_has_it(self):
        self.login(self.alice)
        self.client.post(
            url("cadre_create"),
            {
                **cadre_post(self.union_a, full_name="李华", id_number=ID_WOMAN, gender="female", birth_date=""),
                "photo_upload": png_upload(),
            },
        )
        cadre = Cadre.objects.get(full_name="李华")
        self.assertEqual(self.stored_files(), [cadre.photo])
        self.assertEqual(self.served(cadre)[0].status_code, 200)

    def test_a_new_photo_replaces_the_old_file(self):
        self.upload(png_upload())
        self.cadre.refresh_from_db()
        old = self.cadre.photo
        self.upload(png_upload(width=20, height=20))
        self.cadre.refresh_from_db()
        self.assertNotEqual(self.cadre.photo, old)
        self.assertEqual(self.stored_files(), [self.cadre.photo])

    def test_an_edit_without_an_upload_keeps_the_photo(self):
        self.upload(png_upload())
        self.cadre.refresh_from_db()
        photo = self.cadre.photo
        self.login(self.alice)
        self.client.post(url("cadre_update", self.cadre.pk), cadre_post(full_name="张明华", id_number=""))
        self.cadre.refresh_from_db()
        self.assertEqual((self.cadre.full_name, self.cadre.photo), ("张明华", photo))

    def test_photo_is_404_without_one_and_outside_the_branch(self):
        self.assertEqual(self.served(self.cadre)[0].status_code, 404)
        self.upload(png_upload())
        self.assertEqual(self.served(self.cadre, self.bob)[0].status_code, 404)
        self.assertEqual(self.served(self.cadre, self.leo)[0].status_code, 404)
        self.assertEqual(self.served(self.cadre, self.otto)[0].status_code, 403)
        self.assertEqual(self.served(self.cadre, self.lena)[0].status_code, 200)

    def expected_refusal(self, upload, code):
        """What unionportal.uploads says about the file, in the portal's language (its wording
        is that module's business); the refusal must be for the expected reason."""
        with translation.override("zh-hans"), self.assertRaises(ValidationError) as caught:
            uploads.save_image(upload, "probe")
        self.assertEqual(caught.exception.code, code)
        self.assertEqual(self.stored_files(), [])
        return caught.exception.messages

    def test_every_file_of_the_corpus_is_refused_on_the_photo_field_and_nothing_changes(self):
        for label, code, upload in refused_uploads():
            with self.subTest(label):
                expected = self.expected_refusal(upload, code)
                upload.seek(0)
                response = self.upload(upload)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["form"].errors.get("photo_upload"), expected)
                self.assertEqual(list(response.context["form"].errors), ["photo_upload"])
                self.assertContains(response, expected[0])
                self.cadre.refresh_from_db()
                self.assertEqual(self.cadre.photo, "")
                self.assertEqual(self.cadre.history.count(), 1)
                self.assertEqual(self.stored_files(), [])

    def test_a_refused_photo_on_a_new_cadre_creates_nothing(self):
        [html] = [upload for label, _code, upload in refused_uploads() if label == "HTML called PNG"]
        self.login(self.alice)
        response = self.client.post(
            url("cadre_create"), {**cadre_post(self.union_a, id_number=ID_MAN_OTHER), "photo_upload": html}
        )
        self.assertEqual(list(self.form_errors(response)), ["photo_upload"])
        self.assertEqual(list(Cadre.objects.all()), [self.cadre])
        self.assertEqual(Post.objects.count(), 1)
        self.assertEqual(self.stored_files(), [])

    def test_a_refused_photo_keeps_the_old_one(self):
        self.upload(png_upload())
        self.cadre.refresh_from_db()
        photo = self.cadre.photo
        response = self.upload(SimpleUploadedFile("photo.png", b"<html></html>", content_type="image/png"))
        self.assertEqual(list(self.form_errors(response)), ["photo_upload"])
        self.cadre.refresh_from_db()
        self.assertEqual(self.cadre.photo, photo)
        self.assertEqual(self.stored_files(), [photo])


class PostTest(CadreTestCase):
    def setUp(self):
        super().setUp()
        self.cadre = self.add_cadre("张明", self.union_a, position=Position.CHAIR, start=datetime.date(2020, 1, 1))
        self.post = self.cadre.posts.get()

    def test_staff_gives_a_cadre_a_second_post(self):
        self.login(self.alice)
        response = self.client.post(
            url("post_create", self.cadre.pk),
            post_post(self.district_a, position=Position.VICE_CHAIR, rank=Rank.SECTION, start="2024-01-01"),
        )
        self.assertRedirects(response, url("cadre_detail", self.cadre.pk))
        new = self.cadre.posts.get(organization=self.district_a)
        self.assertEqual(
            (new.position, new.rank, new.start), (Position.VICE_CHAIR, Rank.SECTION, datetime.date(2024, 1, 1))
        )
        self.assertEqual(new.history.first().history_user, self.alice)
        # The record follows the newest post.
        self.cadre.refresh_from_db()
        self.assertEqual(self.cadre.organization, self.district_a)

    def test_a_post_in_another_district_is_refused(self):
        self.login(self.alice)
        response = self.client.post(url("post_create", self.cadre.pk), post_post(self.union_b))
        self.assertEqual(list(self.form_errors(response)), ["organization"])
        self.assertEqual(self.cadre.posts.count(), 1)

    def test_a_post_ending_before_it_starts_is_refused_on_the_end_field(self):
        self.login(self.alice)
        response = self.client.post(
            url("post_create", self.cadre.pk), post_post(self.union_a, start="2024-01-01", end="2023-12-31")
        )
        self.assertEqual(list(self.form_errors(response)), ["end"])
        self.assertEqual(self.cadre.posts.count(), 1)

    def test_an_ended_post_stays_on_the_cadre_page_with_its_end_date(self):
        self.login(self.alice)
        response = self.client.post(url("post_end", self.post.pk), {"end": "2025-06-30"})
        self.assertRedirects(response, url("cadre_detail", self.cadre.pk))
        self.post.refresh_from_db()
        self.assertEqual(self.post.end, datetime.date(2025, 6, 30))
        self.assertEqual(self.post.history.first().history_user, self.alice)

        page = self.client.get(url("cadre_detail", self.cadre.pk))
        self.assertEqual(list(page.context["posts"]), [self.post])
        self.assertContains(page, "<td>2020-01-01</td><td>2025-06-30</td>", html=False)
        self.assertNotContains(page, f'data-testid="end-post-{self.post.pk}"')

    def test_ending_a_post_before_it_started_is_refused_and_nothing_changes(self):
        self.login(self.alice)
        response = self.client.post(url("post_end", self.post.pk), {"end": "2019-12-31"})
        self.assertEqual(list(self.form_errors(response)), ["end"])
        self.post.refresh_from_db()
        self.assertIsNone(self.post.end)
        self.assertEqual(self.post.history.count(), 1)

    def test_ending_an_ended_post_again_is_refused(self):
        self.login(self.alice)
        self.client.post(url("post_end", self.post.pk), {"end": "2025-06-30"})
        response = self.client.post(url("post_end", self.post.pk), {"end": "2025-12-31"})
        self.assertEqual(list(self.form_errors(response)), ["end"])
        self.post.refresh_from_db()
        self.assertEqual(self.post.end, datetime.date(2025, 6, 30))

    def test_staff_of_another_district_may_not_end_the_post(self):
        self.login(self.bob)
        self.assertEqual(self.client.post(url("post_end", self.post.pk), {"end": "2025-06-30"}).status_code, 404)
        self.post.refresh_from_db()
        self.assertIsNone(self.post.end)


class MovedCadreTest(CadreTestCase):
    """A cadre who served in district A and now serves in district B."""

    def setUp(self):
        super().setUp()
        self.cadre = self.add_cadre(
            "张明", self.union_a, start=datetime.date(2015, 1, 1), end=datetime.date(2019, 12, 31), id_number=ID_MAN
        )
        self.login(self.ada)
        self.client.post(url("post_create", self.cadre.pk), post_post(self.union_b, start="2020-01-01"))
        self.cadre.refresh_from_db()

    def test_the_record_moved_with_the_cadre(self):
        self.assertEqual(self.cadre.organization, self.union_b)
        self.assertEqual(self.cadre.posts.count(), 2)

    def test_the_new_district_sees_its_post_and_a_count_of_the_earlier_one_only(self):
        self.login(self.bob)
        response = self.client.get(url("cadre_detail", self.cadre.pk))
        self.assertEqual(response.status_code, 200)
        self.assertEqual([post.organization for post in response.context["posts"]], [self.union_b])
        self.assertEqual(response.context["posts_elsewhere"], 1)
        self.assertNotContains(response, "甲区第一中学工会")
        self.assertNotContains(response, "甲区")

    def test_the_old_district_no_longer_sees_the_cadre(self):
        self.login(self.alice)
        self.assertEqual(self.client.get(url("cadre_detail", self.cadre.pk)).status_code, 404)

    def test_the_city_sees_both_posts(self):
        self.login(self.lena)
        response = self.client.get(url("cadre_detail", self.cadre.pk))
        self.assertEqual({post.organization for post in response.context["posts"]}, {self.union_a, self.union_b})
        self.assertEqual(response.context["posts_elsewhere"], 0)


class TrainingTest(CadreTestCase):
    def setUp(self):
        super().setUp()
        self.zhang = self.add_cadre("张明", self.union_a)
        self.wang = self.add_cadre("王芳", self.district_a, gender="female")
        self.li = self.add_cadre("李华", self.union_b, gender="female")

    def test_only_cadres_of_the_branch_are_offered(self):
        self.login(self.alice)
        response = self.client.get(url("training_create"))
        self.assertEqual(set(response.context["form"].fields["attendees"].queryset), {self.zhang, self.wang})
        self.assertNotContains(response, "李华")

    def test_staff_adds_a_course_with_attendees_and_person_times_count_everyone(self):
        self.login(self.alice)
        response = self.client.post(url("training_create"), training_post(self.district_a, [self.zhang, self.wang]))
        training = Training.objects.get()
        self.assertRedirects(response, url("training_detail", training.pk))
        self.assertEqual(
            (training.title, training.organizer, training.hours, training.other_attendees),
            ("基层工会主席培训班", self.district_a, Decimal("24"), 40),
        )
        self.assertEqual(set(training.cadres.all()), {self.zhang, self.wang})
        self.assertEqual(training.history.first().history_user, self.alice)
        self.assertEqual({a.history.first().history_user for a in training.attendances.all()}, {self.alice})

        page = self.client.get(url("training_detail", training.pk))
        self.assertEqual((page.context["cadre_count"], page.context["person_times"]), (2, 42))
        self.assertContains(page, '<dd class="col-sm-7 fw-semibold" data-testid="person-times">42</dd>', html=True)

    def test_a_forged_cadre_of_another_district_is_refused_and_nothing_is_created(self):
        self.login(self.alice)
        response = self.client.post(url("training_create"), training_post(self.district_a, [self.zhang, self.li]))
        self.assertEqual(list(self.form_errors(response)), ["attendees"])
        self.assertFalse(Training.objects.exists())
        self.assertFalse(Attendance.objects.exists())
        self.assertNotContains(response, "李华")

    def test_an_organizer_of_another_district_is_refused(self):
        self.login(self.alice)
        response = self.client.post(url("training_create"), training_post(self.district_b))
        self.assertEqual(list(self.form_errors(response)), ["organizer"])
        self.assertFalse(Training.objects.exists())

    def test_editing_the_attendees_keeps_those_still_listed_with_their_hours(self):
        training = Training.objects.create(
            title="培训", organizer=self.district_a, start=datetime.date(2025, 5, 12), hours=24, other_attendees=5
        )
        Attendance.objects.create(training=training, cadre=self.zhang, hours=Decimal("6"))
        Attendance.objects.create(training=training, cadre=self.wang)
        self.login(self.alice)
        form = self.client.get(url("training_update", training.pk)).context["form"]
        self.assertEqual(set(form.initial["attendees"]), {self.zhang.pk, self.wang.pk})
        third = self.add_cadre("赵新", self.union_a)
        response = self.client.post(
            url("training_update", training.pk), training_post(self.district_a, [self.zhang, third], other_attendees=7)
        )
        self.assertRedirects(response, url("training_detail", training.pk))
        self.assertEqual(
            dict(training.attendances.values_list("cadre__full_name", "hours")), {"张明": Decimal("6"), "赵新": None}
        )
        page = self.client.get(url("training_detail", training.pk))
        self.assertEqual(page.context["person_times"], 9)

    def test_editing_keeps_the_attendances_of_cadres_outside_the_branch(self):
        """A course of district A attended by a cadre of district B: alice's form does not list
        him, and saving it must not take him off the course (it did)."""
        training = Training.objects.create(title="培训", organizer=self.district_a, start=datetime.date(2025, 5, 12))
        Attendance.objects.create(training=training, cadre=self.zhang)
        Attendance.objects.create(training=training, cadre=self.li, hours=Decimal("4"))
        self.login(self.alice)
        form = self.client.get(url("training_update", training.pk)).context["form"]
        self.assertNotIn(self.li, form.fields["attendees"].queryset)
        response = self.client.post(url("training_update", training.pk), training_post(self.district_a, [self.wang]))
        self.assertRedirects(response, url("training_detail", training.pk))
        self.assertEqual(
            dict(training.attendances.values_list("cadre__full_name", "hours")), {"王芳": None, "李华": Decimal("4")}
        )

    def test_the_list_and_its_export_head_the_organizer_column_as_the_organizer(self):
        # It read 名称 (the organization's name field), as the title column beside it.
        Training.objects.create(title="培训", organizer=self.district_a, start=datetime.date(2025, 5, 12))
        self.login(self.alice)
        with translation.override("zh-hans"):
            response = self.client.get(url("training_list"))
            headers = [column.header for column in response.context["table"].columns]
            exported = load_workbook(io.BytesIO(response_bytes(self.client.get(url("training_list") + "?export=xlsx"))))
        self.assertEqual(headers[:2], ["名称", "主办单位"])
        self.assertEqual([cell.value for cell in exported.active[1]][:2], ["名称", "主办单位"])

    def test_a_course_outside_the_branch_is_404(self):
        training = Training.objects.create(title="乙区培训", organizer=self.district_b, start=datetime.date(2025, 1, 1))
        self.login(self.alice)
        self.assertEqual(self.client.get(url("training_detail", training.pk)).status_code, 404)
        response = self.client.post(url("training_update", training.pk), training_post(self.district_a))
        self.assertEqual(response.status_code, 404)
        training.refresh_from_db()
        self.assertEqual(training.organizer, self.district_b)

    def test_the_cadre_page_adds_class_hours_by_year(self):
        def course(title, start, hours):
            return Training.objects.create(title=title, organizer=self.district_a, start=start, hours=hours)

        for training in (
            course("政治理论", datetime.date(2023, 3, 1), Decimal("8")),
            course("财务知识", datetime.date(2023, 9, 1), Decimal("4.5")),
            course("集体协商", datetime.date(2024, 4, 1), Decimal("16")),
        ):
            Attendance.objects.create(training=training, cadre=self.zhang)
        # Attended two of the six hours of this course.
        Attendance.objects.create(
            training=course("劳动法", datetime.date(2024, 10, 1), Decimal("6")), cadre=self.zhang, hours=2
        )
        Attendance.objects.create(training=course("别人的课", datetime.date(2024, 5, 1), 30), cadre=self.wang)
        self.login(self.alice)
        response = self.client.get(url("cadre_detail", self.zhang.pk))
        self.assertEqual(
            [(row["year"], row["courses"], Decimal(row["hours"])) for row in response.context["hours_by_year"]],
            [(2024, 2, Decimal("18")), (2023, 2, Decimal("12.5"))],
        )
        self.assertContains(response, '<td class="text-end">18</td>', html=False)
        self.assertContains(response, '<td class="text-end">12.5</td>', html=False)


class PostListTestCase(CadreTestCase):
    """District A's cadres, seen on 2024-06-15 (DAY) and today:

    张一  district A  chair         aged 40 on DAY   bachelor    full-time  civil service   2018-
    李二  union A     vice-chair    39               secondary   part-time  institution     2019-
    王三  union A     staff         41               college     full-time  social worker   2020 to 2024-12-31
    赵四  district A  committee     29               postgraduate                           2024-07-01-
    孙六  district A  staff                                                                 2010 to 2015
    钱五  union B     chair (never seen by alice)
    """

    DAY = datetime.date(2024, 6, 15)

    def setUp(self):
        super().setUp()
        day = self.DAY
        self.zhang = self.add_cadre(
            "张一",
            self.district_a,
            birth_date=years_before(day, 40),
            id_number=resident_id(years_before(day, 40).strftime("%Y%m%d"), "001"),
            position=Position.CHAIR,
            rank=Rank.DEPUTY_DIVISION,
            staffing=Staffing.CIVIL_SERVICE,
            start=datetime.date(2018, 1, 1),
        )
        self.li = self.add_cadre(
            "李二",
            self.union_a,
            gender="female",
            birth_date=years_before(day, 40) + datetime.timedelta(days=1),
            education=Education.SECONDARY,
            id_number=resident_id("19840616", "002"),
            position=Position.VICE_CHAIR,
            rank=Rank.SECTION,
            full_time=False,
            staffing=Staffing.INSTITUTION,
            start=datetime.date(2019, 1, 1),
        )
        self.wang = self.add_cadre(
            "王三",
            self.union_a,
            birth_date=years_before(day, 41),
            education=Education.COLLEGE,
            staffing=Staffing.SOCIAL_WORKER,
            start=datetime.date(2020, 1, 1),
            end=datetime.date(2024, 12, 31),
        )
        self.zhao = self.add_cadre(
            "赵四",
            self.district_a,
            gender="female",
            birth_date=datetime.date(1995, 1, 1),
            education=Education.POSTGRADUATE,
            position=Position.COMMITTEE_MEMBER,
            start=datetime.date(2024, 7, 1),
        )
        self.sun = self.add_cadre(
            "孙六", self.district_a, start=datetime.date(2010, 1, 1), end=datetime.date(2015, 12, 31)
        )
        self.qian = self.add_cadre("钱五", self.union_b, position=Position.CHAIR, start=datetime.date(2018, 1, 1))

    def names(self, query="", user=None):
        self.login(user or self.alice)
        response = self.client.get(url("post_list") + query)
        self.assertEqual(response.status_code, 200)
        return sorted(row.record.cadre.full_name for row in response.context["table"].paginated_rows)

    def on_day(self, query=""):
        return self.names(f"?on={self.DAY.isoformat()}{query}")


class PostListFilterTest(PostListTestCase):
    def test_by_default_the_list_holds_the_posts_held_today(self):
        self.assertEqual(self.names(), ["张一", "李二", "赵四"])

    def test_other_filters_alone_still_mean_today(self):
        self.assertEqual(self.names("?name=三"), [])

    def test_posts_held_on_a_given_day(self):
        self.assertEqual(self.on_day(), ["张一", "李二", "王三"])

    def test_an_empty_day_lists_every_post_ever_held(self):
        self.assertEqual(self.names("?on="), ["孙六", "张一", "李二", "王三", "赵四"])

    def test_branch(self):
        self.assertEqual(self.on_day(f"&branch={self.district_a.pk}"), ["张一", "李二", "王三"])
        self.assertEqual(self.names(f"?on=&branch={self.district_b.pk}"), [])
        self.assertEqual(self.names(f"?on=&branch={self.district_b.pk}", user=self.lena), ["钱五"])

    def test_position_rank_full_time_and_staffing(self):
        self.assertEqual(self.on_day("&position=chair"), ["张一"])
        self.assertEqual(self.on_day("&rank=section"), ["李二"])
        self.assertEqual(self.on_day("&full_time=true"), ["张一", "王三"])
        self.assertEqual(self.on_day("&full_time=false"), ["李二"])
        self.assertEqual(self.on_day("&staffing=social_worker"), ["王三"])

    def test_education_and_college_or_higher(self):
        self.assertEqual(self.on_day("&education=bachelor"), ["张一"])
        self.assertEqual(self.on_day("&college_or_higher=true"), ["张一", "王三"])
        self.assertEqual(self.on_day("&college_or_higher=false"), ["李二"])

    def test_age_bounds_include_a_cadre_aged_exactly_the_bound_on_the_day(self):
        self.assertEqual(self.on_day("&age_min=40"), ["张一", "王三"])
        self.assertEqual(self.on_day("&age_max=40"), ["张一", "李二"])
        self.assertEqual(self.on_day("&age_min=40&age_max=40"), ["张一"])
        self.assertEqual(self.on_day("&age_min=41"), ["王三"])
        self.assertEqual(self.on_day("&age_max=39"), ["李二"])

    def test_age_is_counted_on_the_chosen_day(self):
        # The day before 张一's 40th birthday he is 39.
        day = self.DAY - datetime.timedelta(days=1)
        self.assertEqual(self.names(f"?on={day.isoformat()}&age_max=39"), ["张一", "李二"])

    def test_name_contains(self):
        self.assertEqual(self.on_day("&name=二"), ["李二"])
        self.assertEqual(self.names("?on=&name=钱"), [])

    def test_filters_combine(self):
        self.assertEqual(self.on_day("&full_time=true&college_or_higher=true&age_max=40"), ["张一"])

    def test_the_list_shows_id_numbers_masked(self):
        self.login(self.alice)
        response = self.client.get(url("post_list") + "?on=")
        self.assertEqual(full_ids_in(response), [])
        self.assertContains(response, masked(self.zhang.id_number))
        self.assertContains(response, masked(self.li.id_number))


class PostListExportTest(PostListTestCase):
    def export(self, query):
        self.login(self.alice)
        response = self.client.get(url("post_list") + query)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        self.assertEqual(full_ids_in(response), [])
        workbook = load_workbook(io.BytesIO(response_bytes(response)), read_only=True)
        rows = [list(values) for values in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
        return rows

    def test_export_holds_exactly_the_filtered_rows_with_masked_id_numbers(self):
        rows = self.export(f"?on={self.DAY.isoformat()}&college_or_higher=true&export=xlsx")
        headers, body = rows[0], rows[1:]
        name, id_number = PostTable.Meta.fields.index("name"), PostTable.Meta.fields.index("id_number")
        self.assertEqual(len(headers), len(PostTable.Meta.fields))
        self.assertEqual(
            sorted((row[name], row[id_number]) for row in body),
            [
                ("张一", masked(self.zhang.id_number)),
                ("王三", None),
            ],
        )
        self.assertEqual(self.on_day("&college_or_higher=true"), ["张一", "王三"])

    def test_export_of_the_default_list_is_todays_posts(self):
        rows = self.export("?export=xlsx")
        self.assertEqual(sorted(row[0] for row in rows[1:]), ["张一", "李二", "赵四"])

    def test_export_is_recorded(self):
        self.export("?on=&export=xlsx")
        [event] = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT)
        self.assertEqual(event.user, self.alice)
        self.assertEqual((event.message, event.params["model"], event.params["count"]), ("exported", "cadres.Post", 5))


class TeamPanelTest(CadreTestCase):
    """The team on district A's page: a county federation, whose chair is expected at 副处级."""

    def setUp(self):
        super().setUp()
        today = timezone.localdate()
        self.chair = self.add_cadre(
            "张主席",
            self.district_a,
            birth_date=years_before(today, 50),
            education=Education.BACHELOR,
            position=Position.CHAIR,
            rank=Rank.DEPUTY_DIVISION,
        )
        self.add_cadre(
            "李副主席",
            self.district_a,
            birth_date=years_before(today, 40),
            education=Education.SECONDARY,
            position=Position.VICE_CHAIR,
            rank=Rank.SECTION,
        )
        self.add_cadre(
            "王干事", self.district_a, birth_date=years_before(today, 35), education=Education.COLLEGE, full_time=False
        )
        self.add_cadre(
            "陈社工",
            self.district_a,
            birth_date=years_before(today, 25),
            education=Education.POSTGRADUATE,
            staffing=Staffing.SOCIAL_WORKER,
        )
        # Not in post today, or not here: not in the team.
        self.add_cadre("孙前任", self.district_a, position=Position.CHAIR, end=datetime.date(2021, 1, 1))
        self.add_cadre("赵下级", self.union_a, position=Position.CHAIR)

    def team(self, user=None):
        self.login(user or self.alice)
        response = self.client.get(reverse("organizations:organization_detail", args=[self.district_a.pk]))
        self.assertEqual(response.status_code, 200)
        return response, team_panel(response)["team"]

    def test_staff_count_leaves_social_workers_out_and_counts_them_apart(self):
        response, team = self.team()
        self.assertEqual((team["staff"], team["social_workers"], team["full_time"]), (3, 1, 2))
        self.assertEqual(team["average_age"], round((50 + 40 + 35) / 3, 1))
        self.assertEqual(team["college_or_higher"], 2)
        self.assertEqual([post.cadre.full_name for post in team["chairs"]], ["张主席"])
        self.assertEqual(len(team["posts"]), 4)
        self.assertContains(response, '<div class="fs-4" data-testid="team-staff">3</div>', html=True)
        self.assertContains(response, '<div class="fs-4" data-testid="team-age">41.7</div>', html=True)
        self.assertNotContains(response, "孙前任")
        self.assertNotContains(response, "赵下级")

    def test_a_chair_at_the_expected_rank_meets_it(self):
        response, team = self.team()
        self.assertIs(team["chair_rank_meets"], True)
        self.assertEqual(zh_label(Rank.DEPUTY_DIVISION), "副处级")
        self.assertContains(response, 'data-testid="chair-rank-ok"')
        self.assertNotContains(response, 'data-testid="chair-rank-gap"')
        self.assertContains(response, "副处级")

    def test_a_chair_below_the_expected_rank_is_flagged(self):
        Post.objects.filter(cadre=self.chair).update(rank=Rank.SECTION)
        response, team = self.team()
        self.assertIs(team["chair_rank_meets"], False)
        self.assertContains(response, 'data-testid="chair-rank-gap"')
        self.assertNotContains(response, 'data-testid="chair-rank-ok"')
        self.assertContains(response, "副处级")

    def test_a_grassroots_union_has_no_expected_rank(self):
        self.login(self.alice)
        response = self.client.get(reverse("organizations:organization_detail", args=[self.union_a.pk]))
        self.assertIsNone(team_panel(response)["team"]["chair_rank_meets"])
        self.assertNotContains(response, 'data-testid="chair-rank-ok"')
        self.assertNotContains(response, 'data-testid="chair-rank-gap"')

    def test_the_panel_shows_no_id_numbers(self):
        Cadre.objects.filter(pk=self.chair.pk).update(id_number=ID_MAN)
        response, _team = self.team()
        self.assertEqual(full_ids_in(response), [])


class QueryCountTest(CadreTestCase):
    """A page costs the same number of queries whatever the number of rows behind it."""

    def queries(self, path):
        cache.clear()  # the cadre list's count is kept until its branch changes: measure it cold
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def assert_same_queries_with_more_rows(self, path, grow):
        self.login(self.alice)
        self.client.get(path)  # caches warmed: the session, content types
        few = self.queries(path)
        grow()
        cache.clear()
        with self.assertNumQueries(few):
            response = self.client.get(path)
        return response

    def add_cadres(self, count, organization=None, start=0):
        for number in range(start, start + count):
            self.add_cadre(
                f"干部{number:03d}",
                organization or (self.union_a if number % 2 else self.district_a),
                birth_date=datetime.date(1970 + number % 30, 1 + number % 12, 1),
                education=list(Education)[number % len(Education)],
                id_number=resident_id(f"{1970 + number % 30}0101", f"{number:03d}"),
                position=list(Position)[number % len(Position)],
                staffing=list(Staffing)[number % len(Staffing)],
            )

    def test_cadre_list_costs_the_same_with_5_and_60_posts(self):
        self.add_cadres(5)
        response = self.assert_same_queries_with_more_rows(url("post_list"), lambda: self.add_cadres(55, start=5))
        self.assertEqual(response.context["table"].paginator.count, 60)

    def test_filtered_cadre_list_costs_the_same_with_5_and_60_posts(self):
        self.add_cadres(5)
        self.assert_same_queries_with_more_rows(
            url("post_list") + f"?branch={self.district_a.pk}&age_min=20&college_or_higher=true",
            lambda: self.add_cadres(55, start=5),
        )

    def test_cadre_export_costs_the_same_with_5_and_60_posts(self):
        self.add_cadres(5)
        response = self.assert_same_queries_with_more_rows(
            url("post_list") + "?export=xlsx", lambda: self.add_cadres(55, start=5)
        )
        workbook = load_workbook(io.BytesIO(response_bytes(response)), read_only=True)
        self.assertEqual(len(list(workbook.worksheets[0].iter_rows())), 61)
        workbook.close()

    def test_organization_page_with_the_team_costs_the_same_with_2_and_30_posts(self):
        self.add_cadres(2, self.district_a)
        self.assert_same_queries_with_more_rows(
            reverse("organizations:organization_detail", args=[self.district_a.pk]),
            lambda: self.add_cadres(28, self.district_a, start=2),
        )
        self.assertEqual(Post.objects.filter(organization=self.district_a).count(), 30)

    def test_cadre_page_costs_the_same_with_1_and_10_posts_and_courses(self):
        cadre = self.add_cadre("张明", self.union_a, id_number=ID_MAN)

        def grow(count, start):
            for number in range(start, start + count):
                Post.objects.create(
                    cadre=cadre,
                    organization=self.district_a if number % 2 else self.union_a,
                    position=list(Position)[number % len(Position)],
                    start=datetime.date(2000 + number, 1, 1),
                    end=datetime.date(2000 + number, 12, 31),
                )
                training = Training.objects.create(
                    title=f"培训{number}", organizer=self.district_a, start=datetime.date(2010 + number, 3, 1), hours=8
                )
                Attendance.objects.create(training=training, cadre=cadre)
                cadre.mobile = f"1380000{number:04d}"
                cadre.save()

        # A post outside the branch too, so that the count of those is part of the cost.
        Post.objects.create(cadre=cadre, organization=self.union_b, position="staff", start=datetime.date(1999, 1, 1))
        grow(1, 0)
        response = self.assert_same_queries_with_more_rows(url("cadre_detail", cadre.pk), lambda: grow(9, 1))
        self.assertEqual(len(response.context["posts"]), 11)
        self.assertEqual(len(response.context["hours_by_year"]), 10)

    def add_trainings(self, count, start=0):
        cadres = list(Cadre.objects.all())
        for number in range(start, start + count):
            training = Training.objects.create(
                title=f"培训{number:03d}",
                organizer=self.union_a if number % 2 else self.district_a,
                start=datetime.date(2020, 1, 1) + datetime.timedelta(days=number),
                hours=8,
                other_attendees=number,
            )
            for cadre in cadres[: number % 4]:
                Attendance.objects.create(training=training, cadre=cadre)

    def test_training_list_and_export_cost_the_same_with_5_and_60_courses(self):
        self.add_cadres(4)
        self.add_trainings(5)
        self.assert_same_queries_with_more_rows(url("training_list"), lambda: self.add_trainings(55, start=5))
        self.assert_same_queries_with_more_rows(
            url("training_list") + "?export=xlsx", lambda: self.add_trainings(10, start=60)
        )

    def test_training_page_costs_the_same_with_1_and_10_attendees(self):
        training = Training.objects.create(title="培训", organizer=self.district_a, start=datetime.date(2025, 1, 1))

        def attend(count, start):
            self.add_cadres(count, start=start)
            for cadre in Cadre.objects.exclude(attendances__training=training):
                Attendance.objects.create(training=training, cadre=cadre)
            training.other_attendees += 1
            training.save()

        attend(1, 0)
        response = self.assert_same_queries_with_more_rows(url("training_detail", training.pk), lambda: attend(9, 1))
        self.assertEqual(len(response.context["attendances"]), 10)


class CadreListScopeTest(CadreTestCase):
    """The cadre list of a city leader holds both districts; a township's staff only theirs."""

    def test_township_staff_see_only_their_township_and_the_city_sees_everything(self):
        township = make_org(self.district_a, "甲区城关街道工会联合会", OrganizationKind.TOWNSHIP_FEDERATION)
        self.add_cadre("城关干部", township)
        self.add_cadre("区里干部", self.district_a)
        self.add_cadre("乙区干部", self.union_b)
        tina = make_user("tina", township, "staff")
        self.login(tina)
        response = self.client.get(url("post_list"))
        self.assertEqual([row.record.cadre.full_name for row in response.context["table"].paginated_rows], ["城关干部"])
        self.login(self.lena)
        response = self.client.get(url("post_list"))
        self.assertEqual(
            sorted(row.record.cadre.full_name for row in response.context["table"].paginated_rows),
            ["乙区干部", "区里干部", "城关干部"],
        )
