"""The qmethod profile reproduces every qmethod 1.8.4 output in tests/data/qmethod-1.8.4/.

Tolerances are the spec's agreement targets (part 1, item 3): loadings, z-scores and
characteristics within 1e-6; flags, factor arrays and qdc labels identical.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qsort.extraction import ExtractionMethod
from qsort.pipeline import analyze
from qsort.result import AnalysisResult
from qsort.study import Study
from tests.refdata import DATA, load_json

RUNS = sorted(p.name for p in (DATA / "qmethod-1.8.4").glob("lipset_*.json"))
EXTRACTION: dict[str, ExtractionMethod] = {"PCA": "pca", "centroid": "centroid"}


def run_like(reference: dict[str, Any], study: Study) -> AnalysisResult:
    config = reference["config"]
    return analyze(
        study,
        factors=config["nfactors"],
        extraction=EXTRACTION[config["extraction"]],
        rotation=config["rotation"],
        correlation=config["cor_method"],
        profile="qmethod",
    )


def matrix(block: dict[str, Any]) -> np.ndarray:
    return np.array(block["data"], dtype=float)


@pytest.fixture(scope="module", params=RUNS)
def case(request: pytest.FixtureRequest, lipset: Study) -> tuple[dict[str, Any], AnalysisResult]:
    reference = load_json(f"qmethod-1.8.4/{request.param}")
    return reference, run_like(reference, lipset)


def test_loadings(case: tuple[dict[str, Any], AnalysisResult]) -> None:
    reference, result = case
    np.testing.assert_allclose(result.loadings, matrix(reference["loa"]), atol=1e-6)


def test_unrotated_loadings(case: tuple[dict[str, Any], AnalysisResult]) -> None:
    reference, result = case
    expected = np.array(reference["extra"]["unrotated_loadings"]["data"], dtype=float)
    np.testing.assert_allclose(result.unrotated, expected, atol=1e-6)


def test_flags(case: tuple[dict[str, Any], AnalysisResult]) -> None:
    reference, result = case
    assert result.flags.tolist() == reference["flagged"]["data"]


def test_zscores_and_arrays(case: tuple[dict[str, Any], AnalysisResult]) -> None:
    reference, result = case
    np.testing.assert_allclose(result.zscores, matrix(reference["zsc"]), atol=1e-6)
    assert result.arrays.tolist() == np.array(reference["zsc_n"]["data"]).astype(int).tolist()


def test_characteristics(case: tuple[dict[str, Any], AnalysisResult]) -> None:
    reference, result = case
    columns = reference["f_char"]["characteristics"]["columns"]
    chars = [f.characteristics for f in result.factors]
    assert [c.n_defining for c in chars] == columns["nload"]
    np.testing.assert_allclose([c.eigenvalue for c in chars], columns["eigenvals"], atol=1e-6)
    np.testing.assert_allclose(
        [c.explained_variance for c in chars], columns["expl_var"], atol=1e-6
    )
    np.testing.assert_allclose(
        [float(c.composite_reliability or np.nan) for c in chars], columns["reliability"], atol=1e-6
    )
    np.testing.assert_allclose(
        [float(c.se or np.nan) for c in chars], columns["se_fscores"], atol=1e-6
    )
    np.testing.assert_allclose(
        result.score_correlations, matrix(reference["f_char"]["cor_zsc"]), atol=1e-6
    )
    np.testing.assert_allclose(result.sed, matrix(reference["f_char"]["sd_dif"]), atol=1e-6)


def test_qdc(case: tuple[dict[str, Any], AnalysisResult]) -> None:
    reference, result = case
    columns = reference["qdc"]["columns"]
    assert result.qdc is not None
    assert [row.label for row in result.qdc] == columns["dist.and.cons"]
    for p, pair in enumerate(result.qdc_pairs):
        np.testing.assert_allclose(
            [row.differences[p] for row in result.qdc], columns[pair], atol=1e-6
        )
        assert [row.stars[p] for row in result.qdc] == columns[f"sig_{pair}"]


def test_warnings_name_negative_flags(case: tuple[dict[str, Any], AnalysisResult]) -> None:
    reference, result = case
    codes = {n.code for n in result.notices}
    if any("negative loadings are flagged" in w for w in reference["warnings"]):
        assert "negative-flag" in codes


def test_json_keys(case: tuple[dict[str, Any], AnalysisResult]) -> None:
    _, result = case
    data = result.to_dict()
    for key in (
        "profile",
        "options",
        "sorts",
        "statements",
        "factors",
        "eigenvalues",
        "explained_variance",
        "loadings",
        "flags",
        "zscores",
        "arrays",
        "characteristics",
        "distinguishing",
        "consensus",
        "warnings",
        "qdc",
    ):
        assert key in data
    assert data["profile"] == "qmethod"
    assert len(data["zscores"]) == 33 and len(data["loadings"]) == 9


def test_issue376_published_loadings(lipset: Study) -> None:
    """qmethod issue #376: 3-factor PCA + varimax loadings and flags, as posted."""
    lines = (DATA / "lipset_qmethod_issue376_output.txt").read_text().splitlines()
    rows = [line.split() for line in lines if line[:2] in {"US", "JP", "CA", "UK", "FR"}]
    loadings = np.array([[float(v) for v in r[1:]] for r in rows[:9]])
    flags = [[v == "TRUE" for v in r[1:]] for r in rows[9:]]
    result = analyze(lipset, factors=3, extraction="pca", profile="qmethod")
    np.testing.assert_allclose(result.loadings, loadings, atol=1e-6)
    assert result.flags.tolist() == flags


def test_reference_runs_are_all_found() -> None:
    assert len(RUNS) == 6 and all(Path(DATA / "qmethod-1.8.4" / r).exists() for r in RUNS)
