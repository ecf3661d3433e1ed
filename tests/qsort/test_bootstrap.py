"""The bootstrap against a plain resampling loop written here (seeded alike).

The loop analyses each resample as a study of its own with ``qsort.run`` (the whole pipeline, no
shortcut), matches its factors to the original's by brute force over orders with numpy's
correlations, turns and inverts them by the textbook formulas, and flags, weights and scores them
by the formulas of the analysis specification. The bootstrap module computes the same things by
batched decompositions and one product for all z-scores.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.stats import rankdata

from qsort.bootstrap import bootstrap, render_bootstrap
from qsort.cli import main
from qsort.errors import OptionError, QsortError
from qsort.options import FlagOverride, Options
from qsort.pipeline import run
from qsort.result import AnalysisResult
from qsort.rotation import RotationStep
from qsort.study import Study
from tests.qsort.studygen import study_from_seed
from tests.refdata import DATA, read_sorts_csv

FloatArray = NDArray[np.float64]


@dataclass
class Plain:
    loadings: FloatArray
    flags: NDArray[np.bool_]
    zscores: FloatArray
    arrays: NDArray[np.int64]
    failed: list[int]


def lipset() -> Study:
    return read_sorts_csv(DATA / "lipset_sorts.csv", "Lipset")


def matched(loadings: FloatArray, target: FloatArray) -> FloatArray:
    """Reorder and reflect columns to the order with the largest sum of |r| with the target."""
    k = target.shape[1]
    r = np.nan_to_num(np.corrcoef(loadings.T, target.T)[:k, k:])
    best = max(
        itertools.permutations(range(k)), key=lambda o: sum(abs(r[o[j], j]) for j in range(k))
    )
    order = list(best)
    signs = np.array([-1.0 if r[order[j], j] < 0 else 1.0 for j in range(k)])
    return np.asarray(loadings[:, order] * signs, dtype=float)


def judged(loadings: FloatArray, options: Options) -> FloatArray:
    out = loadings.copy()
    for step in options.rotation_steps:
        a, b = out[:, step.factor_a - 1].copy(), out[:, step.factor_b - 1].copy()
        t = math.radians(step.degrees)
        out[:, step.factor_a - 1] = a * math.cos(t) - b * math.sin(t)
        out[:, step.factor_b - 1] = a * math.sin(t) + b * math.cos(t)
    for factor in options.inversions:
        out[:, factor - 1] *= -1
    return out


def scores(
    study: Study, draw: NDArray[np.int64], loadings: FloatArray, options: Options
) -> tuple[NDArray[np.bool_], FloatArray, NDArray[np.int64]]:
    """Flags, z-scores and exact-grid or qmethod arrays of one resample, by the formulas."""
    n_statements = study.n_statements
    squares = loadings**2
    assert options.flag_level is not None
    flags = (np.abs(loadings) > options.flag_level / math.sqrt(n_statements)) & (
        squares > squares.sum(axis=1, keepdims=True) - squares
    )
    sorts = study.sorts[:, draw].astype(float)
    if options.profile == "pqmethod":
        sorts = (sorts - sorts.mean(axis=0)) / sorts.std(axis=0, ddof=1)
    z = np.full((n_statements, loadings.shape[1]), np.nan)
    arrays = np.zeros(z.shape, dtype=np.int64)
    pattern = np.sort(study.grid.pattern())
    for k in range(loadings.shape[1]):
        if not flags[:, k].any():
            continue
        w = np.where(flags[:, k], weight(loadings[:, k], options.profile), 0.0)
        total = sorts @ w
        z[:, k] = (total - total.mean()) / total.std(ddof=1)
        arrays[:, k] = array_of(z[:, k], pattern, options.profile)
    return flags, z, arrays


def weight(a: FloatArray, profile: str) -> FloatArray:
    """a / (1 - a^2); beyond |a| = 1 (Heywood) PQMethod takes a / (a^2 - 1)."""
    heywood = (a**2 > 1) & (profile == "pqmethod")
    with np.errstate(divide="ignore"):
        return np.where(heywood, a / (a**2 - 1), a / (1 - a**2))


def array_of(z: FloatArray, pattern: NDArray[np.int64], profile: str) -> NDArray[np.int64]:
    """PQMethod: ascending z, ties to the higher statement number first; qmethod: average
    ranks (z rounded to 10 decimals), then each tie group's lowest value."""
    key = np.round(z, 10)
    if profile == "pqmethod":
        array = np.empty(z.size, dtype=np.int64)
        array[np.lexsort((-np.arange(z.size), key))] = pattern
        return array
    ranks = np.asarray(rankdata(key, method="average"), dtype=float)
    array = np.asarray(pattern[np.floor(ranks).astype(int) - 1], dtype=np.int64)
    for value in np.unique(key):
        array[key == value] = array[key == value].min()
    return array


def plain_bootstrap(study: Study, options: Options, resamples: int, seed: int) -> Plain:
    n, k, n_statements = study.n_sorts, options.n_factors, study.n_statements
    automatic = replace(options, rotation_steps=(), inversions=())
    target = run(study, automatic).loadings
    draws = np.random.default_rng(seed).integers(0, n, size=(resamples, n))
    out = Plain(
        np.full((resamples, n, k), np.nan),
        np.zeros((resamples, n, k), dtype=bool),
        np.full((resamples, n_statements, k), np.nan),
        np.zeros((resamples, n_statements, k), dtype=np.int64),
        [],
    )
    for b, draw in enumerate(draws):
        names = [f"draw{i}" for i in range(n)]
        resample = Study.from_matrix(study.sorts[:, draw], names, study.statement_ids, study.grid)
        try:
            loadings = run(resample, automatic).loadings
        except QsortError:
            out.failed.append(b)
            continue
        loadings = judged(matched(loadings, target[draw]), options)
        flags, z, arrays = scores(study, draw, loadings, options)
        out.loadings[b, draw], out.flags[b, draw] = loadings, flags
        out.zscores[b], out.arrays[b] = z, arrays
    return out


CASES = {
    "lipset-centroid-pqmethod": (lipset, Options()),
    "lipset-pca-qmethod": (lipset, Options(profile="qmethod", extraction="pca")),
    "lipset-pca-5-factors": (lipset, Options(extraction="pca", n_factors=5)),
    "lipset-pca-qmethod-oblimin": (
        lipset,
        Options(profile="qmethod", extraction="pca", rotation="oblimin"),
    ),
    "generated-pca-steps": (
        lambda: study_from_seed(7, 30, 40, 3),
        Options(
            extraction="pca",
            rotation_steps=(RotationStep(1, 2, 15.0),),
            inversions=(3,),
        ),
    ),
    "generated-pca-qmethod-kendall": (
        lambda: study_from_seed(3, 24, 60, 2),
        Options(profile="qmethod", extraction="pca", n_factors=2, correlation="kendall"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bootstrap_equals_a_plain_resampling_loop(case: str) -> None:
    make, options = CASES[case]
    study = make()
    boot = bootstrap(run(study, options), resamples=25, seed=11)
    plain = plain_bootstrap(study, options, 25, 11)
    assert [b for b, _ in boot.failed] == plain.failed
    np.testing.assert_allclose(boot.loadings, plain.loadings, atol=1e-8)
    np.testing.assert_array_equal(boot.flags, plain.flags)
    np.testing.assert_allclose(boot.zscores, plain.zscores, atol=1e-8)
    np.testing.assert_array_equal(boot.arrays, plain.arrays)


def test_summaries_are_the_statistics_of_the_resamples() -> None:
    study = lipset()
    result = run(study, Options(extraction="pca"))
    boot = bootstrap(result, resamples=40, seed=3)
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(boot.loading_mean, np.nanmean(boot.loadings, axis=0))
        np.testing.assert_allclose(boot.loading_se, np.nanstd(boot.loadings, axis=0, ddof=1))
        np.testing.assert_allclose(boot.zscore_se, np.nanstd(boot.zscores, axis=0, ddof=1))
    drawn = np.zeros((40, study.n_sorts), dtype=bool)
    for b, draw in enumerate(boot.draws):
        drawn[b, draw] = True
    np.testing.assert_array_equal(boot.drawn, drawn)
    np.testing.assert_allclose(boot.flag_frequency, boot.flags.sum(0) / drawn.sum(0)[:, None])
    for k, factor in enumerate(result.factors):
        assert factor.array is not None
        defined = ~np.isnan(boot.zscores[:, 0, k])
        kept = (boot.arrays[defined, :, k] == factor.array).mean(axis=0)
        np.testing.assert_allclose(boot.array_kept[:, k], kept)


def test_the_seed_fixes_the_resamples() -> None:
    result = run(lipset(), Options())
    first, again = bootstrap(result, 10, seed=5), bootstrap(result, 10, seed=5)
    other = bootstrap(result, 10, seed=6)
    np.testing.assert_array_equal(first.draws, again.draws)
    np.testing.assert_array_equal(first.loadings, again.loadings)
    assert not np.array_equal(first.draws, other.draws)


def test_clear_viewpoints_are_more_stable_than_noise() -> None:
    """Sorts that follow one of two rankings keep their flags; z-scores of noise scatter more."""
    clear = study_from_seed(2, 30, 40, 2)
    rng = np.random.default_rng(0)
    pattern = np.sort(clear.grid.pattern())
    noise_sorts = np.column_stack([rng.permutation(pattern) for _ in range(40)])
    noise = Study.from_matrix(noise_sorts, clear.sort_names, clear.statement_ids, clear.grid)
    options = Options(extraction="pca", n_factors=2)
    stable = bootstrap(run(clear, options), 100, seed=0)
    scattered = bootstrap(run(noise, options), 100, seed=0)
    assert np.nanmean(stable.flag_frequency[stable.result.flags]) > 0.9
    assert np.nanmean(stable.zscore_se) < 0.5 * np.nanmean(scattered.zscore_se)
    assert np.nanmean(stable.array_kept) > np.nanmean(scattered.array_kept)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (Options(bipolar_splits=(1,)), "bipolar splits and manual flags"),
        (Options(manual_flags=(FlagOverride("US1", "F2"),)), "bipolar splits and manual flags"),
        (Options(n_factors=9, extraction="pca"), "at most 8 factors"),
    ],
)
def test_options_a_resample_cannot_follow_are_refused(options: Options, message: str) -> None:
    result = _with_options(options)
    with pytest.raises(OptionError, match=message):
        bootstrap(result, 10)


def _with_options(options: Options) -> AnalysisResult:
    study = lipset()
    if options.n_factors > 8:
        study = study_from_seed(1, 30, 20, 3)
    return run(study, options)


def test_bad_counts_are_refused() -> None:
    result = run(lipset(), Options())
    with pytest.raises(OptionError, match="resamples"):
        bootstrap(result, 0)
    with pytest.raises(OptionError, match="seed"):
        bootstrap(result, 10, seed=-1)


def test_cli_prints_a_summary_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "boot.json"
    status = main(
        [
            "bootstrap",
            str(DATA / "lipset_sorts.csv"),
            "--resamples",
            "30",
            "--seed",
            "1",
            "--extraction",
            "pca",
            "--json",
            str(out),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "30 resamples of 9 Q-sorts" in printed
    assert "How stable each factor is" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    boot = bootstrap(run(lipset(), Options(extraction="pca")), 30, seed=1)
    assert data["resamples"] == 30 and data["seed"] == 1
    assert data["sorts"] == list(boot.result.study.sort_names)
    np.testing.assert_allclose(data["loadings"]["se"], boot.loading_se)
    np.testing.assert_allclose(data["loadings"]["flag_frequency"], boot.flag_frequency)


def test_cli_refuses_split_with_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["bootstrap", str(DATA / "lipset_sorts.csv"), "--split", "1"])
    assert "unrecognized arguments: --split" in capsys.readouterr().err


def test_a_factor_undefined_in_the_original_is_reported_as_such() -> None:
    """No defining sort in the original: its array kept is undefined (null, '-'), no warning."""
    study = study_from_seed(4, 30, 20, 2)
    result = run(study, Options(extraction="pca", n_factors=4, flag_level=2.575))
    assert not result.factors[0].defined
    boot = bootstrap(result, 30, seed=0)
    assert np.isnan(boot.array_kept[:, 0]).all()
    data = json.loads(json.dumps(boot.to_dict(), allow_nan=False))
    assert all(row[0] is None for row in data["statements_summary"]["array_kept"])
    assert all(row[0] is None for row in data["statements_summary"]["zscores"])
    stability = render_bootstrap(boot).split("How stable each factor is\n")[1].splitlines()
    assert stability[1].split()[0] == "F1" and stability[1].split()[-2:] == ["-", "-"]


def test_past_the_sort_limit_the_least_stable_defining_sorts_are_named() -> None:
    study = study_from_seed(1, 30, 80, 3)
    boot = bootstrap(run(study, Options(extraction="pca")), 20, seed=0)
    text = render_bootstrap(boot)
    assert "Least stable defining sorts of 80 Q-sorts" in text
    assert "P80 " not in text.split("z-scores:")[0].split("How stable")[1]
    f1 = next(line for line in text.splitlines() if line.startswith("  F1: "))
    named = [part.split()[0] for part in f1[len("  F1: ") :].split(", ")]
    defining = np.flatnonzero(boot.result.flags[:, 0])
    lowest = defining[np.argsort(boot.flag_frequency[defining, 0], kind="stable")][:5]
    assert named == [study.sort_names[j] for j in lowest]
    every = render_bootstrap(boot, every_sort=True)
    assert sum(line.startswith("P") for line in every.splitlines()) == 80
