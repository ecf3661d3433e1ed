"""Help requests: a participant asks for help, the facilitator's board shows it until answered.

One open request per participant at a time (asking again while one is open changes nothing),
so a worried double tap does not flood the board. The request says only who asked and when.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.errors import NotFoundError, NotJoinedError
from app.models import HelpRequest, Participant, utcnow


def open_request(db: Session, participant_id: int) -> HelpRequest | None:
    """The participant's unanswered request, if any."""
    query = select(HelpRequest).where(
        HelpRequest.participant_id == participant_id, col(HelpRequest.answered_at).is_(None)
    )
    return db.exec(query.order_by(col(HelpRequest.id))).first()


def ask_for_help(db: Session, participant: Participant) -> HelpRequest:
    """Record that ``participant`` asks for help (idempotent while a request is open); commit."""
    if participant.finished_at is not None or participant.revoked_at is not None:
        raise NotJoinedError("this participant has finished or was cleared")
    assert participant.id is not None
    existing = open_request(db, participant.id)
    if existing is not None:
        return existing
    request = HelpRequest(session_id=participant.session_id, participant_id=participant.id)
    db.add(request)
    db.commit()
    db.refresh(request)
    return request


def answer(db: Session, session_id: int, request_id: int, by: int | None = None) -> HelpRequest:
    """Mark a request of this session answered (idempotent); ``by`` is the staff user id.

    Any other open request of the same person is answered with it (two taps that raced through
    two app processes are one need for help).
    """
    request = db.get(HelpRequest, request_id)
    if request is None or request.session_id != session_id:
        raise NotFoundError(f"no help request {request_id} in session {session_id}")
    if request.answered_at is None:
        answer_all_of(db, request.participant_id, by)
        db.commit()
        db.refresh(request)
    return request


def answer_all_of(db: Session, participant_id: int, by: int | None = None) -> None:
    """Mark every open request of a participant answered (flushed, not committed)."""
    query = select(HelpRequest).where(
        HelpRequest.participant_id == participant_id, col(HelpRequest.answered_at).is_(None)
    )
    for request in db.exec(query):
        request.answered_at = utcnow()
        request.answered_by = by
        db.add(request)
