"""Benchmark of the analysis at size: PCA up to a million sorts, centroid and Horst 5.5, the CLI.

Run ``python bench/bench_extraction.py``; flags choose the sizes and bound the run time:

* ``--pca-sizes`` (default 100,000 and 1,000,000): the whole analysis with principal components
  from the Python API (``Study.from_matrix``, then ``qsort.analyze``: correlate, extract, varimax,
  flags, scores, arrays, distinguishing and consensus statements, the result object), and beside
  it a bare numpy *floor* measured in the same process on the same sorts: standardise the sorts,
  form the N x N Gram matrix, ``eigh``, project to k loadings. *ratio* is analyze / floor.
  *of which varimax* times PQMethod's pairwise varimax alone on the same unrotated loadings
  (``qsort.rotation``, the largest single step), and *ratio without varimax* leaves it out.
  *JSON s* is building the JSON form and writing it compactly (not part of the analysis).
* ``--centroid-sizes`` (default 1,000, 10,000 and 100,000): correlate + extract with Brown's
  centroid and with Horst 5.5 (``--centroid-methods`` picks them), which work on the factor form
  beyond 1,000 sorts (no n x n matrix; the reflection runs in the compiled loop of
  ``qsort.manifold_kernel``). Each case runs ``--repeat`` times (default 3) and the table gives
  the median wall and CPU seconds of the extraction and the largest peak RSS; a first run
  compiles the loop into numba's on-disk cache (timed apart, *compile s*).
* ``--cli-sizes`` (default 100,000): ``qsort analyze FILE.csv --json OUT.json`` end to end on a
  one-row-per-participant CSV written beforehand (reading included).
* ``--timeout`` (default 600 s) ends any case that runs longer; the table then says so.

Each case runs in its own subprocess on random forced sorts of a -5..+5 grid (seeded, int8),
so memory figures do not leak from one case into the next. *peak RSS* is the child's largest
resident set (``ru_maxrss``), interpreter, numpy and the random sorts included; for the PCA cases
it is read after the analysis and before the JSON. The machine and its load are printed first:
the machine is shared, so compare figures of one run with each other (the ratio), not across runs.
The script never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from qsort.correlation import correlate
from qsort.extraction import DENSE_CENTROID_MAX, ExtractionMethod, extract
from qsort.pipeline import analyze
from qsort.profiles import PQMETHOD
from qsort.rotation import varimax
from qsort.study import Grid, Study

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


def numpy_floor(sorts: NDArray[np.int8], factors: int) -> float:
    """Seconds of the bare computation: standardise, Gram, eigh, project to ``factors``."""
    started = time.perf_counter()
    values = sorts.astype(np.float64)
    values -= values.mean(axis=0)
    values /= np.sqrt(np.einsum("ij,ij->j", values, values))
    _, vectors = np.linalg.eigh(values @ values.T)
    loadings = vectors[:, -factors:].T @ values
    elapsed = time.perf_counter() - started
    del values, loadings
    return elapsed


def peak_mb() -> float:
    """This process's peak resident set so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def case_pca(n_sorts: int, n_statements: int, factors: int) -> dict[str, float]:
    """The whole PCA analysis from the Python API, its numpy floor, and the JSON (child side)."""
    sorts = random_study(n_sorts, n_statements, seed=0)
    floor = numpy_floor(sorts, factors)
    names = [f"S{j + 1}" for j in range(n_sorts)]
    grid = Grid.from_pattern(grid_pattern(n_statements).tolist())
    started = time.perf_counter()
    study = Study.from_matrix(sorts, names, grid=grid)
    del sorts
    built = time.perf_counter()
    result = analyze(study, factors=factors, extraction="pca")
    analyzed = time.perf_counter()
    peak = peak_mb()
    varimax(result.unrotated, PQMETHOD.varimax)
    rotated = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        text = json.dumps(result.to_dict(), separators=(",", ":"))
        (Path(folder) / "result.json").write_text(text, encoding="utf-8")
    return {
        "study": built - started,
        "analyze": analyzed - built,
        "varimax": rotated - analyzed,
        "floor": floor,
        "json": time.perf_counter() - rotated,
        "rss_mb": peak,
    }


def case_extract(
    n_sorts: int, n_statements: int, factors: int, method: ExtractionMethod
) -> dict[str, float]:
    """Correlate and extract with a centroid method (child side)."""
    sorts = random_study(n_sorts, n_statements, seed=0)
    started = time.perf_counter()
    corr = correlate(sorts, "pearson")
    correlated = time.perf_counter()
    cpu = time.process_time()
    extracted = extract(corr, factors, method, PQMETHOD)
    return {
        "correlate": correlated - started,
        "extract": time.perf_counter() - correlated,
        "cpu": time.process_time() - cpu,
        "iterations": float(extracted.iterations),
        "rss_mb": peak_mb(),
    }


def case_compile() -> dict[str, float]:
    """Seconds to load (or, the first time on a machine, compile) the reflection loop."""
    started = time.perf_counter()
    from qsort import manifold_kernel  # noqa: F401  (compiles or loads from the disk cache)

    sorts = random_study(DENSE_CENTROID_MAX + 1, 60, seed=1)
    extract(correlate(sorts, "pearson"), 1, "centroid", PQMETHOD)
    return {"compile": time.perf_counter() - started}


def write_participants_csv(path: Path, n_sorts: int, n_statements: int) -> None:
    """A one-row-per-participant CSV (Ken-Q layout) of the random study."""
    sorts = random_study(n_sorts, n_statements, seed=0)
    header = "participant," + ",".join(str(i + 1) for i in range(n_statements))
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(header + "\n")
        for start in range(0, n_sorts, 10_000):
            block = sorts[:, start : start + 10_000].T
            rows = (
                f"S{start + j + 1}," + ",".join(map(str, row))
                for j, row in enumerate(block.tolist())
            )
            handle.write("\n".join(rows) + "\n")


def timed_cli_analyze(csv_path: str | Path, factors: int, timeout: float) -> float:
    """Wall seconds of ``qsort analyze FILE.csv --extraction pca --json OUT.json`` as a process
    of its own (its resource use is then the caller's ``RUSAGE_CHILDREN``)."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "qsort.cli", "analyze", str(csv_path), "--extraction"]
        command += ["pca", "--factors", str(factors), "--json", str(Path(folder) / "out.json")]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False, timeout=timeout)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode("utf-8", "replace")[-2000:])
        raise RuntimeError("qsort analyze failed")
    return elapsed


def case_cli(n_sorts: int, n_statements: int, factors: int, timeout: float) -> dict[str, float]:
    """``qsort analyze FILE.csv --json OUT.json`` end to end (the parent times a child)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "sorts.csv"
        write_participants_csv(source, n_sorts, n_statements)
        elapsed = timed_cli_analyze(source, factors, timeout)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cli": elapsed, "rss_mb": usage.ru_maxrss / 1024}


def run_child(argv: list[str], timeout: float, script: str = __file__) -> dict[str, float] | str:
    """Run one case as ``script --case ARGV`` in a subprocess of its own (a fresh process: its
    memory peak and its compile costs are its own); its figures, the JSON object on the last
    line it prints, or why there are none."""
    command = [sys.executable, script, "--case", *argv]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"not finished in {timeout:.0f} s"
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-2000:])
        return "failed (see stderr)"
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def machine() -> str:
    """The machine, its load, and the software versions (with the BLAS kernel in use)."""
    cpu, memory = platform.processor() or platform.machine(), "unknown"
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8").splitlines()
        total_kib = int(next(line.split()[1] for line in meminfo if line.startswith("MemTotal")))
        memory = f"{total_kib / 2**20:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    blas = "unknown"
    try:
        from threadpoolctl import threadpool_info

        found = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if found:
            first = found[0]
            blas = (
                f"{first.get('internal_api')} {first.get('version')} "
                f"({first.get('architecture')} kernel, {first.get('num_threads')} threads)"
            )
    except ImportError:
        pass
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores, {memory} RAM, {platform.system()} "
        f"{platform.release()}; load average {load} (shared machine)\n"
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"numba {version('numba')}, BLAS {blas}, "
        f"OPENBLAS_CORETYPE {coretype}"
    )


def pca_table(sizes: list[int], args: argparse.Namespace) -> list[str]:
    """Rows of the PCA whole-analysis table."""
    lines = [
        "| sorts | study s | analyze s | of which varimax s | numpy floor s | ratio "
        "| ratio without varimax | peak RSS MB | JSON s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        got = run_child(["pca", str(n), *_shape(args)], args.timeout)
        if isinstance(got, str):
            lines.append(f"| {n:,} | {got} | | | | | | | |")
            continue
        rest = got["analyze"] - got["varimax"]
        lines.append(
            f"| {n:,} | {got['study']:.2f} | {got['analyze']:.2f} | {got['varimax']:.2f} | "
            f"{got['floor']:.2f} | {got['analyze'] / got['floor']:.1f} | "
            f"{rest / got['floor']:.1f} | {got['rss_mb']:.0f} | {got['json']:.2f} |"
        )
    return lines


def centroid_table(sizes: list[int], args: argparse.Namespace) -> list[str]:
    """Rows of the centroid / Horst table (medians of ``args.repeat`` runs)."""
    first = run_child(["compile", "0", *_shape(args)], args.timeout)
    compiled = f"{first['compile']:.1f}" if isinstance(first, dict) else first
    lines = [
        f"compile s (first use, then numba's disk cache): {compiled}",
        "",
        "| sorts | method | runs | correlate s | extract s (median) | extract CPU s (median) "
        "| iterations | peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        for method in args.centroid_methods:
            runs: list[dict[str, float]] = []
            for _ in range(args.repeat):
                got = run_child([method, str(n), *_shape(args)], args.timeout)
                if isinstance(got, str):
                    lines.append(f"| {n:,} | {method} | {len(runs)} | {got} | | | | |")
                    break
                runs.append(got)
            if len(runs) == args.repeat:
                lines.append(_centroid_row(n, method, runs))
    return lines


def _centroid_row(n: int, method: str, runs: list[dict[str, float]]) -> str:
    """One table row: medians of the times, the largest peak RSS."""

    def median(key: str) -> float:
        return float(np.median([run[key] for run in runs]))

    peak = max(run["rss_mb"] for run in runs)
    return (
        f"| {n:,} | {method} | {len(runs)} | {median('correlate'):.2f} | "
        f"{median('extract'):.2f} | {median('cpu'):.2f} | {median('iterations'):.0f} | "
        f"{peak:.0f} |"
    )


def cli_table(sizes: list[int], args: argparse.Namespace) -> list[str]:
    """Rows of the command-line table."""
    lines = ["| sorts | qsort analyze --json s | peak RSS MB |", "|---:|---:|---:|"]
    for n in sizes:
        got = run_child(["cli", str(n), *_shape(args)], args.timeout * 2)
        if isinstance(got, str):
            lines.append(f"| {n:,} | {got} | |")
            continue
        lines.append(f"| {n:,} | {got['cli']:.2f} | {got['rss_mb']:.0f} |")
    return lines


def _shape(args: argparse.Namespace) -> list[str]:
    return ["--statements", str(args.statements), "--factors", str(args.factors)]


def child(args: argparse.Namespace) -> None:
    """Run the case ``--case KIND SORTS`` and print its figures as JSON."""
    kind, n = args.case[0], int(args.case[1])
    figures: dict[str, Any]
    if kind == "pca":
        figures = case_pca(n, args.statements, args.factors)
    elif kind == "compile":
        figures = case_compile()
    elif kind == "cli":
        figures = case_cli(n, args.statements, args.factors, args.timeout)
    else:
        figures = case_extract(n, args.statements, args.factors, kind)
    print(json.dumps(figures))


def main() -> None:
    """Parse the command line and print the tables, or run one case with ``--case``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pca-sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--centroid-sizes", type=int, nargs="*", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per centroid case")
    methods = ["centroid", "horst"]
    parser.add_argument("--centroid-methods", nargs="+", choices=methods, default=methods)
    parser.add_argument("--cli-sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--statements", type=int, default=60)
    parser.add_argument("--factors", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per case")
    parser.add_argument("--case", nargs=2, metavar=("KIND", "SORTS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        child(args)
        return
    print(machine())
    print(
        f"Random forced sorts, {args.statements} statements on a -5..+5 grid, seed 0; "
        f"{args.factors} factors, Pearson, profile pqmethod\n"
    )
    for title, rows in (
        ("Whole analysis, principal components (Python API)", pca_table),
        ("Centroid methods on the factor form (correlate + extract)", centroid_table),
        ("Command line, one-row-per-participant CSV", cli_table),
    ):
        sizes = getattr(args, f"{rows.__name__.split('_')[0]}_sizes")
        if sizes:
            print(f"{title}\n" + "\n".join(rows(sizes, args)) + "\n", flush=True)
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"Load average at the end: {load}")


if __name__ == "__main__":
    main()
