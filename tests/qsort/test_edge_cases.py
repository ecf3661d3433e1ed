"""Every edge case of spec part 1, item 4, at the level of a whole analysis."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qsort.errors import OptionError, StudyError, TooManyFactorsError
from qsort.options import FlagOverride, Options
from qsort.pipeline import analyze, run
from qsort.result import AnalysisResult
from qsort.rotation import RotationStep
from qsort.scores import array_exact_grid, array_qmethod, factor_weights
from qsort.statements import crib_sheets
from qsort.study import Grid, Statement, Study


def codes(result: AnalysisResult) -> set[str]:
    return {n.code for n in result.notices}


def test_factor_without_defining_sorts_is_undefined_and_the_rest_goes_on(lipset: Study) -> None:
    unflag = [FlagOverride(name, "F3", False) for name in lipset.sort_names]
    result = analyze(lipset, factors=3, extraction="pca", profile="qmethod", manual_flags=unflag)
    third = result.factors[2]
    assert not third.defined and third.array is None and third.characteristics.se is None
    assert "no-defining-sorts" in codes(result)
    assert [f.defined for f in result.factors] == [True, True, False]
    data = result.to_dict()
    assert all(row[2] is None for row in data["zscores"])
    assert all(isinstance(row[0], float) for row in data["zscores"])
    assert data["characteristics"]["F3"]["composite_reliability"] is None
    assert result.qdc is not None and result.qdc_pairs == ("f1_f2",)


def test_only_one_defined_factor_gives_no_comparisons(lipset: Study) -> None:
    unflag = [FlagOverride(n, f, False) for n in lipset.sort_names for f in ("F2", "F3")]
    result = analyze(lipset, factors=3, extraction="pca", manual_flags=unflag)
    assert "single-factor" in codes(result)
    assert result.consensus == () and result.factors[0].distinguishing == ()


def test_more_factors_than_the_data_allow(lipset: Study) -> None:
    with pytest.raises(TooManyFactorsError):
        analyze(lipset, factors=40, extraction="pca")
    with pytest.raises(TooManyFactorsError):
        analyze(lipset, factors=40, extraction="centroid")


def test_negative_flags_are_warned_or_forbidden(lipset: Study) -> None:
    allowed = analyze(lipset, factors=3, extraction="pca", profile="qmethod")
    jp5 = lipset.sort_names.index("JP5")
    assert allowed.flags[jp5].any() and allowed.loadings[jp5][allowed.flags[jp5]][0] < 0
    assert "negative-flag" in codes(allowed)
    forbidden = analyze(
        lipset, factors=3, extraction="pca", profile="qmethod", allow_negative=False
    )
    assert not forbidden.flags[jp5].any()
    assert forbidden.options.allow_negative is False


def test_sort_flagged_on_two_factors_is_warned(lipset: Study) -> None:
    result = analyze(
        lipset,
        factors=3,
        extraction="pca",
        manual_flags=[FlagOverride("US1", "F2"), FlagOverride("US1", "F1")],
    )
    assert result.flags[0, 0] and result.flags[0, 1]
    assert "multiple-flags" in codes(result)


def test_unknown_manual_flag_names_are_refused(lipset: Study) -> None:
    with pytest.raises(OptionError, match="no Q-sort named 'XX'"):
        analyze(lipset, manual_flags=[FlagOverride("XX", "F1")])
    with pytest.raises(OptionError, match="no factor named 'F9'"):
        analyze(lipset, manual_flags=[FlagOverride("US1", "F9")])


def test_bad_options_are_refused(lipset: Study) -> None:
    with pytest.raises(OptionError, match="profile"):
        # A name outside ProfileName on purpose: the run-time check is what is tested.
        analyze(lipset, profile="spss")  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="flag level"):
        analyze(lipset, flag_level=2.0)
    with pytest.raises(OptionError, match="factors"):
        analyze(lipset, factors=0)


def test_zscore_ties_in_arrays_are_reported(lipset: Study) -> None:
    """Lipset F1 (qmethod order): statements 18 and 30 tie (spec A.5)."""
    result = analyze(lipset, factors=3, extraction="pca", profile="qmethod")
    z = result.factors[0].zscores
    assert z is not None and z[17] == pytest.approx(z[29], abs=1e-12)
    assert "array-ties" in codes(result)


def test_tie_rules_differ_as_documented() -> None:
    z = np.array([-1.0, 0.0, 0.0, 1.0])
    pattern = np.array([-1, 0, 1, 1])
    assert array_exact_grid(z, pattern).tolist() == [-1, 1, 0, 1]
    assert array_qmethod(z, pattern).tolist() == [-1, 0, 0, 1]


def test_heywood_weights_follow_pqmethod() -> None:
    loadings = np.array([0.5, 1.0, -1.2])
    weights, notices = factor_weights(loadings, np.array([True, True, True]), ["A", "B", "C"])
    np.testing.assert_allclose(weights, [0.5 / 0.75, 1.0, -1.2 / (1.44 - 1.0)])
    assert notices and notices[0].code == "heywood" and "'B'" in notices[0].message


def test_bipolar_split_gives_a_mirror_factor(lipset: Study) -> None:
    result = analyze(
        lipset, factors=3, extraction="pca", profile="qmethod", split_bipolar_factors=[1]
    )
    assert result.factor_names == ("F1a", "F1b", "F2", "F3")
    jp5 = lipset.sort_names.index("JP5")
    assert result.flags[jp5].tolist() == [False, True, False, False]
    np.testing.assert_allclose(result.loadings[:, 1], -result.loadings[:, 0])
    a, b = result.factors[0].zscores, result.factors[1].zscores
    assert a is not None and b is not None and np.corrcoef(a, b)[0, 1] < 0
    assert result.options.bipolar_splits == (1,)


def test_inversion_mirrors_the_array(lipset: Study) -> None:
    plain = analyze(lipset, factors=3, extraction="centroid")
    inverted = analyze(lipset, factors=3, extraction="centroid", invert_factors=[2])
    np.testing.assert_allclose(inverted.loadings[:, 1], -plain.loadings[:, 1])
    z0, z1 = plain.factors[1].zscores, inverted.factors[1].zscores
    assert z0 is not None and z1 is not None
    np.testing.assert_allclose(z1, -z0, atol=1e-12)


def test_judgmental_rotation_is_recorded_and_keeps_communalities(lipset: Study) -> None:
    steps = [RotationStep(1, 2, 10.0), RotationStep(2, 3, -25.0)]
    result = analyze(lipset, factors=3, extraction="centroid", rotation_steps=steps)
    np.testing.assert_allclose(
        (result.loadings**2).sum(axis=1), (result.unrotated**2).sum(axis=1), atol=1e-12
    )
    assert result.options.rotation_steps == tuple(steps)
    assert result.to_dict()["options"]["rotation_steps"][1] == {
        "factor_a": 2,
        "factor_b": 3,
        "degrees": -25.0,
    }


def test_free_grid_needs_one_slot_per_statement() -> None:
    free = Grid.from_range(-2, 2, [1, 1, 1, 1, 1], forced=False)
    values = np.array([[-2, 2, 0], [-1, 1, 1], [0, 0, -1], [1, -1, 2], [2, -2, -2], [2, 0, 1]])
    study = Study.from_matrix(values, ["A", "B", "C"], grid=free)
    with pytest.raises(StudyError, match="one slot per statement"):
        analyze(study, factors=1, extraction="pca")


def test_a_result_reproduces_from_its_recorded_options(lipset: Study) -> None:
    """Spec part 1, item 1: every option is recorded, so the JSON reproduces the result."""
    first = analyze(
        lipset,
        factors=3,
        extraction="centroid",
        rotation_steps=[RotationStep(1, 3, 12.5)],
        invert_factors=[2],
        split_bipolar_factors=[2],
        flag_level=2.575,
        manual_flags=[FlagOverride("FR9", "F3")],
    )
    options = Options.from_dict(json.loads(json.dumps(first.to_dict()["options"])))
    assert options == first.options
    again = run(lipset, options)
    np.testing.assert_array_equal(again.loadings, first.loadings)
    np.testing.assert_array_equal(again.flags, first.flags)
    np.testing.assert_array_equal(again.arrays, first.arrays)


def test_malformed_recorded_options_are_refused() -> None:
    with pytest.raises(OptionError, match="unknown key"):
        Options.from_dict({"factors": 3})
    with pytest.raises(OptionError, match="malformed"):
        Options.from_dict({"rotation_steps": [{"a": 1}]})


def test_heywood_rule_has_a_tolerance_at_one_and_follows_the_profile() -> None:
    nearly_one = np.array([1.0 - 1e-15, 1.0 + 1e-15, 1.0])
    weights, notices = factor_weights(nearly_one, np.ones(3, bool), ["A", "B", "C"])
    np.testing.assert_allclose(weights, nearly_one)  # a, not 1e15, whatever the last bit
    assert notices[0].code == "heywood"
    beyond = np.array([1.2])
    pq, _ = factor_weights(beyond, np.ones(1, bool), ["A"], "pqmethod")
    qm, found = factor_weights(beyond, np.ones(1, bool), ["A"], "qmethod")
    np.testing.assert_allclose(pq, [1.2 / 0.44])
    np.testing.assert_allclose(qm, [1.2 / -0.44])  # qmethod's a / (1 - a^2), sign and all
    assert "qmethod" in found[0].message


def test_crib_sheets_follow_kades_rule() -> None:
    arrays = np.array([[2, 2, 0], [1, -1, -1], [-2, 0, 1], [0, 0, 0], [-1, 1, 2]])
    first, second, _ = crib_sheets(arrays)
    assert first.highest == (0,) and first.lowest == (2,)
    assert first.higher == (0, 1, 3)  # ties with another factor count, 0 counts as positive
    assert first.lower == (2, 3, 4)
    assert second.higher == (0, 3) and second.lower == (1, 3)


def test_split_with_negative_flags_forbidden_still_defines_the_mirror_half(
    lipset: Study,
) -> None:
    result = analyze(
        lipset,
        factors=3,
        extraction="pca",
        profile="qmethod",
        split_bipolar_factors=[1],
        allow_negative=False,
    )
    jp5 = lipset.sort_names.index("JP5")
    assert result.flags[jp5].tolist() == [False, True, False, False]
    assert bool((result.loadings[result.flags] > 0).all())
    assert result.factors[1].defined
    assert result.qdc_pairs[0] == "f1a_f1b"


def test_values_beyond_any_grid_are_refused_quickly() -> None:
    expected = "between -1000 and 1000, found -1000000000 at statement 1, sort 1"
    with pytest.raises(StudyError, match=expected):
        Study.from_matrix(np.array([[-(10**9), 10**9], [0, 0], [10**9, -(10**9)]]), ["A", "B"])
    with pytest.raises(StudyError, match="at most 101 columns"):
        Grid.from_range(-200, 200, [1] * 401)
    with pytest.raises(StudyError, match="whole numbers"):
        Study(
            tuple(Statement(str(i)) for i in range(3)),
            ("A", "B"),
            np.array([[-1.7, 1.0], [0.0, 0.0], [1.0, -1.0]]),
            Grid.from_range(-1, 1, [1, 1, 1]),
        )


def test_recorded_options_are_type_checked() -> None:
    for bad in (
        {"inversions": ["1"]},
        {"inversions": 1},
        {"flag_level": [1]},
        {"majority": "no"},
        {"manual_flags": [{"sort": "A", "factor": "F1", "flagged": "yes"}]},
    ):
        with pytest.raises(OptionError):
            Options.from_dict(bad)
    assert Options(n_factors=np.int64(3)).n_factors == 3  # type: ignore[arg-type]
