"""Sorts and whole studies coming in from files, read by :mod:`qsort.formats` (never here).

- :func:`import_sorts` adds the sorts of any format ``qsort formats`` lists to a study, each
  checked against the study's current Q-set (same number of statements) and grid, and marked
  imported with the file's name.
- :func:`import_study` makes a new draft study from a qsort study file: its whole design
  (statements and pictures, grid, questions, texts, language, participant options) and its
  sorts, if any.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from numpy.typing import NDArray
from sqlmodel import Session

from app import store
from app.errors import InvalidInputError
from app.models import SortSession, StaffUser, Study
from app.services import access, audit, study_design, study_file_pictures, survey
from app.services.group_sessions import new_code
from app.services.tokens import hash_token, new_public_id, new_token
from qsort.study import Grid
from qsort.study import Study as QStudy

IMPORT_SESSION = "Imported"


def _read(path: Path, fmt: str | None) -> QStudy:
    from qsort.errors import QsortError
    from qsort.formats import read_study

    try:
        return read_study(path, fmt)
    except QsortError as exc:
        raise InvalidInputError(str(exc)) from exc


def _import_session(db: Session, study_id: int) -> SortSession:
    for session in store.study_sessions(db, study_id):
        if session.name == IMPORT_SESSION and not session.is_open:
            return session
    session = store.open_session(db, study_id, new_code(), name=IMPORT_SESSION)
    session.is_open = False
    db.add(session)
    return session


def _check_fit(names: Sequence[str], sorts: NDArray[Any], n: int, grid: Grid, name: str) -> None:
    if sorts.shape[0] != n:
        raise InvalidInputError(
            f"{name}: its sorts have {sorts.shape[0]} statements; the study's Q-set has {n}"
        )
    for j, sort_name in enumerate(names):
        problems = grid.check_sort(sorts[:, j])
        if problems:
            raise InvalidInputError(
                f"{name}: sort {sort_name!r} does not fit the study's grid: {'; '.join(problems)}"
            )


def add_sorts(
    db: Session, study: Study, names: Sequence[str], sorts: NDArray[Any], source: str
) -> list[str]:
    """Store every sort (``sorts`` statements x sorts, one name each) on the study's current
    Q-set and grid; return the labels."""
    assert study.id is not None and study.current_qset_id and study.current_grid_id
    cards = store.statements(db, study.current_qset_id)
    shape = store.get_grid(db, study.current_grid_id)
    assert shape is not None
    grid = Grid(tuple(shape.column_values), tuple(shape.capacities), shape.forced)
    _check_fit(names, sorts, len(cards), grid, source)
    session = _import_session(db, study.id)
    taken = store.participant_labels(db, session.id or 0)
    labels = []
    for j, name in enumerate(names):
        label = name[:16] if name[:16] not in taken else f"I{len(taken) + 1:03d}"
        taken.add(label)
        rows: dict[int, int] = {}
        placements = []
        for card, value in zip(cards, sorts[:, j].tolist(), strict=True):
            assert card.id is not None
            placements.append((card.id, int(value), rows.get(int(value), 0)))
            rows[int(value)] = rows.get(int(value), 0) + 1
        store.add_imported_sort(
            db,
            session,
            label,
            hash_token(new_token()),
            new_public_id(),
            study.current_qset_id,
            study.current_grid_id,
            placements,
            source,
        )
        labels.append(label)
    return labels


def import_sorts(
    db: Session, user: StaffUser | None, study_id: int, path: Path, fmt: str | None, source: str
) -> list[str]:
    """Read the file and add its sorts to the study (editors; None is the command line)."""
    study = store.get_study(db, study_id) if user is None else None
    if user is not None:
        study = access.study_for(db, user, study_id, "edit")
    if study is None:
        raise InvalidInputError(f"no study with id {study_id}")
    data = _read(path, fmt)
    labels = add_sorts(db, study, data.sort_names, data.sorts, source)
    audit.record(db, user, "sorts_import", study_id=study_id, detail=f"{len(labels)} from {source}")
    return labels


def import_study(
    db: Session, user: StaffUser | None, path: Path, source: str, data_dir: Path
) -> Study:
    """A new draft study from a qsort study file, with its sorts (marked imported) and its
    picture cards (checked as uploads are, then kept in ``data_dir``'s media folder)."""
    from qsort.errors import QsortError
    from qsort.formats.studyfile import read_document

    if user is not None:
        access.require_role(user, "admin", "researcher")
    try:
        document = read_document(path)
    except QsortError as exc:
        raise InvalidInputError(str(exc)) from exc
    prepared = study_file_pictures.prepare_file_pictures(document, source)
    study = store.create_study(
        db,
        slug=f"study-{secrets.token_hex(6)}",
        title=(document.title or Path(source).stem)[:200],
        condition="",
        statements=[s.text for s in document.statements],
        column_values=document.grid.values,
        capacities=document.grid.capacities,
        forced=document.grid.forced,
        survey=[survey.from_file(q) for q in document.questions],
    )
    study.status = "draft"
    study_design.apply_design(study, document, source)
    assert study.id is not None and study.current_qset_id is not None
    if prepared:
        cards = study_file_pictures.store_file_pictures(document, prepared, data_dir)
        store.replace_statements(db, study.current_qset_id, cards)
    if user is not None and user.id is not None:
        store.grant(db, study.id, user.id, "owner")
    if document.sort_names:
        add_sorts(db, study, document.sort_names, document.sorts, source)
    audit.record(db, user, "study_import", study_id=study.id, detail=source)
    return study
