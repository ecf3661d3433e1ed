"""The workbench's queries: completed sorts of a study, their cards, comments and answers.

Kept beside :mod:`app.store` (same rules: short typed functions, nothing commits) so that the
analysis side reads the study store in bulk, a chunk of sorts at a time, without one query per
sort: a study of 10,000 sorts loads in a few dozen queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.models import (
    AnalysisRun,
    Comment,
    Participant,
    QSortRecord,
    Question,
    SavedAnalysis,
    SortEntry,
    SortSession,
    Statement,
    SurveyAnswer,
)

#: Sorts whose cards are read in one query.
CHUNK = 500


@dataclass(frozen=True)
class SortRow:
    """A completed sort as the workbench lists it (no card values)."""

    record_id: int
    participant_id: int
    label: str
    session_code: str
    group: str
    qset_id: int
    grid_id: int


def completed_sorts(db: Session, study_id: int) -> list[SortRow]:
    """Every completed sort of a study not excluded from analysis, in the order the participants
    joined (the order ``qsort data export`` writes them in)."""
    query = (
        sa.select(
            col(QSortRecord.id),
            col(Participant.id),
            col(Participant.label),
            col(SortSession.code),
            col(SortSession.group_label),
            col(QSortRecord.qset_id),
            col(QSortRecord.grid_id),
        )
        .join(Participant, col(Participant.id) == QSortRecord.participant_id)
        .join(SortSession, col(SortSession.id) == Participant.session_id)
        .where(col(Participant.study_id) == study_id)
        .where(sa.func.coalesce(col(QSortRecord.excluded_reason), "") == "")
        .order_by(col(Participant.consented_at), col(Participant.id))
    )
    return [SortRow(*row) for row in db.execute(query)]


def statements_of(db: Session, qset_id: int) -> list[Statement]:
    """The statements of a Q-set version, by number."""
    query = select(Statement).where(Statement.qset_id == qset_id).order_by(col(Statement.number))
    return list(db.exec(query))


def card_values(db: Session, record_ids: Sequence[int]) -> Iterator[tuple[int, int, int]]:
    """(sort record id, statement number, column value) for every card of the given sorts.

    Read :data:`CHUNK` sorts at a time; the caller may report progress between chunks.
    """
    for start in range(0, len(record_ids), CHUNK):
        chunk = list(record_ids[start : start + CHUNK])
        query = (
            select(SortEntry.qsort_id, Statement.number, SortEntry.value)
            .join(Statement, col(Statement.id) == SortEntry.statement_id)
            .where(col(SortEntry.qsort_id).in_(chunk))
        )
        yield from db.exec(query)


def comments_on(db: Session, participant_ids: Sequence[int]) -> list[tuple[int, int, str]]:
    """(participant id, statement number, text) of the post-sort comments of some participants."""
    query = (
        select(Comment.participant_id, Statement.number, Comment.text)
        .join(Statement, col(Statement.id) == Comment.statement_id)
        .where(col(Comment.participant_id).in_(list(participant_ids)))
        .order_by(col(Comment.id))
    )
    return [(p, n, t) for p, n, t in db.exec(query)]


def answers_of(db: Session, participant_ids: Sequence[int]) -> list[tuple[int, Question, str]]:
    """(participant id, question, value) of the survey answers of some participants."""
    query = (
        select(SurveyAnswer.participant_id, Question, SurveyAnswer.value)
        .join(Question, col(Question.id) == SurveyAnswer.question_id)
        .where(col(SurveyAnswer.participant_id).in_(list(participant_ids)))
        .order_by(col(Question.position))
    )
    return [(p, q, v) for p, q, v in db.exec(query)]


def saved_analyses(db: Session, study_id: int) -> list[SavedAnalysis]:
    """A study's saved analyses, newest first."""
    query = select(SavedAnalysis).where(SavedAnalysis.study_id == study_id)
    return list(db.exec(query.order_by(col(SavedAnalysis.updated_at).desc())))


def saved_analysis(db: Session, study_id: int, analysis_id: int) -> SavedAnalysis | None:
    """One saved analysis of a study (None when it belongs to another study)."""
    found = db.get(SavedAnalysis, analysis_id)
    return found if found is not None and found.study_id == study_id else None


def run_by_key(db: Session, study_id: int, run_key: str) -> AnalysisRun | None:
    """The run of a study with this key, if one was ever started."""
    query = select(AnalysisRun).where(
        AnalysisRun.study_id == study_id, AnalysisRun.run_key == run_key
    )
    return db.exec(query).first()


def saved_analysis_named(db: Session, study_id: int, name: str) -> SavedAnalysis | None:
    """The saved analysis of a study with this name, if any."""
    query = select(SavedAnalysis).where(
        SavedAnalysis.study_id == study_id, SavedAnalysis.name == name
    )
    return db.exec(query).first()
