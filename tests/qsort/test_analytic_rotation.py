"""The rotations psych offers in the qmethod profile, against factor_analyzer's own Rotator.

The expected loadings are computed here without qsort: numpy's correlations and eigenvectors of the
Lipset sorts, psych's sign rule, factor_analyzer's Rotator, then psych's ordering of rotated factors
(by their sums of squared loadings, even when oblique) and signs (by column sums).
"""

from __future__ import annotations

import json
from typing import get_args

import numpy as np
import pytest
from factor_analyzer.rotator import Rotator
from numpy.typing import NDArray

from qsort.analytic import ANALYTIC_OBLIQUE, ANALYTIC_ORTHOGONAL
from qsort.errors import OptionError
from qsort.methods import ROTATIONS, RotationName
from qsort.options import Options
from qsort.pipeline import analyze
from qsort.result import AnalysisResult
from qsort.rotation import RotationStep
from qsort.study import Study
from qsort.summary import render_summary
from tests.refdata import DATA, read_sorts_csv

FloatArray = NDArray[np.float64]
FACTORS = 3


@pytest.fixture(scope="module")
def lipset() -> Study:
    return read_sorts_csv(DATA / "lipset_sorts.csv", "Lipset")


def unrotated_pca(sorts: FloatArray, k: int) -> FloatArray:
    """Principal components of the sorts' correlations, each signed by its column sum (psych)."""
    values, vectors = np.linalg.eigh(np.corrcoef(sorts, rowvar=False))
    order = np.argsort(values)[::-1][:k]
    loadings = vectors[:, order] * np.sqrt(values[order])
    return np.asarray(loadings * np.where(loadings.sum(axis=0) < 0, -1.0, 1.0), dtype=float)


def expected(sorts: FloatArray, method: str) -> tuple[FloatArray, FloatArray | None]:
    """Rotator's loadings and phi, ordered (by sums of squares) and signed as psych does."""
    loadings = unrotated_pca(sorts, FACTORS)
    kappa = FACTORS / (2 * loadings.shape[0]) if method == "equamax" else 0.0
    rotator = Rotator(method=method, kappa=kappa)
    rotated = rotator.fit_transform(loadings)
    phi = rotator.phi_
    order = np.argsort(-np.diag(rotated.T @ rotated), kind="stable")  # psych: diag(t(L) %*% L)
    signs = np.where(rotated[:, order].sum(axis=0) < 0, -1.0, 1.0)
    rotated = rotated[:, order] * signs
    if phi is not None:
        phi = phi[np.ix_(order, order)] * np.outer(signs, signs)
    return rotated, phi


def run(study: Study, rotation: RotationName, **options: object) -> AnalysisResult:
    return analyze(study, FACTORS, "pca", rotation, profile="qmethod", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ANALYTIC_ORTHOGONAL + ANALYTIC_OBLIQUE)
def test_loadings_and_phi_equal_factor_analyzers(lipset: Study, method: RotationName) -> None:
    loadings, phi = expected(lipset.sorts.astype(float), method)
    result = run(lipset, method)
    np.testing.assert_allclose(result.loadings, loadings, atol=1e-9)
    if phi is None:
        assert result.factor_correlations is None
    else:
        assert result.factor_correlations is not None
        np.testing.assert_allclose(result.factor_correlations, phi, atol=1e-9)


@pytest.mark.parametrize("method", ANALYTIC_ORTHOGONAL)
def test_orthogonal_rotations_keep_communalities(lipset: Study, method: RotationName) -> None:
    result = run(lipset, method)
    np.testing.assert_allclose(
        (result.loadings**2).sum(axis=1), (result.unrotated**2).sum(axis=1), atol=1e-10
    )


@pytest.mark.parametrize("method", ANALYTIC_OBLIQUE)
def test_oblique_rotations_reproduce_the_common_part(lipset: Study, method: RotationName) -> None:
    """Pattern P and correlations phi reproduce the unrotated loadings' L L' (P phi P')."""
    result = run(lipset, method)
    phi = result.factor_correlations
    assert phi is not None
    np.testing.assert_allclose(np.diag(phi), 1.0, atol=1e-10)
    np.testing.assert_allclose(phi, phi.T, atol=1e-12)
    np.testing.assert_allclose(
        result.loadings @ phi @ result.loadings.T,
        result.unrotated @ result.unrotated.T,
        atol=1e-8,
    )


def test_oblique_flags_and_zscores_use_the_pattern_loadings(lipset: Study) -> None:
    """As qmethod does: flags and weights come from the pattern loadings as they are."""
    result = run(lipset, "oblimin")
    pattern = result.loadings
    squares = pattern**2
    flags = (np.abs(pattern) > 1.96 / np.sqrt(lipset.n_statements)) & (
        squares > squares.sum(axis=1, keepdims=True) - squares
    )
    np.testing.assert_array_equal(result.flags, flags)
    for k, factor in enumerate(result.factors):
        if not flags[:, k].any():
            continue
        weights = np.where(flags[:, k], pattern[:, k] / (1 - pattern[:, k] ** 2), 0.0)
        total = lipset.sorts @ weights
        z = (total - total.mean()) / total.std(ddof=1)  # qmethod: R sd
        assert factor.zscores is not None
        np.testing.assert_allclose(factor.zscores, z, atol=1e-9)


def test_phi_follows_steps_inversions_and_splits(lipset: Study) -> None:
    turned = run(lipset, "promax", rotation_steps=[RotationStep(1, 2, 20.0)], invert_factors=[3])
    phi = turned.factor_correlations
    assert phi is not None
    np.testing.assert_allclose(
        turned.loadings @ phi @ turned.loadings.T,
        turned.unrotated @ turned.unrotated.T,
        atol=1e-8,
    )
    split = run(lipset, "promax", split_bipolar_factors=[2])
    plain = run(lipset, "promax")
    assert split.factor_correlations is not None and plain.factor_correlations is not None
    assert split.factor_correlations.shape == (4, 4)
    assert split.factor_correlations[1, 2] == pytest.approx(-1.0, abs=1e-12)
    kept = [0, 1, 3]
    np.testing.assert_allclose(
        split.factor_correlations[np.ix_(kept, kept)], plain.factor_correlations, atol=1e-12
    )
    np.testing.assert_allclose(
        split.factor_correlations[2, [0, 3]], -plain.factor_correlations[1, [0, 2]]
    )


def test_oblique_result_shows_phi_in_json_and_summary(lipset: Study) -> None:
    result = run(lipset, "oblimin")
    data = json.loads(json.dumps(result.to_dict()))
    assert data["options"]["rotation"] == "oblimin"
    assert result.factor_correlations is not None
    np.testing.assert_allclose(data["factor_correlations"], result.factor_correlations)
    assert Options.from_dict(data["options"]) == result.options
    summary = render_summary(result)
    assert "oblimin rotation (oblique)" in summary
    assert "Factor correlations" in summary
    varimax = analyze(lipset, FACTORS, "pca", "varimax", profile="qmethod")
    assert varimax.to_dict()["factor_correlations"] is None
    assert "Factor correlations" not in render_summary(varimax)


def test_psych_rotations_are_offered_in_the_qmethod_profile_only() -> None:
    with pytest.raises(OptionError, match="qmethod profile only"):
        Options(rotation="promax")
    with pytest.raises(OptionError, match="expected one of"):
        Options(rotation="simplimax", profile="qmethod")  # type: ignore[arg-type]
    assert Options(rotation="promax", profile="qmethod", extraction="pca").rotation == "promax"


def test_the_table_names_every_rotation_once() -> None:
    assert tuple(ROTATIONS) == get_args(RotationName)
    oblique = {name for name, method in ROTATIONS.items() if method.oblique}
    assert oblique == set(ANALYTIC_OBLIQUE)
