"""Steps shared by the browser tests: join, pre-sort, place cards, read the stored sort."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page
from sqlmodel import Session, select

from app.models import Participant, QSortRecord, SortEntry, Statement

from .conftest import LiveServer


def join(page: Page, server: LiveServer) -> None:
    """From the start page to the instructions: type the code, accept the consent."""
    page.goto(server.url + "/")
    page.fill("#code", "demo")
    page.click("button[type=submit]")
    page.click("button[value=accept]")
    page.wait_for_function("() => window.qsortReady === true")  # a function: CSP forbids eval


def presort_all(page: Page) -> None:
    """Instructions, then every card into a pile (cycling agree / neutral / disagree)."""
    page.click("#start-presort")
    piles = ["agree", "neutral", "disagree"]
    i = 0
    while page.is_enabled("[data-pile=agree]"):
        page.click(f"[data-pile={piles[i % 3]}]")
        i += 1
    page.click("#presort-done")


def grid_shape(page: Page) -> list[tuple[int, int]]:
    """(value, row) of every cell on the board, in column order."""
    cells = page.eval_on_selector_all(
        ".cell", "els => els.map(e => [Number(e.dataset.value), Number(e.dataset.row)])"
    )
    return [(int(v), int(r)) for v, r in cells]


def screen_sort(page: Page) -> dict[int, tuple[int, int]]:
    """Statement number -> (value, row) as shown on screen."""
    found = page.eval_on_selector_all(
        ".cell .card",
        "els => els.map(e => [Number(e.dataset.n), Number(e.closest('.cell').dataset.value),"
        " Number(e.closest('.cell').dataset.row)])",
    )
    return {int(n): (int(v), int(r)) for n, v, r in found}


def stored_sorts(server: LiveServer) -> list[dict[int, tuple[int, int]]]:
    """Every recorded sort as statement number -> (value, row)."""
    out: list[dict[int, tuple[int, int]]] = []
    with Session(server.app.state.engine) as db:
        for record in db.exec(select(QSortRecord).order_by(QSortRecord.id)):  # type: ignore[arg-type]
            number = {s.id: s.number for s in db.exec(select(Statement))}
            entries = db.exec(select(SortEntry).where(SortEntry.qsort_id == record.id))
            out.append({number[e.statement_id]: (e.value, e.row) for e in entries})
    return out


def participants(server: LiveServer) -> list[Any]:
    with Session(server.app.state.engine) as db:
        return list(db.exec(select(Participant)))


def first_tray_card(page: Page) -> str:
    """Selector of the first card still in the tray, switching pile if this one is empty."""
    for pile in ("agree", "neutral", "disagree"):
        if page.locator(".tray-cards .card").count():
            break
        page.click(f"[data-pile-tab={pile}]")
    n = page.get_attribute(".tray-cards .card", "data-n")
    return f'.card[data-n="{n}"]'


def wait_for_offline_shell(page: Page) -> None:
    """Wait until the service worker controls the page and the offline shell is kept."""
    page.wait_for_function(
        "() => navigator.serviceWorker.controller !== null && caches.has('qsort-shell')",
        polling=100,
    )
    page.wait_for_function(
        "() => caches.open('qsort-shell').then(c => c.match('/p/shell'))"
        ".then(r => r !== undefined)",
        polling=100,
    )


def place_on_slot(page: Page, value: int, row: int) -> None:
    """Tap the first card left in the tray, then the empty place (value, row)."""
    page.tap(first_tray_card(page))
    page.tap(f'.cell[data-value="{value}"][data-row="{row}"] .slot')


_SUBMIT_A_VALID_SORT = """async (key) => {
  const cfg = JSON.parse(document.getElementById('qsort-config').textContent);
  const slots = [];
  cfg.grid.values.forEach((v, i) => {
    for (let r = 0; r < cfg.grid.capacities[i]; r++) slots.push([v, r]);
  });
  const placements = cfg.statements.map(
    (s, i) => ({statement: s.n, value: slots[i][0], row: slots[i][1]}));
  await fetch('/api/sort', {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({key, qset_id: cfg.qsetId, grid_id: cfg.gridId, placements})});
}"""


def submit_valid_sort(page: Page, key: str) -> None:
    """Post a sort that fills the grid in statement order, straight to the API (skips the UI)."""
    page.evaluate(_SUBMIT_A_VALID_SORT, key)
