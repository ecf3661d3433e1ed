"""Tests of qsort.guidance: eigenvalues, Kaiser-Guttman, Humphrey, scree, parallel analysis."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from qsort import guidance as guidance_module
from qsort.correlation import CorrelationMethod
from qsort.errors import OptionError
from qsort.guidance import (
    PARALLEL_MIN_ITERATIONS,
    FactorGuidance,
    factor_guidance,
    parallel_iterations,
    random_sorts,
    render_guidance,
)
from qsort.profiles import QMETHOD
from qsort.study import Grid, Study

DATA = Path(__file__).resolve().parents[1] / "data"


def _computed(key: str) -> Any:
    text = (DATA / "lipset_reference_computed.json").read_text(encoding="utf-8")
    return json.loads(text)[key]


@pytest.fixture(scope="module")
def lipset() -> Study:
    with (DATA / "lipset_sorts.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    sorts = np.array([[int(v) for v in row[1:]] for row in rows[1:]], dtype=np.int64)
    return Study.from_matrix(sorts, rows[0][1:], [row[0] for row in rows[1:]])


@pytest.fixture(scope="module")
def advice(lipset: Study) -> FactorGuidance:
    return factor_guidance(lipset)


def test_eigenvalues_and_kaiser_match_the_reference(advice: FactorGuidance) -> None:
    reference = np.array(_computed("eigenvalues_of_R"))
    np.testing.assert_allclose(advice.eigenvalues, reference, rtol=0, atol=1e-6)
    assert advice.kaiser_guttman == int(np.count_nonzero(reference > 1.0)) == 4
    np.testing.assert_allclose(advice.explained_variance, 100.0 * reference / 9, atol=1e-4)


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_eigenvalues_match_qmethod(lipset: Study, method: CorrelationMethod) -> None:
    suffix = "" if method == "pearson" else f"_{method}"
    run = json.loads(
        (DATA / "qmethod-1.8.4" / f"lipset_pca3_varimax{suffix}.json").read_text("utf-8")
    )
    result = factor_guidance(lipset, correlation=method, iterations=5)
    np.testing.assert_allclose(
        result.eigenvalues, run["extra"]["cor_eigenvalues"], rtol=0, atol=1e-10
    )


def test_humphrey_counts_leading_factors_of_the_reference_loadings(
    advice: FactorGuidance,
) -> None:
    loadings = np.abs(np.array(_computed("psych_pca_unrotated_8")))
    top = -np.sort(-loadings, axis=0)
    products = top[0] * top[1]
    threshold = 2.0 / np.sqrt(33)
    passed = products > threshold
    expected = int(np.argmin(passed)) if not passed.all() else passed.size
    assert advice.humphrey_threshold == pytest.approx(threshold)
    np.testing.assert_allclose(advice.humphrey_products, products, atol=1e-6)
    assert advice.humphrey == expected


def test_scree_pairs_factor_numbers_with_eigenvalues(advice: FactorGuidance) -> None:
    reference = _computed("eigenvalues_of_R")
    assert [k for k, _ in advice.scree] == list(range(1, 10))
    np.testing.assert_allclose([v for _, v in advice.scree], reference, atol=1e-6)


def test_parallel_analysis_is_reproducible(lipset: Study, advice: FactorGuidance) -> None:
    again = factor_guidance(lipset, seed=0)
    np.testing.assert_array_equal(again.random_mean, advice.random_mean)
    np.testing.assert_array_equal(again.random_p95, advice.random_p95)
    other = factor_guidance(lipset, seed=1)
    assert not np.array_equal(other.random_mean, advice.random_mean)
    assert advice.parallel_iterations == 100
    assert np.all(advice.random_p95 >= advice.random_mean)


def test_suggestion_is_within_the_limits(lipset: Study, advice: FactorGuidance) -> None:
    assert 0 <= advice.suggested <= advice.max_factors == 9
    observed = advice.eigenvalues[: advice.suggested]
    assert np.all(observed > advice.random_p95[: advice.suggested])
    if advice.suggested < len(advice.random_p95):
        assert advice.eigenvalues[advice.suggested] <= advice.random_p95[advice.suggested]
    small = Study.from_matrix(_random_forced(4, 12, seed=5))
    result = factor_guidance(small, iterations=20)
    assert result.suggested <= result.max_factors <= 3


def test_centroid_guidance_falls_back_to_pca_beyond_the_size_limit(
    lipset: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    centroid = factor_guidance(lipset, extraction="centroid", profile=QMETHOD, iterations=5)
    assert centroid.notices == ()
    monkeypatch.setattr(guidance_module, "CENTROID_MAX_SORTS", 5)
    fallback = factor_guidance(lipset, extraction="centroid", iterations=5)
    assert [n.code for n in fallback.notices] == ["humphrey-pca"]
    np.testing.assert_allclose(
        fallback.humphrey_products, factor_guidance(lipset, iterations=5).humphrey_products
    )


def _random_forced(n_statements: int, n_sorts: int, seed: int) -> NDArray[np.int64]:
    rng = np.random.default_rng(seed)
    pattern = np.sort(np.resize(np.arange(-2, 3), n_statements))
    return rng.permuted(np.broadcast_to(pattern[:, None], (n_statements, n_sorts)), axis=0)


def test_random_sorts_follow_the_grid() -> None:
    rng = np.random.default_rng(3)
    forced = Grid.from_range(-2, 2, [1, 2, 3, 2, 1])
    sorts = random_sorts(forced, 9, 50, rng)
    assert sorts.shape == (9, 50)
    assert all(np.array_equal(np.sort(col), forced.pattern()) for col in sorts.T)
    free = Grid.from_range(-1, 0, [1, 1], forced=False)
    loose = random_sorts(free, 2, 500, rng)
    assert loose.min() >= -1 and loose.max() <= 0
    assert np.all(loose.min(axis=0) < loose.max(axis=0))


def test_free_grid_study(lipset: Study) -> None:
    free = Grid(lipset.grid.values, lipset.grid.capacities, forced=False)
    study = Study(lipset.statements, lipset.sort_names, lipset.sorts, free)
    result = factor_guidance(study, iterations=10, seed=2)
    assert result.parallel_iterations == 10
    assert np.all(np.isfinite(result.random_p95))


def test_parallel_iterations_are_capped_for_huge_studies() -> None:
    assert parallel_iterations(1_000, 60, 100) == 100
    assert parallel_iterations(100_000, 60, 100) == PARALLEL_MIN_ITERATIONS
    assert parallel_iterations(100_000, 60, 3) == 3
    assert parallel_iterations(20_000, 60, 100) == 41


def test_invalid_options(lipset: Study) -> None:
    with pytest.raises(OptionError, match="iterations"):
        factor_guidance(lipset, iterations=0)
    with pytest.raises(OptionError, match="seed"):
        factor_guidance(lipset, seed=-1)


def test_render_guidance(advice: FactorGuidance) -> None:
    text = render_guidance(advice)
    assert "Kaiser-Guttman (eigenvalue > 1): 4" in text
    assert (
        f"Parallel analysis (100 random studies, seed 0, 95th percentile): {advice.suggested}"
        in text
    )
    assert len(text.splitlines()) == 3 + 9 + 5
