"""A district's staff member records an activity with a photo, then records that a recommended
honour was conferred; the union's page shows both. In a browser against the live server."""

import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from activities.models import Activity, ActivityKind, ActivityPhoto, Honour, HonourStatus, HonourTitle
from tests.browser.conftest import zh, zh_label
from tests.browser.test_flows import named, navbar_link

pytestmark = pytest.mark.browser


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def recommended(people):
    """The school union of district A, recommended for the county's 模范职工之家 of 2025."""
    title = HonourTitle.objects.get(name="模范职工之家", level="county", owner=None)
    return Honour.objects.create(
        title=title,
        year=2025,
        organization=people.union_a,
        status=HonourStatus.RECOMMENDED,
        recommended_by=people.district_a,
    )


def test_alice_records_an_activity_with_a_photo_and_confers_a_recommended_honour(
    tab, people, recommended, log_in, screenshot, media_root, tmp_path
):
    photo = tmp_path / "演讲比赛.png"
    picture = Image.new("RGB", (240, 160), (250, 240, 220))
    drawing = ImageDraw.Draw(picture)
    drawing.rectangle((90, 40, 150, 150), fill=(180, 30, 30))  # a lectern
    drawing.ellipse((105, 10, 135, 40), fill=(60, 40, 30))
    picture.save(photo)

    log_in("alice")
    navbar_link(tab, zh("Activities")).click()
    expect(tab).to_have_url(re.compile(r"/activities/$"))
    tab.get_by_role("link", name=named(zh("Add"))).click()
    expect(tab).to_have_url(re.compile(r"/activities/add/$"))
    tab.locator("#id_title").fill("“五一”职工演讲比赛")
    tab.locator("#id_kind").select_option(label=zh_label(ActivityKind.SPEECH))
    tab.locator("#id_organizer").select_option(label="甲区总工会")
    co_organizers = tab.locator("#id_co_organizers")
    # Organizations of alice's branch only.
    expect(co_organizers.locator("option", has_text="乙区")).to_have_count(0)
    co_organizers.select_option(label="甲区第一中学工会")
    tab.locator("#id_start").fill("2025-04-26")
    tab.locator("#id_place").fill("区文化馆")
    tab.locator("#id_participants").fill("320")
    tab.locator("#id_entries").fill("24")
    tab.locator("#id_funds_spent").fill("8000")
    tab.get_by_role("button", name=zh("Save")).click()

    expect(tab).to_have_url(re.compile(r"/activities/\d+/$"))
    activity = Activity.objects.get()
    assert tab.url.endswith(activity.get_absolute_url())
    expect(tab.get_by_test_id("participants")).to_have_text("320")
    expect(tab.get_by_test_id("co-organizers")).to_contain_text("甲区第一中学工会")
    upload = tab.get_by_test_id("photo-upload")
    upload.locator("input[name='picture']").set_input_files(photo)
    upload.locator("input[name='caption']").fill("比赛现场")
    upload.get_by_role("button", name=named(zh("Upload"))).click()
    expect(tab.get_by_test_id("photo")).to_have_count(1)
    thumbnail = tab.get_by_test_id("photo").locator("img")
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("image => image.naturalWidth") == 240
    assert (media_root / ActivityPhoto.objects.get().image).is_file()

    navbar_link(tab, zh("Honours")).click()
    expect(tab).to_have_url(re.compile(r"/activities/honours/$"))
    tab.locator("summary", has_text=zh("Filter")).click()
    tab.locator("#id_status").select_option(label=zh("Recommended"))
    tab.get_by_role("button", name=zh("Apply")).click()
    tab.get_by_role("link", name="模范职工之家").click()
    expect(tab).to_have_url(re.compile(rf"{re.escape(recommended.get_absolute_url())}$"))
    expect(tab.get_by_test_id("status")).to_have_text(zh("Recommended"))
    tab.locator("#id_conferring_body").fill("甲区总工会")
    tab.locator("#id_document_number").fill("甲工发〔2025〕12号")
    tab.get_by_test_id("confer").click()
    expect(tab.get_by_test_id("status")).to_have_text(zh("Conferred"))
    expect(tab.get_by_test_id("decide")).to_have_count(0)
    expect(tab.get_by_test_id("honour")).to_contain_text("甲工发〔2025〕12号")

    recommended.refresh_from_db()
    assert (recommended.status, recommended.document_number) == (HonourStatus.CONFERRED, "甲工发〔2025〕12号")
    assert recommended.history.first().history_user.username == "alice"

    # The union's page lists the activity it co-organized and the honour it received.
    tab.goto(people.union_a.get_absolute_url())
    panel = tab.get_by_test_id("activities-panel")
    expect(panel.get_by_test_id("panel-activities")).to_contain_text("“五一”职工演讲比赛")
    expect(panel.get_by_test_id("panel-honours")).to_contain_text("模范职工之家")
    screenshot(tab, "activity-and-honour")
    panel.get_by_role("link", name=zh("Honours of the whole branch")).click()
    expect(tab.get_by_role("link", name="模范职工之家")).to_have_count(1)
