"""Preview routes for the facilitator's pages, added to a test server only.

The real routes come with staff accounts (they check the user's rights first); these render the
same templates from the same context functions so the pages can be driven in Chromium now.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import facilitator_pages as pages
from app.errors import InvalidSubmissionError
from app.services import paper_entry


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
    def paper_form(request: Request, session_id: int) -> Response:
        action = f"/_preview/paper/{session_id}"
        with db() as s:
            context = pages.paper_entry_context(s, session_id, action=action)
            return show(request, "facilitator/paper_entry.html", context)

    @app.post("/_preview/paper/{session_id}")
    async def paper_save(request: Request, session_id: int) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        action = f"/_preview/paper/{session_id}"
        with db() as s:
            typed, columns, problems = pages.read_typing(s, session_id, form)
            if not problems:
                try:
                    outcome = paper_entry.start_entry(
                        s, session_id, columns, label=form.get("label")
                    )
                except InvalidSubmissionError as error:
                    problems = error.problems
                else:
                    context = pages.paper_entry_context(
                        s, session_id, action=action, outcome=outcome
                    )
                    return show(request, "facilitator/paper_entry.html", context)
            context = pages.paper_entry_context(
                s, session_id, action=action, typed=typed, problems=problems
            )
            return show(
                request, "facilitator/paper_entry.html", {**context, "label": form.get("label", "")}
            )

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
