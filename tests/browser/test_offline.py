"""The service worker: a reload with no network shows the sort from the device's copy; a shared
tablet keeps nothing of a participant once they have finished."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from .conftest import LiveServer
from .helpers import (
    join,
    place_on_slot,
    presort_all,
    screen_sort,
    submit_valid_sort,
    wait_for_offline_shell,
)

pytestmark = pytest.mark.browser

SLOTS = [(-4, 0), (-4, 1), (-3, 0), (4, 0), (4, 1)]


def server_grid(page: Page) -> dict[int, tuple[int, int]]:
    draft = page.evaluate("fetch('/api/draft').then(r => r.json())")
    return {int(n): (v, r) for n, (v, r) in draft["state"]["grid"].items()}


def test_offline_reload_restores_the_sort_and_syncs_later(
    page: Page, live_server: LiveServer
) -> None:
    join(page, live_server)
    presort_all(page)
    for value, row in SLOTS[:3]:
        place_on_slot(page, value, row)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    wait_for_offline_shell(page)
    before = screen_sort(page)
    assert len(before) == 3

    page.context.set_offline(True)
    place_on_slot(page, *SLOTS[3])  # a change that never reached the server
    expect(page.locator("#save-status")).to_have_attribute("data-state", "offline")
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    # the page came from the service worker's shell, restored from the device's copy
    assert page.evaluate("document.body.dataset.source") == "device"
    expect(page.locator("#stage-sort")).to_be_visible()
    after_reload = screen_sort(page)
    assert len(after_reload) == 4
    assert {n: after_reload[n] for n in before} == before
    place_on_slot(page, *SLOTS[4])
    offline_view = screen_sort(page)
    assert len(offline_view) == 5

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=20000)
    assert server_grid(page) == offline_view


def test_thanks_leaves_no_participant_data_on_the_device(
    page: Page, live_server: LiveServer
) -> None:
    join(page, live_server)
    wait_for_offline_shell(page)
    submit_valid_sort(page, "offline-test-key")
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    page.click("#postsort-next")
    page.check("input[name=group][value=service_user]")
    page.fill("#survey-form textarea >> nth=0", "something private")
    page.click("#finish")
    page.wait_for_url("**/thanks/DEMO")
    page.wait_for_selector("body[data-clean=done]")
    kept = page.evaluate("""async () => {
      const out = {storage: Object.keys(localStorage), session: Object.keys(sessionStorage),
                   caches: {}};
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        out.caches[name] = (await cache.keys()).map(r => new URL(r.url).pathname);
      }
      return out;
    }""")
    assert kept["storage"] == [] and kept["session"] == []
    assert "qsort-shell" not in kept["caches"]
    for urls in kept["caches"].values():
        assert all(u.startswith("/static/") for u in urls), urls
    # offline, the sort page no longer opens on this device
    page.click("#back-to-start")
    page.context.set_offline(True)
    with pytest.raises(Exception, match="ERR_"):
        page.goto(live_server.url + "/p")
    page.context.set_offline(False)


def test_a_save_that_races_the_finish_does_not_send_the_participant_back(
    page: Page, live_server: LiveServer
) -> None:
    """A draft save in flight when the participant finishes comes back 401 (the finished
    participant's token is gone); the page still goes to the thanks page and keeps nothing."""
    join(page, live_server)
    submit_valid_sort(page, "race-test-key")
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    page.click("#postsort-next")
    page.check("input[name=group][value=service_user]")
    held: list[Route] = []
    page.route("**/api/draft", lambda route: held.append(route))
    with page.expect_request("**/api/draft"):  # held: its answer comes only after the finish
        page.fill("#survey-form textarea >> nth=0", "typed just before finishing")

    def finish_after_the_save_fails(route: Route) -> None:
        answer = route.fetch()  # the server finishes the participant and revokes the token
        for save in held:
            save.fulfill(status=401, json={"detail": "This link has expired."})
        route.fulfill(response=answer)

    page.route("**/api/finish", finish_after_the_save_fails)
    page.click("#finish")
    page.wait_for_url("**/thanks/DEMO")
    page.wait_for_selector("body[data-clean=done]")
    assert page.evaluate("() => Object.keys(localStorage)") == []
