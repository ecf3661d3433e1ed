"""The engine at size: PCA by the statement side, centroid methods without the n x n matrix,
qmethod's strict reflection, compact storage and the Kendall limit.

Each faster path is compared with an independent computation (numpy's SVD of the factor form,
the n x n centroid path, a transcription of qmethod's reflection loop), never with its own output.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from qsort import correlation as correlation_module
from qsort import extraction as extraction_module
from qsort.correlation import Correlations, correlate
from qsort.errors import SizeLimitError, StudyError, ZeroVarianceSortError
from qsort.extraction import (
    brown_centroid,
    brown_centroid_factored,
    extract,
    horst_centroid,
    horst_centroid_factored,
)
from qsort.pipeline import analyze
from qsort.profiles import PQMETHOD, QMETHOD
from qsort.reflection import FactorResidual, positive_manifold
from qsort.study import Study
from tests.qsort.studygen import study_from_seed

DATA = Path(__file__).resolve().parents[1] / "data"
FloatArray = NDArray[np.float64]


def _lipset_sorts() -> NDArray[np.int64]:
    with (DATA / "lipset_sorts.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return np.array([[int(v) for v in row[1:]] for row in rows[1:]], dtype=np.int64)


def _svd_loadings(factor: FloatArray, k: int) -> FloatArray:
    """Loadings from numpy's SVD of the factor form, signs fixed by each column's largest entry."""
    _, singular, vt = np.linalg.svd(factor, full_matrices=False)
    return _signed(vt[:k].T * singular[:k])


def _signed(loadings: FloatArray) -> FloatArray:
    """Make the entry of largest magnitude in each column positive (signs are arbitrary)."""
    rows = np.argmax(np.abs(loadings), axis=0)
    signs = np.sign(loadings[rows, np.arange(loadings.shape[1])])
    return np.asarray(loadings * signs, dtype=float)


# ------------------------------------------------------------------------------------------
# Principal components by the statement side
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gram_route_equals_the_svd_of_the_factor_form(seed: int) -> None:
    study = study_from_seed(seed, 30, 400, 3)
    corr = correlate(study.sorts, "pearson")
    found = corr.principal(6)
    assert found.route == "gram"
    np.testing.assert_allclose(
        _signed(found.loadings), _svd_loadings(corr.factor, 6), rtol=0, atol=1e-9
    )


def test_gram_route_on_reference_sorts_with_more_sorts_than_statements() -> None:
    # Lipset's 9 sorts on their first 6 statements: more sorts than rows, so the Gram route.
    corr = correlate(_lipset_sorts()[:6], "pearson")
    found = corr.principal(3)
    assert found.route == "gram"
    np.testing.assert_allclose(
        _signed(found.loadings), _svd_loadings(corr.factor, 3), rtol=0, atol=1e-9
    )


def test_spearman_and_kendall_take_the_same_route() -> None:
    study = study_from_seed(7, 12, 200, 2)
    for method in ("spearman", "kendall"):
        corr = correlate(study.sorts, method)
        found = corr.principal(4)
        assert found.route == ("gram" if corr.n > corr.factor.shape[0] else "eigh")
        np.testing.assert_allclose(
            _signed(found.loadings), _svd_loadings(corr.factor, 4), rtol=0, atol=1e-9
        )


def test_near_collinear_sorts_fall_back_to_the_svd() -> None:
    # 300 sorts that are one sort plus perturbations of 1e-7: the second eigenvalue is about
    # 1e-14 of the first, far below what the Gram matrix resolves.
    rng = np.random.default_rng(0)
    base = rng.standard_normal(20)
    columns = base[:, None] + 1e-7 * rng.standard_normal((20, 300))
    columns -= columns.mean(axis=0)
    corr = Correlations("pearson", columns / np.linalg.norm(columns, axis=0))
    found = corr.principal(2)
    assert found.values[1] < correlation_module.GRAM_MIN_RATIO * found.values[0]
    assert found.route == "svd"
    np.testing.assert_allclose(
        _signed(found.loadings), _svd_loadings(corr.factor, 2), rtol=0, atol=1e-9
    )
    # What the Gram route would have given is visibly off in the second component.
    _, basis = np.linalg.eigh(corr.gram())
    gram_second = _signed((basis[:, -2:-1].T @ corr.factor).T)
    assert np.max(np.abs(gram_second - _svd_loadings(corr.factor, 2)[:, 1:])) > 1e-9


def test_pca_extraction_equals_the_svd_path_through_the_pipeline() -> None:
    study = study_from_seed(11, 24, 300, 3)
    result = analyze(study, factors=3, extraction="pca", rotation="none")
    corr = correlate(study.sorts, "pearson")
    expected = _svd_loadings(corr.factor, 3)
    np.testing.assert_allclose(_signed(np.array(result.unrotated)), expected, rtol=0, atol=1e-9)


# ------------------------------------------------------------------------------------------
# Centroid methods on the factor form
# ------------------------------------------------------------------------------------------


def _studies() -> list[Correlations]:
    lipset = correlate(_lipset_sorts(), "pearson")
    randoms = [correlate(study_from_seed(s, 30, n, 3).sorts) for s, n in [(1, 40), (2, 250)]]
    return [lipset, *randoms]


@pytest.mark.parametrize("rule", ["tolerant", "strict"])
@pytest.mark.parametrize("start", ["half", "mean-r"])
def test_factored_brown_centroid_equals_the_dense_path(start: str, rule: str) -> None:
    for corr in _studies():
        k = min(5, corr.n - 2)
        dense = brown_centroid(corr.matrix(), k, start, 1e-5, rule=rule)  # type: ignore[arg-type]
        factored = brown_centroid_factored(corr.factor, k, start, 1e-5, rule=rule)  # type: ignore[arg-type]
        np.testing.assert_allclose(factored.loadings, dense.loadings, rtol=0, atol=1e-9)
        assert factored.iterations == dense.iterations
        assert [n.code for n in factored.notices] == [n.code for n in dense.notices]


def test_factored_horst_equals_the_dense_path() -> None:
    for corr in _studies():
        dense = horst_centroid(corr.matrix(), 3)
        factored = horst_centroid_factored(corr.factor, 3)
        np.testing.assert_allclose(factored.loadings, dense.loadings, rtol=0, atol=1e-9)
        assert (factored.iterations, factored.converged) == (dense.iterations, dense.converged)


def test_factored_reflection_makes_the_dense_reflections_with_few_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Random sorts need hundreds of reflections; with tiers of 24, 14 and 6 candidates the
    # bounds force many new choices of each tier and many full recomputations, and the order
    # must still be the dense one.
    from qsort import reflection

    monkeypatch.setattr(reflection, "candidate_count", lambda n: min(n, 24))
    monkeypatch.setattr(reflection, "MIDDLE_CANDIDATES", 14)
    monkeypatch.setattr(reflection, "INNER_CANDIDATES", 6)
    rng = np.random.default_rng(5)
    pattern = np.repeat(np.arange(-4, 5), [2, 3, 4, 5, 6, 5, 4, 3, 2])
    sorts = rng.permuted(np.broadcast_to(pattern[:, None], (34, 600)), axis=0)
    corr = correlate(sorts)
    residual = np.array(corr.matrix())
    np.fill_diagonal(residual, 0.0)
    for ties in ("first", "last"):
        dense = positive_manifold(residual, ties)
        factored = FactorResidual(corr.factor, 1).manifold(ties, "tolerant")
        assert dense.indices.size > 100
        assert factored.indices.tolist() == dense.indices.tolist()
        np.testing.assert_allclose(factored.column_sums, dense.column_sums, rtol=0, atol=1e-9)


def test_extract_takes_the_factor_form_beyond_the_dense_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corr = correlate(study_from_seed(3, 30, 120, 3).sorts)
    dense = {m: extract(corr, 3, m, PQMETHOD) for m in ("centroid", "horst")}
    monkeypatch.setattr(extraction_module, "DENSE_CENTROID_MAX", 50)
    fresh = Correlations("pearson", corr.factor)
    for method in ("centroid", "horst"):
        found = extract(fresh, 3, method, PQMETHOD)
        np.testing.assert_allclose(found.loadings, dense[method].loadings, rtol=0, atol=1e-9)
    assert not fresh._dense, "the n x n matrix was formed"


# ------------------------------------------------------------------------------------------
# qmethod's strict reflection on a column sum that is zero up to rounding
# ------------------------------------------------------------------------------------------

# Eight forced sorts of 13 statements on -3..+3 (2, 2, 1, 3, 1, 2, 2): each sort's sum of
# squares is 54, so every correlation is a multiple of 1/54.
ROUNDING_SORTS = [
    [2, 3, 1, 2, -1, -3, -2, -2, -3, 0, 0, 3, 0],
    [0, -1, 2, 2, -3, -2, 3, -2, 3, 0, 1, 0, -3],
    [3, -1, -3, 0, 0, -2, 2, 0, -2, 1, 2, 3, -3],
    [0, 1, -3, 0, -1, 2, 3, 3, -3, 2, -2, -2, 0],
    [0, 2, -2, -3, -3, 0, 1, 2, 3, -1, -2, 3, 0],
    [-2, -3, 3, 1, 3, 0, 0, 2, -1, -2, -3, 0, 2],
    [-2, 2, 1, -3, -1, 0, 0, 2, 3, -3, 0, -2, 3],
    [-2, 3, 0, -3, 0, 0, -1, 1, -3, 2, 2, 3, -2],
]


def _qmethod_first_factor(matrix: FloatArray, tolerance: float = 1e-5) -> FloatArray:
    """qmethod's first centroid factor, transcribed from its documented loop (spec A.2.2).

    Reflect the column with the smallest ``colSums`` (correctly rounded, as R's extended
    accumulation gives for these sums) while not all sums are above 0, then iterate the
    communalities from the mean reflected correlation.
    """
    tmat = np.array(matrix)
    np.fill_diagonal(tmat, 0.0)
    n = tmat.shape[0]
    signs = np.ones(n)
    for _ in range(100):
        sums = np.array([math.fsum(tmat[:, j].tolist()) for j in range(n)])
        if np.all(sums > 0) or sums.min() == 0.0:
            break
        j = int(np.argmin(sums))
        tmat[j, :] *= -1.0
        tmat[:, j] *= -1.0
        signs[j] = -signs[j]
    sums = np.array([math.fsum(tmat[:, j].tolist()) for j in range(n)])
    estimate = sums / (n - 1)
    while True:
        totals = sums + estimate
        loadings = totals / np.sqrt(totals.sum())
        if np.all(np.abs(estimate - loadings**2) < tolerance):
            return np.asarray(signs * loadings)
        estimate = loadings**2


def test_rounding_case_has_an_exact_zero_column_sum() -> None:
    sorts = np.array(ROUNDING_SORTS).T
    centred = sorts - sorts.mean(axis=0)
    cross = (centred.T @ centred).astype(np.int64)
    assert set(np.diag(cross).tolist()) == {54}
    corr = correlate(sorts)
    tolerant = brown_centroid(corr.matrix(), 1, "mean-r", 1e-5, rule="tolerant")
    # Under PQMethod's rule the 4th sort is left as it is, and its exact sum is 0.
    reflection = positive_manifold(np.where(np.eye(8) == 1, 0.0, corr.matrix()))
    signs = reflection.signs.astype(np.int64)
    exact = signs[3] * int(sum(cross[3, k] * signs[k] for k in range(8) if k != 3))
    assert exact == 0
    assert abs(reflection.column_sums[3]) < 1e-15  # zero up to rounding in floating point
    assert any(n.code == "reflection-rounding" for n in tolerant.notices)


def test_qmethod_profile_reflects_a_sum_negative_by_rounding_as_qmethod_does() -> None:
    sorts = np.array(ROUNDING_SORTS).T
    corr = correlate(sorts)
    strict = extract(corr, 1, "centroid", QMETHOD)
    tolerant = brown_centroid(corr.matrix(), 1, "mean-r", 1e-5, rule="tolerant")
    expected = _qmethod_first_factor(corr.matrix())
    np.testing.assert_allclose(strict.loadings[:, 0], expected, rtol=0, atol=1e-9)
    assert np.max(np.abs(strict.loadings - tolerant.loadings)) > 0.1
    (notice,) = [n for n in strict.notices if n.code == "reflection-rounding"]
    assert "position 4" in notice.message and "reflected" in notice.message
    assert "strict" in notice.message


def test_pqmethod_profile_keeps_the_zero_sum_and_says_so() -> None:
    study = Study.from_matrix(np.array(ROUNDING_SORTS).T, [f"Q{j + 1}" for j in range(8)])
    result = analyze(study, factors=1, extraction="centroid", profile="pqmethod")
    (notice,) = [n for n in result.notices if n.code == "reflection-rounding"]
    assert "Q-sort Q4" in notice.message and "not reflected" in notice.message
    qm = analyze(study, factors=1, extraction="centroid", profile="qmethod")
    assert any(n.code == "reflection-rounding" for n in qm.notices)


# ------------------------------------------------------------------------------------------
# Storage and limits
# ------------------------------------------------------------------------------------------


def test_sorts_are_held_in_the_smallest_integer_type() -> None:
    narrow = Study.from_matrix(np.array([[-5, 5], [5, -5], [0, 0]], dtype=np.int64))
    assert narrow.sorts.dtype == np.int8
    assert narrow.sorts.tolist() == [[-5, 5], [5, -5], [0, 0]]
    wide = Study.from_matrix(np.array([[250, 300], [300, 250]]))
    assert wide.sorts.dtype == np.int16
    assert wide.sorts.tolist() == [[250, 300], [300, 250]]


def test_integer_input_beyond_the_value_limit_is_refused_by_cell() -> None:
    with pytest.raises(StudyError, match="statement 2, sort 1"):
        Study.from_matrix(np.array([[1, 2], [5000, 1]], dtype=np.int32))


def test_study_does_not_share_memory_with_its_input() -> None:
    source = np.array([[1, -1], [-1, 1], [0, 0]], dtype=np.int8)
    study = Study.from_matrix(source)
    source[0, 0] = 0
    assert study.sorts[0, 0] == 1
    assert not study.sorts.flags.writeable


def test_kendall_beyond_its_size_is_refused_with_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(correlation_module, "KENDALL_MAX_CELLS", 1000)
    sorts = np.array([np.random.default_rng(j).permutation(10) for j in range(30)]).T
    assert correlate(sorts[:, :22], "kendall").n == 22  # 45 pairs x 22 sorts = 990 cells
    with pytest.raises(SizeLimitError, match=r"45 pairs x 30 sorts.*Pearson or Spearman"):
        correlate(sorts, "kendall")


def test_kendall_blocks_equal_the_direct_sign_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(correlation_module, "_KENDALL_BLOCK_ROWS", 7)
    sorts = study_from_seed(4, 15, 20, 2).sorts.astype(np.float64)
    first, second = np.triu_indices(15, k=1)
    direct = np.sign(sorts[first] - sorts[second])
    direct /= np.linalg.norm(direct, axis=0)
    np.testing.assert_array_equal(correlate(sorts, "kendall").factor, direct)


def test_pearson_of_a_study_builds_the_factor_form_only_on_demand() -> None:
    study = study_from_seed(9, 20, 300, 3)
    lazy = correlate(study.sorts, "pearson")
    eager = correlate(np.array(study.sorts), "pearson")  # a writable copy: built at once
    assert not lazy._factor and eager._factor
    np.testing.assert_allclose(lazy.gram(), eager.gram(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        lazy.principal(3).loadings, eager.principal(3).loadings, rtol=0, atol=1e-12
    )
    assert not lazy._factor, "principal components built the whole factor form"
    np.testing.assert_array_equal(lazy.factor, eager.factor)


def test_pearson_blocks_cover_every_sort(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(correlation_module, "BLOCK_SORTS", 7)
    study = study_from_seed(10, 16, 50, 2)
    lazy = correlate(study.sorts, "pearson")
    eager = correlate(np.array(study.sorts), "pearson")
    np.testing.assert_allclose(
        lazy.principal(2).loadings, eager.principal(2).loadings, rtol=0, atol=1e-12
    )
    assert sum(block.shape[1] for _, block in lazy.blocks()) == 50


def test_a_flat_sort_is_refused_before_any_block_is_built() -> None:
    sorts = np.array([[1, 2, 3], [1, -2, 0], [1, 0, -3]], dtype=np.int8)
    sorts.setflags(write=False)
    with pytest.raises(ZeroVarianceSortError, match=r"position\(s\) \[1\]"):
        correlate(sorts, "pearson")


@pytest.mark.parametrize("rule", ["tolerant", "strict"])
def test_factored_path_equals_the_dense_path_on_tied_sums_with_small_tiers(
    rule: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Thirty copies of the eight sorts whose correlations are multiples of 1/54, beside 60
    # random sorts: many column sums tie exactly or are zero up to rounding, so the compiled
    # loop hands decisions back (ties under the strict rule, sums near zero), while tiers of
    # 24, 14 and 6 candidates force many new choices of each tier and many refreshes.
    from qsort import reflection

    monkeypatch.setattr(reflection, "candidate_count", lambda n: min(n, 24))
    monkeypatch.setattr(reflection, "MIDDLE_CANDIDATES", 14)
    monkeypatch.setattr(reflection, "INNER_CANDIDATES", 6)
    rng = np.random.default_rng(3)
    tied = np.tile(np.array(ROUNDING_SORTS).T, (1, 30))
    noise = rng.permuted(np.broadcast_to(tied[:, :1], (13, 60)), axis=0)
    corr = correlate(np.hstack((tied, noise)))
    for method in ("centroid", "horst"):
        if method == "centroid":
            dense = brown_centroid(corr.matrix(), 3, "mean-r", 1e-5, rule=rule)  # type: ignore[arg-type]
            factored = brown_centroid_factored(corr.factor, 3, "mean-r", 1e-5, rule=rule)  # type: ignore[arg-type]
        else:
            dense = horst_centroid(corr.matrix(), 3, rule=rule)  # type: ignore[arg-type]
            factored = horst_centroid_factored(corr.factor, 3, rule=rule)  # type: ignore[arg-type]
        np.testing.assert_allclose(factored.loadings, dense.loadings, rtol=0, atol=1e-9)
        assert (factored.iterations, factored.converged) == (dense.iterations, dense.converged)
        assert [n.code for n in factored.notices] == [n.code for n in dense.notices]
