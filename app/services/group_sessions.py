"""Sessions for a focus group: open one with a short join code, show its QR code, close it.

A facilitator opens one session of a study per group, labelled with who sorts in it ("service
users", "workers"), so that the two groups' sorts of the same Q-set can be told apart and
compared. The join code is short and unambiguous to read aloud or type on a tablet (no 0/O,
1/I/L). Closing a session refuses late joins (:class:`app.errors.SessionClosedError`, told to
the person in plain words) while everyone already in it may finish; unfinished drafts are kept
and listed, never deleted.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import store
from app.errors import InvalidSubmissionError, NotFoundError
from app.models import Draft, Participant, SortSession, utcnow
from app.services.seats import MAX_SEAT_NAME, MAX_SEATS
from app.services.submit import Problem

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_TRIES = 20
MAX_GROUP_LABEL = 80


@dataclass(frozen=True)
class Unfinished:
    """A participant who has not finished: what their kept draft holds and how it stands."""

    label: str
    seat: int | None
    stage: str
    cards_placed: int
    sorted: bool
    cleared: bool
    last_saved: datetime | None


def new_code() -> str:
    """A random six-character join code from an alphabet without look-alike characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def setup_problems(group_label: str, seats: int | None, seat_names: Sequence[str]) -> list[Problem]:
    """Every problem with a session's group label, seat number and seat names."""
    problems: list[Problem] = []
    if len(group_label) > MAX_GROUP_LABEL:
        problems.append({"code": "group_label_too_long", "limit": MAX_GROUP_LABEL})
    bad_number = seats is not None and not 1 <= seats <= MAX_SEATS
    if bad_number or len(seat_names) > MAX_SEATS:
        found = seats if bad_number else len(seat_names)
        problems.append({"code": "seats_out_of_range", "found": found, "limit": MAX_SEATS})
    seen: set[str] = set()
    for number, name in enumerate(seat_names, 1):
        if not name:
            problems.append({"code": "seat_name_blank", "seat": number})
        elif len(name) > MAX_SEAT_NAME:
            problems.append({"code": "seat_name_too_long", "seat": number, "limit": MAX_SEAT_NAME})
        elif name.casefold() in seen:
            problems.append({"code": "seat_name_repeated", "seat": number, "name": name})
        seen.add(name.casefold())
    return problems


def open_group_session(
    db: Session,
    study_id: int,
    *,
    group_label: str = "",
    seats: int | None = None,
    seat_names: Sequence[str] = (),
    name: str = "",
    opened_by: int | None = None,
) -> SortSession:
    """Open a session of a study for one group, with a fresh join code; commit.

    ``seat_names`` name seats 1, 2, ... in order; ``seats`` is the expected number (at least
    as many as are named). ``opened_by`` is the staff member's user id.
    """
    study = store.get_study(db, study_id)
    if study is None or study.current_qset_id is None or study.current_grid_id is None:
        raise NotFoundError(f"study {study_id} does not exist or has no Q-set and grid yet")
    names = [n.strip() for n in seat_names]
    label = group_label.strip()
    problems = setup_problems(label, seats, names)
    if problems:
        raise InvalidSubmissionError(f"{len(problems)} problem(s)", problems=problems)
    for _ in range(CODE_TRIES):
        session = SortSession(
            study_id=study_id,
            code=new_code(),
            name=name.strip()[:200],
            group_label=label,
            seats=max(seats or 0, len(names)) or None,
            seat_names=names,
            opened_by=opened_by,
        )
        try:
            db.add(session)
            db.commit()
        except IntegrityError:  # the code was taken a moment ago; draw another
            db.rollback()
            continue
        db.refresh(session)
        return session
    raise RuntimeError("could not draw a free join code after several tries")


def get_session(db: Session, session_id: int) -> SortSession:
    """The session with this id, or :class:`NotFoundError`."""
    session = db.get(SortSession, session_id)
    if session is None:
        raise NotFoundError(f"no session {session_id}")
    return session


def set_open(db: Session, session_id: int, is_open: bool) -> SortSession:
    """Open a session to joins or close it (idempotent). Closing keeps the people already in it
    able to finish; opening again serves a session closed by mistake, or a latecomer the group
    welcomes."""
    session = get_session(db, session_id)
    if session.is_open != is_open:
        session.is_open = is_open
        session.closed_at = None if is_open else utcnow()
        db.add(session)
        db.commit()
        db.refresh(session)
    return session


def close_session(db: Session, session_id: int) -> SortSession:
    """Close a session to late joins; people already in it may still finish."""
    return set_open(db, session_id, False)


def reopen_session(db: Session, session_id: int) -> SortSession:
    """Open a closed session again."""
    return set_open(db, session_id, True)


def sessions_of(db: Session, study_id: int) -> list[SortSession]:
    """A study's sessions, newest first."""
    query = select(SortSession).where(SortSession.study_id == study_id)
    return list(db.exec(query.order_by(col(SortSession.id).desc())))


def unfinished(db: Session, session_id: int) -> list[Unfinished]:
    """Everyone in the session who has not finished, with what their kept draft holds.

    Drafts are never deleted by closing a session or clearing a tablet: the researcher decides
    what to do with them. Cleared ones are marked (``cleared``): no device can resume them.
    """
    query = (
        select(Participant, Draft)
        .join(Draft, col(Draft.participant_id) == col(Participant.id), isouter=True)
        .where(Participant.session_id == session_id, col(Participant.finished_at).is_(None))
        .order_by(col(Participant.label))
    )
    rows: list[Unfinished] = []
    for participant, draft in db.exec(query):
        state = draft.state if draft is not None else {}
        rows.append(
            Unfinished(
                label=participant.label,
                seat=participant.seat,
                stage=draft.stage if draft is not None else "",
                cards_placed=cards_placed(state),
                sorted=participant.sorted_at is not None,
                cleared=participant.revoked_at is not None,
                last_saved=draft.updated_at if draft is not None and draft.revision else None,
            )
        )
    return rows


def cards_placed(state: dict[str, object]) -> int:
    """How many cards a device's draft state has on the grid (``state["grid"]``)."""
    grid = state.get("grid")
    return len(grid) if isinstance(grid, dict) else 0


def qr_svg(link: str, title: str = "") -> str:
    """The QR code of ``link`` as an SVG document, drawn here (no network, no service).

    Black modules on white with a quiet zone of four modules, as scanners expect. It has a
    ``viewBox`` and no fixed size, so CSS sizes it for the room's screen; it carries no script
    or style attribute, so a page under a strict CSP can embed it.
    """
    import segno

    out = io.BytesIO()
    segno.make(link, error="m").save(
        out,
        kind="svg",
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        omitsize=True,
        title=title or None,
        svgclass="qr",
        lineclass=None,
    )
    return out.getvalue().decode("utf-8")
