"""Privacy on a shared tablet: past the study's idle limit the sort asks for the resume code.

The page's own clock is Playwright's fake clock (``page.clock``), and the server's idea of the
last activity is set in the database, so no test waits ten real minutes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from app.models import Participant, utcnow

from .conftest import LiveServer
from .helpers import (
    first_tray_card,
    join,
    page_config,
    participant_row,
    presort_all,
    screen_sort,
)
from .test_devices import _device

pytestmark = pytest.mark.browser


@pytest.fixture()
def tablet_1024(browser: Browser) -> Iterator[Page]:
    """A 10-inch tablet in landscape, 1024x768."""
    yield from _device(browser, 1024, 768)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _idle_for(server: LiveServer, page: Page, minutes: float) -> None:
    """Make the server believe the device was last used ``minutes`` ago.

    The page's own saves stamp the device as in use, so they must be done first: a save still
    on its way would undo the backdating.
    """
    page.wait_for_function("() => document.getElementById('save-status').dataset.state === 'saved'")
    participant = participant_row(server, page)
    with Session(server.app.state.engine) as db:
        row = db.get(Participant, participant.id)
        assert row is not None
        row.active_at = utcnow() - timedelta(minutes=minutes)
        db.add(row)
        db.commit()


def _place_one(page: Page, value: int, row: int) -> None:
    page.tap(first_tray_card(page))
    page.tap(f'.cell[data-value="{value}"][data-row="{row}"] .slot')


def test_open_page_locks_after_the_idle_limit_and_not_before(
    tablet_1024: Page, live_server: LiveServer
) -> None:
    page = tablet_1024
    page.clock.install()
    join(page, live_server)
    code = page_config(page)["participant"]["resumeCode"]
    assert len(code) == 6 and code.isdigit()
    # the code is shown to the participant at the start and on the sort page
    expect(page.locator("#resume-note")).to_contain_text(f"{code[:3]} {code[3:]}")
    presort_all(page)
    expect(page.locator("#resume-note")).to_be_visible()
    _place_one(page, -4, 0)
    # nine minutes later (the limit is ten) the next touch still works as before
    page.clock.fast_forward("09:00")
    _place_one(page, -4, 1)
    expect(page.locator("#lock")).to_be_hidden()
    assert len(screen_sort(page)) == 2
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    before = screen_sort(page)
    # ten and a half minutes after the last touch the page hides the sort and asks
    page.clock.fast_forward("10:30")
    expect(page.locator("#lock")).to_be_visible()
    for hidden in ("#stage-sort", "#resume-note", "#condition"):
        expect(page.locator(hidden)).to_be_hidden()
    # a wrong code reveals nothing
    page.fill("#lock-code", _wrong(code))
    page.click("#lock-form button[type=submit]")
    expect(page.locator("#lock-error")).to_contain_text("not the right code")
    expect(page.locator("#stage-sort")).to_be_hidden()
    # the right code opens the sort again, exactly as it was
    page.fill("#lock-code", f"{code[:3]} {code[3:]}")
    page.click("#lock-form button[type=submit]")
    expect(page.locator("#lock")).to_be_hidden()
    expect(page.locator("#stage-sort")).to_be_visible()
    assert screen_sort(page) == before


def test_a_touch_after_the_limit_locks_instead_of_moving_a_card(
    tablet_1024: Page, live_server: LiveServer
) -> None:
    page = tablet_1024
    page.clock.install()
    join(page, live_server)
    presort_all(page)
    _place_one(page, -4, 0)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    card = first_tray_card(page)
    # eleven minutes pass with no timer run: no periodic check; the touch itself must lock
    page.clock.set_system_time(page.evaluate("Date.now()") + 11 * 60_000)
    page.tap(card)
    expect(page.locator("#lock")).to_be_visible()
    expect(page.locator("#reader")).to_be_hidden()
    assert page.locator(".card[aria-pressed=true]").count() == 0


def test_reload_after_the_limit_asks_for_the_code_and_not_before(
    page: Page, live_server: LiveServer
) -> None:
    join(page, live_server)
    code = page_config(page)["participant"]["resumeCode"]
    presort_all(page)
    _place_one(page, -4, 0)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")
    before = screen_sort(page)
    # within the limit: the sort page comes back at once
    _idle_for(live_server, page, 9)
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    assert screen_sort(page) == before
    # past the limit: the resume page, with nothing of the sort in it
    _idle_for(live_server, page, 11)
    page.goto(live_server.url + "/")
    page.click("text=Continue where you left off")
    expect(page.locator("h1")).to_have_text("Welcome back")
    assert page.locator("#qsort-config, .card").count() == 0
    assert code not in page.content()
    draft = page.evaluate("fetch('/api/draft').then(r => r.status)")
    assert draft == 423
    page.fill("#resume-code", _wrong(code))
    page.click("button[type=submit]")
    expect(page.locator("#resume-error")).to_contain_text("not the right code")
    assert page.locator("#qsort-config").count() == 0
    page.fill("#resume-code", code)
    page.click("button[type=submit]")
    page.wait_for_function("() => window.qsortReady === true")
    assert screen_sort(page) == before


def test_repeated_wrong_codes_are_slowed_down(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    code = page_config(page)["participant"]["resumeCode"]
    _idle_for(live_server, page, 30)
    page.reload()
    for _ in range(3):
        page.fill("#resume-code", _wrong(code))
        page.click("button[type=submit]")
        expect(page.locator("#resume-error")).to_contain_text("not the right code")
    expect(page.locator("#resume-error")).to_contain_text("wait 5 seconds")
    # even the right code must wait now
    page.fill("#resume-code", code)
    page.click("button[type=submit]")
    expect(page.locator("#resume-error")).to_contain_text("Too many tries")
    assert page.locator("#qsort-config").count() == 0
