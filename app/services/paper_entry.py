"""Paper sorts typed in by hand, checked against the grid and the Q-set, optionally twice.

Some participants prefer real cards. Their sort is written on a record sheet, column by column,
and a staff member types the statement numbers of each column into a grid form. Every problem
is named with its column and number: a number the Q-set does not have, a number typed twice, a
number not typed at all, a column holding more numbers than it has places (or, on a forced
grid, fewer). A valid entry is recorded as a sort with ``source="paper"`` and who typed it.

Double data entry: a second person types the same sheet again; the two typings are compared
cell by cell (column and place from the top), the differences are listed, and either typing is
corrected until they agree. Only then is the sort recorded, naming both people.

The people are plain user ids (``first_by``/``second_by`` on :class:`PaperEntry`,
``entered_by``/``checked_by`` on the sort), not yet foreign keys: the users table comes with
staff accounts.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from app import store
from app.errors import AlreadySubmittedError, InvalidSubmissionError, NotFoundError
from app.models import GridShape, PaperEntry, Participant, QSortRecord, utcnow
from app.services.group_sessions import get_session
from app.services.join import random_label
from app.services.submit import Problem
from app.services.tokens import hash_token, new_token

#: Column value -> the statement numbers typed in that column, from the top of the sheet.
Columns = dict[int, list[int]]
Typing = Literal["first", "second"]

LABEL_PATTERN = re.compile(r"[A-Za-z0-9-]{1,16}")
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Difference:
    """One cell where the two typings disagree (``None``: nothing typed there)."""

    value: int
    place: int
    first: int | None
    second: int | None


@dataclass(frozen=True)
class EntryOutcome:
    """Where an entry stands: its label, the differences left, and whether it is recorded."""

    entry: PaperEntry
    label: str
    differences: tuple[Difference, ...]
    recorded: bool


def columns_from_text(grid: GridShape, fields: Mapping[int, str]) -> tuple[Columns, list[Problem]]:
    """Read each column's numbers from what was typed (spaces, commas or semicolons between)."""
    columns: Columns = {}
    problems: list[Problem] = []
    for value, text in fields.items():
        numbers: list[int] = []
        for place, token in enumerate(t for t in _SEPARATORS.split(text.strip()) if t):
            if token.isdigit() and len(token) <= 6:
                numbers.append(int(token))
            else:
                problems.append(
                    {
                        "code": "paper_not_a_number",
                        "value": value,
                        "place": place + 1,
                        "text": token,
                    }
                )
        columns[value] = numbers
    for value in grid.column_values:
        columns.setdefault(value, [])
    return columns, problems


def check_columns(grid: GridShape, numbers: set[int], columns: Columns) -> list[Problem]:
    """Every problem with a typed sort, each naming its column and statement number."""
    problems: list[Problem] = []
    capacity = dict(zip(grid.column_values, grid.capacities, strict=True))
    problems += [
        {"code": "paper_unknown_column", "value": v} for v in sorted(set(columns) - set(capacity))
    ]
    for value in grid.column_values:
        typed = columns.get(value, [])
        if len(typed) > capacity[value]:
            problems.append(
                {
                    "code": "paper_over_capacity",
                    "value": value,
                    "found": len(typed),
                    "capacity": capacity[value],
                }
            )
        problems += [
            {"code": "paper_unknown_statement", "value": value, "place": p, "statement": n}
            for p, n in enumerate(typed, 1)
            if n not in numbers
        ]
    problems += _duplicates(grid, columns)
    typed_numbers = {n for ns in columns.values() for n in ns}
    problems += [{"code": "paper_missing", "statement": n} for n in sorted(numbers - typed_numbers)]
    if grid.forced:
        problems += [
            {
                "code": "paper_column_short",
                "value": v,
                "found": len(columns.get(v, [])),
                "capacity": c,
            }
            for v, c in capacity.items()
            if len(columns.get(v, [])) < c
        ]
    return problems


def _duplicates(grid: GridShape, columns: Columns) -> list[Problem]:
    """A number typed in more than one cell, with the columns it was typed in."""
    where: dict[int, list[int]] = {}
    for value in grid.column_values:
        for n in columns.get(value, []):
            where.setdefault(n, []).append(value)
    counts = Counter(n for ns in columns.values() for n in ns)
    return [
        {
            "code": "paper_duplicate",
            "statement": n,
            "count": c,
            "columns": ", ".join(f"{v:+d}" for v in dict.fromkeys(where.get(n, []))),
        }
        for n, c in sorted(counts.items())
        if c > 1
    ]


def differences(first: Columns, second: Columns) -> list[Difference]:
    """The cells where two typings of one sheet disagree, column by column, top to bottom."""
    found: list[Difference] = []
    for value in sorted(set(first) | set(second)):
        a, b = first.get(value, []), second.get(value, [])
        for place in range(max(len(a), len(b))):
            x = a[place] if place < len(a) else None
            y = b[place] if place < len(b) else None
            if x != y:
                found.append(Difference(value, place + 1, x, y))
    return found


def start_entry(
    db: Session,
    session_id: int,
    columns: Columns,
    *,
    label: str | None = None,
    by: int | None = None,
    double_entry: bool = False,
) -> EntryOutcome:
    """Check a first typing and keep it; record the sort at once unless double entry is asked.

    A participant is made for the paper sort (``label`` as written on the record sheet, or a
    random free one); its token is never handed out, so no device can act as them. Nothing is
    stored if the typing has problems.
    """
    session = get_session(db, session_id)
    study = store.get_study(db, session.study_id)
    if study is None or study.current_qset_id is None or study.current_grid_id is None:
        raise NotFoundError("the study of this session has no Q-set and grid")
    grid = _grid(db, study.current_grid_id)
    problems = _label_problems(db, session_id, label)
    problems += _check(db, grid, study.current_qset_id, columns)
    if problems:
        raise InvalidSubmissionError(f"{len(problems)} problem(s)", problems=problems)
    taken = store.participant_labels(db, session_id)
    participant = Participant(
        session_id=session_id,
        study_id=session.study_id,
        label=label.strip().upper() if label else random_label(taken),
        token_hash=hash_token(new_token()),
        qset_id=study.current_qset_id,
        grid_id=study.current_grid_id,
    )
    db.add(participant)
    db.flush()
    assert participant.id is not None
    entry = PaperEntry(
        session_id=session_id,
        participant_id=participant.id,
        double_entry=double_entry,
        first=_to_json(columns),
        first_by=by,
    )
    db.add(entry)
    db.flush()
    return _settle(db, entry, participant)


def enter_again(
    db: Session, entry_id: int, columns: Columns, *, by: int | None = None
) -> EntryOutcome:
    """The second typing of a double entry: checked, kept, compared with the first."""
    return correct(db, entry_id, "second", columns, by=by)


def correct(
    db: Session, entry_id: int, which: Typing, columns: Columns, *, by: int | None = None
) -> EntryOutcome:
    """Replace one typing (after looking at the sheet again) and compare the two once more."""
    entry, participant = _open_entry(db, entry_id)  # a single entry is recorded at once
    problems = _check(db, _grid(db, participant.grid_id), participant.qset_id, columns)
    if problems:
        raise InvalidSubmissionError(f"{len(problems)} problem(s)", problems=problems)
    if which == "first":
        entry.first, entry.first_by = _to_json(columns), by
    else:
        entry.second, entry.second_by = _to_json(columns), by
    entry.updated_at = utcnow()
    db.add(entry)
    db.flush()
    return _settle(db, entry, participant)


def outcome_of(db: Session, entry_id: int) -> EntryOutcome:
    """Where an entry stands now, without changing it."""
    entry = db.get(PaperEntry, entry_id)
    if entry is None:
        raise NotFoundError(f"no paper entry {entry_id}")
    participant = db.get(Participant, entry.participant_id)
    assert participant is not None
    diffs = _entry_differences(entry)
    return EntryOutcome(entry, participant.label, tuple(diffs), entry.qsort_id is not None)


def pending(db: Session, session_id: int) -> list[EntryOutcome]:
    """The session's paper entries not yet recorded (waiting for a second typing or agreement)."""
    query = select(PaperEntry.id).where(
        PaperEntry.session_id == session_id, col(PaperEntry.qsort_id).is_(None)
    )
    return [outcome_of(db, i) for i in db.exec(query.order_by(col(PaperEntry.id))) if i]


def columns_of(stored: Mapping[str, list[int]] | None) -> Columns:
    """A typing as stored (JSON keys are strings) back as column value -> numbers."""
    return {int(k): list(v) for k, v in (stored or {}).items()}


def _to_json(columns: Columns) -> dict[str, list[int]]:
    return {str(v): list(ns) for v, ns in sorted(columns.items())}


def _grid(db: Session, grid_id: int) -> GridShape:
    grid = store.get_grid(db, grid_id)
    assert grid is not None
    return grid


def _check(db: Session, grid: GridShape, qset_id: int, columns: Columns) -> list[Problem]:
    numbers = {s.number for s in store.statements(db, qset_id)}
    return check_columns(grid, numbers, columns)


def _label_problems(db: Session, session_id: int, label: str | None) -> list[Problem]:
    if label is None or not label.strip():
        return []
    clean = label.strip().upper()
    if not LABEL_PATTERN.fullmatch(clean):
        return [{"code": "paper_label_invalid", "label": label.strip()[:20]}]
    if clean in store.participant_labels(db, session_id):
        return [{"code": "paper_label_taken", "label": clean}]
    return []


def _open_entry(db: Session, entry_id: int) -> tuple[PaperEntry, Participant]:
    entry = db.get(PaperEntry, entry_id)
    if entry is None:
        raise NotFoundError(f"no paper entry {entry_id}")
    if entry.qsort_id is not None:
        raise AlreadySubmittedError("this paper sort is already recorded")
    participant = db.get(Participant, entry.participant_id)
    assert participant is not None
    return entry, participant


def _entry_differences(entry: PaperEntry) -> list[Difference]:
    if not entry.double_entry or entry.second is None:
        return []
    return differences(columns_of(entry.first), columns_of(entry.second))


def _settle(db: Session, entry: PaperEntry, participant: Participant) -> EntryOutcome:
    """Record the sort if it is ready (single entry, or both typings agree); commit."""
    diffs = _entry_differences(entry)
    ready = not entry.double_entry or (entry.second is not None and not diffs)
    if ready:
        record = _record(db, entry, participant)
        entry.qsort_id = record.id
        db.add(entry)
    db.commit()
    db.refresh(entry)
    return EntryOutcome(entry, participant.label, tuple(diffs), ready)


def _record(db: Session, entry: PaperEntry, participant: Participant) -> QSortRecord:
    """The agreed typing as a sort with ``source="paper"``; the participant is then finished."""
    by_number = {s.number: s.id for s in store.statements(db, participant.qset_id)}
    placements = [
        (_id(by_number[n]), value, row)
        for value, numbers in columns_of(entry.first).items()
        for row, n in enumerate(numbers)
    ]
    record = store.add_sort(db, participant, f"paper-{secrets.token_hex(12)}", placements)
    record.source = "paper"
    record.entered_by = entry.first_by
    record.checked_by = entry.second_by if entry.double_entry else None
    db.add(record)
    now = utcnow()
    store.mark(participant, "sorted_at", now)
    store.mark(participant, "finished_at", now)
    db.add(participant)
    db.flush()
    return record


def _id(value: int | None) -> int:
    assert value is not None
    return value
