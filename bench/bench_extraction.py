"""Benchmark of factor extraction and of the whole analysis, by method and number of Q-sorts.

Run ``python bench/bench_extraction.py`` (options: ``--sizes``, ``--statements``, ``--factors``).
Each case runs in its own subprocess on random forced sorts of a -5..+5 grid (seeded), so the
memory figures do not leak from one case into the next:

* *correlate* and *extract* are wall-clock seconds of one plain run; *analyze* is the whole
  pipeline (validating the study, extraction, varimax, flags, scores, comparisons and the JSON
  form of the result) as ``qsort.analyze`` runs it;
* *traced peak* is the largest amount of memory allocated through Python's allocator hooks
  (``tracemalloc``) during a second run of correlate + extract; numpy registers its array buffers
  with tracemalloc, so this counts every array the step creates (not BLAS's private workspace);
* *max RSS* is the child's peak resident set size (``ru_maxrss``), including the interpreter,
  numpy and the random study itself.

Cases beyond :data:`qsort.extraction.CENTROID_MAX_SORTS` are refused for the centroid methods,
as :func:`qsort.extraction.extract` refuses them. The script never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qsort.correlation import correlate
from qsort.extraction import CENTROID_MAX_SORTS, ExtractionMethod, extract
from qsort.pipeline import analyze
from qsort.profiles import PQMETHOD
from qsort.study import Grid, Study

METHODS: tuple[ExtractionMethod, ...] = ("pca", "centroid", "horst")
CAPACITIES_60 = (2, 3, 5, 6, 8, 12, 8, 6, 5, 3, 2)
"""Cards per column of the -5..+5 grid for 60 statements."""


def grid_pattern(n_statements: int) -> NDArray[np.int64]:
    """A -5..+5 forced pattern of ``n_statements`` cards, shape (N,)."""
    values = np.arange(-5, 6)
    if n_statements == sum(CAPACITIES_60):
        return np.repeat(values, CAPACITIES_60)
    return np.sort(values[np.linspace(0, 10, n_statements).round().astype(np.int64)])


def random_study(n_sorts: int, n_statements: int, seed: int) -> NDArray[np.int8]:
    """Random forced sorts, shape (N, n), int8: each column a permutation of the pattern."""
    pattern = grid_pattern(n_statements).astype(np.int8)
    rng = np.random.default_rng(seed)
    return rng.permuted(np.broadcast_to(pattern[:, None], (pattern.size, n_sorts)), axis=0)


def run_case(n_sorts: int, n_statements: int, method: ExtractionMethod, factors: int) -> None:
    """Measure one case and print its figures as JSON (the child side)."""
    sorts = random_study(n_sorts, n_statements, seed=0)
    started = time.perf_counter()
    corr = correlate(sorts, "pearson")
    correlated = time.perf_counter()
    result = extract(corr, factors, method, PQMETHOD)
    finished = time.perf_counter()
    del corr, result
    names = [f"S{j + 1}" for j in range(n_sorts)]
    study = Study.from_matrix(
        sorts, names, grid=Grid.from_pattern(grid_pattern(n_statements).tolist())
    )
    analyze(study, factors=factors, extraction=method).to_dict()
    analyzed = time.perf_counter()
    tracemalloc.start()
    extract(correlate(sorts, "pearson"), factors, method, PQMETHOD)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures = {
        "correlate": correlated - started,
        "extract": finished - correlated,
        "analyze": analyzed - finished,
        "traced_mb": peak / 2**20,
        "rss_mb": rss_kib / 1024,
    }
    print(json.dumps(figures))


def measure(
    n_sorts: int, n_statements: int, method: ExtractionMethod, factors: int
) -> dict[str, float] | None:
    """Run one case in a subprocess; None when it failed."""
    command = [
        sys.executable,
        __file__,
        "--case",
        str(n_sorts),
        method,
        "--statements",
        str(n_statements),
        "--factors",
        str(factors),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return None
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def machine() -> str:
    """A one-paragraph description of the machine and the software versions."""
    cpu = platform.processor() or platform.machine()
    memory = "unknown"
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in info.splitlines()
            if line.startswith("model name")
        )
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
        total_kib = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
        memory = f"{total_kib / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {memory} RAM, {platform.system()} "
        f"{platform.release()}\nPython {platform.python_version()}, numpy {np.__version__}"
    )


def table(sizes: list[int], n_statements: int, factors: int) -> str:
    """Measure every case and format the table (the parent side)."""
    header = (
        "| sorts | method | correlate s | extract s | analyze s | traced peak MB | max RSS MB |\n"
        "|---:|---|---:|---:|---:|---:|---:|"
    )
    lines = [header]
    for n_sorts in sizes:
        for method in METHODS:
            if method != "pca" and n_sorts > CENTROID_MAX_SORTS:
                lines.append(
                    f"| {n_sorts:,} | {method} | refused (limit {CENTROID_MAX_SORTS:,}) | | | | |"
                )
                continue
            figures = measure(n_sorts, n_statements, method, factors)
            if figures is None:
                lines.append(f"| {n_sorts:,} | {method} | failed (see stderr) | | | | |")
                continue
            lines.append(
                f"| {n_sorts:,} | {method} | {figures['correlate']:.3f} | "
                f"{figures['extract']:.3f} | {figures['analyze']:.3f} | "
                f"{figures['traced_mb']:.0f} | "
                f"{figures['rss_mb']:.0f} |"
            )
    return "\n".join(lines)


def main() -> None:
    """Parse the command line and print the table, or run one case with ``--case``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--statements", type=int, default=60)
    parser.add_argument("--factors", type=int, default=7)
    parser.add_argument("--case", nargs=2, metavar=("SORTS", "METHOD"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        method: ExtractionMethod = args.case[1]
        run_case(int(args.case[0]), args.statements, method, args.factors)
        return
    print(machine())
    print(
        f"Random forced sorts, {args.statements} statements on a -5..+5 grid, seed 0; "
        f"{args.factors} factors, Pearson, profile pqmethod\n"
    )
    print(table(args.sizes, args.statements, args.factors))


if __name__ == "__main__":
    main()
