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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session

from app import db as app_db
from app import store
from app.models import Participant, QSortRecord, SortEntry, SortSession
from app.services import analysis
from app.services.analysis import Selection
from app.settings import Settings
from bench.bench_extraction import grid_pattern, machine, random_study
from qsort.options import Options


def fill(db: Session, n_sorts: int, n_statements: int) -> int:
    """A study with ``n_sorts`` random forced sorts; returns its id."""
    pattern = grid_pattern(n_statements)
    values = sorted(set(pattern.tolist()))
    capacities = [int((pattern == v).sum()) for v in values]
    study = store.create_study(
        db,
        slug="bench",
        title="Bench",
        condition="?",
        statements=[f"Statement {i}" for i in range(1, n_statements + 1)],
        column_values=values,
        capacities=capacities,
    )
    assert study.id is not None and study.current_qset_id and study.current_grid_id
    session = SortSession(study_id=study.id, code="BENCH")
    db.add(session)
    db.flush()
    assert session.id is not None
    ids = [s.id for s in store.statements(db, study.current_qset_id)]
    sorts = random_study(n_sorts, n_statements, seed=0)
    for j in range(n_sorts):
        person = Participant(
            session_id=session.id,
            study_id=study.id,
            label=f"P{j:05d}",
            public_id=f"bench-{j}",
            token_hash=f"h{j}",
            qset_id=study.current_qset_id,
            grid_id=study.current_grid_id,
        )
        db.add(person)
        db.flush()
        assert person.id is not None
        record = QSortRecord(
            participant_id=person.id,
            qset_id=person.qset_id,
            grid_id=person.grid_id,
            submit_key=f"k{j}",
        )
        db.add(record)
        db.flush()
        rows: dict[int, int] = {}
        entries = []
        for i, value in enumerate(sorts[:, j].tolist()):
            rows[value] = rows.get(value, -1) + 1
            entries.append(
                {"qsort_id": record.id, "statement_id": ids[i], "value": value, "row": rows[value]}
            )
        db.bulk_insert_mappings(SortEntry, entries)
    db.commit()
    return study.id


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
