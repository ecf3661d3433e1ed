"""The sort page's JSON API: autosave, submit, finish, ask for help. Thin: services do the work."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from app import store
from app.deps import TOKEN_COOKIE, AnyParticipantDep, DbDep, ParticipantDep
from app.errors import NotFoundError
from app.models import SortSession
from app.services import autosave, finish, help_requests, submit

router = APIRouter(prefix="/api")

KEY_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class DraftIn(BaseModel):
    """The device's whole state and the revision it was based on."""

    revision: int = Field(ge=0)
    state: dict[str, Any]


class PlacementIn(BaseModel):
    """One card on the grid."""

    statement: int
    value: int
    row: int = Field(ge=0)


class SortIn(BaseModel):
    """A sort to record, with its idempotency key and the versions it was made on."""

    key: str = Field(pattern=KEY_PATTERN)
    qset_id: int
    grid_id: int
    placements: list[PlacementIn] = Field(max_length=1000)


class FinishIn(BaseModel):
    """Post-sort comments (by statement number) and survey answers (by question key)."""

    key: str = Field(pattern=KEY_PATTERN)
    comments: dict[int, str] = Field(default_factory=dict)
    answers: dict[str, str] = Field(default_factory=dict)


@router.get("/draft")
def get_draft(db: DbDep, participant: ParticipantDep) -> dict[str, Any]:
    """The stored draft and its revision."""
    draft = autosave.current_draft(db, participant)
    return {"revision": draft.revision, "state": draft.state}


@router.put("/draft")
def put_draft(body: DraftIn, db: DbDep, participant: ParticipantDep) -> dict[str, Any]:
    """Save the device's state on top of the revision it saw (409 with the current one if not)."""
    revision = autosave.save_draft(db, participant, body.revision, body.state)
    return {"revision": revision}


@router.post("/sort")
def post_sort(body: SortIn, db: DbDep, participant: ParticipantDep) -> dict[str, Any]:
    """Record the sort once; a repeat gets the same answer."""
    placements = [submit.Placement(p.statement, p.value, p.row) for p in body.placements]
    result = submit.submit_sort(
        db,
        participant,
        key=body.key,
        qset_id=body.qset_id,
        grid_id=body.grid_id,
        placements=placements,
    )
    return {
        "status": "recorded" if result.created else "already_recorded",
        "label": participant.label,
    }


@router.post("/finish")
def post_finish(
    body: FinishIn, db: DbDep, participant: AnyParticipantDep, response: Response
) -> dict[str, Any]:
    """Store the comments and answers, spend the token, clear the cookie."""
    study = store.get_study(db, participant.study_id)
    session = db.get(SortSession, participant.session_id)
    if study is None or session is None:
        raise NotFoundError("study gone")
    finish.finish(
        db, participant, study, key=body.key, comments=body.comments, answers=body.answers
    )
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return {"status": "finished", "next": f"/thanks/{session.code}"}


@router.get("/help")
def get_help(db: DbDep, participant: ParticipantDep) -> dict[str, bool]:
    """Whether the participant's request for help is still waiting to be answered."""
    assert participant.id is not None
    return {"waiting": help_requests.open_request(db, participant.id) is not None}


@router.post("/help")
def post_help(db: DbDep, participant: ParticipantDep) -> dict[str, bool]:
    """Ask the facilitator for help: the board shows it until answered (a repeat adds nothing)."""
    help_requests.ask_for_help(db, participant)
    return {"waiting": True}
