"""Seeded property tests of the whole pipeline on generated studies."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qsort.extraction import ExtractionMethod
from qsort.flagging import flag_threshold
from qsort.pipeline import analyze
from qsort.profiles import ProfileName
from qsort.study import Study
from tests.qsort.studygen import studies

SETTINGS = settings(
    derandomize=True, max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
PROFILES: st.SearchStrategy[ProfileName] = st.sampled_from(["pqmethod", "qmethod"])
EXTRACTIONS: st.SearchStrategy[ExtractionMethod] = st.sampled_from(["pca", "centroid"])


@SETTINGS
@given(studies(), PROFILES, EXTRACTIONS)
def test_rotation_keeps_communalities(
    study: Study, profile: ProfileName, extraction: ExtractionMethod
) -> None:
    result = analyze(study, factors=2, extraction=extraction, profile=profile)
    np.testing.assert_allclose(
        (result.loadings**2).sum(axis=1), (result.unrotated**2).sum(axis=1), atol=1e-9
    )


@SETTINGS
@given(studies(), EXTRACTIONS)
def test_pqmethod_arrays_fill_the_grid_exactly(study: Study, extraction: ExtractionMethod) -> None:
    result = analyze(study, factors=2, extraction=extraction, profile="pqmethod")
    for factor in result.defined:
        assert factor.array is not None
        assert sorted(factor.array.tolist()) == study.grid.pattern().tolist()


@SETTINGS
@given(studies(), PROFILES, EXTRACTIONS)
def test_flags_meet_the_criteria(
    study: Study, profile: ProfileName, extraction: ExtractionMethod
) -> None:
    result = analyze(study, factors=3, extraction=extraction, profile=profile)
    a = result.loadings
    threshold = flag_threshold(study.n_statements, 1.96)
    communality = (a**2).sum(axis=1, keepdims=True)
    passes = (np.abs(a) > threshold) & (a**2 > communality - a**2)
    assert np.array_equal(result.flags, passes)


@SETTINGS
@given(studies(), PROFILES, st.integers(0, 2**31 - 1))
def test_shuffling_sorts_permutes_the_result(study: Study, profile: ProfileName, seed: int) -> None:
    order = np.random.default_rng(seed).permutation(study.n_sorts)
    shuffled = Study.from_matrix(
        study.sorts[:, order], [study.sort_names[j] for j in order], study.statements, study.grid
    )
    first = analyze(study, factors=2, extraction="pca", profile=profile)
    second = analyze(shuffled, factors=2, extraction="pca", profile=profile)
    np.testing.assert_allclose(second.loadings, first.loadings[order], atol=1e-8)
    assert np.array_equal(second.flags, first.flags[order])
    np.testing.assert_allclose(second.zscores, first.zscores, atol=1e-8)
    assert np.array_equal(second.arrays, first.arrays)


@SETTINGS
@given(studies(), PROFILES, EXTRACTIONS)
def test_no_nan_reaches_the_json(
    study: Study, profile: ProfileName, extraction: ExtractionMethod
) -> None:
    result = analyze(study, factors=4, extraction=extraction, profile=profile)
    text = repr(result.to_dict())
    assert "nan" not in text.lower() and "inf" not in text.lower()
