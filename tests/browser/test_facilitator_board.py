"""The live board in Chromium while a participant sorts on a second browser: rows appear and
move without a reload, a help request shows until answered, and clearing a tablet from the
board leaves the next person an empty start page. Served by the preview routes until the staff
routes land; the event stream is the real one (``board_events``), polling the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session, select

from app.demo import DEMO_SLUG
from app.models import Participant, SortSession, Study
from app.services import help_requests
from app.services.group_sessions import open_group_session

from .conftest import LiveServer
from .facilitator_preview import add_preview_routes
from .helpers import place_on_slot, presort_all
from .test_accessibility import serious_violations
from .test_facilitator_pages import shots  # noqa: F401  (the screenshot folder fixture)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def group(live_server: LiveServer) -> SortSession:
    add_preview_routes(live_server.app)
    with Session(live_server.app.state.engine, expire_on_commit=False) as db:
        study = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).one()
        assert study.id is not None
        return open_group_session(
            db, study.id, group_label="Service users", seat_names=["Tablet 1", "Tablet 2"]
        )


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
    group: SortSession,
    shots: Path,  # noqa: F811
) -> None:
    assert group.id is not None
    board.goto(f"{live_server.url}/_preview/board/{group.id}")
    expect(board.locator("#live-status")).to_have_text("● Live")
    expect(board.locator("#board-empty")).to_be_visible()
    # a participant joins on the tablet and starts: the board shows it without a reload
    page.goto(f"{live_server.url}/j/{group.code}")
    page.click("button[value=accept]")
    page.wait_for_function("window.qsortReady === true")
    row = board.locator("#board-rows tr")
    expect(row).to_have_count(1)
    presort_all(page)
    expect(row.locator(".step")).to_have_text("Placing cards")
    place_on_slot(page, 4, 0)
    place_on_slot(page, 4, 1)
    expect(row.locator(".cards")).to_have_text("2 of 34")
    expect(board.locator("#board-counts")).to_have_text("1 joined · 0 finished")
    # the participant asks for help (their button comes later; the service is what it calls)
    with Session(live_server.app.state.engine) as db:
        asked = _participant(live_server, group.id)
        help_requests.ask_for_help(db, asked)
    expect(row).to_have_class("needs-help")
    expect(board.locator("#board-counts")).to_have_text(
        "1 joined · 0 finished · 1 waiting for help"
    )
    assert serious_violations(board) == []
    board.screenshot(path=str(shots / "board-1920x1080.png"))
    row.locator("button[data-action=answer]").click()
    expect(board.locator("#board-rows tr.needs-help")).to_have_count(0)
    expect(board.locator("#live-status")).to_have_text("● Live")
    # the participant walks away; the facilitator clears the tablet (two steps)
    clear = board.locator("#board-rows tr button[data-action=clear]")
    clear.click()
    expect(clear).to_have_text(f"Confirm: clear {asked.label}'s tablet")
    clear.click()
    expect(board.locator("#board-rows tr .step")).to_have_text("Tablet cleared")
    # the next person picks the tablet up: an empty start page, no way into the first sort
    page.goto(f"{live_server.url}/")
    expect(page.locator("#code")).to_be_visible()
    expect(page.get_by_text("Continue where you left off")).to_have_count(0)
    page.goto(f"{live_server.url}/p")
    expect(page).to_have_url(f"{live_server.url}/")


def test_the_join_screen_shows_the_code_and_its_qr_code(
    board: Page,
    live_server: LiveServer,
    group: SortSession,
    shots: Path,  # noqa: F811
) -> None:
    assert group.id is not None
    board.goto(f"{live_server.url}/_preview/join/{group.id}")
    expect(board.locator(".join-code")).to_have_text(group.code)
    expect(board.locator(".join-qr svg")).to_have_count(1)
    expect(board.locator(".seat-links li")).to_have_count(2)
    expect(board.locator(".seat-links")).to_contain_text(f"/j/{group.code}?seat=2")
    box = board.locator(".join-qr svg").bounding_box()
    assert box is not None and box["width"] > 400  # large enough to scan across a room
    assert serious_violations(board) == []
    board.screenshot(path=str(shots / "join-screen-1920x1080.png"))
