"""A participant's whole sort in real Chromium on an emulated 10-inch touch tablet."""

from __future__ import annotations

import pytest
from playwright.sync_api import CDPSession, Page, expect

from .conftest import LiveServer
from .helpers import first_tray_card, join, presort_all, screen_sort, stored_sorts

pytestmark = pytest.mark.browser

CAPACITIES = {-4: 2, -3: 3, -2: 4, -1: 5, 0: 6, 1: 5, 2: 4, 3: 3, 4: 2}


def _centre(page: Page, selector: str) -> tuple[float, float]:
    page.locator(selector).first.scroll_into_view_if_needed()
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def touch_drag(page: Page, cdp: CDPSession, source: str, target: str) -> None:
    """Drag with a finger: touchStart on the card, a few moves, touchEnd over the target."""
    page.evaluate("window.scrollTo(0, 0)")
    x0, y0 = _centre(page, source)
    x1, y1 = _centre(page, target)

    def send(kind: str, points: list[dict[str, float]]) -> None:
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    send("touchStart", [{"x": x0, "y": y0}])
    for i in range(1, 6):
        send("touchMove", [{"x": x0 + (x1 - x0) * i / 5, "y": y0 + (y1 - y0) * i / 5}])
    send("touchEnd", [])


def finish_and_check(page: Page, server: LiveServer) -> None:
    """Submit, skip the comments, answer the survey; the stored sort equals the screen."""
    on_screen = screen_sort(page)
    assert len(on_screen) == 34
    page.click("#submit-sort")
    expect(page.locator("#stage-postsort")).to_be_visible()
    assert stored_sorts(server)[-1] == on_screen
    page.click("#postsort-next")
    page.check("input[name=group][value=service_user]")
    page.click("#finish")
    page.wait_for_url("**/thanks/DEMO")
    page.goto(server.url + "/p")
    assert page.url.rstrip("/") == server.url


def test_complete_sort_by_touch_drag(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    presort_all(page)
    cdp = page.context.new_cdp_session(page)
    for value, cap in CAPACITIES.items():
        for _ in range(cap):
            touch_drag(page, cdp, first_tray_card(page), f'.col-head[data-value="{value}"]')
    # a full column refuses a card with a hint; dropping onto a card swaps the two
    touch_drag(page, cdp, '.cell[data-value="0"] .card', '.col-head[data-value="4"]')
    expect(page.locator("#board-hint")).to_contain_text("full")
    a = page.get_attribute('.cell[data-value="4"][data-row="0"] .card', "data-n")
    b = page.get_attribute('.cell[data-value="-4"][data-row="0"] .card', "data-n")
    touch_drag(page, cdp, f'.card[data-n="{a}"]', '.cell[data-value="-4"][data-row="0"]')
    assert page.get_attribute('.cell[data-value="-4"][data-row="0"] .card', "data-n") == a
    assert page.get_attribute('.cell[data-value="4"][data-row="0"] .card', "data-n") == b
    finish_and_check(page, live_server)


def test_complete_sort_by_tap_to_place(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    presort_all(page)
    for value, cap in CAPACITIES.items():
        for row in range(cap):
            page.tap(first_tray_card(page))
            page.tap(f'.cell[data-value="{value}"][data-row="{row}"] .slot')
    # move one card again: tap it, send it back, then place it again
    page.tap('.cell[data-value="0"][data-row="0"] .card')
    page.tap("[data-action=send-back]")
    expect(page.locator("#submit-sort")).to_have_attribute("aria-disabled", "true")
    page.tap(first_tray_card(page))
    page.tap('.cell[data-value="0"][data-row="0"] .slot')
    finish_and_check(page, live_server)


def test_complete_sort_by_keyboard(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    page.focus("#start-presort")
    page.keyboard.press("Enter")
    for _ in range(34):
        page.focus("[data-pile=neutral]")
        page.keyboard.press("Enter")
    page.focus("#presort-done")
    page.keyboard.press("Enter")
    for value, cap in CAPACITIES.items():
        for row in range(cap):
            page.locator(first_tray_card(page)).focus()
            page.keyboard.press("Enter")
            expect(page.locator("#announcer")).to_contain_text("Picked up")
            page.focus(f'.cell[data-value="{value}"][data-row="{row}"] .slot')
            page.keyboard.press(" ")
    # arrows move between places; Delete sends a card back
    page.focus('.cell[data-value="0"][data-row="0"] .card')
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("document.activeElement.closest('.cell').dataset.value")
    assert focused == "1"
    page.keyboard.press("Delete")
    expect(page.locator("#announcer")).to_contain_text("sent back")
    page.locator(first_tray_card(page)).focus()
    page.keyboard.press("Enter")
    page.focus('.cell[data-value="1"][data-row="0"] .slot')
    page.keyboard.press("Enter")
    finish_and_check(page, live_server)


def _place(page: Page, count: int) -> None:
    slots = [(v, r) for v, cap in CAPACITIES.items() for r in range(cap)]
    for value, row in slots[:count]:
        page.tap(first_tray_card(page))
        page.tap(f'.cell[data-value="{value}"][data-row="{row}"] .slot')


def test_reload_mid_sort_resumes_exactly(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    presort_all(page)
    _place(page, 7)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    before = screen_sort(page)
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    expect(page.locator("#stage-sort")).to_be_visible()
    assert screen_sort(page) == before


def test_offline_changes_sync_when_back_online(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    presort_all(page)
    _place(page, 3)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    page.context.set_offline(True)
    _place_more(page)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "offline")
    offline_view = screen_sort(page)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=20000)
    draft = page.evaluate("fetch('/api/draft').then(r => r.json())")
    stored = {int(n): (v, r) for n, (v, r) in draft["state"]["grid"].items()}
    assert stored == offline_view


def _place_more(page: Page) -> None:
    page.tap(first_tray_card(page))
    page.tap('.cell[data-value="4"][data-row="0"] .slot')
    page.tap(first_tray_card(page))
    page.tap('.cell[data-value="4"][data-row="1"] .slot')


def test_double_submit_stores_one_sort(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    presort_all(page)
    _place(page, 34)
    before = len(stored_sorts(live_server))
    page.evaluate(
        "() => { const b = document.getElementById('submit-sort'); b.click(); b.click(); }"
    )
    expect(page.locator("#stage-postsort")).to_be_visible()
    page.evaluate("() => document.getElementById('submit-sort').click()")
    assert len(stored_sorts(live_server)) == before + 1


def _tab_until(page: Page, test: str, limit: int) -> int:
    """Press Tab until ``test`` (a JS expression on document.activeElement) holds."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const a = document.activeElement; return {test}; }})()"):
            return presses
    raise AssertionError(f"Tab never reached {test} in {limit} presses")


def test_keyboard_reaches_the_grid_with_tab_from_the_top(
    page: Page, live_server: LiveServer
) -> None:
    join(page, live_server)
    presort_all(page)
    page.reload()  # start from the top of a freshly loaded page: nothing focused
    page.wait_for_function("() => window.qsortReady === true")
    assert page.evaluate("document.activeElement === document.body")
    # the first Tab shows the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    # on to the first card in the tray, pick it up with Enter
    _tab_until(page, "a.classList.contains('card')", 12)
    n = page.evaluate("document.activeElement.dataset.n")
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_contain_text("Picked up")
    # Tab on to the board, past the other cards and the enlarged card's buttons
    presses = _tab_until(page, "a.classList.contains('slot')", 60)
    assert presses <= 60
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_contain_text(f"Card {n} placed")
    assert screen_sort(page) == {int(n): (-4, 0)}
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
