"""Kaiser's pairwise varimax on the loadings' moments equals the step-by-step column route.

The moment route (:mod:`qsort.moments`, used from ``MOMENT_MIN_SORTS`` sorts on) must not change a
number: every case here runs both routes and compares them, on the reference studies' unrotated
loadings, on seeded random loadings and on a study past the threshold. The moments themselves are
checked against a direct sum over the rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray

from qsort import rotation
from qsort.correlation import correlate
from qsort.extraction import extract
from qsort.moments import ROUNDING, Moments
from qsort.profiles import PQMETHOD
from qsort.study import Study

Matrix = NDArray[np.float64]


def both_routes(loadings: Matrix) -> tuple[Any, Any]:
    """(moment route or None, column route): rotation, cycles, converged."""
    moment = rotation._moment_cycles(Moments.of(loadings), 1e-8, 225)
    column = rotation._column_cycles(loadings, 1e-8, 225)
    return moment, column


def assert_same(moment: Any, column: Any) -> None:
    assert moment is not None, "the moment route handed over"
    assert moment[1:] == column[1:]
    np.testing.assert_allclose(moment[0], column[0], rtol=0, atol=1e-9)


@pytest.mark.parametrize("method", ["centroid", "pca"])
@pytest.mark.parametrize("factors", [2, 3, 4, 5, 6, 7])
@pytest.mark.parametrize("name", ["lipset", "cegebe"])
def test_reference_studies_rotate_alike(
    name: str, factors: int, method: Any, request: pytest.FixtureRequest
) -> None:
    study: Study = request.getfixturevalue(name)
    if factors > min(study.n_sorts, 7) - (method == "centroid"):
        pytest.skip("more factors than this study gives")
    unrotated = extract(correlate(study.sorts), factors, method, PQMETHOD).loadings
    assert_same(*both_routes(np.array(unrotated)))


def test_moments_are_the_sums_over_the_rows() -> None:
    rng = np.random.default_rng(3)
    loadings = rng.uniform(-0.9, 0.9, (3000, 4))
    loadings[7] = 0.0
    moments = Moments.of(loadings)
    lengths = np.sqrt((loadings**2).sum(axis=1, keepdims=True))
    b = loadings / np.where(lengths > 0, lengths, 1.0)
    bound = ROUNDING * loadings.shape[0]  # the documented error of a sum of n terms
    np.testing.assert_allclose(moments.second, b.T @ b, rtol=0, atol=bound)
    direct = np.einsum("ja,jb,jc,jd->abcd", b, b, b, b)
    np.testing.assert_allclose(moments.fourth, direct, rtol=0, atol=bound)
    turn, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    assert moments.criterion(turn) == pytest.approx(rotation._criterion(b @ turn), abs=1e-14)


def test_a_study_past_the_threshold_takes_the_moment_route(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    sorts = np.argsort(rng.random((40, rotation.MOMENT_MIN_SORTS + 500)), axis=0) - 20
    sorts.setflags(write=False)
    unrotated = np.array(extract(correlate(sorts), 5, "pca", PQMETHOD).loadings)
    taken: list[bool] = []
    original = rotation._moment_cycles

    def spy(*args: Any) -> Any:
        found = original(*args)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(rotation, "_moment_cycles", spy)
    result = rotation.varimax_kaiser_pairwise(unrotated)
    assert taken == [True]
    turn, cycles, converged = rotation._column_cycles(unrotated, 1e-8, 225)
    assert (result.iterations, result.converged) == (cycles, converged)
    np.testing.assert_allclose(result.loadings, unrotated @ turn, rtol=0, atol=1e-9)


def test_an_undecidable_pair_hands_over_to_the_column_route(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every row on the diagonal gives T = Bd = 0 exactly: no turn can be told from rounding.
    loadings = np.full((50, 2), 0.5)
    moment, column = both_routes(loadings)
    assert moment is None
    monkeypatch.setattr(rotation, "MOMENT_MIN_SORTS", 2)
    result = rotation.varimax_kaiser_pairwise(loadings)
    np.testing.assert_array_equal(result.rotation, column[0])


@settings(derandomize=True, max_examples=80, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(5, 60), st.integers(2, 7)),
        elements=st.floats(-0.95, 0.95),
    )
)
def test_any_loadings_rotate_alike_or_hand_over(loadings: Matrix) -> None:
    moment, column = both_routes(np.asarray(loadings, dtype=np.float64))
    if moment is not None:
        assert_same(moment, column)


def test_many_factors_for_few_sorts_stay_on_the_column_route(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A step on the moments costs k⁴: with 4 factors (256) and 100 sorts a pass is cheaper.
    monkeypatch.setattr(rotation, "MOMENT_MIN_SORTS", 2)
    called: list[int] = []
    monkeypatch.setattr(rotation, "_moment_cycles", lambda *args: called.append(1))
    loadings = np.random.default_rng(8).uniform(-0.8, 0.8, (100, 4))
    result = rotation.varimax_kaiser_pairwise(loadings)
    assert called == []
    np.testing.assert_array_equal(result.rotation, rotation._column_cycles(loadings, 1e-8, 225)[0])
    rows = np.random.default_rng(8).uniform(-0.8, 0.8, (300, 4))
    rotation.varimax_kaiser_pairwise(rows)
    assert called == [1]
