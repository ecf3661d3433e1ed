"""What a facilitator prints: the card deck, grid and record sheets, post-sort interview sheets.

This module gathers the content from the store into small frozen records; :mod:`app.services.pdf`
draws them as PDF files and ``templates/facilitator/print_*.html`` as print-ready pages, so the
two always show the same thing.

- The **card deck**: every statement of the study's current Q-set with its number.
- The **grid sheet**: the empty board, for a participant who sorts with paper cards.
- The **record sheet**: where the facilitator writes a paper sort down column by column, in the
  order the paper-entry form asks for it, with the participant's label and who typed it in.
- The **interview sheet**: for each finished participant, their grid, the cards at its two ends
  with their comments, for the follow-up interview. It names them only by label and seat.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from app import store
from app.errors import NotFoundError
from app.models import GridShape, Participant, SortSession, Study
from app.services.group_sessions import get_session
from app.services.seats import seat_name


@dataclass(frozen=True)
class Card:
    """A statement card: its number and words."""

    number: int
    text: str


@dataclass(frozen=True)
class Column:
    """One column of a grid: its value, how many places, and the cards in it (if any)."""

    value: int
    capacity: int
    cards: tuple[Card, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """The study's facts every printed page carries, and its grid."""

    title: str
    condition: str
    disagree_label: str
    agree_label: str
    columns: tuple[Column, ...]
    code: str = ""
    group_label: str = ""


@dataclass(frozen=True)
class Extreme:
    """A card at one end of a participant's grid and what they said about it."""

    card: Card
    value: int
    comment: str


@dataclass(frozen=True)
class InterviewSheet:
    """One finished participant's page: label, seat, their grid and their extreme cards."""

    sheet: Sheet
    label: str
    seat: str
    finished_at: datetime | None
    source: str
    extremes: tuple[Extreme, ...]


def seat_label(session: SortSession, seat: int | None) -> str:
    """The seat's name, ``"Seat N"`` for an unnamed one, or ``""`` without a seat."""
    if seat is None:
        return ""
    return seat_name(session, seat) or f"Seat {seat}"


def _ready_study(db: Session, study_id: int) -> tuple[Study, int, GridShape]:
    study = store.get_study(db, study_id)
    if study is None or study.current_qset_id is None or study.current_grid_id is None:
        raise NotFoundError(f"study {study_id} does not exist or has no Q-set and grid yet")
    grid = store.get_grid(db, study.current_grid_id)
    assert grid is not None
    return study, study.current_qset_id, grid


def deck(db: Session, study_id: int) -> tuple[Study, list[Card]]:
    """The study and every card of its current Q-set, by number."""
    study, qset_id, _ = _ready_study(db, study_id)
    return study, [Card(s.number, s.text) for s in store.statements(db, qset_id)]


def _sheet(study: Study, grid: GridShape, session: SortSession | None = None) -> Sheet:
    columns = tuple(Column(v, c) for v, c in zip(grid.column_values, grid.capacities, strict=True))
    return Sheet(
        title=study.title,
        condition=study.condition,
        disagree_label=study.disagree_label or "Most disagree",
        agree_label=study.agree_label or "Most agree",
        columns=columns,
        code=session.code if session is not None else "",
        group_label=session.group_label if session is not None else "",
    )


def grid_sheet(db: Session, study_id: int) -> Sheet:
    """The study's empty grid, headed by its title and condition of instruction."""
    study, _, grid = _ready_study(db, study_id)
    return _sheet(study, grid)


def record_sheet(db: Session, session_id: int) -> Sheet:
    """The record sheet of a session: its code and group, and the study's grid to fill in."""
    session = get_session(db, session_id)
    study, _, grid = _ready_study(db, session.study_id)
    return _sheet(study, grid, session)


def interview_sheets(db: Session, session_id: int) -> list[InterviewSheet]:
    """A sheet for each participant of the session who finished with a sort, by label."""
    session = get_session(db, session_id)
    study = store.get_study(db, session.study_id)
    assert study is not None
    query = (
        select(Participant)
        .where(Participant.session_id == session_id, col(Participant.finished_at).is_not(None))
        .order_by(col(Participant.label))
    )
    sheets = []
    for participant in db.exec(query):
        sheet = _interview_sheet(db, study, session, participant)
        if sheet is not None:
            sheets.append(sheet)
    return sheets


def _interview_sheet(
    db: Session, study: Study, session: SortSession, participant: Participant
) -> InterviewSheet | None:
    assert participant.id is not None
    record = store.sort_of(db, participant.id)
    if record is None or record.id is None:
        return None
    grid = store.get_grid(db, record.grid_id)
    assert grid is not None
    by_id = {s.id: Card(s.number, s.text) for s in store.statements(db, record.qset_id)}
    entries = sorted(store.sort_entries(db, record.id), key=lambda e: (e.value, e.row))
    base = _sheet(study, grid, session)
    columns = tuple(
        Column(
            c.value, c.capacity, tuple(by_id[e.statement_id] for e in entries if e.value == c.value)
        )
        for c in base.columns
    )
    comments = {c.statement_id: c.text for c in store.comments_of(db, participant.id)}
    used = [c.value for c in columns if c.capacity > 0]
    ends = (max(used), min(used)) if used else ()
    extremes = tuple(
        Extreme(by_id[e.statement_id], e.value, comments.get(e.statement_id, ""))
        for end in ends
        for e in entries
        if e.value == end
    )
    return InterviewSheet(
        sheet=replace(base, columns=columns),
        label=participant.label,
        seat=seat_label(session, participant.seat),
        finished_at=participant.finished_at,
        source=record.source,
        extremes=extremes,
    )
