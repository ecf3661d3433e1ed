"""Benchmark of the bootstrap (``qsort.bootstrap``): seconds for B resamples of n sorts.

Run ``python bench/bench_bootstrap.py`` (options: ``--resamples``, ``--statements``, ``--factors``,
``--sizes``). The sorts are generated around three viewpoints (each sort a prototype ranking plus
noise, placed on a -5..+5 forced grid; seeded), so that the factors are real and the matching has
something to match. Each case runs the original analysis once, then times
``bootstrap(result, resamples, seed=0)`` alone, wall clock, once. The script never fails on a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_extraction import grid_pattern, machine
from qsort.bootstrap import bootstrap
from qsort.methods import ExtractionMethod, ProfileName, RotationName
from qsort.options import Options
from qsort.pipeline import run
from qsort.study import Grid, Study

CASES: tuple[tuple[ExtractionMethod, RotationName, ProfileName], ...] = (
    ("pca", "varimax", "pqmethod"),
    ("pca", "varimax", "qmethod"),
    ("centroid", "varimax", "pqmethod"),
    ("pca", "promax", "qmethod"),
)


def viewpoint_study(n_sorts: int, n_statements: int, seed: int) -> Study:
    """Sorts that each follow one of three random rankings, with noise, on a forced grid."""
    rng = np.random.default_rng(seed)
    pattern: NDArray[np.int64] = grid_pattern(n_statements)
    prototypes = rng.normal(size=(3, n_statements))
    sorts = np.empty((n_statements, n_sorts), dtype=np.int64)
    for j in range(n_sorts):
        latent = prototypes[j % 3] + rng.normal(scale=1.0, size=n_statements)
        sorts[np.argsort(latent, kind="stable"), j] = pattern
    names = [f"S{j + 1}" for j in range(n_sorts)]
    return Study.from_matrix(sorts, names, grid=Grid.from_pattern(pattern.tolist()))


def row(study: Study, case: tuple[ExtractionMethod, RotationName, ProfileName], args: Any) -> str:
    """Time one bootstrap and format its table row."""
    extraction, rotation, profile = case
    options = Options(
        profile=profile, extraction=extraction, rotation=rotation, n_factors=args.factors
    )
    result = run(study, options)
    started = time.perf_counter()
    boot = bootstrap(result, args.resamples, seed=0)
    seconds = time.perf_counter() - started
    per = 1000 * seconds / args.resamples
    return (
        f"| {study.n_sorts} | {extraction} | {rotation} | {profile} | {args.resamples} | "
        f"{seconds:.2f} | {per:.2f} | {len(boot.failed)} |"
    )


def main() -> None:
    """Parse the command line, run every case and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--statements", type=int, default=40)
    parser.add_argument("--factors", type=int, default=3)
    args = parser.parse_args()
    print(machine())
    print(f"{args.statements} statements, {args.factors} factors, seed 0\n")
    print("| sorts | extraction | rotation | profile | resamples | s | ms per resample | failed |")
    print("|---:|---|---|---|---:|---:|---:|---:|")
    for n_sorts in args.sizes:
        study = viewpoint_study(n_sorts, args.statements, seed=0)
        for case in CASES:
            print(row(study, case, args), flush=True)


if __name__ == "__main__":
    main()
