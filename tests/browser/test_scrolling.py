"""Long pages: auto-scroll while dragging a card, and the phone's scroll gutter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import LiveServer
from .helpers import (
    centre,
    drag_below_the_fold,
    first_tray_card,
    join,
    presort_all,
    screen_sort,
    touch,
)
from .test_accessibility import serious_violations
from .test_devices import _device

pytestmark = pytest.mark.browser


@pytest.fixture()
def phone(browser: Browser) -> Iterator[Page]:
    """A small touch phone."""
    yield from _device(browser, 390, 844)


def _lands_and_is_saved(page: Page, target_cell: tuple[int, int], n: str) -> None:
    value, row = target_cell
    assert screen_sort(page) == {int(n): (value, row)}
    expect(page.locator(".ghost")).to_have_count(0)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    draft = page.evaluate("fetch('/api/draft').then(r => r.json())")
    assert draft["state"]["grid"] == {n: [value, row]}


def test_phone_drag_from_the_tray_to_a_place_below_the_fold(
    phone: Page, live_server: LiveServer
) -> None:
    page = phone
    join(page, live_server)
    presort_all(page)
    source = first_tray_card(page)
    n = page.get_attribute(source, "data-n")
    assert n is not None
    drag_below_the_fold(page, source, '.cell[data-value="4"][data-row="1"]')
    _lands_and_is_saved(page, (4, 1), n)


def test_tablet_drag_to_the_bottom_row_below_the_fold(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    presort_all(page)
    source = first_tray_card(page)
    n = page.get_attribute(source, "data-n")
    assert n is not None
    drag_below_the_fold(page, source, '.cell[data-value="0"][data-row="5"]')
    _lands_and_is_saved(page, (0, 5), n)


def test_auto_scroll_goes_up_and_stops_outside_the_edge(
    page: Page, live_server: LiveServer
) -> None:
    join(page, live_server)
    presort_all(page)
    page.tap(first_tray_card(page))
    page.tap('.cell[data-value="0"][data-row="5"] .slot')
    card = '.cell[data-value="0"][data-row="5"] .card'
    page.locator(card).scroll_into_view_if_needed()
    start = page.evaluate("window.scrollY")
    assert start > 200
    # hold the placed card at the top edge: the page scrolls up under it
    cdp = page.context.new_cdp_session(page)
    x0, y0 = centre(page, card)
    touch(cdp, "touchStart", x0, y0)
    for i in range(1, 9):
        touch(cdp, "touchMove", x0, y0 + (8 - y0) * i / 8)
    page.wait_for_function(f"() => window.scrollY < {start - 150}")
    assert page.evaluate("document.body.dataset.autoscroll") == "on"
    # back to the middle of the screen: the scrolling loop ends, and the page stays put for
    # the next frames (counted in animation frames, not in time)
    touch(cdp, "touchMove", x0, 400)
    page.wait_for_selector("body[data-autoscroll=off]", state="attached")
    still = page.evaluate("window.scrollY")
    page.evaluate(AFTER_FRAMES, 20)
    assert page.evaluate("window.scrollY") == still
    touch(cdp, "touchEnd")
    cdp.detach()
    # let go over the middle: the card lands wherever that is, and nothing is left dragging
    expect(page.locator(".ghost, .card.dragging")).to_have_count(0)


AFTER_FRAMES = """(n) => new Promise((done) => {
  const step = () => (--n <= 0 ? done(true) : requestAnimationFrame(step));
  requestAnimationFrame(step);
})"""

# Whether the page is scrolling now: set on every scroll event, cleared by 'scrollend'.
SCROLL_WATCH = """() => {
  window.__scrolling = false;
  addEventListener('scroll', () => { window.__scrolling = true; });
  addEventListener('scrollend', () => { window.__scrolling = false; });
}"""


def _swipe_up_until_scrolled(page: Page, x: float, swipes: int = 3) -> None:
    """Swipe a finger up at ``x`` until the page has scrolled (state, not time).

    Each move is checked before the next; a swipe ends once the page moved or the finger
    reached the top. A loaded machine can delay the renderer so long that the browser takes a
    touch for a long press, which then does not scroll: the next swipe is a fresh gesture.
    """
    cdp = page.context.new_cdp_session(page)
    for _ in range(swipes):
        touch(cdp, "touchStart", x, 600)
        for i in range(1, 13):
            touch(cdp, "touchMove", x, 600 - 40 * i)
            if page.evaluate("window.scrollY") > 150:
                break
        touch(cdp, "touchEnd")
        if page.evaluate("window.scrollY") > 150:
            break
    cdp.detach()


def _scrolled_and_settled(page: Page, condition: str) -> None:
    """Wait until ``condition`` on window.scrollY holds and the scroll has come to rest."""
    page.wait_for_function(f"() => ({condition}) && !window.__scrolling")


def test_phone_scroll_gutter_scrolls_without_picking_up_a_card(
    phone: Page, live_server: LiveServer
) -> None:
    page = phone
    join(page, live_server)
    presort_all(page)
    gutter = page.locator("#scroll-gutter")
    expect(gutter).to_be_visible()
    box = gutter.bounding_box()
    assert box is not None and box["width"] >= 44
    assert box["x"] + box["width"] == 390
    # nothing is ever laid out under the gutter
    over = page.evaluate(
        """(left) => [...document.querySelectorAll(
        '#stage-sort .card, #stage-sort .slot, #stage-sort .col-head, #stage-sort button')]
        .filter(e => !e.closest('#scroll-gutter') && e.offsetParent !== null)
        .filter(e => e.getBoundingClientRect().right > left).length""",
        box["x"],
    )
    assert over == 0
    # a swipe up on the gutter scrolls the page down, like a swipe anywhere else
    page.evaluate(SCROLL_WATCH)
    _swipe_up_until_scrolled(page, box["x"] + box["width"] / 2)
    _scrolled_and_settled(page, "window.scrollY > 150")
    assert page.locator(".ghost, .card.dragging, .card[aria-pressed=true]").count() == 0
    expect(page.locator("#reader")).to_be_hidden()
    assert screen_sort(page) == {}
    # the arrows page down and up (each smooth scroll waited for until it has come to rest)
    before = page.evaluate("window.scrollY")
    page.tap("#scroll-gutter [data-scroll='1']")
    _scrolled_and_settled(page, f"window.scrollY > {before + 200}")
    after = page.evaluate("window.scrollY")
    page.tap("#scroll-gutter [data-scroll='-1']")
    _scrolled_and_settled(page, f"window.scrollY < {after - 200}")
    assert page.locator(".ghost, .card[aria-pressed=true]").count() == 0
    assert screen_sort(page) == {}


def test_tablet_has_no_gutter(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    presort_all(page)
    expect(page.locator("#scroll-gutter")).to_be_hidden()


def test_phone_sort_page_with_the_gutter_passes_axe(phone: Page, live_server: LiveServer) -> None:
    page = phone
    join(page, live_server)
    presort_all(page)
    expect(page.locator("#scroll-gutter")).to_be_visible()
    page.tap(first_tray_card(page))
    assert serious_violations(page) == []
