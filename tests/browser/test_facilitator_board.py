"""The live board in Chromium while a participant sorts on a second browser: the facilitator
signs in and opens a session, a tablet bound to its seat joins, rows appear and move without a
reload, the participant's help button shows on the board until answered, and clearing the
tablet from the board leaves the next person an empty start page with nothing kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from app.demo import DEMO_SLUG
from app.models import Participant, SortSession, Study
from app.services.group_sessions import open_group_session

from .conftest import LiveServer
from .helpers import place_on_slot, presort_all
from .staff_helpers import add_facilitator, sign_in
from .test_accessibility import serious_violations
from .test_facilitator_pages import shots  # noqa: F401  (the screenshot folder fixture)

pytestmark = pytest.mark.browser

KEPT_ON_DEVICE = """() => Object.keys(localStorage).filter((k) => k.startsWith("qsort:"))"""


@pytest.fixture(scope="module")
def study_id(live_server: LiveServer) -> int:
    with Session(live_server.app.state.engine) as db:
        study = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).one()
        assert study.id is not None
    add_facilitator(live_server, study.id)
    return study.id


@pytest.fixture()
def board(browser: Browser) -> Iterator[Page]:
    """The facilitator's laptop on the room's screen."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def _open_session(board: Page, server: LiveServer, study_id: int) -> SortSession:
    """Sign in, open the study, open a session for a group on two named tablets."""
    sign_in(board, server)
    board.click(f"a[href='/f/studies/{study_id}']")
    board.fill("#group_label", "Service users")
    board.fill("#seat_names", "Tablet 1\nTablet 2")
    board.click("text=Open the session")
    expect(board.locator("#live-status")).to_have_text("● Live")
    session_id = int(board.url.rsplit("/", 1)[1])
    with Session(server.app.state.engine) as db:
        session = db.get(SortSession, session_id)
        assert session is not None
        return session


def _participant(server: LiveServer, session_id: int) -> Participant:
    with Session(server.app.state.engine, expire_on_commit=False) as db:
        query = select(Participant).where(
            Participant.session_id == session_id,
            Participant.revoked_at == None,  # noqa: E711
        )
        return db.exec(query).one()


def test_the_board_follows_a_sort_and_a_tablet_is_cleared_for_the_next_person(
    board: Page,
    page: Page,
    tablet: BrowserContext,
    live_server: LiveServer,
    study_id: int,
    shots: Path,  # noqa: F811
) -> None:
    group = _open_session(board, live_server, study_id)
    expect(board.locator("#board-empty")).to_be_visible()
    # the tablet is bound to its seat, then a participant joins on it and starts
    page.goto(f"{live_server.url}/j/{group.code}?seat=1")
    page.click("button[value=accept]")
    page.wait_for_function("() => window.qsortReady === true")
    row = board.locator("#board-rows tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Tablet 1")
    presort_all(page)
    expect(row.locator(".step")).to_have_text("Placing cards")
    place_on_slot(page, 4, 0)
    place_on_slot(page, 4, 1)
    expect(row.locator(".cards")).to_have_text("2 of 34")
    expect(board.locator("#board-counts")).to_have_text("1 joined · 0 finished")
    # the participant presses the help button: their page says so, the board shows it
    page.click("#help-btn")
    expect(page.locator("#help-status")).to_contain_text("Help is on its way")
    expect(page.locator("#help-btn")).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=str(shots / "tablet-help-asked.png"))
    expect(row).to_have_class("needs-help")
    expect(board.locator("#board-counts")).to_have_text(
        "1 joined · 0 finished · 1 waiting for help"
    )
    assert serious_violations(board) == []
    board.screenshot(path=str(shots / "board-1920x1080.png"))
    row.locator("button[data-action=answer]").click()
    expect(board.locator("#board-rows tr.needs-help")).to_have_count(0)
    expect(board.locator("#live-status")).to_have_text("● Live")
    # the participant walks away mid-sort; the facilitator clears the tablet (two steps)
    asked = _participant(live_server, group.id or 0)
    assert page.evaluate(KEPT_ON_DEVICE) != []  # their work is on the device until then
    clear = board.locator("#board-rows tr button[data-action=clear]")
    clear.click()
    expect(clear).to_have_text(f"Confirm: clear {asked.label}'s tablet")
    clear.click()
    expect(board.locator("#board-rows tr .step")).to_have_text("Tablet cleared")
    # the tablet notices when next woken (or at its next save) and goes to an empty start
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#cleared")).to_have_text("This tablet is ready for the next person.")
    expect(page.locator("body")).to_have_attribute("data-clean", "done")
    expect(page.get_by_text("Continue where you left off")).to_have_count(0)
    assert page.evaluate(KEPT_ON_DEVICE) == []
    page.goto(f"{live_server.url}/p")
    expect(page).to_have_url(f"{live_server.url}/")
    # the next person on the same tablet sits at the same seat and starts from nothing
    page.goto(f"{live_server.url}/j/{group.code}")
    page.click("button[value=accept]")
    page.wait_for_function("() => window.qsortReady === true")
    expect(page.locator("#stage-instructions")).to_be_visible()
    expect(board.locator("#board-rows tr")).to_have_count(2)
    expect(board.locator("#board-rows tr", has_text="Reading the instructions")).to_contain_text(
        "Tablet 1"
    )


def test_the_join_screen_shows_the_code_and_its_qr_code(
    board: Page,
    live_server: LiveServer,
    study_id: int,
    shots: Path,  # noqa: F811
) -> None:
    with Session(live_server.app.state.engine, expire_on_commit=False) as db:
        group = open_group_session(
            db, study_id, group_label="Workers", seat_names=["Tablet 1", "Tablet 2"]
        )
    sign_in(board, live_server, f"/f/sessions/{group.id}")
    board.click("text=Join screen")
    expect(board.locator(".join-code")).to_have_text(group.code)
    expect(board.locator(".join-qr svg")).to_have_count(1)
    expect(board.locator(".seat-links li")).to_have_count(2)
    expect(board.locator(".seat-links")).to_contain_text(f"/j/{group.code}?seat=2")
    box = board.locator(".join-qr svg").bounding_box()
    assert box is not None and box["width"] > 400  # large enough to scan across a room
    assert serious_violations(board) == []
    board.screenshot(path=str(shots / "join-screen-1920x1080.png"))
