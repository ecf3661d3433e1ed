"""The group discussion view: aggregates of finished sorts only, and never below three sorts."""

from __future__ import annotations

import statistics

from sqlmodel import Session

from app.models import SortSession
from app.services import paper_entry
from app.services.discussion import MIN_SORTS, discussion
from app.services.paper_entry import Columns

VALUES = list(range(-4, 5))
CAPACITIES = [2, 3, 4, 5, 6, 5, 4, 3, 2]


def laid(order: list[int]) -> Columns:
    """Statements in ``order`` laid column by column from -4 to +4."""
    columns: Columns = {}
    for value, cap in zip(VALUES, CAPACITIES, strict=True):
        columns[value], order = order[:cap], order[cap:]
    return columns


def _value_of(columns: Columns) -> dict[int, int]:
    return {n: v for v, ns in columns.items() for n in ns}


SORTS = [
    laid(list(range(1, 35))),  # statement 1 lowest ... 34 highest
    laid(list(range(34, 0, -1))),  # the reverse: every statement contested, ends most
    laid(list(range(1, 35))),
    laid([*range(3, 35), 1, 2]),
]


def _enter(db: Session, session_id: int, sorts: list[Columns]) -> None:
    for columns in sorts:
        assert paper_entry.start_entry(db, session_id, columns).recorded


def test_fewer_than_three_sorts_says_not_enough(db: Session, group: SortSession) -> None:
    assert group.id is not None
    empty = discussion(db, group.id)
    assert (empty.sorts, empty.enough, empty.highest) == (0, False, ())
    _enter(db, group.id, SORTS[:2])
    two = discussion(db, group.id)
    assert two.sorts == 2 and not two.enough and MIN_SORTS == 3
    assert two.highest == two.lowest == two.contested == two.agreed == ()


def test_means_and_spreads_match_an_independent_computation(
    db: Session, group: SortSession
) -> None:
    assert group.id is not None
    _enter(db, group.id, SORTS)
    result = discussion(db, group.id, top=34)
    assert result.enough and result.sorts == 4
    by_number = {p.number: p for p in result.highest}
    assert len(by_number) == 34
    for n in range(1, 35):
        given = [_value_of(s)[n] for s in SORTS]
        assert abs(by_number[n].mean - statistics.fmean(given)) < 1e-12
        assert abs(by_number[n].spread - statistics.pstdev(given)) < 1e-12
    means = [p.mean for p in result.highest]
    assert means == sorted(means, reverse=True)
    assert [p.spread for p in result.agreed] == sorted(p.spread for p in result.agreed)


def test_the_top_five_of_each_list(db: Session, group: SortSession) -> None:
    assert group.id is not None
    _enter(db, group.id, SORTS)
    result = discussion(db, group.id)
    means = {n: statistics.fmean(_value_of(s)[n] for s in SORTS) for n in range(1, 35)}
    spread = {n: statistics.pstdev(_value_of(s)[n] for s in SORTS) for n in range(1, 35)}
    assert [p.number for p in result.highest] == sorted(means, key=lambda n: (-means[n], n))[:5]
    assert [p.number for p in result.lowest] == sorted(means, key=lambda n: (means[n], n))[:5]
    assert [p.number for p in result.contested] == sorted(spread, key=lambda n: (-spread[n], n))[:5]
    assert [p.number for p in result.agreed] == sorted(spread, key=lambda n: (spread[n], n))[:5]
    assert result.highest[0].text  # the statement's own words are shown


def test_only_this_sessions_sorts_count(db: Session, group: SortSession, study_id: int) -> None:
    from app.services.group_sessions import open_group_session

    assert group.id is not None
    other = open_group_session(db, study_id, group_label="Workers")
    assert other.id is not None
    _enter(db, other.id, SORTS)
    assert discussion(db, group.id).sorts == 0
    assert discussion(db, other.id).sorts == 4
