"""Other screens than the landscape tablet: a portrait tablet and a phone, both touch."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.services import help_requests

from .conftest import REPO, LiveServer
from .helpers import first_tray_card, join, participant_row, presort_all
from .test_sort_flow import CAPACITIES, finish_and_check

pytestmark = pytest.mark.browser


def _device(browser: Browser, width: int, height: int) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": width, "height": height},
        has_touch=True,
        is_mobile=True,
        device_scale_factor=1,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture()
def portrait(browser: Browser) -> Iterator[Page]:
    """A 10-inch tablet held upright."""
    yield from _device(browser, 800, 1280)


@pytest.fixture()
def phone(browser: Browser) -> Iterator[Page]:
    """A small phone."""
    yield from _device(browser, 390, 844)


def test_portrait_tablet_sort_by_tap(portrait: Page, live_server: LiveServer) -> None:
    page = portrait
    join(page, live_server)
    presort_all(page)
    # the columns are shown as rows: most disagree at the top
    top = page.locator('.col-head[data-value="-4"]').bounding_box()
    below = page.locator('.col-head[data-value="-3"]').bounding_box()
    assert top is not None and below is not None
    assert below["y"] > top["y"] + top["height"] - 1 and abs(below["x"] - top["x"]) < 2
    font = page.eval_on_selector(
        ".tray-cards .card .txt", "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert font >= 18
    for value, cap in CAPACITIES.items():
        for row in range(cap):
            page.tap(first_tray_card(page))
            expect_reader_visible(page)
            page.tap(f'.cell[data-value="{value}"][data-row="{row}"] .slot')
            # the card is on the board and the reader gone before the next card is tapped
            expect(
                page.locator(f'.cell[data-value="{value}"][data-row="{row}"] .card')
            ).to_have_count(1)
            expect(page.locator("#reader")).to_be_hidden()
    finish_and_check(page, live_server)


def expect_reader_visible(page: Page) -> None:
    """The enlarged card sits in the viewport, above nothing it hides for good."""
    expect(page.locator("#reader")).to_be_visible()  # the tap's handler may still be running
    box = page.locator("#reader").bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= page.viewport_size["height"] + 1  # type: ignore[index]


NO_SIDEWAYS_SCROLL = """() => [document.documentElement.scrollWidth, document.body.scrollWidth,
                              window.innerWidth]"""

SMALL_TARGETS = """() => [...document.querySelectorAll(
    '#stage-sort button, #stage-sort .card, #stage-sort .slot')]
  .filter(e => e.offsetParent !== null)
  .map(e => e.getBoundingClientRect())
  .filter(r => r.height < 44 || r.width < 44).length"""

REACHABLE = """(sel) => {
  const el = document.querySelector(sel);
  el.scrollIntoView({block: 'center'});
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return r.left >= 0 && r.right <= window.innerWidth && !!hit && el.contains(hit);
}"""


def test_phone_sort_page_fits_and_every_card_is_reachable(
    phone: Page, live_server: LiveServer
) -> None:
    page = phone
    join(page, live_server)
    presort_all(page)
    doc, body, inner = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert doc <= inner and body <= inner
    assert page.evaluate(SMALL_TARGETS) == 0
    seen: set[str] = set()
    for pile in ("disagree", "neutral", "agree"):
        page.tap(f"[data-pile-tab={pile}]")
        for n in page.eval_on_selector_all(".tray-cards .card", "els => els.map(e => e.dataset.n)"):
            assert page.evaluate(REACHABLE, f'.card[data-n="{n}"]'), f"card {n} is not reachable"
            seen.add(n)
    assert len(seen) == 34
    for value, row in [(v, r) for v, cap in CAPACITIES.items() for r in range(cap)]:
        assert page.evaluate(REACHABLE, f'.cell[data-value="{value}"][data-row="{row}"] .slot')
    # with a card enlarged, the bottom of the page is still reachable above the dock
    page.tap(first_tray_card(page))
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    assert page.evaluate(REACHABLE, "#submit-sort")
    page.tap('.cell[data-value="4"][data-row="1"] .slot')
    doc, body, inner = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert doc <= inner and body <= inner


SHOW_STATUS = """([state, text]) => { const s = document.getElementById('save-status');
  s.dataset.state = state; s.textContent = text; }"""


@pytest.mark.parametrize("size", ["portrait", "phone"])
def test_a_failing_save_never_moves_the_board(
    size: str, request: pytest.FixtureRequest, live_server: LiveServer
) -> None:
    """While saves fail and retry, the status changes; a tap aimed at a card must still land.

    Each message the status can show (English and Spanish, the longer catalogue) leaves the
    board where it was.
    """
    page: Page = request.getfixturevalue(size)
    join(page, live_server)
    presort_all(page)
    before = page.locator("#board").bounding_box()
    assert before is not None
    for lang in ("en", "es"):
        catalogue = json.loads((REPO / "app" / "i18n" / f"{lang}.json").read_text("utf-8"))
        for state in ("pending", "saved", "offline", "error"):
            page.evaluate(SHOW_STATUS, [state, catalogue[f"js.status.{state}"]])
            box = page.locator("#board").bounding_box()
            assert box is not None
            assert box["y"] == before["y"], f"{lang} {state!r} moved the board"


# The page asks again whether help is still coming when it becomes visible (help.js): a
# tablet woken up after the facilitator came over; here, the same event on a visible page.
RECHECK_HELP = "() => document.dispatchEvent(new Event('visibilitychange'))"

HELP_BUTTON_UNCOVERED = """() => {
  const r = document.getElementById('help-btn').getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit !== null && hit.closest('#help-btn') !== null;
}"""


@pytest.mark.parametrize("size", ["portrait", "phone"])
def test_asking_for_help_never_moves_the_board(
    size: str, request: pytest.FixtureRequest, live_server: LiveServer
) -> None:
    """The help note shows in full when help is asked for, hides on request, and goes when
    the facilitator has answered; the board stays where it was throughout, and the help
    button stays uncovered."""
    page: Page = request.getfixturevalue(size)
    join(page, live_server)
    presort_all(page)
    english = json.loads((REPO / "app" / "i18n" / "en.json").read_text("utf-8"))
    before = page.locator("#board").bounding_box()
    note = page.locator("#help-note")
    assert before is not None
    expect(page.locator("#help-note-close")).to_be_hidden()  # nothing to hide, nothing to tab to

    def board_stayed(when: str) -> None:
        box = page.locator("#board").bounding_box()
        assert box is not None and box["y"] == before["y"], f"the board moved {when}"

    page.tap("#help-btn")
    expect(page.locator("#help-btn")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#help-status")).to_have_text(english["help.waiting"])
    shown = note.bounding_box()
    assert shown is not None and shown["height"] >= 44
    assert shown["x"] >= 0 and shown["x"] + shown["width"] <= page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate(HELP_BUTTON_UNCOVERED)
    board_stayed("when the help note appeared")

    page.tap("#help-note-close")
    expect(note).to_have_attribute("data-hidden", "true")
    hidden = note.bounding_box()
    assert hidden is not None and hidden["height"] <= 1
    expect(page.locator("#help-note-close")).to_be_hidden()
    expect(page.locator("#help-btn")).to_be_focused()
    board_stayed("when the help note was hidden")

    page.tap("#help-btn")  # a second press shows the note again, and asks for nothing new
    expect(note).not_to_have_attribute("data-hidden", "true")
    board_stayed("when the help note came back")

    with Session(live_server.app.state.engine) as db:
        help_requests.answer_all_of(db, participant_row(live_server, page).id or 0)
        db.commit()
    page.evaluate(RECHECK_HELP)
    expect(page.locator("#help-btn")).to_have_attribute("aria-pressed", "false")
    expect(note).to_have_attribute("data-state", "none")
    expect(page.locator("#help-status")).to_have_text("")
    board_stayed("when the help note went")
