"""Benchmark of a workbench page view, the first (engine run) and the second (result cached).

Run ``python bench/bench_workbench_page.py`` (``--sizes``, ``--statements``). For each size a
fresh SQLite store receives seeded random forced sorts (not timed); then
:func:`app.services.workbench_page.build_page` gathers the default analysis's page twice: the
first view runs the engine and ``qsort factors``'s guidance (parallel analysis) and draws the
figures; the second finds the result in :mod:`app.services.result_cache` and only draws. The
script never fails on a time.
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
from app.services import analysis, result_cache, workbench_page
from app.services.analysis import Selection
from app.services.workbench_page import Urls
from app.settings import Settings
from bench.bench_extraction import machine
from bench.bench_workbench import fill
from qsort.options import Options


def measure(n_sorts: int, n_statements: int) -> tuple[float, float]:
    """Seconds for the first and the second view of the same analysis, on a fresh store."""
    result_cache.clear()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.for_data_dir(Path(folder), seed_demo=False)
        engine = app_db.make_engine(settings)
        app_db.upgrade(engine, settings)
        with Session(engine) as db:
            stored = analysis.stored_study(db, fill(db, n_sorts, n_statements))
            times = []
            for _ in range(2):
                start = time.perf_counter()
                workbench_page.build_page(db, stored, Selection(), Options(), Urls("/s", "/d"))
                times.append(time.perf_counter() - start)
        engine.dispose()
    return times[0], times[1]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300])
    parser.add_argument("--statements", type=int, default=40)
    args = parser.parse_args()
    print(machine())
    print(f"{'sorts':>8} {'first view s':>13} {'second view s':>14}")
    for size in args.sizes:
        first, second = measure(size, args.statements)
        print(f"{size:>8,} {first:>13.2f} {second:>14.2f}")


if __name__ == "__main__":
    main()
