"""Taking a study's data out: its sorts in any format ``qsort formats`` lists, and its
responses (comments and survey answers) as CSV.

The sorts go out through :mod:`qsort.formats`' writers (the app never writes a format itself):
:func:`study_from_store` turns the stored sorts of the current Q-set version into a
:class:`qsort.Study`. Exports are de-identified by default: sorts are named by their labels,
and no free text or time goes out. ``full`` (the owner's right) adds the survey's free-text
answers and times to the responses, and is recorded. Every file is created owner-readable only.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from pathlib import Path

import numpy as np
from sqlmodel import Session

from app import store
from app.errors import InvalidInputError
from app.models import StaffUser, Study
from app.services import access, audit, trace
from app.services.collected import answer_text
from app.services.study_design import document_from_store
from qsort.study import Grid
from qsort.study import Statement as QStatement
from qsort.study import Study as QStudy


def study_from_store(db: Session, study: Study, with_excluded: bool = False) -> QStudy:
    """The study's completed sorts on its current Q-set and grid as a :class:`qsort.Study`.

    Sorts are named by participant label (a label repeated in two sessions gets the session's
    code after it); excluded sorts are left out unless ``with_excluded``.
    """
    assert study.current_qset_id and study.current_grid_id
    cards = store.statements(db, study.current_qset_id)
    grid = store.get_grid(db, study.current_grid_id)
    assert grid is not None
    names, columns = stored_sorts(db, study, with_excluded)
    if len(columns) < 2:
        raise InvalidInputError(
            f"an export needs at least two completed sorts; this study has {len(columns)}"
        )
    return QStudy(
        statements=tuple(QStatement(str(c.number), c.text) for c in cards),
        sort_names=tuple(names),
        sorts=np.array(columns, dtype=np.int64).T,
        grid=Grid(tuple(grid.column_values), tuple(grid.capacities), grid.forced),
        title=study.title,
    )


def stored_sorts(
    db: Session, study: Study, with_excluded: bool = False
) -> tuple[list[str], list[list[int]]]:
    """The names and values (in statement order) of the completed sorts on the current Q-set
    version, as many as there are (see :func:`study_from_store` for the names)."""
    assert study.id is not None and study.current_qset_id
    index = {c.id: i for i, c in enumerate(store.statements(db, study.current_qset_id))}
    names: list[str] = []
    columns: list[list[int]] = []
    for participant, session, record, _ in store.study_participants(db, study.id):
        if record is None or record.id is None or record.qset_id != study.current_qset_id:
            continue
        if record.excluded_reason and not with_excluded:
            continue
        values = [0] * len(index)
        for entry in store.sort_entries(db, record.id):
            values[index[entry.statement_id]] = entry.value
        name = participant.label
        names.append(name if name not in names else f"{name}-{session.code}")
        columns.append(values)
    return names, columns


def export_sorts(
    db: Session,
    user: StaffUser | None,
    study_id: int,
    path: Path,
    fmt: str | None = None,
    full: bool = False,
    action: str = "data_export",
    *,
    data_dir: Path,
) -> list[Path]:
    """Write the study's sorts to ``path`` (format from ``fmt`` or the extension).

    ``user`` None is the command line (the machine's operator, who holds the whole store);
    ``action`` names it in the audit record (``data_download`` from the browser). A qsort
    study file (``fmt`` "qsort") carries the whole design and any number of sorts, none
    included (:mod:`app.services.study_design`), and the picture cards' images from
    ``data_dir`` (the data folder holding them); other formats need two sorts.
    Returns every file written, each made readable by its owner only.
    """
    from qsort.errors import QsortError
    from qsort.formats import write_study
    from qsort.formats.studyfile import write_document

    study = _study(db, user, study_id, full)
    try:
        if fmt == "qsort":
            names, columns = stored_sorts(db, study)
            document = document_from_store(db, study, names, columns, data_dir)
            written = write_document(document, path)
        else:
            data = study_from_store(db, study)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                written = write_study(data, path, fmt)
    except QsortError as exc:
        raise InvalidInputError(str(exc)) from exc
    for file in written:
        os.chmod(file, 0o600)
    detail = f"sorts as {fmt or path.suffix}{' (full)' if full else ''}"
    audit.record(db, user, action, study_id=study_id, detail=detail)
    return written


def _study(db: Session, user: StaffUser | None, study_id: int, full: bool) -> Study:
    if user is None:
        study = store.get_study(db, study_id)
        if study is None:
            raise InvalidInputError(f"no study with id {study_id}")
        return study
    return access.study_for(db, user, study_id, "own" if full else "view")


RESPONSE_FIELDS = ("participant", "kind", "statement", "value", "question", "answer", "finished")


def responses_csv(
    db: Session,
    user: StaffUser | None,
    study_id: int,
    full: bool = False,
    action: str = "data_export",
) -> str:
    """The responses as CSV: one row per participant's survey answer and one per comment.

    Comments are keyed by statement id (its number); survey answers carry the question's
    label and the answer's text. De-identified (no free-text answers, no times) unless
    ``full``; comments are the participants' own words about statements and always go out.
    """
    study = _study(db, user, study_id, full)
    questions = {q.id: q for q in store.questions(db, study_id)}
    out = io.StringIO()
    writer = csv.DictWriter(out, RESPONSE_FIELDS, lineterminator="\n")
    writer.writeheader()
    for participant, _, record, _ in store.study_participants(db, study_id):
        if record is None or participant.id is None:
            continue
        cards = store.statements_by_id(db, participant.qset_id)
        finished = participant.finished_at.isoformat() if full and participant.finished_at else ""
        for a in store.answers_of(db, participant.id):
            q = questions.get(a.question_id)
            if q is None or (q.kind == "text" and not full):
                continue
            text = answer_text(q, a.value)
            row = {"participant": participant.label, "kind": "answer", "question": q.prompt}
            writer.writerow({**row, "answer": text, "finished": finished})
        for c in store.comments_of(db, participant.id):
            row = {"participant": participant.label, "kind": "comment", "value": str(c.value)}
            number = cards[c.statement_id].number
            writer.writerow({**row, "statement": number, "answer": c.text, "finished": finished})
    detail = f"responses{' (full)' if full else ''}"
    audit.record(db, user, action, study_id=study.id, detail=detail)
    return out.getvalue()


TRACE_KINDS = {"moves": trace.move_rows, "steps": trace.step_rows}
"""The move trace's two tables: every move of every sort, and the time spent on each step."""


def trace_csv(
    db: Session,
    user: StaffUser | None,
    study_id: int,
    kind: str,
    action: str = "data_export",
) -> str:
    """The study's move trace as CSV (``kind`` "moves" or "steps"), labels only.

    Seconds are counted from the participant's start, so no clock time leaves with it.
    """
    study = _study(db, user, study_id, False)
    if kind not in TRACE_KINDS:
        raise InvalidInputError(f"expected a trace of {' or '.join(TRACE_KINDS)}, found {kind!r}")
    rows = TRACE_KINDS[kind](db, study_id)
    out = io.StringIO()
    fields = list(rows[0]) if rows else ["participant", "qset_version"]
    writer = csv.DictWriter(out, fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    audit.record(db, user, action, study_id=study.id, detail=f"move trace ({kind})")
    return out.getvalue()


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new or replaced file readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.chmod(path, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
