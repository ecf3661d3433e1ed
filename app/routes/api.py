"""The sort page's JSON API: autosave, submit, finish, ask for help. Thin: services do the work."""

from __future__ import annotations

import math
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session

from app import store
from app.db import in_session
from app.deps import TOKEN_COOKIE, AnyParticipantDep, DbDep, ParticipantDep, active_participant
from app.errors import NotFoundError
from app.models import SortSession
from app.services import autosave, finish, help_requests, resume, submit, trace

router = APIRouter(prefix="/api")

KEY_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"


class DraftIn(BaseModel):
    """The device's whole state and the revision it was based on."""

    revision: int = Field(ge=0, le=autosave.MAX_REVISION)
    state: dict[str, Any]


class PlacementIn(BaseModel):
    """One card on the grid."""

    statement: int
    value: int
    row: int = Field(ge=0)


Steps = dict[Literal["instructions", "presort", "sort", "postsort", "survey"], float]


def _finite_steps(steps: dict[str, float]) -> dict[str, float]:
    if any(not math.isfinite(v) or v < 0 for v in steps.values()):
        raise ValueError("step times must be finite, non-negative milliseconds")
    return steps


def _ms(steps: Steps) -> dict[str, float]:
    return {str(k): float(v) for k, v in steps.items()}


class MoveIn(BaseModel):
    """One move of a card (see app.services.trace for the places and methods)."""

    model_config = ConfigDict(populate_by_name=True)

    n: int = Field(ge=0, le=100_000)
    from_: str = Field(alias="from", pattern=trace.PLACE.pattern)
    to: str = Field(pattern=trace.PLACE.pattern)
    t: int = Field(ge=0, le=10**12)
    by: Literal["drag", "tap", "keyboard"]
    undo: bool = False

    def stored(self) -> dict[str, Any]:
        """The move as stored (``from`` under its own name)."""
        return {
            "n": self.n,
            "from": self.from_,
            "to": self.to,
            "t": self.t,
            "by": self.by,
            "undo": self.undo,
        }


class TraceIn(BaseModel):
    """Milliseconds per step and the moves made, as the device kept them."""

    steps: Steps = Field(default_factory=dict)
    moves: list[MoveIn] = Field(default_factory=list, max_length=trace.MAX_MOVES)

    _steps_ok = field_validator("steps")(_finite_steps)


class SortIn(BaseModel):
    """A sort to record, with its idempotency key, the versions it was made on and its trace."""

    key: str = Field(pattern=KEY_PATTERN)
    qset_id: int
    grid_id: int
    placements: list[PlacementIn] = Field(max_length=1000)
    trace: TraceIn | None = None


class FinishIn(BaseModel):
    """Post-sort comments (by statement number), survey answers (by question key), step times."""

    key: str = Field(pattern=KEY_PATTERN)
    comments: dict[int, str] = Field(default_factory=dict)
    answers: dict[str, str | list[str]] = Field(default_factory=dict)
    steps: Steps = Field(default_factory=dict)

    _steps_ok = field_validator("steps")(_finite_steps)


class UnlockIn(BaseModel):
    """The resume code typed on a sort page that locked itself after the idle limit."""

    code: str = Field(max_length=32)


@router.get("/draft")
def get_draft(db: DbDep, participant: ParticipantDep) -> dict[str, Any]:
    """The stored draft and its revision (read only; refused after the idle limit)."""
    study = store.get_study(db, participant.study_id)
    if study is not None and resume.needs_code(participant, study):
        raise resume.ResumeRequiredError("resume code needed")
    revision, state = autosave.stored_draft(db, participant)
    return {"revision": revision, "state": state}


@router.post("/unlock")
def unlock(body: UnlockIn, db: DbDep, participant: ParticipantDep) -> dict[str, Any]:
    """Check the resume code of a sort page that locked itself; the participant is active again."""
    resume.check_code(db, participant, body.code)
    return {"status": "ok"}


@router.put("/draft")
async def put_draft(body: DraftIn, request: Request) -> dict[str, Any]:
    """Save the device's state on top of the revision it saw (409 with the current one if not).

    The busiest call of all: the session, the participant and the save share one worker thread
    (:func:`app.db.in_session`).
    """

    def save(db: Session) -> int:
        participant = active_participant(request, db)
        return autosave.save_draft(db, participant, body.revision, body.state)

    return {"revision": await in_session(request.app.state.engine, save)}


@router.post("/sort")
async def post_sort(body: SortIn, request: Request) -> dict[str, Any]:
    """Record the sort once; a repeat gets the same answer (in one worker thread, as above)."""
    placements = [submit.Placement(p.statement, p.value, p.row) for p in body.placements]
    made = body.trace or TraceIn()
    moves = trace.stored_trace(_ms(made.steps), [m.stored() for m in made.moves])

    def record(db: Session) -> dict[str, Any]:
        participant = active_participant(request, db)
        result = submit.submit_sort(
            db,
            participant,
            key=body.key,
            qset_id=body.qset_id,
            grid_id=body.grid_id,
            placements=placements,
            trace=moves,
        )
        status = "recorded" if result.created else "already_recorded"
        return {"status": status, "label": participant.label}

    return await in_session(request.app.state.engine, record)


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
        db,
        participant,
        study,
        key=body.key,
        comments=body.comments,
        answers=body.answers,
        steps=_ms(body.steps),
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
