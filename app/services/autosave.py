"""Autosave: the device sends its whole state with the revision it last saw.

The server stores it as the next revision only if nobody wrote in between (a conditional UPDATE);
otherwise it answers with the current draft and the device decides (the newer change wins, by the
``changedAt`` stamp the device puts in its state). Revisions only ever grow.
"""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from app import store
from app.errors import InvalidSubmissionError, NotJoinedError, RevisionConflictError
from app.models import Draft, Participant, utcnow

MAX_STATE_BYTES = 256_000


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
    size = len(json.dumps(state, separators=(",", ":")))
    if size > MAX_STATE_BYTES:
        raise InvalidSubmissionError(
            f"draft is {size} bytes, the limit is {MAX_STATE_BYTES}",
            problems=[{"code": "draft_too_large", "size": size, "limit": MAX_STATE_BYTES}],
        )
    assert participant.id is not None
    current_draft(db, participant)
    if store.update_draft_if_revision(db, participant.id, seen_revision, state):
        participant.active_at = utcnow()  # the device is in use (see app.services.resume)
        db.add(participant)
        db.commit()
        return seen_revision + 1
    db.rollback()
    draft = current_draft(db, participant)
    db.refresh(draft)
    raise RevisionConflictError(
        f"draft is at revision {draft.revision}, the device sent {seen_revision}",
        extra={"revision": draft.revision, "state": draft.state},
    )
