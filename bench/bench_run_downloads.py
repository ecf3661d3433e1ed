"""Benchmark of a large background run's downloads, by number of sorts.

Run ``python bench/bench_run_downloads.py`` (``--sizes``, ``--statements``). For each size a fresh
SQLite store receives seeded random forced sorts (bulk-inserted, not timed) and is analysed once
(centroid, 3 factors, varimax; not timed); its result goes through JSON text as a run stores it.
Then, as the run's page does for each download:

* *tables* reads the per-statement part back from the JSON and the statements
  (:func:`app.services.large_runs.run_tables`) and writes the five per-statement CSV files;
* *read* reads the sorts again (:func:`app.services.large_runs.run_result`, with its check that
  they are the run's sorts) and rebuilds the whole result from the JSON;
* *xlsx*, *html*, *lis* build each report from it; the sizes are those of the files.

The script never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlmodel import Session

from app import db as app_db
from app.models import AnalysisRun
from app.services import analysis, analysis_runs, downloads, large_runs
from app.services.analysis import Selection
from app.settings import Settings
from bench.bench_extraction import machine
from bench.bench_workbench import fill
from qsort.options import Options

REPORTS = ("analysis.xlsx", "report.html", "report.lis")


def finished_run(db: Session, study_id: int) -> AnalysisRun:
    """The study analysed once and stored as a finished run (its result through JSON text)."""
    options = Options(extraction="centroid", n_factors=3)
    stored = analysis.stored_study(db, study_id)
    result = analysis.run(analysis.load_study(db, stored, Selection()), options)
    run = AnalysisRun(
        study_id=study_id,
        run_key=analysis_runs.run_key(options, analysis_runs.chosen_ids(db, study_id, Selection())),
        selection=Selection().to_dict(),
        options=options.to_dict(),
        status="done",
        result=json.loads(json.dumps(result.to_dict())),
    )
    db.add(run)
    db.commit()
    return run


def measure(n_sorts: int, n_statements: int) -> dict[str, Any]:
    """Seconds and sizes of the downloads of one size, on a fresh store."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.for_data_dir(Path(folder), seed_demo=False)
        engine = app_db.make_engine(settings)
        app_db.upgrade(engine, settings)
        with Session(engine) as db:
            run = finished_run(db, fill(db, n_sorts, n_statements))
            row: dict[str, Any] = {"sorts": n_sorts}
            start = time.perf_counter()
            tables = large_runs.run_tables(db, run)
            sizes = [len(downloads.statement_file(tables, n)) for n in downloads.STATEMENT_FILES]
            row["tables s"], row["tables KB"] = time.perf_counter() - start, sum(sizes) / 1e3
            start = time.perf_counter()
            result = large_runs.run_result(db, run)
            row["read s"] = time.perf_counter() - start
            for name in REPORTS:
                start = time.perf_counter()
                content = downloads.report_file(result, name)
                row[f"{name} s"] = time.perf_counter() - start
                row[f"{name} MB"] = len(content) / 1e6
        engine.dispose()
    return row


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--statements", type=int, default=40)
    args = parser.parse_args()
    print(machine())
    rows = [measure(size, args.statements) for size in args.sizes]
    keys = list(rows[0])
    print(" | ".join(keys))
    for row in rows:
        print(" | ".join(f"{row[k]:,}" if k == "sorts" else f"{row[k]:.2f}" for k in keys))


if __name__ == "__main__":
    main()
