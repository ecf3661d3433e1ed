"""The statements editor in a real browser: cards added, edited, moved by keyboard and deleted
one by one, more read from a CSV, a picture uploaded with its text alternative, and that
picture card seen by a participant on the sort page."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, expect
from sqlmodel import Session

from app.services import accounts

from .conftest import LiveServer
from .helpers import join_code
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "pia@example.org", "a long researcher password"
ALT = "Photograph of a green park bench under a tree"
LOADED = "(img) => img.complete && img.naturalWidth > 0"


@pytest.fixture()
def laptop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context
    context.close()


def _photo() -> bytes:
    """A 2400x1600 photo, larger than a tablet needs."""
    out = io.BytesIO()
    Image.new("RGB", (2400, 1600), (60, 140, 70)).save(out, "JPEG", quality=80)
    return out.getvalue()


def _sign_in_and_make_a_study(page: Page, server: LiveServer) -> str:
    with Session(server.app.state.engine) as db:
        accounts.create_user(db, None, EMAIL, "researcher", PASSWORD)
        db.commit()
    page.goto(server.url + "/studies")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.fill("#new-title", "Places that help")
    page.click("text=Make the study")
    page.click("#edit-statements")
    expect(page.locator("h1")).to_have_text("Statements")
    return page.url.rsplit("/", 1)[0]


def _texts(page: Page) -> list[str]:
    return [
        page.input_value(f"#text-{n}")
        for n in range(1, page.locator(".statement-item").count() + 1)
    ]


def _note(page: Page, text: str) -> None:
    expect(page.locator("#statements-note")).to_have_text(text)


def _edit_card_by_card(page: Page) -> None:
    page.fill("#add-text", "A park")
    page.click("#add-at-end")
    _note(page, "Added 1 statement(s) at the end.")
    page.fill("#add-text", "A library\nA cafe\n\nMy kitchen")
    expect(page.locator("#add-count")).to_have_text("3 statements to add")
    page.click("#add-at-end")
    _note(page, "Added 3 statement(s) at the end.")
    page.fill("#text-3", "A quiet cafe")
    page.locator("#card-3").get_by_role("button", name="Save text").click()
    _note(page, "Statement 3 saved.")
    # by keyboard: the focus stays on the moved card's button
    page.focus("[aria-label='Move up statement 4']")
    page.keyboard.press("Enter")
    _note(page, "Statement moved; it is now number 3.")
    expect(page.locator("[aria-label='Move up statement 3']")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[aria-label='Move up statement 2']")).to_be_focused()
    assert _texts(page) == ["A park", "My kitchen", "A library", "A quiet cafe"]
    page.click("[aria-label='Delete statement 1']")
    _note(page, "Statement 1 deleted; the ones after it moved up one number.")
    assert _texts(page) == ["My kitchen", "A library", "A quiet cafe"]


def _import_csv(page: Page) -> None:
    table = "Nr;Statement\n2;A bus stop, at night\n1;The sea front\n"
    csv = FilePayload(name="places.csv", mimeType="text/csv", buffer=table.encode("cp1252"))
    page.set_input_files("#statements-file", files=[csv])
    page.click("text=Read the file")
    expect(page.locator("[role=status]")).to_contain_text("2 statements read from places.csv")
    expect(page.locator("#add-text")).to_have_value("The sea front\nA bus stop, at night")
    page.click("#add-at-end")
    _note(page, "Added 2 statement(s) at the end.")


def _upload_picture(page: Page) -> None:
    card = page.locator("#card-4")
    card.locator("summary").click()
    photo = FilePayload(name="bench.jpg", mimeType="image/jpeg", buffer=_photo())
    page.set_input_files("#picture-4", files=[photo])
    page.fill("#alt-4", ALT)
    card.get_by_role("button", name="Upload the picture").click()
    _note(page, "Picture of statement 4 saved.")
    thumb = page.locator("#card-4 img.statement-thumb")
    expect(thumb).to_have_attribute("alt", ALT)
    page.wait_for_function(f"() => ({LOADED})(document.querySelector('#card-4 img'))")
    assert thumb.evaluate("img => img.naturalWidth") == 1600  # sized for tablets


def _design_and_open(page: Page, study_url: str) -> str:
    page.click("text=back to the design")
    expect(page.locator("#statement-count")).to_contain_text("5 statements, 1 with a picture")
    page.fill("#condition", "Where do you feel at ease?")
    page.fill("#low", "-1")
    page.fill("#high", "1")
    page.fill("#capacities", "1 3 1")
    expect(page.locator("#grid-fit")).to_have_text("The grid holds 5 cards for 5 statements.")
    page.click("text=Save the design")
    expect(page.locator("[role=status]")).to_have_text("Saved.")
    page.goto(study_url)
    page.click("text=Open the study")
    expect(page.locator(".status-open")).to_be_visible()
    return page.inner_text(".code")


def test_statements_edited_one_by_one_imported_and_pictured(
    browser: Browser, laptop: BrowserContext, live_server: LiveServer
) -> None:
    page = laptop.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    study_url = _sign_in_and_make_a_study(page, live_server)
    _edit_card_by_card(page)
    _import_csv(page)
    assert _texts(page) == [
        "My kitchen",
        "A library",
        "A quiet cafe",
        "The sea front",
        "A bus stop, at night",
    ]
    _upload_picture(page)
    assert serious_violations(page) == []
    code = _design_and_open(page, study_url)
    assert not errors, errors

    tablet = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
    sorter = tablet.new_page()
    join_code(sorter, live_server, code)
    sorter.click("#start-presort")
    picture = sorter.locator("#presort-card img.presort-picture")
    while not picture.count():
        expect(sorter.locator("#presort-card")).not_to_contain_text("The sea front")
        sorter.click("[data-pile=neutral]")
    expect(picture).to_have_attribute("alt", ALT)
    expect(sorter.locator("#presort-card")).to_contain_text("The sea front")
    sorter.wait_for_function(f"() => ({LOADED})(document.querySelector('#presort-card img'))")
    assert re.fullmatch(r"/media/[0-9a-f]{64}\.jpg", picture.get_attribute("src") or "")
    tablet.close()
