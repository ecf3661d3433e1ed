"""Benchmark of reading Q-sorts from CSV, by layout and number of sorts.

Run ``python bench/bench_reading.py`` (options: ``--sizes``, ``--statement-rows``,
``--statements``). Each case writes a CSV of random forced sorts (a -5..+5 grid, seeded; the
writing is not timed), then reads it in its own subprocess:

* *table s*: :func:`qsort.formats.csv_sorts.read_table`, the reader itself (decode, delimiter,
  bulk parse of the numbers, orientation);
* *study s*: :func:`qsort.formats.read_study`, the table plus the validated ``Study`` (grid
  inference and the engine's checks of every sort);
* *table RSS MB* and *max RSS MB*: the child's peak resident set size after the reader alone,
  and after the study too (interpreter and numpy included; the study's validation belongs to the
  engine).

Layouts: one row per participant (Ken-Q, the large-study layout) and one row per statement
(qmethod's matrix, one column per sort). The *bad cell* case puts one letter in the last row, so
the bulk parse fails and the reader falls back to the exact cell-by-cell path to name the cell.
The script never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_extraction import grid_pattern, machine
from qsort.errors import FormatError
from qsort.formats import read_study
from qsort.formats.csv_sorts import read_table

POOL = 4096
"""Distinct random sorts the rows are drawn from (writing a million distinct rows is slow)."""


def write_participants(path: Path, n_sorts: int, n_statements: int, bad: bool) -> None:
    """One row per participant: ``participant,1..N`` then ``S<k>,<N values>``."""
    rng = np.random.default_rng(0)
    pattern = grid_pattern(n_statements)
    pool = [",".join(map(str, rng.permutation(pattern))) for _ in range(POOL)]
    picks = rng.integers(0, POOL, n_sorts)
    with path.open("w", encoding="utf-8") as out:
        out.write("participant," + ",".join(str(i + 1) for i in range(n_statements)) + "\n")
        out.writelines(f"S{k},{pool[p]}\n" for k, p in enumerate(picks))
        if bad:
            out.write(f"S{n_sorts}," + "O," + pool[0].split(",", 1)[1] + "\n")


def write_statements(path: Path, n_sorts: int, n_statements: int) -> None:
    """One row per statement: ``statement,S1..Sn`` then ``<id>,<n values>``."""
    rng = np.random.default_rng(0)
    sorts = rng.permuted(
        np.broadcast_to(grid_pattern(n_statements)[:, None], (n_statements, n_sorts)), axis=0
    )
    with path.open("w", encoding="utf-8") as out:
        out.write("statement," + ",".join(f"S{k}" for k in range(n_sorts)) + "\n")
        for i, row in enumerate(sorts):
            out.write(f"{i + 1}," + ",".join(map(str, row.tolist())) + "\n")


def run_case(path: Path) -> None:
    """Read the file twice (reader, then study) and print the figures as JSON (child side)."""
    started = time.perf_counter()
    table_kib = 0
    try:
        read_table(path)
        tabled = time.perf_counter()
        table_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        read_study(path)
        studied = time.perf_counter() - tabled
    except FormatError as exc:
        tabled, studied = time.perf_counter(), float("nan")
        table_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        sys.stderr.write(f"refused as expected: {str(exc)[-90:]}\n")
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {"table": tabled - started, "study": studied, "rss_mb": rss_kib / 1024}
    print(json.dumps({**figures, "table_rss_mb": table_kib / 1024}))


def measure(path: Path) -> dict[str, float] | None:
    """Run one case in a subprocess; None when it failed."""
    done = subprocess.run(
        [sys.executable, __file__, "--case", str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return None
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def table(sizes: list[int], statement_rows: list[int], n_statements: int) -> str:
    """Write and measure every case, and format the table (parent side)."""
    lines = [
        "| layout | sorts | file MB | table s | table RSS MB | study s | max RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    cases: list[tuple[str, int]] = [("one row per participant", n) for n in sizes]
    cases += [("one row per statement", n) for n in statement_rows]
    cases += [("participant rows, bad cell in the last", min(sizes))]
    with tempfile.TemporaryDirectory() as tmp:
        for layout, n_sorts in cases:
            path = Path(tmp) / "sorts.csv"
            if layout == "one row per statement":
                write_statements(path, n_sorts, n_statements)
            else:
                write_participants(path, n_sorts, n_statements, bad="bad" in layout)
            size = path.stat().st_size / 2**20
            figures = measure(path)
            if figures is None:
                lines.append(f"| {layout} | {n_sorts:,} | {size:.0f} | failed | | | |")
                continue
            study = "refused" if figures["study"] != figures["study"] else f"{figures['study']:.2f}"
            lines.append(
                f"| {layout} | {n_sorts:,} | {size:.0f} | {figures['table']:.2f} | "
                f"{figures['table_rss_mb']:.0f} | {study} | {figures['rss_mb']:.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Parse the command line and print the table, or read one file with ``--case``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--statement-rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--statements", type=int, default=60)
    parser.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args.case)
        return
    print(machine())
    with open("/proc/loadavg", encoding="utf-8") as load:
        print(f"Load average at start: {load.read().split()[0]} (the machine is shared)")
    print(f"Random forced sorts, {args.statements} statements on a -5..+5 grid, seed 0\n")
    print(table(args.sizes, args.statement_rows, args.statements))


if __name__ == "__main__":
    main()
