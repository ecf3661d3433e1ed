"""Tests of qsort.extraction against KADE's published fixtures and qmethod 1.8.4's outputs.

Expected values come from the reference files in tests/data (see its README), never from this
code's own output. KADE's correlation matrix is rounded to 5 dp; the Lipset correlations are
multiples of 1/160, so the full-precision correlations of lipset_sorts.csv are the same numbers.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from qsort.correlation import Correlations, correlate
from qsort.errors import (
    ExtractionError,
    OptionError,
    QsortError,
    TooManyFactorsError,
)
from qsort.extraction import (
    Extraction,
    ExtractionMethod,
    brown_centroid,
    extract,
    horst_centroid,
    max_factors,
    positive_manifold,
    principal_components,
)
from qsort.profiles import PQMETHOD, QMETHOD

DATA = Path(__file__).resolve().parents[1] / "data"
QMETHOD_DIR = DATA / "qmethod-1.8.4"
FloatArray = NDArray[np.float64]


def _lipset_sorts() -> NDArray[np.int64]:
    with (DATA / "lipset_sorts.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return np.array([[int(v) for v in row[1:]] for row in rows[1:]], dtype=np.int64)


def _kade(prefix: str) -> Any:
    """The KADE fixture whose key starts with ``prefix`` (keys carry their source file)."""
    fixtures = json.loads((DATA / "lipset_kade_test_fixtures.json").read_text(encoding="utf-8"))
    (key,) = [k for k in fixtures if k.split(" ")[0] == prefix]
    return fixtures[key]


def _computed(key: str) -> Any:
    text = (DATA / "lipset_reference_computed.json").read_text(encoding="utf-8")
    return json.loads(text)[key]


def _qmethod(name: str) -> Any:
    return json.loads((QMETHOD_DIR / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lipset() -> Correlations:
    return correlate(_lipset_sorts(), "pearson")


def _random_forced(n_statements: int, n_sorts: int, seed: int) -> NDArray[np.int64]:
    rng = np.random.default_rng(seed)
    pattern = np.sort(np.resize(np.arange(-3, 4), n_statements))
    return rng.permuted(np.broadcast_to(pattern[:, None], (n_statements, n_sorts)), axis=0)


# ------------------------------------------------------------------------------------------
# KADE fixtures (pqmethod profile), within 1e-4
# ------------------------------------------------------------------------------------------


def test_lipset_input_is_kades_correlation_matrix(lipset: Correlations) -> None:
    kade = np.array(_kade("lipset_correlation_matrix_5dp"))
    np.testing.assert_allclose(lipset.matrix(), kade, rtol=0, atol=1e-12)


def test_brown_centroid_matches_kade(lipset: Correlations) -> None:
    result = extract(lipset, 7, "centroid", PQMETHOD)
    expected = np.array(_kade("brown_centroid_7_factors_rows_are_factors")).T
    np.testing.assert_allclose(result.loadings, expected, rtol=0, atol=1e-4)
    np.testing.assert_allclose(
        result.eigenvalues, _kade("brown_centroid_eigenvalues"), rtol=0, atol=1e-4
    )
    assert result.method == "centroid"
    assert result.converged
    assert result.notices == ()


def test_reflection_of_first_centroid_factor_matches_kade(lipset: Correlations) -> None:
    matrix, sums, indices = _kade("brown_centroid_factor1_reflection")
    reflection = positive_manifold(lipset.matrix(), ties="first")
    assert reflection.indices.tolist() == indices
    np.testing.assert_allclose(reflection.column_sums, sums, rtol=0, atol=1e-12)
    signs = reflection.signs
    np.testing.assert_allclose(
        signs[:, None] * lipset.matrix() * signs[None, :], matrix, rtol=0, atol=1e-12
    )


def test_horst_matches_kade_and_does_not_converge(lipset: Correlations) -> None:
    result = extract(lipset, 7, "horst", PQMETHOD)
    expected = np.array(_kade("horst55_7_factors_rows_are_factors")).T
    np.testing.assert_allclose(result.loadings, expected, rtol=0, atol=1e-4)
    eigen = _kade("horst55_eigen_pct_cumpct")[0]
    np.testing.assert_allclose(result.eigenvalues, eigen, rtol=0, atol=1e-4)
    reference = _computed("kade_horst55_7")
    assert reference["did_not_converge"]
    assert not result.converged
    assert result.iterations == reference["iterations"]
    (notice,) = [n for n in result.notices if n.code == "not-converged"]
    assert "30 iterations" in notice.message


def test_horst_reports_heywood_sorts_of_kades_solution(lipset: Correlations) -> None:
    kade = np.array(_kade("horst55_7_factors_rows_are_factors")).T
    over = np.flatnonzero(np.sum(kade**2, axis=1) > 1.0) + 1
    assert over.size
    result = extract(lipset, 7, "horst", PQMETHOD)
    (notice,) = [n for n in result.notices if n.code == "heywood"]
    listed = notice.message.split("Q-sort(s)")[1].split("exceeds")[0]
    positions = [int(part.split("position")[1].split("(")[0]) for part in listed.split(",")]
    assert positions == over.tolist()
    named = extract(lipset, 7, "horst", PQMETHOD, [f"S{j}" for j in range(1, 10)])
    assert all(f"S{j} (" in named.notices[-1].message for j in over)


def test_horst_converges_with_few_factors(lipset: Correlations) -> None:
    result = horst_centroid(lipset.matrix(), 1)
    assert result.converged
    assert result.notices == ()
    assert 0 < result.iterations <= 30


def test_pca_matches_kade(lipset: Correlations) -> None:
    np.testing.assert_allclose(
        lipset.eigenvalues(), _kade("pca_eigenvalues_sorted"), rtol=0, atol=1e-8
    )
    result = extract(lipset, 8, "pca", PQMETHOD)
    expected = np.array(_kade("pca_8_components_rows_are_sorts_after_sign_inflection"))
    np.testing.assert_allclose(result.loadings, expected, rtol=0, atol=1e-6)
    criterion = np.sum(result.loadings * np.abs(result.loadings), axis=0)
    np.testing.assert_allclose(
        criterion, np.abs(_kade("pca_inflection_criterion_sum_a_abs_a")), rtol=0, atol=1e-6
    )
    assert result.iterations == 0 and result.converged


# ------------------------------------------------------------------------------------------
# qmethod 1.8.4 (qmethod profile), within 1e-6
# ------------------------------------------------------------------------------------------

QMETHOD_RUNS = [
    "lipset_pca2_none",
    "lipset_pca3_varimax",
    "lipset_pca4_varimax",
    "lipset_pca3_varimax_spearman",
    "lipset_pca3_varimax_kendall",
    "lipset_centroid3_varimax",
]


@pytest.mark.parametrize("name", QMETHOD_RUNS)
def test_unrotated_loadings_match_qmethod(name: str) -> None:
    run = _qmethod(name)
    config = run["config"]
    corr = correlate(_lipset_sorts(), config["cor_method"])
    method: ExtractionMethod = "pca" if config["extraction"] == "PCA" else "centroid"
    result = extract(corr, config["nfactors"], method, QMETHOD)
    expected = np.array(run["extra"]["unrotated_loadings"]["data"])
    np.testing.assert_allclose(result.loadings, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "name",
    ["lipset_pca3_varimax", "lipset_pca3_varimax_spearman", "lipset_pca3_varimax_kendall"],
)
def test_correlation_eigenvalues_match_qmethod(name: str) -> None:
    run = _qmethod(name)
    corr = correlate(_lipset_sorts(), run["config"]["cor_method"])
    np.testing.assert_allclose(
        corr.eigenvalues(), run["extra"]["cor_eigenvalues"], rtol=0, atol=1e-10
    )


# ------------------------------------------------------------------------------------------
# Independent re-implementations (lipset_reference_computed.json, 6 dp)
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "method", "profile", "factors", "atol"),
    [
        ("kade_brown_centroid_7", "centroid", PQMETHOD, 7, 1e-5),
        ("qmethod_centroid_7_spc1e-5", "centroid", QMETHOD, 7, 1e-6),
        ("psych_pca_unrotated_8", "pca", QMETHOD, 8, 1e-6),
        ("kade_pca_unrotated_8", "pca", PQMETHOD, 8, 1e-6),
    ],
)
def test_matches_reference_reimplementations(
    lipset: Correlations, key: str, method: Any, profile: Any, factors: int, atol: float
) -> None:
    result = extract(lipset, factors, method, profile)
    np.testing.assert_allclose(result.loadings, _computed(key), rtol=0, atol=atol)


def test_horst_matches_reference_reimplementation(lipset: Correlations) -> None:
    result = extract(lipset, 7, "horst", PQMETHOD)
    expected = _computed("kade_horst55_7")["loadings"]
    np.testing.assert_allclose(result.loadings, expected, rtol=0, atol=1e-5)


# ------------------------------------------------------------------------------------------
# The SVD path for n > N
# ------------------------------------------------------------------------------------------


def _dense_components(matrix: FloatArray, k: int, rule: str) -> FloatArray:
    values, vectors = np.linalg.eigh(matrix)
    order = np.argsort(values)[::-1][:k]
    loadings = vectors[:, order] * np.sqrt(values[order])
    if rule == "signed-squares":
        criterion = np.sum(loadings * np.abs(loadings), axis=0)
    else:
        criterion = np.sum(loadings, axis=0)
    signed: FloatArray = loadings * np.where(criterion < 0, -1.0, 1.0)
    return signed


@pytest.mark.parametrize("rule", ["signed-squares", "column-sum"])
def test_svd_path_equals_dense_path(rule: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sorts = _random_forced(12, 40, seed=7)
    dense = correlate(sorts).matrix().copy()
    corr = correlate(sorts)

    def refuse(self: Correlations) -> FloatArray:
        raise AssertionError("the n x n matrix was formed")

    monkeypatch.setattr(Correlations, "matrix", refuse)
    result = principal_components(corr, 5, rule)
    eigenvalues = corr.eigenvalues()
    limit = max_factors(corr, "pca")
    monkeypatch.undo()
    np.testing.assert_allclose(result.loadings, _dense_components(dense, 5, rule), atol=1e-10)
    np.testing.assert_allclose(
        eigenvalues, np.sort(np.linalg.eigvalsh(dense))[::-1], rtol=0, atol=1e-10
    )
    assert limit == np.linalg.matrix_rank(dense) == 11


# ------------------------------------------------------------------------------------------
# Edge cases: named errors and notices
# ------------------------------------------------------------------------------------------


def test_too_many_factors_names_the_limit(lipset: Correlations) -> None:
    assert max_factors(lipset, "centroid") == 9
    with pytest.raises(TooManyFactorsError, match="at most 9"):
        extract(lipset, 10, "pca", PQMETHOD)


def test_too_many_factors_when_sorts_outnumber_statements() -> None:
    corr = correlate(_random_forced(5, 20, seed=3))
    assert max_factors(corr, "pca") == 4
    with pytest.raises(TooManyFactorsError, match="at most 4"):
        extract(corr, 5, "centroid", PQMETHOD)


@pytest.mark.parametrize("bad", [0, -1, 2.0, True])
def test_number_of_factors_must_be_a_positive_whole_number(lipset: Correlations, bad: Any) -> None:
    with pytest.raises(OptionError, match="number of factors"):
        extract(lipset, bad, "pca", PQMETHOD)


def test_unknown_method_is_refused(lipset: Correlations) -> None:
    with pytest.raises(OptionError, match="extraction"):
        extract(lipset, 2, "varimax", PQMETHOD)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["centroid", "horst"])
def test_uncorrelated_sorts_give_an_extraction_error(method: Any) -> None:
    corr = Correlations("pearson", np.eye(4))
    with pytest.raises(ExtractionError, match="factor 1: every residual correlation is zero"):
        extract(corr, 1, method, PQMETHOD)


def test_exhausted_residual_names_the_factor() -> None:
    identical = np.ones((3, 3))
    np.testing.assert_allclose(brown_centroid(identical, 1).loadings, 1.0, rtol=0, atol=1e-3)
    with pytest.raises(ExtractionError, match="factor 2: every residual correlation is zero"):
        brown_centroid(identical, 2, "half", 1e-14)
    with pytest.raises(ExtractionError, match="factor 2"):
        horst_centroid(identical, 2)


def test_brown_centroid_reports_a_heywood_case() -> None:
    matrix = np.array([[1.0, 0.95, 0.8], [0.95, 1.0, 0.6], [0.8, 0.6, 1.0]])
    result = brown_centroid(matrix, 1)
    (notice,) = result.notices
    assert notice.code == "heywood"
    assert "at position 1 (" in notice.message
    assert result.loadings[0, 0] > 1.0
    _assert_fixed_point(matrix, result.loadings, 0.001)


def test_brown_centroid_reports_non_convergence(lipset: Correlations) -> None:
    result = brown_centroid(lipset.matrix(), 2, "half", 1e-15, max_iterations=3)
    assert not result.converged
    assert result.iterations == 3
    (notice,) = result.notices
    assert notice.code == "not-converged"
    assert "3 iterations" in notice.message
    assert np.all(np.isfinite(result.loadings))


def test_zero_column_sum_is_not_reflected() -> None:
    matrix = np.array(
        [
            [1.0, 0.5, 0.5, 0.25],
            [0.5, 1.0, 0.5, -0.25],
            [0.5, 0.5, 1.0, 0.0],
            [0.25, -0.25, 0.0, 1.0],
        ]
    )
    reflection = positive_manifold(matrix)
    assert reflection.indices.tolist() == []
    np.testing.assert_allclose(reflection.column_sums, [1.25, 0.75, 1.0, 0.0], atol=1e-15)
    result = brown_centroid(matrix, 2, "mean-r", 1e-10)
    assert result.converged
    _assert_fixed_point(matrix, result.loadings, 1e-10)


def test_diverging_communality_iteration_is_an_extraction_error() -> None:
    # One dominant column sum among three sorts, one of them uncorrelated: the fixed point
    # f = (c + f^2) / sqrt(sum(c + f^2)) does not exist and the estimates grow without bound
    # (qmethod and KADE loop for ever here).
    matrix = np.array([[1.0, 0.5, 0.25], [0.5, 1.0, -0.25], [0.25, -0.25, 1.0]])
    assert positive_manifold(matrix).indices.tolist() == []
    with pytest.raises(ExtractionError, match=r"factor 1: the centroid communality .* diverges"):
        brown_centroid(matrix, 1, "mean-r", 1e-5)


def test_ties_reflect_one_column_at_a_time() -> None:
    matrix = np.array(
        [
            [1.0, 0.2, -0.3, -0.3],
            [0.2, 1.0, -0.3, -0.3],
            [-0.3, -0.3, 1.0, 0.2],
            [-0.3, -0.3, 0.2, 1.0],
        ]
    )
    first = positive_manifold(matrix, ties="first")
    assert first.indices.tolist() == [0, 1]
    np.testing.assert_allclose(first.column_sums, [0.8] * 4, atol=1e-15)
    last = positive_manifold(matrix, ties="last")
    assert last.indices.tolist() == [3, 2]


def test_invalid_matrices_are_refused() -> None:
    with pytest.raises(ExtractionError, match="square"):
        brown_centroid(np.ones((2, 3)), 1)
    with pytest.raises(ExtractionError, match="symmetric"):
        brown_centroid(np.array([[1.0, 0.5], [0.2, 1.0]]), 1)
    with pytest.raises(ExtractionError, match="non-finite"):
        horst_centroid(np.array([[1.0, np.nan], [np.nan, 1.0]]), 1)
    with pytest.raises(OptionError, match="centroid start"):
        brown_centroid(np.eye(3), 1, "zero")  # type: ignore[arg-type]


def test_extraction_is_frozen_and_eigenvalues_are_sums_of_squares(
    lipset: Correlations,
) -> None:
    result = extract(lipset, 3, "centroid", QMETHOD)
    assert isinstance(result, Extraction)
    np.testing.assert_allclose(result.eigenvalues, np.sum(result.loadings**2, axis=0))
    assert not result.loadings.flags.writeable
    assert result == extract(lipset, 3, "centroid", QMETHOD)
    assert result.n_factors == 3


# ------------------------------------------------------------------------------------------
# Properties: no NaN ever, centroid loadings at the fixed point
# ------------------------------------------------------------------------------------------


def _assert_fixed_point(matrix: FloatArray, loadings: FloatArray, tolerance: float) -> None:
    """Each factor satisfies f = g(f^2), g(h) = (c + h) / sqrt(sum(c + h)), in its residual.

    The iteration stops when ``|f^2 - h| < tolerance``, so ``f = g(h)`` differs from ``g(f^2)``
    by at most ``tolerance / sqrt(T) + |f| n tolerance / (2 T)`` (T = sum(c + h), the bound of
    g's derivative); twice that is allowed, plus rounding.
    """
    n = matrix.shape[0]
    residual = np.array(matrix, dtype=np.float64)
    np.fill_diagonal(residual, 0.0)
    for k in range(loadings.shape[1]):
        reflection = positive_manifold(residual)
        reflected = reflection.signs * loadings[:, k]
        totals = reflection.column_sums + reflected**2
        grand = float(totals.sum())
        assert grand > 0.0
        bound = tolerance / np.sqrt(grand) + np.abs(reflected) * n * tolerance / (2.0 * grand)
        error = np.abs(reflected - totals / np.sqrt(grand))
        assert np.all(error <= 2.0 * bound + 1e-12), (k, error, bound)
        residual -= np.outer(loadings[:, k], loadings[:, k])
        np.fill_diagonal(residual, 0.0)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_statements=st.integers(3, 14),
    n_sorts=st.integers(2, 10),
    method=st.sampled_from(["pca", "centroid", "horst"]),
    share=st.floats(0.0, 1.0),
)
def test_extraction_never_returns_nan(
    seed: int, n_statements: int, n_sorts: int, method: Any, share: float
) -> None:
    corr = correlate(_random_forced(n_statements, n_sorts, seed))
    limit = max_factors(corr, method)
    factors = 1 + round(share * (limit - 1))
    try:
        result = extract(corr, factors, method, PQMETHOD)
    except ExtractionError:
        event("ExtractionError")
        return
    event(f"{method} extracted")
    assert np.all(np.isfinite(result.loadings))
    assert np.all(np.isfinite(result.eigenvalues))
    assert result.loadings.shape == (n_sorts, factors)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_statements=st.integers(3, 14),
    n_sorts=st.integers(2, 10),
    start=st.sampled_from(["half", "mean-r"]),
)
def test_centroid_loadings_are_at_the_fixed_point(
    seed: int, n_statements: int, n_sorts: int, start: Any
) -> None:
    matrix = correlate(_random_forced(n_statements, n_sorts, seed)).matrix()
    factors = min(3, n_sorts)
    try:
        result = brown_centroid(matrix, factors, start, 1e-9, max_iterations=20_000)
    except QsortError as error:
        event(type(error).__name__)
        return
    assert np.all(np.isfinite(result.loadings))
    event(f"converged={result.converged}")
    if result.converged:
        _assert_fixed_point(matrix, result.loadings, 1e-9)


@pytest.mark.parametrize(("profile", "tolerance"), [(PQMETHOD, 0.001), (QMETHOD, 1e-5)])
def test_lipset_centroid_factors_are_at_the_fixed_point(
    lipset: Correlations, profile: Any, tolerance: float
) -> None:
    result = extract(lipset, 7, "centroid", profile)
    _assert_fixed_point(lipset.matrix(), result.loadings, tolerance)
