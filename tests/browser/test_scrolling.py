"""Long pages: auto-scroll while dragging a card, and the phone's scroll gutter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect

from .conftest import LiveServer
from .helpers import first_tray_card, join, presort_all, screen_sort
from .test_accessibility import serious_violations
from .test_devices import _device

pytestmark = pytest.mark.browser

IN_VIEW = """(sel) => {
  const r = document.querySelector(sel).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= window.innerHeight;
}"""

# The target's middle is well above the bottom auto-scroll band, or the page cannot go further.
REACHED = """(sel) => {
  const r = document.querySelector(sel).getBoundingClientRect();
  const atEnd = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1;
  return (r.top >= 0 && r.top + r.height / 2 < window.innerHeight * 0.8) || atEnd;
}"""

GHOST_UNDER = """([x, y]) => {
  const g = document.querySelector('.ghost');
  if (!g) return false;
  const r = g.getBoundingClientRect();
  return r.left <= x && x <= r.right && r.top <= y && y <= r.bottom;
}"""


@pytest.fixture()
def phone(browser: Browser) -> Iterator[Page]:
    """A small touch phone."""
    yield from _device(browser, 390, 844)


def _touch(cdp: CDPSession, kind: str, x: float = 0, y: float = 0) -> None:
    points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def _centre(page: Page, selector: str) -> tuple[float, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag_below_the_fold(page: Page, source: str, target: str) -> None:
    """Finger drag from ``source`` to ``target``, which starts out of sight below.

    The finger goes down to the bottom edge and rests there while the page scrolls by itself,
    then moves onto the target and lets go.
    """
    cdp = page.context.new_cdp_session(page)
    page.evaluate("window.scrollTo(0, 0)")
    assert not page.evaluate(IN_VIEW, target), "the target should start below the fold"
    height = page.evaluate("window.innerHeight")
    x0, y0 = _centre(page, source)
    edge = height - 12
    _touch(cdp, "touchStart", x0, y0)
    for i in range(1, 9):
        _touch(cdp, "touchMove", x0, y0 + (edge - y0) * i / 8)
    # the finger rests at the edge: the page keeps scrolling, the card stays under the finger
    page.wait_for_function("() => window.scrollY > 0")
    page.wait_for_function(GHOST_UNDER, arg=[x0, edge])
    page.wait_for_function(REACHED, arg=target, timeout=15000)
    assert page.evaluate(GHOST_UNDER, [x0, edge])
    x1, y1 = _centre(page, target)  # where the target is now, on the scrolled page
    for i in range(1, 5):
        _touch(cdp, "touchMove", x0 + (x1 - x0) * i / 4, edge + (y1 - edge) * i / 4)
    _touch(cdp, "touchEnd")
    cdp.detach()


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
    x0, y0 = _centre(page, card)
    _touch(cdp, "touchStart", x0, y0)
    for i in range(1, 9):
        _touch(cdp, "touchMove", x0, y0 + (8 - y0) * i / 8)
    page.wait_for_function(f"() => window.scrollY < {start - 150}")
    # back to the middle of the screen: the scrolling stops
    _touch(cdp, "touchMove", x0, 400)
    page.wait_for_timeout(100)
    still = page.evaluate("window.scrollY")
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") == still
    _touch(cdp, "touchEnd")
    cdp.detach()
    # let go over the middle: the card lands wherever that is, and nothing is left dragging
    expect(page.locator(".ghost, .card.dragging")).to_have_count(0)


def _settle(page: Page) -> None:
    """Wait until the page has stopped scrolling."""
    last = -1.0
    while (now := page.evaluate("window.scrollY")) != last:
        last = now
        page.wait_for_timeout(150)


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
    cdp = page.context.new_cdp_session(page)
    x = box["x"] + box["width"] / 2
    _touch(cdp, "touchStart", x, 600)
    for i in range(1, 11):
        _touch(cdp, "touchMove", x, 600 - 40 * i)
    _touch(cdp, "touchEnd")
    cdp.detach()
    page.wait_for_function("() => window.scrollY > 150")
    assert page.locator(".ghost, .card.dragging, .card[aria-pressed=true]").count() == 0
    expect(page.locator("#reader")).to_be_hidden()
    assert screen_sort(page) == {}
    # the arrows page down and up (once the swipe's glide has stopped: a tap that stops a
    # gliding page only stops it, as everywhere on a phone)
    _settle(page)
    before = page.evaluate("window.scrollY")
    page.tap("#scroll-gutter [data-scroll='1']")
    page.wait_for_function(f"() => window.scrollY > {before + 200}")
    after = page.evaluate("window.scrollY")
    page.tap("#scroll-gutter [data-scroll='-1']")
    page.wait_for_function(f"() => window.scrollY < {after - 200}")
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
