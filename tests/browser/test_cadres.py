"""A district's staff member adds a cadre with a photo and a first post, then ends the post,
in a browser against the live server."""

import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from cadres.models import Cadre, Position, Post, Rank, Staffing
from tests.browser.conftest import zh
from tests.browser.test_flows import named, navbar_link
from tests.cadres.data import masked, resident_id

pytestmark = pytest.mark.browser

ID_NUMBER = resident_id("19820704", "001")


def save_first_post(tab, position, rank, start):
    """The new cadre's first post, then Save."""
    tab.locator("#id_position").select_option(position.value)
    tab.locator("#id_rank").select_option(rank.value)
    tab.locator("#id_staffing").select_option(Staffing.INSTITUTION.value)
    tab.locator("#id_start").fill(start)
    tab.get_by_role("button", name=zh("Save")).click()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def test_add_a_cadre_with_a_photo_then_end_the_post(tab, people, log_in, screenshot, media_root, tmp_path):
    photo = tmp_path / "证件照.png"
    picture = Image.new("RGB", (90, 120), (40, 90, 170))
    drawing = ImageDraw.Draw(picture)
    drawing.ellipse((27, 18, 63, 58), fill=(235, 205, 180))  # a head
    drawing.ellipse((12, 64, 78, 150), fill=(30, 30, 40))  # shoulders
    picture.save(photo)

    log_in("alice")
    navbar_link(tab, zh("Cadres")).click()
    expect(tab).to_have_url(re.compile(r"/cadres/$"))
    tab.get_by_role("link", name=named(zh("Add"))).click()
    expect(tab).to_have_url(re.compile(r"/cadres/add/$"))

    tab.locator("#id_full_name").fill("杨光明")
    tab.locator("#id_gender").select_option("male")
    tab.locator("#id_id_number").fill(ID_NUMBER)
    tab.locator("#id_education").select_option("bachelor")
    tab.locator("#id_photo_upload").set_input_files(photo)
    organization = tab.locator("#id_organization")
    # Only the user's branch is offered.
    expect(organization.locator("option", has_text="乙区")).to_have_count(0)
    organization.select_option(label="甲区第一中学工会")
    save_first_post(tab, Position.CHAIR, Rank.SECTION, "2021-03-01")

    expect(tab).to_have_url(re.compile(r"/cadres/\d+/$"))
    cadre = Cadre.objects.get(full_name="杨光明")
    assert tab.url.endswith(cadre.get_absolute_url())
    assert cadre.organization_id == people.union_a.pk
    assert cadre.birth_date.isoformat() == "1982-07-04"  # read from the ID number
    assert (media_root / cadre.photo).is_file()
    expect(tab.get_by_role("heading", level=1)).to_have_text("杨光明")
    expect(tab.get_by_test_id("masked-id")).to_have_text(masked(ID_NUMBER))
    expect(tab.locator("body")).not_to_contain_text(ID_NUMBER)

    picture = tab.get_by_test_id("photo")
    expect(picture).to_be_visible()
    expect(picture).to_have_js_property("complete", True)
    assert picture.evaluate("image => image.naturalWidth") == 90
    assert picture.evaluate("image => image.naturalHeight") == 120

    post = Post.objects.get(cadre=cadre)
    posts = tab.get_by_test_id("posts")
    expect(posts.locator("tbody tr")).to_have_count(1)
    expect(posts).to_contain_text("甲区第一中学工会")
    tab.get_by_test_id(f"end-post-{post.pk}").click()
    expect(tab).to_have_url(re.compile(rf"/cadres/posts/{post.pk}/end/$"))
    tab.locator("#id_end").fill("2025-06-30")
    tab.get_by_role("button", name=zh("Save")).click()

    expect(tab).to_have_url(re.compile(rf"{re.escape(cadre.get_absolute_url())}$"))
    row = posts.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(6)).to_have_text("2021-03-01")
    expect(row.locator("td").nth(7)).to_have_text("2025-06-30")
    expect(tab.get_by_test_id(f"end-post-{post.pk}")).to_have_count(0)
    post.refresh_from_db()
    assert post.end.isoformat() == "2025-06-30"
    expect(picture).to_be_visible()
    assert picture.evaluate("image => image.naturalWidth") > 0
    screenshot(tab, "cadre-with-photo")


def test_a_union_found_by_typing_its_name(tab, people, log_in, screenshot, settings):
    """Above CHOICES_SEARCH_ABOVE records the union is searched for (unionportal/choices.py):
    the page lists none, typing part of a name offers the branch's matches."""
    settings.CHOICES_SEARCH_ABOVE = 1
    log_in("alice")
    tab.goto("/cadres/add/")
    organization = tab.locator("#id_organization")
    search = tab.get_by_test_id("choices-search")
    expect(search).to_be_visible()
    search.fill("中学")
    expect(organization.locator("option", has_text="甲区第一中学工会")).to_have_count(1)
    expect(organization.locator("option", has_text="乙区")).to_have_count(0)
    screenshot(tab, "choices-search")
    organization.select_option(label="甲区第一中学工会")
    tab.locator("#id_full_name").fill("林小满")
    tab.locator("#id_gender").select_option("female")
    save_first_post(tab, Position.STAFF, Rank.UNIT, "2022-05-01")
    expect(tab).to_have_url(re.compile(r"/cadres/\d+/$"))
    assert Cadre.objects.get(full_name="林小满").organization_id == people.union_a.pk
