"""The collected data of a study: the participants table, one sort as its grid, excluding a
sort from analysis and deleting a withdrawing participant's data.

Rights: viewers and above read; editors exclude; withdrawing (deleting data) is the owners'.
Every change is recorded in the audit record by participant label, never with their answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from app import store
from app.errors import InvalidInputError, NotFoundError
from app.models import Participant, QSortRecord, Question, StaffUser, utcnow
from app.services import access, audit, survey


@dataclass(frozen=True)
class ParticipantLine:
    """One row of the participants table."""

    id: int
    label: str
    group: str
    session: str
    mode: str
    step: str
    started: datetime
    finished: datetime | None
    excluded: str | None


@dataclass(frozen=True)
class SortView:
    """One sort laid out as its grid, with the participant's comments and survey answers."""

    label: str
    columns: list[tuple[int, list[tuple[int, str]]]]
    comments: list[tuple[int, int, str, str]] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)
    excluded: str | None = None
    source: str = "web"


def _mode(record: QSortRecord | None) -> str:
    if record is None or record.source == "web":
        return "tablet"
    return "imported" if record.source == "imported" else record.source


def _step(participant: Participant, record: QSortRecord | None, stage: str) -> str:
    if participant.finished_at is not None:
        return "finished"
    if record is not None:
        return "sorted"
    return stage or "consented"


def participants(db: Session, user: StaffUser, study_id: int) -> list[ParticipantLine]:
    """The participants table of a study (viewers and above)."""
    access.study_for(db, user, study_id, "view")
    lines = []
    for p, session, record, draft in store.study_participants(db, study_id):
        assert p.id is not None
        lines.append(
            ParticipantLine(
                id=p.id,
                label=p.label,
                group=session.group_label,
                session=session.name or session.code,
                mode=_mode(record),
                step=_step(p, record, draft.stage if draft else ""),
                started=p.consented_at,
                finished=p.finished_at,
                excluded=None if record is None else record.excluded_reason,
            )
        )
    return lines


def _participant(db: Session, study_id: int, participant_id: int) -> Participant:
    participant = db.get(Participant, participant_id)
    if participant is None or participant.study_id != study_id:
        raise NotFoundError(f"no participant {participant_id} in study {study_id}")
    return participant


def sort_view(db: Session, user: StaffUser, study_id: int, participant_id: int) -> SortView:
    """One participant's sort as columns of (statement number, text), with what they said."""
    access.study_for(db, user, study_id, "view")
    participant = _participant(db, study_id, participant_id)
    record = store.sort_of(db, participant_id)
    grid = store.get_grid(db, participant.grid_id)
    assert grid is not None
    cards = store.statements_by_id(db, participant.qset_id)
    placed: dict[int, list[tuple[int, int, str]]] = {v: [] for v in grid.column_values}
    if record is not None and record.id is not None:
        for entry in store.sort_entries(db, record.id):
            card = cards[entry.statement_id]
            placed.setdefault(entry.value, []).append((entry.row, card.number, card.text))
    columns = [(v, [(n, t) for _, n, t in sorted(placed[v])]) for v in sorted(placed)]
    comments = [
        (c.value, cards[c.statement_id].number, cards[c.statement_id].text, c.text)
        for c in store.comments_of(db, participant_id)
    ]
    questions = {q.id: q for q in store.questions(db, study_id)}
    answers = [
        (questions[a.question_id].prompt, answer_text(questions[a.question_id], a.value))
        for a in store.answers_of(db, participant_id)
        if a.question_id in questions
    ]
    return SortView(
        participant.label,
        columns,
        sorted(comments),
        answers,
        None if record is None else record.excluded_reason,
        "none" if record is None else record.source,
    )


def answer_text(question: Question, value: str) -> str:
    """A survey answer as the participant saw it (see :func:`app.services.survey.answer_text`)."""
    return survey.answer_text(question.kind, question.options, value)


def exclude(db: Session, user: StaffUser, study_id: int, participant_id: int, reason: str) -> None:
    """Leave a sort out of analysis, keeping it, with the reason (editors); empty = include."""
    access.study_for(db, user, study_id, "edit")
    participant = _participant(db, study_id, participant_id)
    record = store.sort_of(db, participant_id)
    if record is None:
        raise InvalidInputError(f"{participant.label} has no sort to exclude")
    reason = reason.strip()
    record.excluded_reason = reason or None
    record.excluded_at = utcnow() if reason else None
    record.excluded_by = user.id if reason else None
    db.add(record)
    action = "sort_exclude" if reason else "sort_include"
    audit.record(db, user, action, study_id=study_id, participant=participant.label, detail=reason)


def withdraw(db: Session, user: StaffUser, study_id: int, participant_id: int) -> str:
    """Delete a withdrawing participant's data (owners), recording who did it and when."""
    access.study_for(db, user, study_id, "own")
    participant = _participant(db, study_id, participant_id)
    label = participant.label
    store.delete_participant_data(db, participant_id)
    audit.record(db, user, "withdraw", study_id=study_id, participant=label, detail="data deleted")
    return label
