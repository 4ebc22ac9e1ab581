"""A district's staff member prepares a standardization assessment of a union, ticks the
criteria she checked, adds a photo and submits it; the district's approver approves it and
the page shows it locked with its stars. In a browser against the live server."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from cadres.models import Cadre, Position, Post, Rank, Staffing
from organizations.models import OrganizationKind
from standards.models import Assessment, AssessmentStatus, Criterion, Evidence, Measure, RatingThreshold, Standard
from tests.base import make_user
from tests.browser.conftest import zh
from tests.browser.test_flows import named, navbar_link

pytestmark = pytest.mark.browser


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def standard(people):
    """The city's star standard for grassroots unions; the school union of district A has a
    chair at section level and one staff member on record."""
    standard = Standard.objects.create(
        name="好花红星级工会标准",
        owner=people.city,
        kinds=[OrganizationKind.GRASSROOTS],
        pass_points=Decimal(60),
        expected_chair_rank=Rank.SECTION,
    )
    rows = [
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
    for name, position, rank in (("王主席", Position.CHAIR, Rank.SECTION), ("李干事", Position.STAFF, Rank.NONE)):
        cadre = Cadre.objects.create(full_name=name, gender="male", organization=people.union_a)
        Post.objects.create(
            cadre=cadre,
            organization=people.union_a,
            position=position,
            rank=rank,
            staffing=Staffing.CIVIL_SERVICE,
            start=datetime.date(2020, 1, 1),
        )
    return standard


def test_alice_prepares_and_submits_april_approves_and_the_page_is_locked_with_its_stars(
    tab, people, standard, log_in, screenshot, media_root, tmp_path
):
    make_user("april", people.district_a, "approver")
    photo = tmp_path / "职工书屋.png"
    picture = Image.new("RGB", (160, 120), (235, 225, 200))
    drawing = ImageDraw.Draw(picture)
    for shelf in range(3):  # a bookcase
        drawing.rectangle((20, 15 + shelf * 35, 140, 40 + shelf * 35), fill=(120, 70, 30))
    picture.save(photo)

    log_in("alice")
    navbar_link(tab, zh("Standardization")).click()
    expect(tab).to_have_url(re.compile(r"/standards/assessments/$"))
    tab.get_by_role("link", name=named(zh("Add"))).click()
    expect(tab).to_have_url(re.compile(r"/standards/assessments/add/$"))
    tab.locator("#id_standard").select_option(label="好花红星级工会标准（测试市总工会）")
    organization = tab.locator("#id_organization")
    # Unions of alice's branch only, and no federation: the standard is for grassroots unions.
    expect(organization.locator("option", has_text="乙区")).to_have_count(0)
    expect(organization.locator("option", has_text="甲区总工会")).to_have_count(0)
    organization.select_option(label="甲区第一中学工会")
    tab.locator("#id_year").fill("2025")
    tab.get_by_role("button", name=zh("Save")).click()

    expect(tab).to_have_url(re.compile(r"/standards/assessments/\d+/$"))
    assessment = Assessment.objects.get()
    assert tab.url.endswith(assessment.get_absolute_url())
    # The two criteria the portal can measure came from the cadre records, and say so.
    expect(tab.get_by_test_id("measured")).to_have_count(2)
    expect(tab.get_by_test_id("item-S1")).to_contain_text("自动取数")
    expect(tab.get_by_test_id("item-S1").get_by_test_id("met")).to_contain_text(zh("Met"))
    expect(tab.get_by_test_id("score")).to_have_text("40")

    tab.get_by_test_id("edit-items").click()
    expect(tab).to_have_url(re.compile(r"/edit/$"))
    tab.get_by_test_id("item-form-S3").get_by_role("checkbox").check()
    tab.get_by_test_id("item-form-S3").locator("input[name$='-note']").fill("藏书2000册")
    tab.get_by_test_id("item-form-S4").get_by_role("checkbox").check()
    tab.get_by_role("button", name=zh("Save")).click()

    expect(tab).to_have_url(re.compile(rf"{re.escape(assessment.get_absolute_url())}$"))
    expect(tab.get_by_test_id("score")).to_have_text("100")
    row = tab.get_by_test_id("item-S3")
    row.locator("summary").click()
    row.locator("input[name='picture']").set_input_files(photo)
    row.locator("input[name='caption']").fill("职工书屋")
    row.get_by_role("button", name=named(zh("Upload"))).click()
    expect(tab.get_by_test_id("item-S3").get_by_test_id("evidence")).to_have_count(1)
    tab.get_by_test_id("submit").click()
    expect(tab.get_by_test_id("status")).to_have_text(zh("Submitted"))
    expect(tab.get_by_test_id("edit-items")).to_have_count(0)

    tab.get_by_test_id("user-menu").click()
    tab.get_by_role("button", name=named(zh("Log out"))).click()
    log_in("april")
    tab.goto(assessment.get_absolute_url())
    expect(tab.get_by_test_id("submitted-by")).to_contain_text("Alice")
    tab.get_by_test_id("approve").click()

    locked = tab.get_by_test_id("locked")
    expect(locked).to_contain_text("已审核通过，记录已锁定")
    expect(locked).to_contain_text("April")
    expect(tab.get_by_test_id("status")).to_have_text(zh("Approved"))
    stars = tab.get_by_test_id("stars")
    expect(stars).to_have_attribute("data-rating", "5")
    expect(stars).to_have_text("★★★★★")
    expect(tab.get_by_test_id("compliant")).to_contain_text(zh("Compliant"))
    for hidden in ("approve", "submit", "edit-items"):
        expect(tab.get_by_test_id(hidden)).to_have_count(0)
    thumbnail = tab.get_by_test_id("evidence").locator("img")
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("image => image.naturalWidth") == 160

    assessment.refresh_from_db()
    assert (assessment.status, assessment.score, assessment.rating) == (AssessmentStatus.APPROVED, 100, 5)
    assert (assessment.submitted_by.username, assessment.approved_by.username) == ("alice", "april")
    assert (media_root / Evidence.objects.get().image).is_file()
    screenshot(tab, "assessment-approved")

    # ...and the approved assessment is in the standardization report of the district.
    tab.goto(
        f"{reverse('reports:standardization_report')}?organization={people.district_a.pk}"
        f"&standard={standard.pk}&year=2025"
    )
    expect(tab.get_by_test_id("summary-assessed")).to_have_text("1")
    expect(tab.get_by_test_id("summary-compliant")).to_have_text("1")
    row = tab.get_by_test_id("unit-row").filter(has_text="甲区第一中学工会")
    row.get_by_test_id("assessment-link").click()
    expect(tab).to_have_url(re.compile(rf"{re.escape(assessment.get_absolute_url())}$"))
