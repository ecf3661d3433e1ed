"""What the facilitator's pages show, gathered from the services (kept out of the routes).

Each function returns a template's context; a route (wired once staff accounts exist) checks the
user's right to the study, calls one of these and renders the named template with
:func:`render_staff`. The pages are ``templates/facilitator/``: the paper-entry form, the print
pages (``print_*.html``, laid out with print CSS) and the discussion view for the room's screen.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app import store
from app.errorpages import problem_message
from app.i18n import Catalogue
from app.services import paper_entry, printing
from app.services.board import board_payload, board_state
from app.services.discussion import discussion
from app.services.group_sessions import get_session, qr_svg
from app.services.paper_entry import EntryOutcome
from app.services.seats import join_link, seat_count
from app.services.submit import Problem

DECK_PER_PAGE = 10
DECK_COLUMNS = 2


def render_staff(
    request: Request, templates: Jinja2Templates, name: str, status: int = 200, **context: Any
) -> Response:
    """Render a staff page (English catalogue for the shared layout); never cached."""
    t = Catalogue()
    page = {"t": t, "lang": t.language, **context}
    response = templates.TemplateResponse(request, name, page, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def problem_messages(problems: list[Problem]) -> list[str]:
    """Each problem as a sentence naming its column and number."""
    t = Catalogue()
    return [problem_message(t, p) for p in problems]


def paper_entry_context(
    db: Session,
    session_id: int,
    *,
    action: str,
    typed: dict[int, str] | None = None,
    problems: list[Problem] | None = None,
    outcome: EntryOutcome | None = None,
    typing: str = "first",
) -> dict[str, Any]:
    """The paper-entry form of a session: its grid, what was typed, problems and differences.

    ``typing`` is ``"first"`` (a new sheet), ``"second"`` (the check typing of a double entry)
    or ``"correct_first"``/``"correct_second"`` after differences were found.
    """
    session = get_session(db, session_id)
    sheet = printing.record_sheet(db, session_id)
    study = store.get_study(db, session.study_id)
    assert study is not None and study.current_qset_id is not None
    cards = store.statements(db, study.current_qset_id)
    t = Catalogue()
    return {
        "session": session,
        "sheet": sheet,
        "action": action,
        "typing": typing,
        "typed": typed or {},
        "problems": problem_messages(problems or []),
        "outcome": outcome,
        "config": {
            "values": [c.value for c in sheet.columns],
            "capacities": [c.capacity for c in sheet.columns],
            "forced": bool(sheet.columns) and _forced(db, study.current_grid_id),
            "statements": {str(s.number): s.text for s in cards},
            "strings": t.subset("problem.paper_"),
        },
    }


def _forced(db: Session, grid_id: int | None) -> bool:
    grid = store.get_grid(db, grid_id) if grid_id is not None else None
    return bool(grid is not None and grid.forced)


def join_screen_context(db: Session, session_id: int, base_url: str) -> dict[str, Any]:
    """The room's join screen: the code, its link and QR code, and one link per seat.

    ``base_url`` is the address tablets reach the app at (one of the addresses ``qsort serve``
    prints, not ``127.0.0.1``). The QR codes are drawn here as SVG; nothing leaves the machine.
    """
    session = get_session(db, session_id)
    study = store.get_study(db, session.study_id)
    link = join_link(base_url, session.code)
    seats = [
        {
            "number": n,
            "name": printing.seat_label(session, n),
            "link": join_link(base_url, session.code, n),
            "qr": Markup(qr_svg(join_link(base_url, session.code, n), f"Seat {n}")),
        }
        for n in range(1, seat_count(session) + 1)
    ]
    qr = Markup(qr_svg(link, f"Join link for session {session.code}"))
    return {"session": session, "study": study, "link": link, "qr": qr, "seats": seats}


#: What the board calls each step (see :data:`app.services.board.STEPS`).
STEP_NAMES = {
    "joined": "Joined",
    "instructions": "Reading the instructions",
    "presort": "Three piles",
    "sort": "Placing cards",
    "postsort": "Saying why",
    "survey": "Last questions",
    "paper_entry": "Paper sort, being typed in",
    "finished": "Finished",
    "cleared": "Tablet cleared",
}


def board_context(db: Session, session_id: int, urls: dict[str, str]) -> dict[str, Any]:
    """The live board: the state now, and where the page gets updates and sends actions.

    ``urls`` holds ``events`` (the server-sent events stream), ``clear`` and ``answer`` (POST
    targets with ``{participant}`` and ``{help}`` placeholders) and may hold ``csrf`` (the token
    the page puts in its forms).
    """
    session = get_session(db, session_id)
    study = store.get_study(db, session.study_id)
    payload = board_payload(board_state(db, session_id))
    config = {"board": payload, "urls": urls, "steps": STEP_NAMES}
    return {"session": session, "study": study, "config": config}


def deck_context(db: Session, study_id: int) -> dict[str, Any]:
    """The deck's print page: pages of ten fronts, each followed by its mirrored backs."""
    study, cards = printing.deck(db, study_id)
    pages = []
    for start in range(0, len(cards), DECK_PER_PAGE):
        fronts: list[printing.Card | None] = list(cards[start : start + DECK_PER_PAGE])
        fronts += [None] * (DECK_PER_PAGE - len(fronts))
        rows = [fronts[i : i + DECK_COLUMNS] for i in range(0, DECK_PER_PAGE, DECK_COLUMNS)]
        backs = [card for row in rows for card in reversed(row)]
        pages.append({"fronts": fronts, "backs": backs})
    return {"study": study, "pages": pages, "count": len(cards)}


def grid_context(db: Session, study_id: int, paper: str) -> dict[str, Any]:
    """The empty grid's print page at ``paper`` (``"A4"`` or ``"A3"``, landscape)."""
    return {"sheet": printing.grid_sheet(db, study_id), "paper": "A3" if paper == "A3" else "A4"}


def record_context(db: Session, session_id: int) -> dict[str, Any]:
    """The record sheet's print page."""
    return {"sheet": printing.record_sheet(db, session_id)}


def interview_context(db: Session, session_id: int) -> dict[str, Any]:
    """The post-sort interview sheets of a session's finished participants."""
    session = get_session(db, session_id)
    study = store.get_study(db, session.study_id)
    return {"study": study, "session": session, "sheets": printing.interview_sheets(db, session_id)}


def discussion_context(db: Session, session_id: int) -> dict[str, Any]:
    """The discussion view for the room's screen (aggregates only; see services.discussion)."""
    session = get_session(db, session_id)
    study = store.get_study(db, session.study_id)
    assert study is not None and study.current_grid_id is not None
    grid = store.get_grid(db, study.current_grid_id)
    assert grid is not None
    lo, hi = min(grid.column_values), max(grid.column_values)
    result = discussion(db, session_id)
    return {"study": study, "session": session, "result": result, "lo": lo, "hi": hi}


def typed_from_form(values: list[int], form: dict[str, str]) -> dict[int, str]:
    """What was typed in each column's field (``col_-4``, ``col_0``, ``col_4``, ...)."""
    return {value: form.get(f"col_{value}", "") for value in values}


def read_typing(
    db: Session, session_id: int, form: dict[str, str]
) -> tuple[dict[int, str], paper_entry.Columns, list[Problem]]:
    """A posted paper-entry form as typed text, columns of numbers and reading problems."""
    sheet = printing.record_sheet(db, session_id)
    typed = typed_from_form([c.value for c in sheet.columns], form)
    grid = store.get_grid(db, _grid_id(db, session_id))
    assert grid is not None
    columns, problems = paper_entry.columns_from_text(grid, typed)
    return typed, columns, problems


def _grid_id(db: Session, session_id: int) -> int:
    study = store.get_study(db, get_session(db, session_id).study_id)
    assert study is not None and study.current_grid_id is not None
    return study.current_grid_id
