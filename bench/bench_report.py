"""Benchmark of report building: workbook, HTML, .LIS and figures, by number of Q-sorts.

Run ``python bench/bench_report.py`` (options: ``--sizes``, ``--statements``, ``--factors``).
Each size runs in its own subprocess on seeded random forced sorts of a -5..+5 grid in which three
quarters of the sorts are shuffled copies of three prototypes (so that three factors are defined,
as in a real study, and every comparison sheet is written):

* *analyse* is the analysis (``qsort.analyze``) plus the number-of-factors guidance with parallel
  analysis that ``qsort report`` draws on the scree plot;
* *xlsx*, *html*, *lis*, *figures* are the seconds to write each report from the result, and
  *reports* their sum: the report building this benchmark is about;
* *max RSS* is the child's peak resident set size (``ru_maxrss``), study and result included;
* the sizes are those of the files written.

The reading of a CSV file is left out (``bench_extraction.py`` and the readers' own benchmarks
cover it): ``qsort report FILE.csv`` takes the reading time on top of these figures.
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
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_extraction import grid_pattern, machine
from qsort.guidance import factor_guidance
from qsort.pipeline import analyze
from qsort.report import write_report
from qsort.report.figures import write_figures
from qsort.study import Grid, Study

#: Statements each prototype sort keeps in place; the rest are shuffled among themselves.
KEPT = 36


def structured_sorts(n_sorts: int, n_statements: int, seed: int) -> NDArray[np.int64]:
    """Forced sorts, shape (N, n): three prototypes with noise, every fourth sort random."""
    rng = np.random.default_rng(seed)
    pattern = grid_pattern(n_statements)
    sorts = rng.permuted(np.broadcast_to(pattern[:, None], (pattern.size, n_sorts)), axis=0)
    prototypes = [rng.permutation(pattern) for _ in range(3)]
    for j in range(n_sorts):
        if j % 4 == 3:
            continue
        sort = prototypes[j % 4].copy()
        moved = rng.choice(n_statements, n_statements - KEPT, replace=False)
        sort[moved] = rng.permutation(sort[moved])
        sorts[:, j] = sort
    return sorts


def run_case(n_sorts: int, n_statements: int, factors: int) -> None:
    """Measure one size and print its figures as JSON (the child side)."""
    sorts = structured_sorts(n_sorts, n_statements, seed=0)
    grid = Grid.from_pattern(grid_pattern(n_statements).tolist())
    study = Study.from_matrix(sorts, [f"P{j + 1}" for j in range(n_sorts)], grid=grid)
    figures: dict[str, float] = {}
    started = time.perf_counter()
    result = analyze(study, factors=factors, extraction="pca")
    guidance = factor_guidance(study, extraction="pca", seed=0)
    figures["analyse"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for kind in ("xlsx", "html", "lis"):
            started = time.perf_counter()
            path = write_report(result, out / f"report.{kind}", guidance=guidance)
            figures[kind] = time.perf_counter() - started
            figures[f"{kind}_mb"] = path.stat().st_size / 2**20
        started = time.perf_counter()
        written = write_figures(result, out / "figures", guidance.random_p95)
        figures["figures"] = time.perf_counter() - started
        figures["figures_mb"] = sum(p.stat().st_size for p in written) / 2**20
    figures["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def measure(n_sorts: int, n_statements: int, factors: int) -> dict[str, float] | None:
    """Run one size in a subprocess; None when it failed."""
    command = [sys.executable, __file__, "--case", str(n_sorts)]
    command += ["--statements", str(n_statements), "--factors", str(factors)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return None
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _row(n_sorts: int, f: dict[str, float]) -> str:
    reports = f["xlsx"] + f["html"] + f["lis"] + f["figures"]
    return (
        f"| {n_sorts:,} | {f['analyse']:.2f} | {f['xlsx']:.2f} | {f['html']:.2f} | "
        f"{f['lis']:.2f} | {f['figures']:.2f} | **{reports:.2f}** | {f['rss_mb']:.0f} | "
        f"{f['xlsx_mb']:.2f} | {f['html_mb']:.2f} | {f['lis_mb']:.2f} | {f['figures_mb']:.2f} |"
    )


def table(sizes: list[int], n_statements: int, factors: int) -> str:
    """Measure every size and format the table (the parent side)."""
    lines = [
        "| sorts | analyse s | xlsx s | html s | lis s | figures s | reports s | max RSS MB "
        "| xlsx MB | html MB | lis MB | figures MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n_sorts in sizes:
        figures = measure(n_sorts, n_statements, factors)
        if figures is None:
            lines.append(f"| {n_sorts:,} | failed (see stderr) |" + " |" * 10)
            continue
        lines.append(_row(n_sorts, figures))
    return "\n".join(lines)


def main() -> None:
    """Parse the command line and print the table, or run one size with ``--case``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--statements", type=int, default=60)
    parser.add_argument("--factors", type=int, default=3)
    parser.add_argument("--case", type=int, metavar="SORTS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        run_case(args.case, args.statements, args.factors)
        return
    print(machine())
    print(
        f"Structured random forced sorts, {args.statements} statements on a -5..+5 grid, seed 0; "
        f"{args.factors} factors, PCA, varimax, Pearson, profile pqmethod\n"
    )
    print(table(args.sizes, args.statements, args.factors))


if __name__ == "__main__":
    main()
