"""Preview routes for the facilitator's pages, added to a test server only.

The real routes come with staff accounts (they check the user's rights first); these render the
same templates from the same context functions so the pages can be driven in Chromium now.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlmodel import Session

from app import facilitator_pages as pages
from app.services import help_requests, tablets
from app.services.board import board_events, board_payload, board_state

#: How often the preview's event stream reads the database (the default is one second).
POLL_SECONDS = 0.2


def add_preview_routes(app: FastAPI) -> None:
    """``/_preview/...`` pages for the paper form, the print pages and the discussion view."""

    def db() -> Session:
        return Session(app.state.engine, expire_on_commit=False)

    def show(request: Request, name: str, context: dict[str, Any]) -> Response:
        return pages.render_staff(request, app.state.templates, name, **context)

    @app.get("/_preview/discussion/{session_id}")
    def discussion(request: Request, session_id: int) -> Response:
        with db() as s:
            return show(
                request, "facilitator/discussion.html", pages.discussion_context(s, session_id)
            )

    @app.get("/_preview/paper/{session_id}")
    def paper_form(request: Request, session_id: int, entry: int | None = None) -> Response:
        action = f"/_preview/paper/{session_id}"
        with db() as s:
            context = pages.paper_entry_context(s, session_id, action=action, entry_id=entry)
            return show(request, "facilitator/paper_entry.html", context)

    @app.post("/_preview/paper/{session_id}")
    async def paper_save(request: Request, session_id: int) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        action = f"/_preview/paper/{session_id}"
        with db() as s:
            context = pages.save_typing(s, session_id, form, action=action)
            return show(request, "facilitator/paper_entry.html", context)

    @app.get("/_preview/deck/{study_id}")
    def deck(request: Request, study_id: int) -> Response:
        with db() as s:
            return show(request, "facilitator/print_deck.html", pages.deck_context(s, study_id))

    @app.get("/_preview/grid/{study_id}/{paper}")
    def grid(request: Request, study_id: int, paper: str) -> Response:
        with db() as s:
            return show(
                request, "facilitator/print_grid.html", pages.grid_context(s, study_id, paper)
            )

    @app.get("/_preview/record/{session_id}")
    def record(request: Request, session_id: int) -> Response:
        with db() as s:
            return show(
                request, "facilitator/print_record.html", pages.record_context(s, session_id)
            )

    @app.get("/_preview/interview/{session_id}")
    def interview(request: Request, session_id: int) -> Response:
        with db() as s:
            context = pages.interview_context(s, session_id)
            return show(request, "facilitator/print_interview.html", context)

    add_board_routes(app, db, show)


def add_board_routes(
    app: FastAPI,
    db: Callable[[], Session],
    show: Callable[[Request, str, dict[str, Any]], Response],
) -> None:
    """The join screen, the live board, its event stream and its two actions."""

    @app.get("/_preview/join/{session_id}")
    def join_screen(request: Request, session_id: int) -> Response:
        with db() as s:
            context = pages.join_screen_context(s, session_id, str(request.base_url))
            return show(request, "facilitator/join_screen.html", context)

    @app.get("/_preview/board/{session_id}")
    def board(request: Request, session_id: int) -> Response:
        base = f"/_preview/board/{session_id}"
        urls = {
            "events": f"{base}/events",
            "clear": f"{base}/clear/{{participant}}",
            "answer": f"{base}/answer/{{help}}",
        }
        with db() as s:
            return show(request, "facilitator/board.html", pages.board_context(s, session_id, urls))

    @app.get("/_preview/board/{session_id}/events")
    def events(request: Request, session_id: int) -> Response:
        def load() -> dict[str, Any]:
            with db() as s:
                return board_payload(board_state(s, session_id))

        stream = board_events(
            load,
            last_event_id=request.headers.get("last-event-id"),
            poll_seconds=POLL_SECONDS,
            disconnected=request.is_disconnected,
        )
        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream, media_type="text/event-stream", headers=headers)

    @app.post("/_preview/board/{session_id}/clear/{participant_id}")
    def clear(session_id: int, participant_id: int) -> Response:
        with db() as s:
            tablets.clear_participant(s, session_id, participant_id)
        return RedirectResponse(f"/_preview/board/{session_id}", status_code=303)

    @app.post("/_preview/board/{session_id}/answer/{help_id}")
    def answer(session_id: int, help_id: int) -> Response:
        with db() as s:
            help_requests.answer(s, session_id, help_id)
        return RedirectResponse(f"/_preview/board/{session_id}", status_code=303)
