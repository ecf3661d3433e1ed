"""Benchmark of the workbench's path from the study store to a result, by number of sorts.

Run ``python bench/bench_workbench.py`` (``--sizes``, ``--statements``). For each size a fresh
SQLite store in a temporary folder receives seeded random forced sorts (bulk-inserted, not timed);
then, as a background run does:

* *read* is :func:`app.services.analysis.load_study` (the sorts read 500 at a time into a
  ``qsort.Study``, progress reported between chunks);
* *analyse* is the engine's run (centroid, 3 factors, varimax);
* *json* is the result's JSON form, which a background run stores.

The script never fails on a time.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session

from app import db as app_db
from app import store
from app.models import Participant, QSortRecord, SortEntry, SortSession
from app.services import analysis
from app.services.analysis import Selection
from app.settings import Settings
from bench.bench_extraction import grid_pattern, machine, random_study
from qsort.options import Options

#: Sorts inserted per statement batch by :func:`fill`.
FILL_BLOCK = 5_000


def fill(db: Session, n_sorts: int, n_statements: int) -> int:
    """A study with ``n_sorts`` seeded random forced sorts, inserted in bulk into a fresh store
    (participant and sort ids are the sort's number from 1); returns the study's id."""
    pattern = grid_pattern(n_statements)
    values = sorted(set(pattern.tolist()))
    study = store.create_study(
        db,
        slug="bench",
        title="Bench",
        condition="?",
        statements=[f"Statement {i}" for i in range(1, n_statements + 1)],
        column_values=values,
        capacities=[int((pattern == v).sum()) for v in values],
    )
    assert study.id is not None and study.current_qset_id and study.current_grid_id
    session = SortSession(study_id=study.id, code="BENCH")
    db.add(session)
    db.flush()
    ids = [s.id for s in store.statements(db, study.current_qset_id)]
    sorts = random_study(n_sorts, n_statements, seed=0)
    rows = _rows_in_columns(sorts)
    version: dict[str, Any] = {"qset_id": study.current_qset_id, "grid_id": study.current_grid_id}
    for first in range(0, n_sorts, FILL_BLOCK):
        block = range(first, min(first + FILL_BLOCK, n_sorts))
        people = [
            {"id": j + 1, "session_id": session.id, "study_id": study.id, "label": f"P{j:06d}"}
            | {"public_id": f"b{j}", "token_hash": f"h{j}", **version}
            for j in block
        ]
        db.bulk_insert_mappings(Participant, people)
        records = [
            {"id": j + 1, "participant_id": j + 1, "submit_key": f"k{j}"} | version for j in block
        ]
        db.bulk_insert_mappings(QSortRecord, records)
        entries = [
            {"qsort_id": j + 1, "statement_id": ids[i], "value": int(sorts[i, j])}
            | {"row": int(rows[i, j])}
            for j in block
            for i in range(n_statements)
        ]
        db.execute(sa.insert(SortEntry), entries)
    db.commit()
    return study.id


def _rows_in_columns(sorts: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Each card's row within its column (0 at the top, in statement order), as a sort page
    stores it."""
    rows = np.zeros_like(sorts)
    for value in np.unique(sorts):
        placed = sorts == value
        rows[placed] = (np.cumsum(placed, axis=0) - 1)[placed]
    return rows


def measure(n_sorts: int, n_statements: int) -> tuple[float, float, float]:
    """Seconds to read, analyse and turn into JSON, on a fresh store."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.for_data_dir(Path(folder), seed_demo=False)
        engine = app_db.make_engine(settings)
        app_db.upgrade(engine, settings)
        with Session(engine) as db:
            study_id = fill(db, n_sorts, n_statements)
            stored = analysis.stored_study(db, study_id)
            start = time.perf_counter()
            loaded = analysis.load_study(db, stored, Selection(), lambda f, s: None)
            read = time.perf_counter()
            result = analysis.run(loaded, Options())
            ran = time.perf_counter()
            result.to_dict()
            done = time.perf_counter()
        engine.dispose()
    return read - start, ran - read, done - ran


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--statements", type=int, default=40)
    args = parser.parse_args()
    print(machine())
    print(f"{'sorts':>8} {'read s':>8} {'analyse s':>10} {'json s':>8}")
    for size in args.sizes:
        read, analyse, json_s = measure(size, args.statements)
        print(f"{size:>8,} {read:>8.2f} {analyse:>10.2f} {json_s:>8.2f}")


if __name__ == "__main__":
    main()
