"""The move trace: the stored trace of a sort equals the moves made, with how each was made."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.models import QSortRecord
from app.services import trace

from .conftest import LiveServer
from .helpers import first_tray_card, join, participant_row, touch_drag
from .test_sort_flow import CAPACITIES

pytestmark = pytest.mark.browser

Move = tuple[int, str, str, str, bool]


def _presort(page: Page, moves: list[Move], pile_of: dict[int, str]) -> None:
    """Sort every card into a pile: taps, one by keyboard, and an Undo."""
    page.click("#start-presort")

    def current() -> int:
        return int(page.text_content("#presort-card .num") or "0")

    n = current()
    page.click("[data-pile=agree]")
    moves.append((n, "deck", "pile:agree", "tap", False))
    n = current()
    page.focus("[data-pile=disagree]")
    page.keyboard.press("Enter")
    moves.append((n, "deck", "pile:disagree", "keyboard", False))
    n = current()
    page.click("[data-pile=neutral]")
    page.click("#presort-undo")
    moves += [(n, "deck", "pile:neutral", "tap", False), (n, "pile:neutral", "deck", "tap", True)]
    piles = ["agree", "neutral", "disagree"]
    i = 0
    while page.is_enabled("[data-pile=agree]"):
        n = current()
        page.click(f"[data-pile={piles[i % 3]}]")
        moves.append((n, "deck", f"pile:{piles[i % 3]}", "tap", False))
        i += 1
    for n_, _, to, _, undo in moves:
        if not undo and to.startswith("pile:"):
            pile_of[n_] = to[5:]
    page.click("#presort-done")


def _tray(page: Page) -> tuple[str, int]:
    card = first_tray_card(page)
    return card, int(page.get_attribute(card, "data-n") or "0")


def _cell(value: int, row: int) -> str:
    return f'.cell[data-value="{value}"][data-row="{row}"]'


def test_the_stored_trace_equals_the_moves_made(page: Page, live_server: LiveServer) -> None:
    moves: list[Move] = []
    pile_of: dict[int, str] = {}
    join(page, live_server)
    _presort(page, moves, pile_of)
    expect(page.locator("[data-pile-tab=agree]")).to_have_attribute("aria-pressed", "true")
    # by tap
    card, a = _tray(page)
    page.tap(card)
    page.tap(f"{_cell(-4, 0)} .slot")
    moves.append((a, f"pile:{pile_of[a]}", "grid:-4:0", "tap", False))
    # by drag
    card, b = _tray(page)
    cdp = page.context.new_cdp_session(page)
    touch_drag(page, cdp, card, _cell(4, 0))
    cdp.detach()
    moves.append((b, f"pile:{pile_of[b]}", "grid:4:0", "drag", False))
    # by keyboard
    card, c = _tray(page)
    page.locator(card).focus()
    page.keyboard.press("Enter")
    page.focus(f"{_cell(0, 0)} .slot")
    page.keyboard.press("Enter")
    moves.append((c, f"pile:{pile_of[c]}", "grid:0:0", "keyboard", False))
    # a swap by tap is two moves; Delete sends a card back
    page.tap(f'.card[data-n="{a}"]')
    page.tap(f'.card[data-n="{b}"]')
    moves += [
        (a, "grid:-4:0", "grid:4:0", "tap", False),
        (b, "grid:4:0", "grid:-4:0", "tap", False),
    ]
    page.focus(f'.card[data-n="{c}"]')
    page.keyboard.press("Delete")
    moves.append((c, "grid:0:0", f"pile:{pile_of[c]}", "keyboard", False))
    for value, cap in CAPACITIES.items():
        for row in range(cap):
            if page.locator(f"{_cell(value, row)} .card").count():
                continue
            card, n = _tray(page)
            page.tap(card)
            page.tap(f"{_cell(value, row)} .slot")
            moves.append((n, f"pile:{pile_of[n]}", f"grid:{value}:{row}", "tap", False))
    page.click("#submit-sort")
    expect(page.locator("#stage-postsort")).to_be_visible()

    participant = participant_row(live_server, page)
    stored = _stored_trace(live_server, participant.id)
    made = [(m["n"], m["from"], m["to"], m["by"], m["undo"]) for m in stored["moves"]]
    assert made == moves
    times = [m["t"] for m in stored["moves"]]
    assert times == sorted(times) and times[0] >= 0
    assert {"instructions", "presort", "sort"} <= set(stored["steps"])
    assert all(stored["steps"][s] > 0 for s in ("presort", "sort"))
    # the export rows of this participant are the same moves, in order
    with Session(live_server.app.state.engine) as db:
        rows = [
            r
            for r in trace.move_rows(db, participant.study_id)
            if r["participant"] == participant.label
        ]
    assert [(r["card"], r["from"], r["to"], r["by"], r["undo"]) for r in rows] == moves
    assert {r["qset_version"] for r in rows} == {1}

    # finishing adds the time spent on the post-sort steps
    page.click("#postsort-next")
    page.check("input[name=group][value=worker]")
    page.click("#finish")
    page.wait_for_url("**/thanks/DEMO")
    steps = _stored_trace(live_server, participant.id)["steps"]
    assert {"postsort", "survey"} <= set(steps)


def _stored_trace(server: LiveServer, participant_id: int | None) -> dict[str, Any]:
    with Session(server.app.state.engine) as db:
        record = db.exec(
            select(QSortRecord).where(QSortRecord.participant_id == participant_id)
        ).one()
        return dict(record.trace)
