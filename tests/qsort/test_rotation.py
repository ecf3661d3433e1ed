"""Tests of qsort.rotation against the reference programs' published numbers and by invariants.

Expected values come from tests/data (KADE's Jest fixtures, qmethod 1.8.4 runs, qmethod issue
#376), never from what this code printed. Column order and sign are handled explicitly.
"""

from __future__ import annotations

import itertools
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from factor_analyzer.rotator import Rotator
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray

from qsort.errors import OptionError
from qsort.rotation import (
    Rotated,
    RotationStep,
    _quadrant,
    apply_steps,
    invert,
    orient_like_psych,
    reflect_signed_squares,
    rotate_pair,
    split_bipolar,
    varimax,
    varimax_criterion,
    varimax_kaiser_pairwise,
    varimax_svd,
)

DATA = Path(__file__).resolve().parents[1] / "data"
QMETHOD = DATA / "qmethod-1.8.4"
Matrix = NDArray[np.float64]


@cache
def _json(name: str) -> dict[str, Any]:
    with open(DATA / name, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def kade(prefix: str) -> Any:
    """The KADE fixture whose key starts with ``prefix`` (keys carry the test file's name)."""
    fixtures = _json("lipset_kade_test_fixtures.json")
    (key,) = [key for key in fixtures if key.startswith(prefix)]
    return fixtures[key]


def qmethod_run(name: str) -> dict[str, Any]:
    return _json(f"qmethod-1.8.4/lipset_{name}.json")


def matrix(block: dict[str, Any]) -> Matrix:
    return np.array(block["data"], dtype=np.float64)


def communalities(loadings: Matrix) -> Matrix:
    return np.asarray((loadings**2).sum(axis=1), dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Against the reference programs
# --------------------------------------------------------------------------------------------


def test_kaiser_pairwise_matches_kade_varimax_of_8_components() -> None:
    unrotated = np.array(kade("pca_8_components_rows_are_sorts"))
    expected = np.array(kade("varimax_of_8_pca_components_rows_are_sorts"))
    result = varimax_kaiser_pairwise(unrotated)
    reflected, _ = reflect_signed_squares(result.loadings)
    assert result.converged
    assert result.notices == ()
    np.testing.assert_allclose(reflected, expected, atol=1e-4)


def test_kaiser_pairwise_matches_kade_pca_varimax_3_factors() -> None:
    reference = _json("lipset_reference_computed.json")
    unrotated = np.array(reference["kade_pca_unrotated_8"])[:, :3]
    expected = np.array(reference["kade_pca_varimax_3f"]["loadings"])
    reflected, _ = reflect_signed_squares(varimax(unrotated, "kaiser-pairwise").loadings)
    np.testing.assert_allclose(reflected, expected, atol=1e-4)


@pytest.mark.parametrize(
    "run", ["pca3_varimax", "pca4_varimax", "pca3_varimax_spearman", "pca3_varimax_kendall"]
)
def test_svd_then_psych_orientation_matches_qmethod_pca(run: str) -> None:
    data = qmethod_run(run)
    rotated = varimax(matrix(data["extra"]["unrotated_loadings"]), "svd")
    oriented, order = orient_like_psych(rotated.loadings)
    assert rotated.converged
    np.testing.assert_allclose(oriented, matrix(data["loa"]), atol=1e-6)
    assert sorted(order.tolist()) == list(range(oriented.shape[1]))


def test_svd_without_reorientation_matches_qmethod_centroid() -> None:
    data = qmethod_run("centroid3_varimax")
    rotated = varimax_svd(matrix(data["extra"]["unrotated_loadings"]))
    np.testing.assert_allclose(rotated.loadings, matrix(data["loa"]), atol=1e-6)


def test_psych_orientation_leaves_unrotated_pca_as_qmethod_prints_it() -> None:
    # rotation "none": psych's unrotated loadings are already ordered and signed its way.
    data = qmethod_run("pca2_none")
    oriented, order = orient_like_psych(matrix(data["extra"]["unrotated_loadings"]))
    np.testing.assert_allclose(oriented, matrix(data["loa"]), atol=1e-12)
    assert order.tolist() == [0, 1]


def test_lipset_pca3_matches_qmethod_issue_376() -> None:
    lines = (DATA / "lipset_qmethod_issue376_output.txt").read_text(encoding="utf-8")
    rows = [
        line.split() for line in lines.splitlines() if line[:2] in {"US", "JP", "CA", "UK", "FR"}
    ]
    printed = np.array([[float(v) for v in row[1:]] for row in rows[:9]])
    unrotated = matrix(qmethod_run("pca3_varimax")["extra"]["unrotated_loadings"])
    oriented, _ = orient_like_psych(varimax_svd(unrotated).loadings)
    np.testing.assert_allclose(oriented, printed, atol=1e-8)


@pytest.mark.parametrize("run", ["pca3_varimax", "pca4_varimax", "centroid3_varimax"])
def test_svd_agrees_with_factor_analyzer(run: str) -> None:
    unrotated = matrix(qmethod_run(run)["extra"]["unrotated_loadings"])
    expected = Rotator(method="varimax", normalize=True, max_iter=1000).fit_transform(unrotated)
    np.testing.assert_allclose(varimax_svd(unrotated).loadings, expected, atol=1e-12)


@pytest.mark.parametrize(
    ("degrees", "fixture"),
    [(-10.0, "judgmental_clockwise_10deg"), (10.0, "judgmental_counterclockwise_10deg")],
)
def test_judgmental_rotation_matches_kade(degrees: float, fixture: str) -> None:
    start = np.array(kade("judgmental_rotation_input_centroid_f1_f2"))
    turned = rotate_pair(start, RotationStep(1, 2, degrees))
    np.testing.assert_allclose(turned, np.array(kade(fixture)), atol=1e-4)


def test_judgmental_rotation_on_more_factors_touches_only_the_pair() -> None:
    start = np.array(kade("brown_centroid_7_factors_rows_are_factors")).T
    turned = rotate_pair(start, RotationStep(1, 2, -10.0))
    expected = np.array(kade("judgmental_clockwise_10deg"))
    np.testing.assert_allclose(turned[:, :2], expected, atol=1e-4)
    np.testing.assert_array_equal(turned[:, 2:], start[:, 2:])


# --------------------------------------------------------------------------------------------
# Conventions after varimax, inversion, split
# --------------------------------------------------------------------------------------------


def test_reflect_signed_squares_uses_signed_squares_not_sums() -> None:
    # Column 0: sum -0.1 + -0.1 + 0.15 < 0 but signed squares 0.0025 > 0 (kept);
    # column 1: sum > 0 but signed squares < 0 (reflected); column 2: zero (kept).
    loadings = np.array([[-0.1, 0.2, 0.5], [-0.1, 0.2, -0.5], [0.15, -0.9, 0.0]])
    reflected, which = reflect_signed_squares(loadings)
    assert which.tolist() == [False, True, False]
    np.testing.assert_array_equal(reflected[:, 1], -loadings[:, 1])
    np.testing.assert_array_equal(reflected[:, [0, 2]], loadings[:, [0, 2]])


def test_orient_like_psych_orders_stably_and_signs_by_column_sum() -> None:
    loadings = np.array([[0.1, -0.6, 0.6, 0.5], [-0.1, -0.3, 0.3, -0.5]])
    oriented, order = orient_like_psych(loadings)
    # sums of squares 0.02, 0.45, 0.45, 0.5: the tie keeps columns 1 before 2.
    assert order.tolist() == [3, 1, 2, 0]
    # column 3 sums to 0 (kept), column 1 to -0.9 (negated), column 0 to 0 (kept).
    expected = np.array([[0.5, 0.6, 0.6, 0.1], [-0.5, 0.3, 0.3, -0.1]])
    np.testing.assert_array_equal(oriented, expected)


def test_invert_negates_one_factor() -> None:
    loadings = np.array([[0.5, -0.2], [0.1, 0.7]])
    np.testing.assert_array_equal(invert(loadings, 2), [[0.5, 0.2], [0.1, -0.7]])
    np.testing.assert_array_equal(loadings, [[0.5, -0.2], [0.1, 0.7]])  # input kept


def test_split_bipolar_moves_negative_flags_to_the_new_factor() -> None:
    loadings = np.array([[0.7, 0.1, 0.0], [-0.8, 0.1, 0.1], [-0.2, 0.6, 0.0], [0.1, 0.0, 0.9]])
    flags = np.array(
        [[True, False, False], [True, False, False], [False, True, False], [False, False, True]]
    )
    split, moved = split_bipolar(loadings, flags, 1)
    np.testing.assert_array_equal(split[:, 0], loadings[:, 0])
    np.testing.assert_array_equal(split[:, 1], -loadings[:, 0])
    np.testing.assert_array_equal(split[:, 2:], loadings[:, 1:])
    assert moved.tolist() == [
        [True, False, False, False],
        [False, True, False, False],
        [False, False, True, False],
        [False, False, False, True],
    ]


def test_split_bipolar_of_the_last_factor_appends_a_column() -> None:
    split, moved = split_bipolar([[0.3, -0.7]], [[False, True]], 2)
    np.testing.assert_array_equal(split, [[0.3, -0.7, 0.7]])
    assert moved.tolist() == [[False, False, True]]


# --------------------------------------------------------------------------------------------
# Edge cases: each shows its error or notice
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["kaiser-pairwise", "svd"])
def test_zero_communality_row_stays_zero_without_nan(algorithm: str) -> None:
    loadings = np.array(kade("pca_8_components_rows_are_sorts"))[:, :3]
    loadings = np.vstack([loadings, np.zeros(3)])
    result = varimax(loadings, algorithm)  # type: ignore[arg-type]
    assert np.all(np.isfinite(result.loadings))
    np.testing.assert_array_equal(result.loadings[-1], 0.0)
    np.testing.assert_allclose(communalities(result.loadings), communalities(loadings))
    assert varimax_criterion(loadings) <= varimax_criterion(result.loadings)


@pytest.mark.parametrize("algorithm", ["kaiser-pairwise", "svd"])
def test_all_zero_loadings_are_left_alone(algorithm: str) -> None:
    result = varimax(np.zeros((4, 3)), algorithm)  # type: ignore[arg-type]
    np.testing.assert_array_equal(result.loadings, 0.0)
    assert np.all(np.isfinite(result.rotation))


@pytest.mark.parametrize("algorithm", ["kaiser-pairwise", "svd"])
def test_one_factor_is_returned_unchanged(algorithm: str) -> None:
    loadings = np.array([[0.5], [-0.3], [0.8]])
    result = varimax(loadings, algorithm)  # type: ignore[arg-type]
    assert result == Rotated(result.loadings, result.rotation, 0, True, ())
    np.testing.assert_array_equal(result.loadings, loadings)
    np.testing.assert_array_equal(result.rotation, [[1.0]])


def test_kaiser_pairwise_reports_non_convergence() -> None:
    loadings = np.array(kade("pca_8_components_rows_are_sorts"))
    result = varimax_kaiser_pairwise(loadings, max_cycles=2)
    assert not result.converged
    assert result.iterations == 2
    assert [notice.code for notice in result.notices] == ["not-converged"]
    assert "within 2 iterations" in result.notices[0].message


def test_svd_reports_non_convergence() -> None:
    loadings = matrix(qmethod_run("pca3_varimax")["extra"]["unrotated_loadings"])
    result = varimax_svd(loadings, max_iter=1)
    assert not result.converged
    assert result.iterations == 1
    assert [notice.code for notice in result.notices] == ["not-converged"]
    assert "within 1 iterations" in result.notices[0].message


def test_rows_on_the_diagonal_turn_onto_one_axis() -> None:
    # Every sort at 45 degrees between two factors: T = 0 > Bd, the 22.5 degree branch.
    loadings = np.array([[0.5, 0.5], [0.4, 0.4], [0.6, 0.6]])
    rotated = varimax_kaiser_pairwise(loadings).loadings
    np.testing.assert_allclose(np.sort(np.abs(rotated), axis=1)[:, 0], 0.0, atol=1e-6)
    np.testing.assert_allclose(communalities(rotated), communalities(loadings))


def test_quadrant_limits_for_a_zero_denominator() -> None:
    assert _quadrant(0.0, 0.0) is None
    for numerator in (1.0, -1.0):
        turn = _quadrant(numerator, 0.0)
        assert turn is not None
        cos, sin = turn
        assert math.isclose(cos**2 + sin**2, 1.0)
        # tan 4φ = T / 0: 4φ = ±90 degrees.
        assert math.isclose(math.degrees(math.atan2(sin, cos)), math.copysign(22.5, numerator))


def test_unknown_algorithm_is_an_option_error() -> None:
    with pytest.raises(OptionError, match=r"expected one of \['kaiser-pairwise', 'svd'\]"):
        varimax(np.eye(2), "quartimax")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("loadings", "message"),
    [
        ([0.1, 0.2], r"found shape \(2,\)"),
        (np.zeros((0, 2)), r"found shape \(0, 2\)"),
        ([[0.1, float("nan")]], "NaN"),
        ([["a", "b"]], "numeric"),
    ],
)
def test_bad_loadings_are_option_errors(loadings: Any, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        varimax_svd(loadings)
    with pytest.raises(OptionError, match=message):
        varimax_kaiser_pairwise(loadings)


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"tolerance": 0.0}, "tolerance: expected a positive"),
        ({"max_cycles": 0}, "max_cycles: expected a positive integer"),
        ({"max_cycles": 2.5}, "max_cycles: expected a positive integer"),
    ],
)
def test_bad_pairwise_settings(keywords: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        varimax_kaiser_pairwise(np.eye(3), **keywords)


@pytest.mark.parametrize(
    ("keywords", "message"),
    [({"eps": -1e-5}, "eps: expected a positive"), ({"max_iter": 0}, "max_iter")],
)
def test_bad_svd_settings(keywords: dict[str, Any], message: str) -> None:
    with pytest.raises(OptionError, match=message):
        varimax_svd(np.eye(3), **keywords)


@pytest.mark.parametrize(
    ("a", "b", "degrees", "message"),
    [
        (1, 1, 5.0, "two different factors, found factor 1 twice"),
        (0, 2, 5.0, "factor_a: expected a factor number"),
        (1, True, 5.0, "factor_b: expected a factor number"),
        (1, 2.0, 5.0, "factor_b: expected a factor number"),
        (1, 2, float("inf"), "expected a finite angle"),
        (1, 2, float("nan"), "expected a finite angle"),
        (1, 2, "10", "expected a finite angle"),
        (1, 2, True, "expected a finite angle"),
    ],
)
def test_invalid_rotation_steps(a: Any, b: Any, degrees: Any, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        RotationStep(a, b, degrees)


def test_rotation_step_beyond_the_factors() -> None:
    with pytest.raises(
        OptionError, match="factor_b: expected a factor number from 1 to 2, found 3"
    ):
        rotate_pair(np.eye(2), RotationStep(1, 3, 10.0))
    with pytest.raises(OptionError, match="expected a RotationStep"):
        rotate_pair(np.eye(2), (1, 2, 10.0))  # type: ignore[arg-type]


@pytest.mark.parametrize("factor", [0, 3, -1, 1.0, True])
def test_invert_bad_factor(factor: Any) -> None:
    with pytest.raises(OptionError, match="expected a factor number from 1 to 2"):
        invert(np.eye(2), factor)


def test_split_bipolar_bad_input() -> None:
    with pytest.raises(OptionError, match="expected a factor number from 1 to 2, found 3"):
        split_bipolar(np.eye(2), np.eye(2, dtype=bool), 3)
    with pytest.raises(OptionError, match=r"shape \(2, 2\), found \(2, 3\)"):
        split_bipolar(np.eye(2), np.zeros((2, 3), dtype=bool), 1)
    with pytest.raises(OptionError, match="expected booleans"):
        split_bipolar(np.eye(2), np.eye(2), 1)


# --------------------------------------------------------------------------------------------
# Invariants (seeded property tests)
# --------------------------------------------------------------------------------------------

PROPERTIES = settings(derandomize=True, max_examples=60, deadline=None)


@st.composite
def loading_matrices(draw: st.DrawFn, min_factors: int = 2, max_factors: int = 6) -> Matrix:
    """Any loadings in (-1, 1), zero rows included."""
    factors = draw(st.integers(min_factors, max_factors))
    sorts = draw(st.integers(2, 30))
    values = draw(arrays(np.float64, (sorts, factors), elements=st.floats(-0.95, 0.95)))
    return np.asarray(values, dtype=np.float64)


@st.composite
def structured_loadings(draw: st.DrawFn) -> Matrix:
    """Simple structure (each sort loads mainly on one factor) hidden by a random rotation."""
    factors = draw(st.integers(2, 6))
    sorts = draw(st.integers(3 * factors, 40))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    simple = rng.normal(0.0, 0.1, (sorts, factors))
    main = rng.integers(0, factors, sorts)
    simple[np.arange(sorts), main] = rng.uniform(0.45, 0.9, sorts) * rng.choice([-1, 1], sorts)
    turn, _ = np.linalg.qr(rng.normal(size=(factors, factors)))
    return np.asarray(simple @ turn, dtype=np.float64)


def match_columns(left: Matrix, right: Matrix) -> Matrix:
    """``right``'s columns reordered and signed to come closest to ``left``'s."""
    best = right
    for order in itertools.permutations(range(right.shape[1])):
        candidate = right[:, list(order)]
        candidate = candidate * np.where((left * candidate).sum(axis=0) < 0, -1.0, 1.0)
        if np.abs(candidate - left).max() < np.abs(best - left).max():
            best = candidate
    return np.asarray(best, dtype=np.float64)


@PROPERTIES
@given(loading_matrices(), st.sampled_from(["kaiser-pairwise", "svd"]))
def test_varimax_is_an_orthogonal_rotation(loadings: Matrix, algorithm: Any) -> None:
    result = varimax(loadings, algorithm)
    k = loadings.shape[1]
    assert np.all(np.isfinite(result.loadings))
    np.testing.assert_allclose(result.rotation.T @ result.rotation, np.eye(k), atol=1e-10)
    np.testing.assert_allclose(result.loadings, loadings @ result.rotation, atol=1e-12)
    np.testing.assert_allclose(communalities(result.loadings), communalities(loadings), atol=1e-10)
    assert varimax_criterion(result.loadings) >= varimax_criterion(loadings) - 1e-12


@PROPERTIES
@given(structured_loadings())
def test_both_algorithms_reach_the_same_varimax_solution(loadings: Matrix) -> None:
    pairwise = varimax_kaiser_pairwise(loadings).loadings
    svd = varimax_svd(loadings, eps=1e-12, max_iter=100_000).loadings
    assert math.isclose(varimax_criterion(pairwise), varimax_criterion(svd), abs_tol=1e-6)
    np.testing.assert_allclose(match_columns(pairwise, svd), pairwise, atol=1e-3)
    # R's default stopping rule (eps = 1e-5) stops a little short of the optimum.
    default = varimax_svd(loadings).loadings
    assert math.isclose(varimax_criterion(pairwise), varimax_criterion(default), abs_tol=2e-3)


@PROPERTIES
@given(loading_matrices(min_factors=2, max_factors=2))
def test_pairwise_reaches_the_closed_form_optimum_of_two_factors(loadings: Matrix) -> None:
    # For one pair the criterion is c + r cos(4 phi - alpha), highest at 4 phi = atan2(T, Bd).
    lengths = np.sqrt((loadings**2).sum(axis=1))
    normalised = loadings / np.where(lengths > 0, lengths, 1.0)[:, None]
    x, y = normalised[:, 0], normalised[:, 1]
    n = len(x)
    u, v = x**2 - y**2, 2 * x * y
    numerator = (2 * u * v).sum() - 2 * u.sum() * v.sum() / n
    denominator = (u**2 - v**2).sum() - (u.sum() ** 2 - v.sum() ** 2) / n
    phi = math.atan2(numerator, denominator) / 4
    best = loadings @ np.array([[math.cos(phi), -math.sin(phi)], [math.sin(phi), math.cos(phi)]])
    found = varimax_kaiser_pairwise(loadings).loadings
    assert math.isclose(varimax_criterion(found), varimax_criterion(best), abs_tol=1e-6)


@st.composite
def rotation_steps(draw: st.DrawFn, factors: int) -> RotationStep:
    a, b = draw(st.permutations(range(1, factors + 1)))[:2]
    return RotationStep(a, b, draw(st.floats(-720, 720)))


@PROPERTIES
@given(loading_matrices(), st.data())
def test_judgmental_steps_keep_communalities_and_undo(
    loadings: Matrix, data: st.DataObject
) -> None:
    k = loadings.shape[1]
    steps = data.draw(st.lists(rotation_steps(k), min_size=1, max_size=5))
    turned = apply_steps(loadings, steps)
    np.testing.assert_allclose(communalities(turned), communalities(loadings), atol=1e-12)
    reverse = [RotationStep(s.factor_a, s.factor_b, -s.degrees) for s in reversed(steps)]
    np.testing.assert_allclose(apply_steps(turned, reverse), loadings, atol=1e-12)
    rotation = apply_steps(np.eye(k), steps)
    np.testing.assert_allclose(rotation.T @ rotation, np.eye(k), atol=1e-12)
    np.testing.assert_allclose(turned, loadings @ rotation, atol=1e-12)
    swapped = RotationStep(steps[0].factor_b, steps[0].factor_a, -steps[0].degrees)
    np.testing.assert_allclose(rotate_pair(loadings, swapped), rotate_pair(loadings, steps[0]))


@PROPERTIES
@given(loading_matrices(min_factors=1), st.data())
def test_invert_twice_is_the_identity(loadings: Matrix, data: st.DataObject) -> None:
    factor = data.draw(st.integers(1, loadings.shape[1]))
    once = invert(loadings, factor)
    assert np.all(np.abs(once) == np.abs(loadings))
    np.testing.assert_array_equal(invert(once, factor), loadings)


@PROPERTIES
@given(loading_matrices(min_factors=1), st.data())
def test_split_bipolar_keeps_every_flag(loadings: Matrix, data: st.DataObject) -> None:
    flags = data.draw(arrays(np.bool_, loadings.shape))
    factor = data.draw(st.integers(1, loadings.shape[1]))
    split, moved = split_bipolar(loadings, flags, factor)
    assert split.shape == moved.shape == (loadings.shape[0], loadings.shape[1] + 1)
    assert moved.sum() == flags.sum()
    assert moved.sum(axis=1).tolist() == flags.sum(axis=1).tolist()
    pole = factor - 1
    np.testing.assert_array_equal(np.delete(split, pole + 1, axis=1), loadings)
    np.testing.assert_array_equal(split[:, pole + 1], -loadings[:, pole])
    # Every flag on the split factor now sits on a non-negative loading.
    assert np.all(split[:, pole : pole + 2][moved[:, pole : pole + 2]] >= 0)


@PROPERTIES
@given(loading_matrices(min_factors=1))
def test_reorientations_are_signed_permutations(loadings: Matrix) -> None:
    reflected, which = reflect_signed_squares(loadings)
    assert np.all((reflected * np.abs(reflected)).sum(axis=0) >= 0)
    np.testing.assert_array_equal(reflected, loadings * np.where(which, -1.0, 1.0))
    oriented, order = orient_like_psych(loadings)
    squares = (oriented**2).sum(axis=0)
    assert np.all(np.diff(squares) <= 0)
    assert np.all(oriented.sum(axis=0) >= 0)
    np.testing.assert_array_equal(np.abs(oriented), np.abs(loadings[:, order]))
