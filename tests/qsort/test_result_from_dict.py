"""A result read back from its JSON form is the same result: same JSON, same reports to the byte.

The reference studies are analysed in several ways (both profiles, centroid and principal
components, an oblique rotation, judgmental steps, a bipolar split, a factor left undefined by
manual flags); each result goes through ``json.dumps`` / ``json.loads`` as a stored run's does,
is read back with the study, and must give the same JSON and the same workbook, HTML report,
.LIS text and figures as the original.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from qsort.errors import FormatError
from qsort.options import FlagOverride, Options
from qsort.pipeline import run
from qsort.report.figures import all_figures
from qsort.report.html import render_html
from qsort.report.lis import render_lis
from qsort.report.xlsx import write_workbook
from qsort.result import AnalysisResult
from qsort.result_json import statement_tables_from_dict
from qsort.rotation import RotationStep
from qsort.study import Statement, Study
from tests.refdata import DATA

CREATED = datetime(2026, 5, 17, 9, 30)

OPTIONS = {
    "centroid": Options(extraction="centroid", n_factors=3),
    "pca-qmethod": Options(profile="qmethod", extraction="pca", n_factors=3),
    "promax": Options(profile="qmethod", extraction="pca", n_factors=3, rotation="promax"),
    "steps-split": Options(
        extraction="centroid",
        n_factors=3,
        rotation_steps=(RotationStep(1, 2, 12.5),),
        inversions=(3,),
        bipolar_splits=(2,),
    ),
    "undefined": Options(
        extraction="pca",
        n_factors=3,
        flag_level=None,
        manual_flags=tuple(FlagOverride(s, "F3", False) for s in ("US1", "US2", "US3", "US4"))
        + tuple(FlagOverride(s, "F3", False) for s in ("JP5", "CA6", "UK7", "US8", "FR9")),
    ),
}


@pytest.fixture(scope="module")
def lipset_texts(lipset: Study) -> Study:
    """Lipset with its statements' texts, as a stored study has them."""
    lines = (DATA / "lipset_statements.txt").read_text(encoding="utf-8").splitlines()
    texts = [line.split("\t", 1)[1] for line in lines]
    statements = tuple(Statement(s.id, t) for s, t in zip(lipset.statements, texts, strict=True))
    return replace(lipset, statements=statements)


def _stored(result: AnalysisResult) -> dict[str, object]:
    """The result's JSON as a run stores it and reads it back (through JSON text)."""
    loaded: dict[str, object] = json.loads(json.dumps(result.to_dict()))
    return loaded


def _reports(result: AnalysisResult, folder: Path) -> dict[str, bytes]:
    book = write_workbook(result, folder / "book.xlsx", created=CREATED).read_bytes()
    files = {"xlsx": book, "html": render_html(result, created=CREATED).encode()}
    files["lis"] = render_lis(result, CREATED).encode()
    files.update({k: v.encode() for k, v in all_figures(result).items()})
    return files


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_round_trip_gives_the_same_json_and_reports(
    lipset_texts: Study, tmp_path: Path, name: str
) -> None:
    original = run(lipset_texts, OPTIONS[name])
    back = AnalysisResult.from_dict(_stored(original), lipset_texts)
    assert json.dumps(back.to_dict()) == json.dumps(original.to_dict())
    assert back.rotation_iterations == original.rotation_iterations
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = _reports(original, tmp_path / "a"), _reports(back, tmp_path / "b")
    assert sorted(first) == sorted(second)
    for kind, content in first.items():
        assert second[kind] == content, kind


def test_the_cases_cover_what_they_claim(lipset_texts: Study) -> None:
    """Each case exercises the part of the JSON it is named for."""
    results = {name: run(lipset_texts, options) for name, options in OPTIONS.items()}
    assert results["pca-qmethod"].qdc is not None
    assert results["promax"].factor_correlations is not None
    assert "F2a" in results["steps-split"].factor_names
    assert not results["undefined"].factors[2].defined
    assert results["centroid"].consensus and results["centroid"].factors[0].crib is not None


def test_round_trip_on_cegebe(cegebe: Study, tmp_path: Path) -> None:
    original = run(cegebe, Options(profile="qmethod", extraction="pca", n_factors=3))
    back = AnalysisResult.from_dict(_stored(original), cegebe)
    assert back.to_dict() == original.to_dict()
    assert render_lis(back, CREATED) == render_lis(original, CREATED)


def test_statement_tables_alone_equal_the_results(lipset_texts: Study) -> None:
    original = run(lipset_texts, OPTIONS["steps-split"])
    tables = statement_tables_from_dict(_stored(original), lipset_texts.statements)
    expected = original.statement_tables
    assert tables.statements == expected.statements and tables.consensus == expected.consensus
    assert tables.factor_names == expected.factor_names
    for got, want in zip(tables.factors, expected.factors, strict=True):
        assert got.distinguishing == want.distinguishing and got.crib == want.crib
        assert got.characteristics == want.characteristics
        for field in ("weights", "zscores", "array", "ranks"):
            a, b = getattr(got, field), getattr(want, field)
            assert (a is None and b is None) or (
                a.dtype == b.dtype and np.array_equal(a, b) and not a.flags.writeable
            )


def test_json_of_other_sorts_is_refused(lipset_texts: Study, cegebe: Study) -> None:
    stored = _stored(run(lipset_texts, OPTIONS["centroid"]))
    with pytest.raises(FormatError, match="its statements are not the study's"):
        AnalysisResult.from_dict(stored, cegebe)
    fewer = Study.from_matrix(
        lipset_texts.sorts[:, :8], lipset_texts.sort_names[:8], lipset_texts.statements
    )
    with pytest.raises(FormatError, match="its sorts are not the study's"):
        AnalysisResult.from_dict(stored, fewer)


def test_damaged_json_is_refused_with_what_was_expected(lipset_texts: Study) -> None:
    stored = _stored(run(lipset_texts, OPTIONS["centroid"]))
    with pytest.raises(FormatError, match="expected format 'qsort-analysis' version 1"):
        AnalysisResult.from_dict({**stored, "version": 7}, lipset_texts)
    damaged = {k: v for k, v in stored.items() if k != "weights"}
    with pytest.raises(FormatError, match="expected qsort analyze --json's form, found no key"):
        AnalysisResult.from_dict(damaged, lipset_texts)


def test_json_without_rotation_iterations_reads_back(lipset_texts: Study, tmp_path: Path) -> None:
    """JSON written before it held the iterations: the workbook says they were not recorded."""
    stored = _stored(run(lipset_texts, OPTIONS["centroid"]))
    del stored["rotation_iterations"]
    back = AnalysisResult.from_dict(stored, lipset_texts)
    assert back.rotation_iterations is None
    assert "not recorded" in render_html(back, created=CREATED)
