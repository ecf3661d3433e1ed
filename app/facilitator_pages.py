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
from app.errors import InvalidSubmissionError, NotFoundError
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
    entry_id: int | None = None,
    fields: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The paper-entry form of a session: its grid, what was typed, problems and differences.

    With ``entry_id`` (and no ``outcome``) the form continues that entry. The form's ``typing``
    follows from the entry (:func:`next_typing`); ``fields`` echoes the label and the double
    entry box after a refused first typing. ``pending`` lists the entries still to be typed
    again or agreed.
    """
    session = get_session(db, session_id)
    if outcome is None and entry_id is not None:
        outcome = entry_in_session(db, session_id, entry_id)
    if outcome is not None and outcome.recorded and not problems:
        typed = None  # the next sheet starts from an empty form
    typing = next_typing(outcome)
    typings = _typings(outcome) if typing == "correct" else {}
    if typings and not typed:
        typed = {int(v): text for v, text in typings["second"].items()}  # the default choice
    sheet = printing.record_sheet(db, session_id)
    study = store.get_study(db, session.study_id)
    assert study is not None and study.current_qset_id is not None
    cards = store.statements(db, study.current_qset_id)
    return {
        "session": session,
        "sheet": sheet,
        "action": action,
        "typing": typing,
        "entry_id": None if outcome is None or outcome.recorded else outcome.entry.id,
        "typed": typed or {},
        "fields": fields or {},
        "problems": problem_messages(problems or []),
        "outcome": outcome,
        "pending": paper_entry.pending(db, session_id),
        "config": {
            "values": [c.value for c in sheet.columns],
            "capacities": [c.capacity for c in sheet.columns],
            "forced": bool(sheet.columns) and _forced(db, study.current_grid_id),
            "statements": {str(s.number): s.text for s in cards},
            "strings": Catalogue().subset("problem.paper_"),
            "typings": typings,
        },
    }


def _typings(outcome: EntryOutcome | None) -> dict[str, dict[str, str]]:
    """Both typings of an entry as the form's text (column value -> "12 5 7"), to correct one."""
    if outcome is None:
        return {}
    entry = outcome.entry
    return {
        name: {str(v): " ".join(map(str, ns)) for v, ns in paper_entry.columns_of(stored).items()}
        for name, stored in (("first", entry.first), ("second", entry.second))
    }


def next_typing(outcome: EntryOutcome | None) -> str:
    """What the form asks for next: ``"first"``, ``"second"`` or ``"correct"``."""
    if outcome is None or outcome.recorded:
        return "first"
    return "second" if outcome.entry.second is None else "correct"


def entry_in_session(db: Session, session_id: int, entry_id: int) -> EntryOutcome:
    """Where an entry stands, refusing an entry of another session (:class:`NotFoundError`)."""
    outcome = paper_entry.outcome_of(db, entry_id)
    if outcome.entry.session_id != session_id:
        raise NotFoundError(f"no paper entry {entry_id} in session {session_id}")
    return outcome


def save_typing(
    db: Session, session_id: int, form: dict[str, str], *, action: str, by: int | None = None
) -> dict[str, Any]:
    """Handle a posted paper-entry form (a route calls this); return the page's context.

    The form's ``typing`` says what it is: a first typing (with ``label`` and
    ``double_entry``), the ``second`` typing of ``entry``, or a ``correct``-ion of the typing
    named by ``which``. A refused typing stores nothing and comes back as typed.
    """
    typing = form.get("typing", "first")
    entry_id = int(form["entry"]) if form.get("entry", "").isdigit() else None
    typed, columns, problems = read_typing(db, session_id, form)
    outcome: EntryOutcome | None = None
    if not problems:
        try:
            outcome = _store_typing(db, session_id, typing, entry_id, columns, form, by)
        except InvalidSubmissionError as error:
            problems = error.problems
    if problems:
        fields = {k: form.get(k, "") for k in ("label", "double_entry")}
        return paper_entry_context(
            db,
            session_id,
            action=action,
            typed=typed,
            problems=problems,
            entry_id=entry_id,
            fields=fields,
        )
    return paper_entry_context(db, session_id, action=action, outcome=outcome)


def _store_typing(
    db: Session,
    session_id: int,
    typing: str,
    entry_id: int | None,
    columns: paper_entry.Columns,
    form: dict[str, str],
    by: int | None,
) -> EntryOutcome:
    if typing == "first" or entry_id is None:
        label = form.get("label", "").strip() or None
        double = form.get("double_entry") == "1"
        return paper_entry.start_entry(
            db, session_id, columns, label=label, by=by, double_entry=double
        )
    entry_in_session(db, session_id, entry_id)
    if typing == "second":
        return paper_entry.enter_again(db, entry_id, columns, by=by)
    which: paper_entry.Typing = "first" if form.get("which") == "first" else "second"
    return paper_entry.correct(db, entry_id, which, columns, by=by)


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
