"""Right to left: an Arabic study's pages are mirrored and a whole sort is made, then finished."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import LiveServer
from .helpers import first_tray_card, join_code, screen_sort, stored_sorts
from .studies import GRID_CAPACITIES, GRID_VALUES, add_arabic_study
from .test_devices import NO_SIDEWAYS_SCROLL, _device

pytestmark = pytest.mark.browser


@pytest.fixture(params=[(1024, 768), (390, 844)], ids=["tablet", "phone"])
def device(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    yield from _device(browser, *request.param)


def _x(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None
    return box["x"]


def test_right_to_left_sort_completed(device: Page, live_server: LiveServer) -> None:
    add_arabic_study(live_server)
    page = device
    join_code(page, live_server, "ARAB")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    expect(page.locator("#start-presort")).to_have_text("ابدأ")
    page.tap("#start-presort")
    # the piles read from the right: "disagree" is the first (rightmost) button
    assert _x(page, "[data-pile=disagree]") > _x(page, "[data-pile=agree]")
    while page.is_enabled("[data-pile=agree]"):
        page.tap("[data-pile=agree]")
    page.tap("#presort-done")
    wide = page.viewport_size is not None and page.viewport_size["width"] > 900
    if wide:  # columns side by side: the most-disagree column on the right
        assert _x(page, '.col-head[data-value="-2"]') > _x(page, '.col-head[data-value="2"]')
    doc, body, inner = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert doc <= inner and body <= inner
    for value, cap in zip(GRID_VALUES, GRID_CAPACITIES, strict=True):
        for row in range(cap):
            page.tap(first_tray_card(page))
            page.tap(f'.cell[data-value="{value}"][data-row="{row}"] .slot')
    expect(page.locator("#announcer")).to_contain_text("وُضعت البطاقة")
    if wide:  # the arrows are mirrored: left goes on toward "most agree"
        page.focus('.cell[data-value="0"][data-row="0"] .card')
        page.keyboard.press("ArrowLeft")
        assert page.evaluate("document.activeElement.closest('.cell').dataset.value") == "1"
    on_screen = screen_sort(page)
    page.click("#submit-sort")
    expect(page.locator("#stage-postsort")).to_be_visible()
    assert stored_sorts(live_server)[-1] == on_screen
    page.click("#postsort-next")
    # a required question left empty is named by its text and highlighted
    page.click("#finish")
    expect(page.locator("#finish-problems")).to_contain_text("أيّ وصف يناسبك أكثر؟")
    expect(page.locator('.question[data-key="group"]')).to_have_class("question invalid")
    assert "group" not in (page.text_content("#finish-problems") or "")
    page.check("input[name=group][value=a]")
    expect(page.locator('.question[data-key="group"]')).to_have_class("question")
    page.click("#finish")
    page.wait_for_url("**/thanks/ARAB")
    assert page.get_attribute("html", "dir") == "rtl"
    expect(page.locator("h1")).to_have_text("شكراً لك")
