"""Fixtures for the report tests: Lipset with its statement texts, analysed two ways."""

from __future__ import annotations

from datetime import datetime

import pytest

from qsort.pipeline import analyze
from qsort.result import AnalysisResult
from qsort.study import Statement, Study
from tests.refdata import DATA

#: Statement 5's text is replaced by markup, to check that every output escapes it.
HOSTILE = "Lower-class <script>alert(\"x\")</script> & groups 'do not' revolt"
CREATED = datetime(2024, 5, 17, 9, 30)


def _texts() -> list[str]:
    lines = (DATA / "lipset_statements.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[1].strip() for line in lines if line.strip()]


@pytest.fixture(scope="session")
def lipset_texts(lipset: Study) -> Study:
    """Lipset with its 33 statement texts (statement 5's made hostile) and a title."""
    texts = _texts()
    texts[4] = HOSTILE
    statements = tuple(Statement(s.id, t) for s, t in zip(lipset.statements, texts, strict=True))
    return Study(statements, lipset.sort_names, lipset.sorts, lipset.grid, "Lipset & <friends>")


@pytest.fixture(scope="session")
def pq3(lipset_texts: Study) -> AnalysisResult:
    """PQMethod profile, principal components, varimax, 3 factors: all factors defined."""
    return analyze(lipset_texts, factors=3, extraction="pca", profile="pqmethod")


@pytest.fixture(scope="session")
def qm4(lipset_texts: Study) -> AnalysisResult:
    """qmethod profile, centroid, 4 factors: F4 has no defining sort (undefined)."""
    result = analyze(lipset_texts, factors=4, extraction="centroid", profile="qmethod")
    assert not result.factors[3].defined
    return result
