"""The facilitator's pages: run a study's focus-group sessions (see docs/facilitator.md).

Every route needs a signed-in user with the right to run the study's sessions (a facilitator the
study is shared with, the study's owner and co-owners, any admin: ``access`` need ``"run"``);
a user with no right on the study is told it was not found. Every POST checks the CSRF token
(the router's dependency). Each route calls one service or page-context function and renders;
opening and closing a session, a paper entry and clearing a tablet go to the audit record.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session

from app import facilitator_pages as pages
from app.cli.network import LISTEN_HOST_ENV
from app.deps import CurrentUser, DbDep, csrf_protect
from app.errors import InvalidSubmissionError, NotFoundError
from app.models import SortSession, StaffUser, Study
from app.routes.researcher.pages import client_address, page, see_other
from app.security import csrf_token
from app.services import (
    access,
    audit,
    group_sessions,
    help_requests,
    pdf,
    printing,
    studies,
    tablets,
)
from app.services.board import board_events, board_payload, board_state
from app.services.group_sessions import qr_svg
from app.services.room import room_base_url
from app.services.seats import join_link

router = APIRouter(prefix="/f", dependencies=[Depends(csrf_protect)])

#: How often a board's event stream reads the database, in seconds.
POLL_SECONDS = 1.0
PAPERS = ("A4", "A3")


def _study(db: Session, user: StaffUser, study_id: int) -> Study:
    return access.study_for(db, user, study_id, "run")


def _session(db: Session, user: StaffUser, session_id: int) -> SortSession:
    """The session, if the user may run its study's sessions (404 or 403 otherwise)."""
    session = group_sessions.get_session(db, session_id)
    _study(db, user, session.study_id)
    return session


def _room_url(request: Request) -> str:
    listen_host = getattr(request.app.state, "listen_host", None) or os.environ.get(LISTEN_HOST_ENV)
    return room_base_url(str(request.base_url), listen_host)


def _audit(
    request: Request, db: Session, user: StaffUser, action: str, study_id: int, **what: str
) -> None:
    """Record a staff action in the audit record and commit it."""
    audit.record(db, user, action, study_id=study_id, address=client_address(request), **what)
    db.commit()


def _pdf(content: bytes, filename: str) -> Response:
    """A PDF download: an attachment, never cached (interview sheets hold people's words)."""
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(content, media_type="application/pdf", headers=headers)


# ---- studies and sessions -------------------------------------------------------------------


@router.get("")
def home(request: Request, db: DbDep, user: CurrentUser) -> Response:
    """The studies whose focus groups the user may run."""
    rows = [r for r in studies.rows_for(db, user) if access.may(db, user, r.id, "run")]
    return page(request, "facilitator/studies.html", user, rows=rows)


def _study_page(
    request: Request, db: Session, user: StaffUser, study: Study, status: int = 200, **extra: Any
) -> Response:
    assert study.id is not None
    sessions = group_sessions.sessions_of(db, study.id)
    return page(
        request, "facilitator/study.html", user, status, study=study, sessions=sessions, **extra
    )


@router.get("/studies/{study_id}")
def study_sessions(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """A study's sessions, the form to open one, and the printouts."""
    return _study_page(request, db, user, _study(db, user, study_id))


@router.post("/studies/{study_id}/sessions")
def open_session(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    group_label: Annotated[str, Form(max_length=200)] = "",
    seats: Annotated[str, Form(max_length=8)] = "",
    seat_names: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Open a session for one group; its board comes next."""
    study = _study(db, user, study_id)
    names = [line.strip() for line in seat_names.splitlines() if line.strip()]
    fields = {"group_label": group_label, "seats": seats, "seat_names": seat_names}
    if seats.strip() and not seats.strip().isdigit():
        return _study_page(
            request, db, user, study, 422, fields=fields, problems=["Seats: type a whole number."]
        )
    try:
        session = group_sessions.open_group_session(
            db,
            study_id,
            group_label=group_label,
            seats=int(seats) if seats.strip() else None,
            seat_names=names,
            opened_by=user.id,
        )
    except InvalidSubmissionError as error:
        problems = pages.problem_messages(error.problems)
        return _study_page(request, db, user, study, 422, fields=fields, problems=problems)
    detail = f"session {session.code}" + (
        f" ({session.group_label})" if session.group_label else ""
    )
    _audit(request, db, user, "session_open", study_id, detail=detail)
    return see_other(f"/f/sessions/{session.id}")


@router.post("/sessions/{session_id}/close")
def close(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """Close the session to late joins (people in it may still finish)."""
    return _open_or_close(request, db, user, session_id, False)


@router.post("/sessions/{session_id}/reopen")
def reopen(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """Open a closed session again."""
    return _open_or_close(request, db, user, session_id, True)


def _open_or_close(
    request: Request, db: Session, user: StaffUser, session_id: int, is_open: bool
) -> Response:
    """Open or close a session the facilitator runs, recorded in the audit; back to its page."""
    session = _session(db, user, session_id)
    group_sessions.set_open(db, session_id, is_open)
    action = "session_reopen" if is_open else "session_close"
    _audit(request, db, user, action, session.study_id, detail=f"session {session.code}")
    return see_other(f"/f/sessions/{session_id}")


@router.get("/sessions/{session_id}/unfinished")
def unfinished(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """Everyone who has not finished, with what their kept draft holds."""
    session = _session(db, user, session_id)
    rows = group_sessions.unfinished(db, session_id)
    return page(request, "facilitator/unfinished.html", user, session=session, rows=rows)


# ---- the room: join screen, live board ------------------------------------------------------


@router.get("/sessions/{session_id}/join")
def join_screen(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """The room's join screen: the code, its link and QR code, one link per seat."""
    _session(db, user, session_id)
    context = pages.join_screen_context(db, session_id, _room_url(request))
    return page(request, "facilitator/join_screen.html", user, **context)


@router.get("/sessions/{session_id}/qr.svg")
def join_qr(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """The join link's QR code alone, as an SVG image."""
    session = _session(db, user, session_id)
    svg = qr_svg(join_link(_room_url(request), session.code), f"Join session {session.code}")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/sessions/{session_id}")
def board(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """The live board: who is where, who needs help; updated by the event stream."""
    session = _session(db, user, session_id)
    base = f"/f/sessions/{session_id}"
    urls = {
        "events": f"{base}/events",
        "clear": f"{base}/participants/{{participant}}/clear",
        "answer": f"{base}/help/{{help}}/answer",
    }
    urls["csrf"] = csrf_token(request, request.app.state.settings.secret_key)
    context = pages.board_context(db, session_id, urls)
    links = _session_links(session_id, session.study_id)
    return page(request, "facilitator/board.html", user, links=links, **context)


def _session_links(session_id: int, study_id: int) -> dict[str, str]:
    """Where the board's navigation leads."""
    base = f"/f/sessions/{session_id}"
    names = ("join", "discussion", "paper", "unfinished", "close", "reopen")
    links = {name: f"{base}/{name}" for name in names}
    links["record"] = f"{base}/print/record"
    links["interviews"] = f"{base}/print/interviews"
    links["study"] = f"/f/studies/{study_id}"
    return links


@router.get("/sessions/{session_id}/events")
def board_stream(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """The board's server-sent events; a reconnecting browser is not resent what it has."""
    _session(db, user, session_id)
    engine = request.app.state.engine

    def load() -> dict[str, Any]:
        with Session(engine, expire_on_commit=False) as own:
            return board_payload(board_state(own, session_id))

    stream = board_events(
        load,
        last_event_id=request.headers.get("last-event-id"),
        poll_seconds=POLL_SECONDS,
        disconnected=request.is_disconnected,
    )
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)


@router.post("/sessions/{session_id}/participants/{participant_id}/clear")
def clear_tablet(
    request: Request, db: DbDep, user: CurrentUser, session_id: int, participant_id: int
) -> Response:
    """Clear a participant's tablet for the next person (their draft is kept)."""
    session = _session(db, user, session_id)
    cleared = tablets.clear_participant(db, session_id, participant_id, by=user.id)
    if cleared.outcome == "cleared":
        detail = f"session {session.code}: tablet cleared"
        _audit(
            request,
            db,
            user,
            "tablet_clear",
            session.study_id,
            participant=cleared.label,
            detail=detail,
        )
    return see_other(f"/f/sessions/{session_id}")


@router.post("/sessions/{session_id}/help/{help_id}/answer")
def answer_help(db: DbDep, user: CurrentUser, session_id: int, help_id: int) -> Response:
    """Mark a help request answered."""
    _session(db, user, session_id)
    help_requests.answer(db, session_id, help_id, by=user.id)
    return see_other(f"/f/sessions/{session_id}")


@router.get("/sessions/{session_id}/discussion")
def discussion(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """Where the group agreed and disagreed (aggregates only; nothing below three sorts)."""
    _session(db, user, session_id)
    context = pages.discussion_context(db, session_id)
    return page(request, "facilitator/discussion.html", user, **context)


# ---- paper sorts ----------------------------------------------------------------------------


@router.get("/sessions/{session_id}/paper")
def paper_form(
    request: Request, db: DbDep, user: CurrentUser, session_id: int, entry: int | None = None
) -> Response:
    """The paper-entry form (``?entry=ID`` continues a double entry)."""
    _session(db, user, session_id)
    action = f"/f/sessions/{session_id}/paper"
    context = pages.paper_entry_context(db, session_id, action=action, entry_id=entry)
    return page(request, "facilitator/paper_entry.html", user, **context)


@router.post("/sessions/{session_id}/paper")
async def paper_save(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """Save one typing of a paper sort; the form comes back with what happened."""
    session = _session(db, user, session_id)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    action = f"/f/sessions/{session_id}/paper"
    context = pages.save_typing(db, session_id, form, action=action, by=user.id)
    outcome = context["outcome"]
    status = 422 if context["problems"] else 200
    if outcome is not None:
        what = "recorded" if outcome.recorded else f"{form.get('typing', 'first')} typing saved"
        detail = f"session {session.code}: paper sort {what}"
        _audit(
            request,
            db,
            user,
            "paper_entry",
            session.study_id,
            participant=outcome.label,
            detail=detail,
        )
    return page(request, "facilitator/paper_entry.html", user, status, **context)


# ---- printouts ------------------------------------------------------------------------------


@router.get("/studies/{study_id}/print/deck")
def deck(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """The card deck's print page (fronts, then mirrored backs)."""
    _study(db, user, study_id)
    context = pages.deck_context(db, study_id)
    url = f"/f/studies/{study_id}/print/deck.pdf"
    return page(request, "facilitator/print_deck.html", user, pdf_url=url, **context)


@router.get("/studies/{study_id}/print/deck.pdf")
def deck_pdf(db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """The card deck as a PDF."""
    _study(db, user, study_id)
    study, cards = printing.deck(db, study_id)
    return _pdf(pdf.deck_pdf(study.title, cards), f"cards-{study.slug}.pdf")


def _paper(paper: str) -> pdf.Paper:
    if paper not in PAPERS:
        raise NotFoundError(f"no paper size {paper}; expected A4 or A3")
    return "A3" if paper == "A3" else "A4"


@router.get("/studies/{study_id}/print/grid-{paper}.pdf")
def grid_pdf(db: DbDep, user: CurrentUser, study_id: int, paper: str) -> Response:
    """The empty grid sheet as a PDF at A4 or A3."""
    _study(db, user, study_id)
    size = _paper(paper)
    sheet = printing.grid_sheet(db, study_id)
    return _pdf(pdf.grid_pdf(sheet, size), f"grid-{size}.pdf")


@router.get("/studies/{study_id}/print/grid-{paper}")
def grid(request: Request, db: DbDep, user: CurrentUser, study_id: int, paper: str) -> Response:
    """The empty grid sheet's print page at A4 or A3 (landscape)."""
    _study(db, user, study_id)
    size = _paper(paper)
    context = pages.grid_context(db, study_id, size)
    url = f"/f/studies/{study_id}/print/grid-{size}.pdf"
    return page(request, "facilitator/print_grid.html", user, pdf_url=url, **context)


@router.get("/sessions/{session_id}/print/record")
def record(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """The paper record sheet's print page."""
    _session(db, user, session_id)
    url = f"/f/sessions/{session_id}/print/record.pdf"
    context = pages.record_context(db, session_id)
    return page(request, "facilitator/print_record.html", user, pdf_url=url, **context)


@router.get("/sessions/{session_id}/print/record.pdf")
def record_pdf(db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """The paper record sheet as a PDF."""
    session = _session(db, user, session_id)
    sheet = printing.record_sheet(db, session_id)
    return _pdf(pdf.record_pdf(sheet), f"record-sheet-{session.code}.pdf")


@router.get("/sessions/{session_id}/print/interviews")
def interviews(request: Request, db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """The post-sort interview sheets' print page, one per finished participant."""
    _session(db, user, session_id)
    url = f"/f/sessions/{session_id}/print/interviews.pdf"
    context = pages.interview_context(db, session_id)
    return page(request, "facilitator/print_interview.html", user, pdf_url=url, **context)


@router.get("/sessions/{session_id}/print/interviews.pdf")
def interviews_pdf(db: DbDep, user: CurrentUser, session_id: int) -> Response:
    """The post-sort interview sheets as a PDF."""
    session = _session(db, user, session_id)
    study = _study(db, user, session.study_id)
    sheets = printing.interview_sheets(db, session_id)
    return _pdf(pdf.interview_pdf(sheets, study.title), f"interviews-{session.code}.pdf")
