"""Steps shared by the browser tests: join, pre-sort, place cards, read the stored sort."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import CDPSession, Page
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


def page_config(page: Page) -> dict[str, Any]:
    """The sort page's embedded configuration."""
    config: dict[str, Any] = page.evaluate(
        "JSON.parse(document.getElementById('qsort-config').textContent)"
    )
    return config


def join_code(page: Page, server: LiveServer, code: str) -> None:
    """Join the study behind ``code`` straight from its consent page."""
    page.goto(f"{server.url}/j/{code}")
    page.click("button[value=accept]")
    page.wait_for_function("() => window.qsortReady === true")


_FILL_BOARD = """async () => {
  const cfg = JSON.parse(document.getElementById('qsort-config').textContent);
  const draft = await (await fetch('/api/draft')).json();
  const state = draft.state;
  const slots = [];
  cfg.grid.values.forEach((v, i) => {
    for (let r = 0; r < cfg.grid.capacities[i]; r++) slots.push([v, r]);
  });
  state.grid = {};
  state.order.forEach((n, i) => { state.grid[n] = slots[i]; });
  state.stage = 'sort';
  state.changedAt = Date.now() + 1000;
  const res = await fetch('/api/draft', {method: 'PUT',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({revision: draft.revision, state})});
  return res.status;
}"""


def fill_board(page: Page) -> None:
    """Put every card on the board through the draft API (the order the cards were dealt in),
    then reload: the page shows the full board from the server's draft."""
    page.wait_for_function("() => document.getElementById('save-status').dataset.state === 'saved'")
    assert page.evaluate(_FILL_BOARD) == 200
    page.evaluate("localStorage.clear()")
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")


def participant_row(server: LiveServer, page: Page) -> Participant:
    """The participant whose sort page is open (found by the public id in its storage key)."""
    public_id = page_config(page)["participant"]["storageKey"].split(":", 1)[1]
    with Session(server.app.state.engine) as db:
        return db.exec(select(Participant).where(Participant.public_id == public_id)).one()


# ---------- a finger on the screen (CDP touch events) ----------

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


def touch(cdp: CDPSession, kind: str, x: float = 0, y: float = 0) -> None:
    """One CDP touch event: a finger down, moved to (x, y), or lifted."""
    points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def centre(page: Page, selector: str) -> tuple[float, float]:
    """The middle of the element, in the viewport as scrolled now."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


# The element's middle lies between the auto-scroll bands (board.js: 12 % of the height, 56 to
# 120 px, the bottom one above the dock): a finger resting there does not scroll the page.
CLEAR_OF_EDGES = """(sel) => {
  const r = document.querySelector(sel).getBoundingClientRect();
  const band = Math.min(Math.max(innerHeight * 0.12, 56), 120);
  const dock = document.getElementById('dock');
  const y = r.top + r.height / 2;
  return y > band && y < innerHeight - (dock ? dock.offsetHeight : 0) - band;
}"""


def drag_below_the_fold(page: Page, source: str, target: str, check_below: bool = True) -> None:
    """Finger drag from ``source`` to ``target``, which starts out of sight below (checked
    unless ``check_below`` is false).

    The finger goes down to the bottom edge and rests there while the page scrolls by itself,
    then moves onto the target and lets go.
    """
    cdp = page.context.new_cdp_session(page)
    page.evaluate("window.scrollTo(0, 0)")
    if check_below:
        assert not page.evaluate(IN_VIEW, target), "the target should start below the fold"
    height = page.evaluate("window.innerHeight")
    x0, y0 = centre(page, source)
    edge = height - 12
    touch(cdp, "touchStart", x0, y0)
    for i in range(1, 9):
        touch(cdp, "touchMove", x0, y0 + (edge - y0) * i / 8)
    # the finger rests at the edge: the page keeps scrolling, the card stays under the finger
    page.wait_for_function("() => window.scrollY > 0")
    page.wait_for_function(GHOST_UNDER, arg=[x0, edge])
    page.wait_for_function(REACHED, arg=target, timeout=15000)
    assert page.evaluate(GHOST_UNDER, [x0, edge])
    # out of the edge band to the middle of the screen: wait until the page has stopped
    # scrolling (the auto-scroll loop says so), then read where the target is and let go there
    middle = height / 2
    touch(cdp, "touchMove", x0, middle)
    page.wait_for_function("() => document.body.dataset.autoscroll === 'off'")
    x1, y1 = centre(page, target)
    for i in range(1, 5):
        touch(cdp, "touchMove", x0 + (x1 - x0) * i / 4, middle + (y1 - middle) * i / 4)
    touch(cdp, "touchEnd")
    cdp.detach()


def touch_drag(page: Page, cdp: CDPSession, source: str, target: str) -> None:
    """Drag with a finger from ``source`` to ``target``: a few moves, then lift over it.

    From the top of the page when the target's middle is in view there, clear of the edge
    bands that scroll the page; any other target is reached the way a participant does it,
    resting at the bottom edge while the page scrolls (:func:`drag_below_the_fold`). So the
    page never scrolls under a finger that is about to let go.
    """
    page.evaluate("window.scrollTo(0, 0)")
    if not page.evaluate(CLEAR_OF_EDGES, target):
        drag_below_the_fold(page, source, target, check_below=False)
        return
    x0, y0 = centre(page, source)
    x1, y1 = centre(page, target)
    touch(cdp, "touchStart", x0, y0)
    for i in range(1, 6):
        touch(cdp, "touchMove", x0 + (x1 - x0) * i / 5, y0 + (y1 - y0) * i / 5)
    touch(cdp, "touchEnd")
