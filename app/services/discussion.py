"""The group discussion view: where a session's finished sorts agreed and disagreed.

Once people have finished, the facilitator puts up, on the room's screen, the statements the
group placed highest and lowest on average, the most contested (the widest spread of places)
and the most agreed (the narrowest). Only aggregates over the session's completed sorts are
shown: no label, no seat, no single sort, nothing that says who placed what. Below
:data:`MIN_SORTS` finished sorts an average would all but show one person's sort, so the
result says so instead (:attr:`Discussion.enough` is false and the lists are empty).

Spread is the population standard deviation of the column values a statement was given
(``numpy.std``); ties are broken by statement number so the view is stable. When a session's
sorts were made on different Q-set versions, the version most of them used is summarised and
the others are counted in :attr:`Discussion.other_versions`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, col, select

from app.models import Participant, QSortRecord, SortEntry, Statement
from app.services.group_sessions import get_session

MIN_SORTS = 3
TOP = 5


@dataclass(frozen=True)
class Placed:
    """One statement across the group: its mean column value and the spread around it."""

    number: int
    text: str
    mean: float
    spread: float


@dataclass(frozen=True)
class Discussion:
    """What the room sees. With fewer than :data:`MIN_SORTS` sorts every list is empty."""

    sorts: int
    enough: bool
    highest: tuple[Placed, ...] = ()
    lowest: tuple[Placed, ...] = ()
    contested: tuple[Placed, ...] = ()
    agreed: tuple[Placed, ...] = ()
    other_versions: int = 0
    minimum: int = MIN_SORTS


def discussion(db: Session, session_id: int, top: int = TOP) -> Discussion:
    """The session's discussion view from its completed sorts (web and paper alike)."""
    get_session(db, session_id)
    query = (
        select(QSortRecord.id, QSortRecord.qset_id)
        .join(Participant, col(Participant.id) == col(QSortRecord.participant_id))
        .where(Participant.session_id == session_id)
    )
    records = list(db.exec(query))
    if not records:
        return Discussion(sorts=0, enough=False)
    qset_id, count = Counter(q for _, q in records).most_common(1)[0]
    others = len(records) - count
    if count < MIN_SORTS:
        return Discussion(sorts=count, enough=False, other_versions=others)
    ids = [i for i, q in records if q == qset_id and i is not None]
    summary = summarise(_values(db, ids, qset_id), _texts(db, qset_id))
    return Discussion(
        sorts=count,
        enough=True,
        highest=tuple(sorted(summary, key=lambda p: (-p.mean, p.number))[:top]),
        lowest=tuple(sorted(summary, key=lambda p: (p.mean, p.number))[:top]),
        contested=tuple(sorted(summary, key=lambda p: (-p.spread, p.number))[:top]),
        agreed=tuple(sorted(summary, key=lambda p: (p.spread, p.number))[:top]),
        other_versions=others,
    )


def _values(db: Session, record_ids: list[int], qset_id: int) -> dict[int, list[int]]:
    """Statement number -> the column values it was given, one per sort."""
    query = (
        select(Statement.number, SortEntry.value)
        .join(SortEntry, col(SortEntry.statement_id) == col(Statement.id))
        .where(col(SortEntry.qsort_id).in_(record_ids), Statement.qset_id == qset_id)
    )
    values: dict[int, list[int]] = {}
    for number, value in db.exec(query):
        values.setdefault(number, []).append(value)
    return values


def _texts(db: Session, qset_id: int) -> dict[int, str]:
    query = select(Statement.number, Statement.text).where(Statement.qset_id == qset_id)
    return dict(db.exec(query).all())


def summarise(values: dict[int, list[int]], texts: dict[int, str]) -> list[Placed]:
    """Mean and spread (population standard deviation) of each statement's values."""
    return [
        Placed(
            number=n,
            text=texts.get(n, ""),
            mean=float(np.mean(v)),
            spread=float(np.std(v)),
        )
        for n, v in sorted(values.items())
    ]
