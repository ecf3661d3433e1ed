"""Autosave: the device sends its whole state with the revision it last saw.

The server stores it as the next revision only if nobody wrote in between (a conditional UPDATE);
otherwise it answers with the current draft and the device decides (the newer change wins, by the
``changedAt`` stamp the device puts in its state). Revisions only ever grow.

A draft must be plain JSON that every browser can read back: finite numbers only (no NaN or
Infinity, which would make the sort page unable to load it), nested at most ``MAX_DEPTH`` deep,
at most ``MAX_STATE_BYTES`` long, and its revision must fit the database's integer column.
"""

from __future__ import annotations

import json
import math
from typing import Any

from sqlmodel import Session

from app import store
from app.db import relax_durability
from app.errors import InvalidSubmissionError, NotJoinedError, RevisionConflictError
from app.models import Draft, Participant

MAX_STATE_BYTES = 256_000
#: Deepest nesting of lists and objects in a draft (the page's own state is 4 deep).
MAX_DEPTH = 32
#: Highest revision a device may send: the next one must still fit a 32-bit INTEGER column.
MAX_REVISION = 2**31 - 2


def stored_draft(db: Session, participant: Participant) -> tuple[int, dict[str, Any]]:
    """The participant's draft as (revision, state), reading only (revision 0 if none yet).

    Pages and ``GET /api/draft`` use this: showing a page never writes to the database.
    """
    assert participant.id is not None
    draft = store.get_draft(db, participant.id)
    return (0, {}) if draft is None else (draft.revision, draft.state)


def current_draft(db: Session, participant: Participant) -> Draft:
    """The participant's draft row, created empty if it is missing (for writers only)."""
    assert participant.id is not None
    draft = store.get_draft(db, participant.id)
    if draft is None:
        draft = Draft(participant_id=participant.id, revision=0, state={})
        db.add(draft)
        db.commit()
        db.refresh(draft)
    return draft


def save_draft(
    db: Session, participant: Participant, seen_revision: int, state: dict[str, Any]
) -> int:
    """Store ``state`` on top of ``seen_revision``; return the new revision or raise a conflict."""
    if participant.finished_at is not None:
        raise NotJoinedError("this participant has finished")
    if not 0 <= seen_revision <= MAX_REVISION:
        raise InvalidSubmissionError(
            f"revision {seen_revision} is outside 0..{MAX_REVISION}",
            problems=[{"code": "revision_range", "limit": MAX_REVISION}],
        )
    check_state(state)
    size = len(json.dumps(state, separators=(",", ":")))
    if size > MAX_STATE_BYTES:
        raise InvalidSubmissionError(
            f"draft is {size} bytes, the limit is {MAX_STATE_BYTES}",
            problems=[{"code": "draft_too_large", "size": size, "limit": MAX_STATE_BYTES}],
        )
    pid = participant.id
    assert pid is not None
    for attempt in range(2):
        relax_durability(db)
        if store.update_draft_if_revision(db, pid, seen_revision, state):
            store.touch_participant(db, pid)  # the device is in use (see app.services.resume)
            db.commit()
            return seen_revision + 1
        db.rollback()
        if attempt > 0 or store.get_draft(db, pid) is not None:
            break
        current_draft(db, participant)  # a join always makes one; this only mends a lost row
    draft = current_draft(db, participant)
    raise RevisionConflictError(
        f"draft is at revision {draft.revision}, the device sent {seen_revision}",
        extra={"revision": draft.revision, "state": draft.state},
    )


def check_state(state: Any) -> None:
    """Refuse a draft nested deeper than ``MAX_DEPTH`` or holding a NaN or an infinity.

    Walks the value without recursion, so a hostile draft cannot exhaust the stack.
    """
    pending: list[tuple[Any, int]] = [(state, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidSubmissionError(
                "draft holds a number that is not finite",
                problems=[{"code": "draft_not_finite"}],
            )
        if not isinstance(value, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise InvalidSubmissionError(
                f"draft is nested deeper than {MAX_DEPTH}",
                problems=[{"code": "draft_too_deep", "limit": MAX_DEPTH}],
            )
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children)
