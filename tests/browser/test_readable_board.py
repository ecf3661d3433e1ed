"""A readable board: every placed card's whole text shows, at every text size, on tablets and
phones; the largest size reflows with nothing cut off; the headings stay in view."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.demo import DEMO_SLUG
from app.models import Study

from .conftest import LiveServer
from .helpers import fill_board, join, presort_all
from .test_devices import NO_SIDEWAYS_SCROLL, _device

pytestmark = pytest.mark.browser

# Cards whose text or picture does not fit: content taller or wider than the card, text wider
# than its line, or a card reaching past the sides of the screen.
CLIPPED = """() => [...document.querySelectorAll('.card')]
  .filter(c => c.offsetParent !== null && !c.classList.contains('ghost'))
  .filter(c => {
    const r = c.getBoundingClientRect();
    const face = c.querySelector('.face');
    return c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1
      || face.scrollWidth > face.clientWidth + 1 || r.left < -1 || r.right > innerWidth + 1;
  }).map(c => c.dataset.n)"""

SIZES = {
    "landscape": (1024, 768),
    "landscape-1280": (1280, 800),
    "portrait": (768, 1024),
    "phone": (390, 844),
}


@pytest.fixture(params=sorted(SIZES))
def device(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    width, height = SIZES[request.param]
    yield from _device(browser, width, height)


def test_every_card_shows_its_whole_text_at_every_text_size(
    device: Page, live_server: LiveServer
) -> None:
    page = device
    join(page, live_server)
    presort_all(page)
    for pile in ("agree", "neutral", "disagree"):
        page.click(f"[data-pile-tab={pile}]")
        assert page.evaluate(CLIPPED) == [], f"clipped in the {pile} pile"
    fill_board(page)
    expect(page.locator(".cell .card")).to_have_count(34)
    for size in (1, 2, 3, 4):
        page.click(f"[data-size='{size}']")
        expect(page.locator(f"[data-size='{size}']")).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("document.documentElement.dataset.textSize") == str(size)
        assert page.evaluate(CLIPPED) == [], f"clipped cards at text size {size}"
        doc, body, inner = page.evaluate(NO_SIDEWAYS_SCROLL)
        assert doc <= inner and body <= inner, f"sideways scroll at text size {size}"


def test_the_largest_text_size_reflows_and_holds_after_a_reload(
    page: Page, live_server: LiveServer
) -> None:
    join(page, live_server)
    presort_all(page)
    fill_board(page)
    font = page.eval_on_selector(
        ".cell .card .txt", "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert page.evaluate("document.querySelector('#board').classList.contains('as-rows')") is False
    page.click("[data-size='4']")
    larger = page.eval_on_selector(
        ".cell .card .txt", "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert larger >= 1.7 * font
    # the columns become rows so that each card keeps a readable width
    assert page.evaluate("document.querySelector('#board').classList.contains('as-rows')")
    assert page.evaluate(CLIPPED) == []
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    assert page.evaluate("document.documentElement.dataset.textSize") == "4"
    expect(page.locator("[data-size='4']")).to_have_attribute("aria-pressed", "true")


def test_column_headings_stay_in_view_on_a_long_board(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    presort_all(page)
    fill_board(page)
    last = page.locator('.cell[data-value="0"][data-row="5"]')
    last.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 300
    tops = page.eval_on_selector_all(
        ".col-head",
        "els => els.map(e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom])",
    )
    assert len(tops) == 9
    for top, bottom in tops:
        assert top >= -1 and bottom <= 200, (top, bottom)


def test_the_sort_page_opens_at_the_studys_text_size(page: Page, live_server: LiveServer) -> None:
    """The designer's opening card text size: a new participant starts there and can change it."""
    with Session(live_server.app.state.engine) as db:
        study = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).one()
        study.text_size = 3
        db.add(study)
        db.commit()
    try:
        join(page, live_server)
        expect(page.locator("html")).to_have_attribute("data-text-size", "3")
        expect(page.locator('button[data-size="3"]')).to_have_attribute("aria-pressed", "true")
        page.click('button[data-size="1"]')
        expect(page.locator("html")).to_have_attribute("data-text-size", "1")
    finally:
        with Session(live_server.app.state.engine) as db:
            study = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).one()
            study.text_size = 1
            db.add(study)
            db.commit()
