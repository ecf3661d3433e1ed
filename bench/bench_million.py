"""Benchmark of the whole analysis at 100,000 and 1,000,000 sorts against a bare numpy floor.

Run ``python bench/bench_million.py`` (``--sizes``, ``--repeats``, ``--statement-sizes``,
``--timeout``). For each size, random forced sorts of 60 statements on a -5..+5 grid (seeded)
are written once as a one-row-per-participant CSV (Ken-Q's layout; the writing is not timed);
then each case runs ``--repeats`` times, each run in a subprocess of its own, and the table
gives the median:

* *numpy floor*: the bare computation on the sorts in memory (int8 to float64, standardise,
  the N x N Gram matrix, ``eigh``, project to 7 loadings); *floor + read* adds reading the CSV
  with ``numpy.loadtxt`` (the numbers only, as int8).
* *API analyze*: ``Study.from_matrix`` (the engine's checks of every sort) and ``qsort.analyze``
  (PCA, 7 factors, varimax as the pqmethod profile does it: PQMethod's pairwise algorithm,
  flags, scores, arrays, distinguishing and consensus statements, the result), from the int8
  sorts in memory; its ratio is to the numpy floor.
* *CLI analyze*: ``qsort analyze FILE.csv --extraction pca --factors 7 --json OUT.json`` as a
  separate process (start-up, reading, analysis, summary and the JSON included); its ratio is
  to the floor + read. With ``--statement-sizes``, also the CSV with one row per statement.

*wall s* is elapsed time and *CPU s* the process's user + system time (both BLAS threads
counted); *peak MB* is the largest resident set (``ru_maxrss``) of the process, interpreter and
numpy included; the ratios divide by the floor's wall and CPU times (the API's by the numpy
floor, the command line's by the floor + read). The machine may be
shared: its load average is printed at the start and the end, and on a loaded machine the wall
times stretch while the CPU times and the ratios (floor measured in the same run) hold better.
The script never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_extraction import (
    grid_pattern,
    machine,
    numpy_floor,
    random_study,
    run_child,
    timed_cli_analyze,
    write_participants_csv,
)
from bench.bench_reading import write_statements

FACTORS = 7
STATEMENTS = 60
Figures = dict[str, float]


def _usage(who: int) -> Figures:
    """CPU seconds (user + system) and peak resident set in MB of ``who`` (a RUSAGE_ value)."""
    usage = resource.getrusage(who)
    return {"cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}


def case_floor(n_sorts: int, csv_path: str) -> Figures:
    """The numpy floor on the sorts in memory, and reading the CSV with loadtxt (child side)."""
    before = _usage(resource.RUSAGE_SELF)["cpu"]
    started = time.perf_counter()
    values = np.loadtxt(
        csv_path,
        delimiter=",",
        skiprows=1,
        usecols=range(1, STATEMENTS + 1),
        dtype=np.int8,
        comments=None,
    )
    sorts = np.ascontiguousarray(values.T)
    read = time.perf_counter() - started
    read_cpu = _usage(resource.RUSAGE_SELF)["cpu"] - before
    del values
    floor = numpy_floor(sorts, FACTORS)
    floor_cpu = _usage(resource.RUSAGE_SELF)["cpu"] - before - read_cpu
    return {"floor": floor, "read": read, "floor_cpu": floor_cpu, "read_cpu": read_cpu}


def case_api(n_sorts: int) -> Figures:
    """``Study.from_matrix`` and ``qsort.analyze`` from int8 sorts in memory (child side)."""
    from qsort.pipeline import analyze
    from qsort.study import Grid, Study

    sorts = random_study(n_sorts, STATEMENTS, seed=0)
    grid = Grid.from_pattern(grid_pattern(STATEMENTS).tolist())
    before = _usage(resource.RUSAGE_SELF)["cpu"]
    started = time.perf_counter()
    study = Study.from_matrix(sorts, grid=grid)
    del sorts
    result = analyze(study, factors=FACTORS, extraction="pca")
    wall = time.perf_counter() - started
    figures = _usage(resource.RUSAGE_SELF)
    assert result.loadings.shape == (n_sorts, FACTORS)
    return {"wall": wall, "cpu": figures["cpu"] - before, "rss_mb": figures["rss_mb"]}


def case_cli(csv_path: str, timeout: float) -> Figures:
    """``qsort analyze FILE.csv --json OUT.json`` as a process of its own (child side)."""
    wall = timed_cli_analyze(csv_path, FACTORS, timeout)
    return {"wall": wall, **_usage(resource.RUSAGE_CHILDREN)}


def medians(argv: list[str], repeats: int, timeout: float) -> Figures | str:
    """The median of every figure over ``repeats`` runs (the first failure, if any)."""
    runs: list[Figures] = []
    for _ in range(repeats):
        got = run_child([*argv, "--timeout", str(timeout)], timeout, __file__)
        if isinstance(got, str):
            return got
        runs.append(got)
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _row(label: str, got: Figures | str, floor: tuple[float, float]) -> str:
    """A table row: wall, CPU, peak memory, and both as multiples of the floor's."""
    if isinstance(got, str):
        return f"| {label} | {got} | | | | |"
    return (
        f"| {label} | {got['wall']:.2f} | {got['cpu']:.2f} | {got['rss_mb']:.0f} | "
        f"{got['wall'] / floor[0]:.1f} | {got['cpu'] / floor[1]:.1f} |"
    )


def size_rows(n_sorts: int, args: argparse.Namespace, folder: Path) -> list[str]:
    """The table rows of one size: floors, the API, the CLI (and the statements layout)."""
    csv_path = folder / f"participants-{n_sorts}.csv"
    write_participants_csv(csv_path, n_sorts, STATEMENTS)
    floor = medians(["floor", str(n_sorts), str(csv_path)], args.repeats, args.timeout)
    if isinstance(floor, str):
        return [f"| {n_sorts:,} numpy floor | {floor} | | | | |"]
    compute = (floor["floor"], floor["floor_cpu"])
    read_floor = (compute[0] + floor["read"], compute[1] + floor["read_cpu"])
    rows = [
        f"| {n_sorts:,} numpy floor | {compute[0]:.2f} | {compute[1]:.2f} | | 1.0 | 1.0 |",
        f"| {n_sorts:,} numpy floor + read (loadtxt) | {read_floor[0]:.2f} | "
        f"{read_floor[1]:.2f} | | 1.0 | 1.0 |",
    ]
    api = medians(["api", str(n_sorts)], args.repeats, args.timeout)
    rows.append(_row(f"{n_sorts:,} API analyze", api, compute))
    cli = medians(["cli", str(csv_path)], args.repeats, args.timeout)
    rows.append(_row(f"{n_sorts:,} CLI analyze --json, participant rows", cli, read_floor))
    csv_path.unlink()
    if n_sorts in args.statement_sizes:
        by_statement = folder / f"statements-{n_sorts}.csv"
        write_statements(by_statement, n_sorts, STATEMENTS)
        cli = medians(["cli", str(by_statement)], args.repeats, args.timeout)
        rows.append(_row(f"{n_sorts:,} CLI analyze --json, statement rows", cli, read_floor))
        by_statement.unlink()
    return rows


def child(args: argparse.Namespace) -> None:
    """Run one case (``--case KIND ...``) and print its figures as JSON."""
    kind, rest = args.case[0], args.case[1:]
    figures: dict[str, Any]
    if kind == "floor":
        figures = case_floor(int(rest[0]), rest[1])
    elif kind == "api":
        figures = case_api(int(rest[0]))
    else:
        figures = case_cli(rest[0], args.timeout)
    print(json.dumps(figures))


def lscpu() -> str:
    """The CPU lines of ``lscpu`` (model, CPUs, threads per core), or a note that it is missing."""
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return "lscpu: not available"
    keep = ("Model name", "CPU(s):", "Thread(s) per core", "Core(s) per socket", "CPU max MHz")
    return "; ".join(" ".join(line.split()) for line in text.splitlines() if line.startswith(keep))


def main() -> None:
    """Parse the command line and print the table, or run one case with ``--case``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--statement-sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per case (median)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument("--case", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        child(args)
        return
    print(machine())
    print(f"lscpu: {lscpu()}")
    print(f"{args.repeats} runs per case, medians; PCA, {FACTORS} factors, profile pqmethod\n")
    print("| case | wall s | CPU s | peak MB | wall / floor | CPU / floor |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for n_sorts in args.sizes:
            print("\n".join(size_rows(n_sorts, args, Path(tmp))), flush=True)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\nLoad average at the end: {load}")


if __name__ == "__main__":
    main()
