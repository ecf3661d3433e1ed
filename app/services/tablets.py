"""Keeping shared tablets private: clear a tablet for the next person.

When someone leaves a sort unfinished, the tablet still holds their token (an HttpOnly cookie)
and the join page would offer the next person "Continue where you left off", showing the first
person's cards. Clearing the tablet revokes that token at the data level (``revoked_at`` on the
participant): :func:`app.store.participant_by_token_hash` no longer finds it, so every page and
API call treats the device as one that never joined, and nothing can be resumed from it.

Nothing saved is touched: the draft is kept (and listed as unfinished, marked cleared), and a
sort already recorded stays exactly as it is. A finished participant's token is already spent,
so there is nothing to clear. The device's own copy (localStorage) is the participant page's to
wipe when the server refuses the token (see docs/facilitator.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.errors import NotFoundError
from app.models import Participant, utcnow
from app.services.help_requests import answer_all_of


@dataclass(frozen=True)
class Cleared:
    """What clearing did: ``"cleared"``, ``"already_cleared"`` or ``"already_finished"``."""

    label: str
    outcome: str


def clear_participant(
    db: Session, session_id: int, participant_id: int, by: int | None = None
) -> Cleared:
    """Revoke an unfinished participant's token so their tablet starts clean; commit.

    Idempotent. Their open help requests are closed too (the person has left the tablet).
    """
    participant = db.get(Participant, participant_id)
    if participant is None or participant.session_id != session_id:
        raise NotFoundError(f"no participant {participant_id} in session {session_id}")
    if participant.finished_at is not None:
        return Cleared(participant.label, "already_finished")
    if participant.revoked_at is not None:
        return Cleared(participant.label, "already_cleared")
    participant.revoked_at = utcnow()
    db.add(participant)
    answer_all_of(db, participant_id, by)
    db.commit()
    return Cleared(participant.label, "cleared")


def clear_seat(db: Session, session_id: int, seat: int, by: int | None = None) -> list[Cleared]:
    """Clear every unfinished, uncleared participant bound to ``seat`` (the tablet there)."""
    query = select(Participant.id).where(
        Participant.session_id == session_id,
        Participant.seat == seat,
        col(Participant.finished_at).is_(None),
        col(Participant.revoked_at).is_(None),
    )
    ids = [pid for pid in db.exec(query) if pid is not None]
    return [clear_participant(db, session_id, pid, by) for pid in ids]
