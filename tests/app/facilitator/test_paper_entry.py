"""Paper sorts typed in by hand: every problem named, single and double data entry."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from app.errorpages import problem_message
from app.errors import AlreadySubmittedError, InvalidSubmissionError
from app.i18n import Catalogue
from app.models import GridShape, PaperEntry, Participant, QSortRecord, SortEntry, SortSession
from app.services import paper_entry
from app.services.board import board_state
from app.services.paper_entry import Columns, Difference, check_columns, columns_from_text

VALUES = list(range(-4, 5))
CAPACITIES = [2, 3, 4, 5, 6, 5, 4, 3, 2]
NUMBERS = set(range(1, 35))


def _grid(forced: bool = True) -> GridShape:
    return GridShape(study_id=1, column_values=VALUES, capacities=CAPACITIES, forced=forced)


def valid() -> Columns:
    """Statements 34..1 laid column by column (the reverse of number order)."""
    numbers = list(range(34, 0, -1))
    columns: Columns = {}
    for value, cap in zip(VALUES, CAPACITIES, strict=True):
        columns[value], numbers = numbers[:cap], numbers[cap:]
    return columns


def _messages(problems: list[dict[str, object]]) -> list[str]:
    t = Catalogue()
    return [problem_message(t, p) for p in problems]


def test_a_complete_sheet_has_no_problem() -> None:
    assert check_columns(_grid(), NUMBERS, valid()) == []


def test_a_duplicate_is_named_with_its_columns() -> None:
    columns = valid()
    columns[2][0] = columns[-3][1]  # statement typed twice; the one it replaced is missing
    twice, lost = columns[-3][1], valid()[2][0]
    problems = check_columns(_grid(), NUMBERS, columns)
    assert [p["code"] for p in problems] == ["paper_duplicate", "paper_missing"]
    assert _messages(problems) == [
        f"Statement {twice} is typed 2 times (columns -3, +2).",
        f"Statement {lost} is not typed in any column.",
    ]


def test_an_unknown_number_names_its_column_and_place() -> None:
    columns = valid()
    lost = columns[4][1]
    columns[4][1] = 99
    problems = check_columns(_grid(), NUMBERS, columns)
    assert _messages(problems) == [
        "Column +4, place 2: there is no statement 99 in this Q-set.",
        f"Statement {lost} is not typed in any column.",
    ]


def test_a_column_over_capacity_is_named() -> None:
    columns = valid()
    moved = columns[0].pop()
    columns[-4].append(moved)
    problems = check_columns(_grid(), NUMBERS, columns)
    assert _messages(problems) == [
        "Column -4 has 3 numbers but only 2 places.",
        "Column +0 has 5 numbers; it needs 6.",
    ]
    free = check_columns(_grid(forced=False), NUMBERS, columns)
    assert [p["code"] for p in free] == ["paper_over_capacity"]  # a free grid may be short


def test_what_was_typed_is_read_column_by_column() -> None:
    columns, problems = columns_from_text(_grid(), {-4: " 12, 5 ", 0: "3;4  7", 4: "8 x9"})
    assert columns[-4] == [12, 5] and columns[0] == [3, 4, 7] and columns[4] == [8]
    assert columns[1] == []  # every column of the grid is present
    assert _messages(problems) == ["Column +4, place 2: 'x9' is not a statement number."]


def test_a_valid_single_entry_is_recorded_as_paper_with_who_typed_it(
    db: Session, group: SortSession
) -> None:
    assert group.id is not None
    outcome = paper_entry.start_entry(db, group.id, valid(), label="p12", by=5)
    assert outcome.recorded and outcome.differences == () and outcome.label == "P12"
    record = db.exec(select(QSortRecord)).one()
    assert (record.source, record.entered_by, record.checked_by) == ("paper", 5, None)
    participant = db.get(Participant, record.participant_id)
    assert participant is not None and participant.session_id == group.id
    assert participant.finished_at is not None and participant.label == "P12"
    assert _placed(db, record) == _as_cells(valid())
    assert board_state(db, group.id).rows[0].step == "finished"


def _placed(db: Session, record: QSortRecord) -> set[tuple[int, int, int]]:
    from app.models import Statement

    number = {s.id: s.number for s in db.exec(select(Statement))}
    entries = db.exec(select(SortEntry).where(SortEntry.qsort_id == record.id))
    return {(number[e.statement_id], e.value, e.row) for e in entries}


def _as_cells(columns: Columns) -> set[tuple[int, int, int]]:
    return {(n, v, r) for v, ns in columns.items() for r, n in enumerate(ns)}


def test_a_refused_entry_stores_nothing(db: Session, group: SortSession) -> None:
    assert group.id is not None
    columns = valid()
    columns[1][0] = columns[1][1]
    with pytest.raises(InvalidSubmissionError) as caught:
        paper_entry.start_entry(db, group.id, columns, by=5)
    assert caught.value.problems[0]["code"] == "paper_duplicate"
    assert db.exec(select(Participant).where(Participant.session_id == group.id)).all() == []
    assert db.exec(select(PaperEntry)).all() == []


def test_a_label_must_be_free_and_plain(db: Session, group: SortSession) -> None:
    assert group.id is not None
    paper_entry.start_entry(db, group.id, valid(), label="P01")
    for label, code in (("P01", "paper_label_taken"), ("P 0/1", "paper_label_invalid")):
        with pytest.raises(InvalidSubmissionError) as caught:
            paper_entry.start_entry(db, group.id, valid(), label=label)
        assert caught.value.problems[0]["code"] == code


def test_double_entry_shows_the_differences_until_both_agree(
    db: Session, group: SortSession
) -> None:
    assert group.id is not None
    first = paper_entry.start_entry(db, group.id, valid(), by=5, double_entry=True)
    assert not first.recorded and db.exec(select(QSortRecord)).all() == []
    assert board_state(db, group.id).rows[0].step == "paper_entry"
    entry_id = first.entry.id
    assert entry_id is not None
    second = valid()
    second[-1][0], second[3][2] = second[3][2], second[-1][0]  # two numbers swapped by mistake
    outcome = paper_entry.enter_again(db, entry_id, second, by=6)
    assert not outcome.recorded
    assert outcome.differences == (
        Difference(-1, 1, valid()[-1][0], valid()[3][2]),
        Difference(3, 3, valid()[3][2], valid()[-1][0]),
    )
    assert [o.entry.id for o in paper_entry.pending(db, group.id)] == [entry_id]
    # the sheet is checked: the second typing was wrong; it is corrected and the sort recorded
    agreed = paper_entry.correct(db, entry_id, "second", valid(), by=6)
    assert agreed.recorded and agreed.differences == ()
    record = db.exec(select(QSortRecord)).one()
    assert (record.source, record.entered_by, record.checked_by) == ("paper", 5, 6)
    assert _placed(db, record) == _as_cells(valid())
    assert paper_entry.pending(db, group.id) == []
    with pytest.raises(AlreadySubmittedError):
        paper_entry.correct(db, entry_id, "first", valid())


def test_correcting_the_first_typing_also_settles_it(db: Session, group: SortSession) -> None:
    assert group.id is not None
    wrong = valid()
    wrong[0][0], wrong[0][1] = wrong[0][1], wrong[0][0]
    entry_id = paper_entry.start_entry(db, group.id, wrong, by=5, double_entry=True).entry.id
    assert entry_id is not None
    assert len(paper_entry.enter_again(db, entry_id, valid(), by=6).differences) == 2
    assert paper_entry.correct(db, entry_id, "first", valid(), by=5).recorded


def test_an_invalid_second_typing_is_refused_and_the_first_kept(
    db: Session, group: SortSession
) -> None:
    assert group.id is not None
    entry_id = paper_entry.start_entry(db, group.id, valid(), double_entry=True).entry.id
    assert entry_id is not None
    short = valid()
    short[4].pop()
    with pytest.raises(InvalidSubmissionError):
        paper_entry.enter_again(db, entry_id, short)
    kept = paper_entry.outcome_of(db, entry_id)
    assert kept.entry.second is None and paper_entry.columns_of(kept.entry.first) == valid()


def test_a_single_entry_is_recorded_and_closed_to_changes(db: Session, group: SortSession) -> None:
    assert group.id is not None
    columns = valid()
    other = paper_entry.start_entry(db, group.id, columns, double_entry=True)
    assert other.entry.id is not None
    single = paper_entry.start_entry(db, group.id, columns)
    assert single.recorded and single.entry.id is not None
    with pytest.raises(AlreadySubmittedError):
        paper_entry.enter_again(db, single.entry.id, columns)
