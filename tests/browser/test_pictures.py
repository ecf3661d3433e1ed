"""Picture cards: large in the pre-sort and the dock, thumbnails on the board, text alternatives
for screen readers, kept for offline use; a picture study sorted by touch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import LiveServer
from .helpers import (
    first_tray_card,
    join_code,
    page_config,
    screen_sort,
    stored_sorts,
    touch_drag,
)
from .studies import GRID_CAPACITIES, GRID_VALUES, PICTURES, add_picture_study
from .test_devices import _device

pytestmark = pytest.mark.browser

ALTS = [alt for _, alt, _ in PICTURES] + ["A plain blue square"]

LOADED = """(sel) => [...document.querySelectorAll(sel)]
  .every(img => img.complete && img.naturalWidth > 0)"""


@pytest.fixture()
def portrait_768(browser: Browser) -> Iterator[Page]:
    """A 10-inch tablet held upright (768x1024), touch."""
    yield from _device(browser, 768, 1024)


@pytest.fixture()
def phone(browser: Browser) -> Iterator[Page]:
    yield from _device(browser, 390, 844)


def _presort_by_touch(page: Page) -> None:
    page.tap("#start-presort")
    piles = ["agree", "disagree", "neutral"]
    i = 0
    while page.is_enabled("[data-pile=agree]"):
        img = page.locator("#presort-card img.presort-picture")
        expect(img).to_be_visible()
        page.wait_for_function(LOADED, arg="#presort-card img")
        box = img.bounding_box()
        assert box is not None and box["width"] >= 240  # shown large
        assert img.get_attribute("alt") in ALTS
        page.tap(f"[data-pile={piles[i % 3]}]")
        i += 1
    page.tap("#presort-done")


def test_picture_study_sorted_by_touch_on_a_portrait_tablet(
    portrait_768: Page, live_server: LiveServer
) -> None:
    add_picture_study(live_server)
    page = portrait_768
    join_code(page, live_server, "PICS")
    _presort_by_touch(page)
    # a tapped card shows its picture large in the dock
    page.tap(first_tray_card(page))
    big = page.locator("#reader img.reader-picture")
    expect(big).to_be_visible()
    page.wait_for_function(LOADED, arg="#reader img")
    box = big.bounding_box()
    assert box is not None and box["width"] >= 200
    page.tap("[data-action=cancel]")
    cdp = page.context.new_cdp_session(page)
    for value, cap in zip(GRID_VALUES, GRID_CAPACITIES, strict=True):
        for row in range(cap):
            target = f'.cell[data-value="{value}"][data-row="{row}"]'
            touch_drag(page, cdp, first_tray_card(page), target)
            expect(page.locator(f"{target} .card")).to_have_count(1)
    cdp.detach()
    # thumbnails on the board, each with its text alternative and loaded only when needed
    thumbs = page.locator(".cell .card img.thumb")
    expect(thumbs).to_have_count(9)
    assert sorted(t.get_attribute("alt") or "" for t in thumbs.all()) == sorted(ALTS)
    assert {t.get_attribute("loading") for t in thumbs.all()} == {"lazy"}
    names = page.eval_on_selector_all(".cell .card", "els => els.map(e => e.innerText)")
    assert all(name.strip() for name in names)
    on_screen = screen_sort(page)
    page.click("#submit-sort")  # (Chromium drops the first synthetic tap after a touch drag)
    expect(page.locator("#stage-postsort")).to_be_visible()
    assert stored_sorts(live_server)[-1] == on_screen


def test_pictures_are_kept_for_offline_and_show_in_the_offline_shell(
    phone: Page, live_server: LiveServer
) -> None:
    add_picture_study(live_server)
    page = phone
    join_code(page, live_server, "PICS")
    urls = [s["image"] for s in page_config(page)["statements"]]
    assert all(u and u.startswith("/media/") for u in urls)
    page.wait_for_selector("body[data-shell=kept]")
    kept = page.evaluate(
        "caches.open('qsort-media').then(c => c.keys())"
        ".then(ks => ks.map(r => new URL(r.url).pathname))"
    )
    assert sorted(kept) == sorted(urls)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    _presort_by_touch(page)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    page.context.set_offline(True)
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    assert page.evaluate("document.body.dataset.source") == "device"
    page.tap(first_tray_card(page))
    page.wait_for_function(LOADED, arg="#reader img, .tray-cards img")
    page.context.set_offline(False)


def test_a_picture_is_served_with_long_caching_and_nothing_else_is(
    page: Page, live_server: LiveServer
) -> None:
    add_picture_study(live_server)
    join_code(page, live_server, "PICS")
    url = page_config(page)["statements"][0]["image"]
    response = page.request.get(live_server.url + url)
    assert response.status == 200
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["content-type"].startswith("image/")
    for bad in ("/media/..%2Fsecret_key", "/media/secret_key", "/media/" + "0" * 64 + ".svg"):
        assert page.request.get(live_server.url + bad).status == 404
