"""Joining a study: a join code leads to the consent page; accepting it creates a participant.

Declining stores nothing: no row is written until the person accepts. The participant gets a
random label such as ``P07`` (unique within the session), a random public id for pages, a secret
token and a resume code derived from it (only its hash is stored); no name is asked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import store
from app.db import relax_durability
from app.errors import CodeNotFoundError, NotFoundError, SessionClosedError
from app.models import Participant, SortSession, Study
from app.services.seats import seat_count
from app.services.tokens import (
    hash_resume_code,
    hash_token,
    new_public_id,
    new_token,
    resume_code,
)

#: Attempts at a free label before giving up; labels are drawn at random from a pool at least
#: twice the session's size, so even 50 tablets joining at once rarely collide more than twice.
LABEL_TRIES = 30


@dataclass(frozen=True)
class Joined:
    """A new participant and the token to hand to their device (shown nowhere else)."""

    participant: Participant
    token: str


def find_session(db: Session, code: str) -> tuple[SortSession, Study]:
    """The open session for ``code`` and its study.

    Raises :class:`SessionClosedError` for a session the facilitator has closed (a late join,
    told so plainly) and :class:`CodeNotFoundError` for a code that matches no session.
    """
    session = store.open_session_by_code(db, code)
    if session is None:
        if store.session_by_code(db, code) is not None:
            raise SessionClosedError(f"the session with code {code!r} is closed")
        raise CodeNotFoundError(f"no open session with code {code!r}")
    study = store.get_study(db, session.study_id)
    if study is None or study.current_qset_id is None or study.current_grid_id is None:
        raise NotFoundError("the study behind this code is not ready")
    return session, study


def random_label(taken: set[str]) -> str:
    """A random label ``P01``..``P99`` not in ``taken`` (the pool grows with the session).

    Random rather than sequential, so that a label says nothing about when someone joined.
    """
    size = max(99, 2 * (len(taken) + 1))
    free = [label for n in range(1, size + 1) if (label := f"P{n:02d}") not in taken]
    return secrets.choice(free)


def free_label(db: Session, session_id: int) -> str:
    """A random label not yet given in the session, as :func:`random_label` draws it.

    Found by looking up a few random candidates (each an indexed query) rather than reading
    every label of the session, so a join costs the same for the first person and the 5,000th.
    """
    size = max(99, 2 * (store.participant_count(db, session_id) + 1))
    for _ in range(LABEL_TRIES):
        label = f"P{secrets.randbelow(size) + 1:02d}"
        if not store.label_taken(db, session_id, label):
            return label
    return random_label(store.participant_labels(db, session_id))


def accept_consent(db: Session, code: str, seat: int | None = None) -> Joined:
    """Create a participant (and an empty draft) in the session for ``code``; commit.

    ``seat`` is the seat the tablet is bound to (from its seat link); a seat the session does
    not have is dropped rather than refusing the person, so a stale link never blocks a join.
    """
    session, study = find_session(db, code)
    participant_id, token = join_session(db, session, study, seat)
    participant = db.get(Participant, participant_id)
    assert participant is not None
    return Joined(participant, token)


def join_session(
    db: Session, session: SortSession, study: Study, seat: int | None = None
) -> tuple[int, str]:
    """Create a participant and an empty draft in ``session``; commit; return (id, token).

    The rows go in as two plain INSERTs (no ORM objects), and the commit does not wait for the
    disk (see :mod:`app.db`): the join is the first thing a whole room does at once.
    """
    assert session.id is not None and study.id is not None
    assert study.current_qset_id is not None and study.current_grid_id is not None
    in_room = seat is not None and 1 <= seat <= seat_count(session)
    for _ in range(LABEL_TRIES):
        token, public_id = new_token(), new_public_id()
        values = {
            "session_id": session.id,
            "study_id": study.id,
            "label": free_label(db, session.id),
            "public_id": public_id,
            "token_hash": hash_token(token),
            "resume_hash": hash_resume_code(public_id, resume_code(token)),
            "qset_id": study.current_qset_id,
            "grid_id": study.current_grid_id,
            "seat": seat if in_room else None,
        }
        try:
            relax_durability(db)  # a join lost to a power cut is redone; see app/db.py
            participant_id = store.add_participant(db, values)
            db.commit()
        except IntegrityError:  # another tablet took the same label at the same moment
            db.rollback()
            continue
        return participant_id, token
    raise RuntimeError("could not give a participant label after several tries")
