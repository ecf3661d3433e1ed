"""Tests of qsort.flagging against published flags (qmethod, KADE, CEGEBE) and by invariants.

Expected flags come from tests/data, never from what this code printed. The CEGEBE loadings are
computed here with a small independent PCA (numpy ``eigh`` with psych's column-sum sign rule).
"""

from __future__ import annotations

import csv
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.typing import NDArray
from scipy.stats import norm

from qsort.correlation import correlate
from qsort.errors import OptionError
from qsort.flagging import (
    FLAG_LEVELS,
    FlagCriteria,
    ManualFlag,
    apply_manual,
    auto_flags,
    flag_notices,
    flag_threshold,
)
from qsort.rotation import orient_like_psych, reflect_signed_squares, varimax

DATA = Path(__file__).resolve().parents[1] / "data"
LIPSET_STATEMENTS = 33
Matrix = NDArray[np.float64]

QMETHOD_RUNS = [
    "pca3_varimax",
    "pca4_varimax",
    "pca3_varimax_spearman",
    "pca3_varimax_kendall",
    "centroid3_varimax",
    "pca2_none",
]
NEGATIVE_WARNING = "One or more Q-sorts with negative loadings are flagged"
MULTIPLE_WARNING = "two or more factors"


@cache
def _json(name: str) -> dict[str, Any]:
    with open(DATA / name, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def qmethod_run(name: str) -> dict[str, Any]:
    return _json(f"qmethod-1.8.4/lipset_{name}.json")


def kade(prefix: str) -> Any:
    fixtures = _json("lipset_kade_test_fixtures.json")
    (key,) = [key for key in fixtures if key.startswith(prefix)]
    return fixtures[key]


# --------------------------------------------------------------------------------------------
# Against the reference programs
# --------------------------------------------------------------------------------------------


def test_flag_levels_are_two_sided_normal_critical_values() -> None:
    assert list(FLAG_LEVELS) == [3.891, 3.481, 3.291, 2.807, 2.575, 1.96, 1.645, 1.44, 1.28]
    for z, p in FLAG_LEVELS.items():
        assert math.isclose(2 * norm.sf(z), p, rel_tol=0.01)


def test_threshold_for_33_statements_matches_kade() -> None:
    assert round(flag_threshold(LIPSET_STATEMENTS, 1.96), 5) == kade("flag_threshold_p05_33")


@pytest.mark.parametrize("run", QMETHOD_RUNS)
def test_auto_flags_match_qmethod(run: str) -> None:
    data = qmethod_run(run)
    loadings = np.array(data["loa"]["data"])
    flags = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria())
    assert flags.tolist() == data["flagged"]["data"]


@pytest.mark.parametrize("run", QMETHOD_RUNS)
def test_notices_follow_qmethod_warnings(run: str) -> None:
    data = qmethod_run(run)
    loadings = np.array(data["loa"]["data"])
    flags = np.array(data["flagged"]["data"])
    notices = flag_notices(loadings, flags, data["loa"]["rownames"], data["loa"]["colnames"])
    codes = {notice.code for notice in notices}
    warnings = " ".join(data["warnings"])
    assert ("negative-flag" in codes) == (NEGATIVE_WARNING in warnings)
    assert ("multiple-flags" in codes) == (MULTIPLE_WARNING in warnings)


def test_negative_flag_notice_names_lipset_jp5() -> None:
    data = qmethod_run("pca3_varimax")
    loadings = np.array(data["loa"]["data"])
    flags = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria())
    (notice,) = flag_notices(loadings, flags, data["loa"]["rownames"], ["f1", "f2", "f3"])
    assert notice.code == "negative-flag"
    assert "JP5 on f1 (-0.8335)" in notice.message


def test_auto_flags_match_qmethod_issue_376() -> None:
    text = (DATA / "lipset_qmethod_issue376_output.txt").read_text(encoding="utf-8")
    rows = [
        line.split() for line in text.splitlines() if line[:2] in {"US", "JP", "CA", "UK", "FR"}
    ]
    loadings = np.array([[float(v) for v in row[1:]] for row in rows[:9]])
    published = [[v == "TRUE" for v in row[1:]] for row in rows[9:]]
    assert len(published) == 9
    assert auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria()).tolist() == published


def test_auto_flags_match_kade_after_pairwise_varimax() -> None:
    reference = _json("lipset_reference_computed.json")
    unrotated = np.array(reference["kade_pca_unrotated_8"])[:, :3]
    loadings, _ = reflect_signed_squares(varimax(unrotated, "kaiser-pairwise").loadings)
    flags = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria())
    assert flags.astype(int).tolist() == reference["kade_pca_varimax_3f"]["flags"]


def cegebe_loadings() -> Matrix:
    """qmethod's default analysis of CEGEBE: PCA (3 components), varimax, psych's orientation."""
    with open(DATA / "cegebe_sorts.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    sorts = np.array([[int(value) for value in row[1:]] for row in rows[1:]])
    values, vectors = np.linalg.eigh(correlate(sorts).matrix())
    top = np.argsort(values)[::-1][:3]
    unrotated = vectors[:, top] * np.sqrt(values[top])
    unrotated = unrotated * np.where(unrotated.sum(axis=0) < 0, -1.0, 1.0)
    oriented, _ = orient_like_psych(varimax(unrotated, "svd").loadings)
    return oriented


def test_auto_flags_match_published_cegebe_flags() -> None:
    with open(DATA / "cegebe_qmethod_flags_published.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    published = [[value == "TRUE" for value in row[1:]] for row in rows]
    flags = auto_flags(cegebe_loadings(), 36, FlagCriteria())
    assert flags.tolist() == published


# --------------------------------------------------------------------------------------------
# Criteria
# --------------------------------------------------------------------------------------------


def test_comparisons_are_strict() -> None:
    at_threshold = flag_threshold(LIPSET_STATEMENTS, 1.96)
    above = np.nextafter(at_threshold, 1.0)
    loadings = np.array([[at_threshold, 0.0], [above, 0.0], [0.6, 0.6], [0.6, -0.6]])
    flags = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria())
    assert flags.tolist() == [[False, False], [True, False], [False, False], [False, False]]


def test_level_none_flags_on_majority_only() -> None:
    loadings = np.array([[0.2, 0.1], [-0.3, 0.05], [0.1, 0.1]])
    flags = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria(level=None))
    assert flags.tolist() == [[True, False], [True, False], [False, False]]


def test_without_majority_a_sort_may_be_flagged_twice() -> None:
    loadings = np.array([[0.5, 0.45]])
    flags = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria(majority=False))
    assert flags.tolist() == [[True, True]]
    notices = flag_notices(loadings, flags, ["S1"], ["F1", "F2"])
    assert [notice.code for notice in notices] == ["multiple-flags"]
    assert "S1 on F1, F2" in notices[0].message


def test_negative_loadings_can_be_forbidden() -> None:
    loadings = np.array([[-0.8, 0.1], [0.8, 0.1]])
    allowed = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria())
    forbidden = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria(allow_negative=False))
    assert allowed.tolist() == [[True, False], [True, False]]
    assert forbidden.tolist() == [[False, False], [True, False]]


def test_one_factor_has_no_competing_variance() -> None:
    loadings = np.array([[0.5], [0.2], [-0.4]])
    flags = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria())
    assert flags.tolist() == [[True], [False], [True]]


def test_stricter_level_flags_fewer() -> None:
    loadings = np.array([[0.5, 0.0], [0.6, 0.0], [0.7, 0.0]])
    flags = auto_flags(loadings, LIPSET_STATEMENTS, FlagCriteria(level=3.291))
    # 3.291 / sqrt(33) = 0.5729
    assert flags[:, 0].tolist() == [False, True, True]


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def test_unknown_level_lists_the_levels() -> None:
    with pytest.raises(OptionError, match=r"expected one of \[3\.891, .*1\.28\] or None"):
        FlagCriteria(level=2.0)
    with pytest.raises(OptionError, match="found True"):
        FlagCriteria(level=True)


def test_criteria_need_at_least_one_test() -> None:
    with pytest.raises(OptionError, match="found neither"):
        FlagCriteria(level=None, majority=False)


@pytest.mark.parametrize(
    ("statements", "level", "message"),
    [
        (0, 1.96, "positive integer, found 0"),
        (33.0, 1.96, "positive integer, found 33.0"),
        (33, -1.0, "positive number, found -1.0"),
        (33, float("nan"), "positive number, found nan"),
    ],
)
def test_bad_threshold_arguments(statements: Any, level: Any, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        flag_threshold(statements, level)


def test_bad_loadings_and_criteria() -> None:
    with pytest.raises(OptionError, match="NaN"):
        auto_flags([[0.5, float("nan")]], LIPSET_STATEMENTS, FlagCriteria())
    with pytest.raises(OptionError, match=r"found shape \(3,\)"):
        auto_flags([0.1, 0.2, 0.3], LIPSET_STATEMENTS, FlagCriteria())
    with pytest.raises(OptionError, match="expected FlagCriteria"):
        auto_flags([[0.5]], LIPSET_STATEMENTS, 1.96)  # type: ignore[arg-type]


def test_apply_manual_sets_and_clears_without_touching_the_input() -> None:
    flags = np.array([[True, False], [False, False]])
    result = apply_manual(flags, [ManualFlag(0, 0, False), ManualFlag(1, 1, True)])
    assert result.tolist() == [[False, False], [False, True]]
    assert flags.tolist() == [[True, False], [False, False]]
    later_wins = apply_manual(flags, [ManualFlag(1, 0, True), ManualFlag(1, 0, False)])
    assert later_wins.tolist() == flags.tolist()


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (ManualFlag(2, 0, True), "sort: expected an index from 0 to 1, found 2"),
        (ManualFlag(-1, 0, True), "sort: expected an index from 0 to 1, found -1"),
        (ManualFlag(0, 2, True), "factor: expected an index from 0 to 1, found 2"),
        (ManualFlag(True, 0, True), "sort: expected an index"),
        (ManualFlag(0, 0, 1), "expected True or False, found 1"),  # type: ignore[arg-type]
        ((0, 0, True), "expected a ManualFlag"),
    ],
)
def test_bad_manual_flags(override: Any, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        apply_manual(np.zeros((2, 2), dtype=bool), [override])


def test_apply_manual_needs_a_boolean_matrix() -> None:
    with pytest.raises(OptionError, match="boolean matrix"):
        apply_manual(np.zeros((2, 2)), [])


def test_flag_notices_check_shapes_and_names() -> None:
    loadings = np.array([[0.5, 0.1]])
    with pytest.raises(OptionError, match="expected 1 sort names and 2 factor names"):
        flag_notices(loadings, np.array([[True, False]]), ["S1"], ["F1"])
    with pytest.raises(OptionError, match=r"shape \(1, 2\), found \(1, 1\)"):
        flag_notices(loadings, np.array([[True]]), ["S1"], ["F1", "F2"])
    assert flag_notices(loadings, np.array([[True, False]]), ["S1"], ["F1", "F2"]) == ()


# --------------------------------------------------------------------------------------------
# Invariants (seeded property tests)
# --------------------------------------------------------------------------------------------


@settings(derandomize=True, max_examples=80, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda k: arrays(
            np.float64, st.tuples(st.integers(1, 30), st.just(k)), elements=st.floats(-1, 1)
        )
    ),
    st.integers(2, 120),
    st.sampled_from([None, *FLAG_LEVELS]),
    st.booleans(),
    st.booleans(),
)
def test_flags_are_consistent_with_the_criteria(
    loadings: Matrix, statements: int, level: float | None, majority: bool, negative: bool
) -> None:
    if level is None and not majority:
        majority = True
    criteria = FlagCriteria(level=level, majority=majority, allow_negative=negative)
    flags = auto_flags(loadings, statements, criteria)
    squares = loadings**2
    others = squares.sum(axis=1, keepdims=True) - squares
    flagged = loadings[flags]
    if level is not None:
        assert np.all(np.abs(flagged) > level / math.sqrt(statements))
    if majority:
        assert np.all(squares[flags] > others[flags])
        assert np.all(flags.sum(axis=1) <= 1)
    if not negative:
        assert np.all(flagged >= 0)
    # A stricter level flags a subset of what a looser one flags.
    if level is not None:
        looser = [z for z in FLAG_LEVELS if z < level]
        for z in looser:
            wider = auto_flags(loadings, statements, FlagCriteria(z, majority, negative))
            assert np.all(wider[flags])
