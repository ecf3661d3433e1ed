"""The PQMethod-style text report: every section title in PQMethod's order, key numbers."""

from __future__ import annotations

import re

import numpy as np

from qsort.report.lis import STATEMENT_WIDTH, render_lis
from qsort.result import AnalysisResult
from tests.qsort.report.conftest import CREATED

TITLES = [
    "Correlation Matrix Between Sorts",
    "Unrotated Factor Matrix",
    "Cumulative Communalities Matrix",
    "Factor Matrix with an X Indicating a Defining Sort",
    "Free Distribution Data Results",
    "Factor Scores with Corresponding Ranks",
    "Correlations Between Factor Scores",
    "Normalized Factor Scores -- For Factor 1",
    "Normalized Factor Scores -- For Factor 2",
    "Normalized Factor Scores -- For Factor 3",
    "Descending Array of Differences Between Factors 1 and 2",
    "Descending Array of Differences Between Factors 1 and 3",
    "Descending Array of Differences Between Factors 2 and 3",
    "Factor Q-Sort Values for Each Statement",
    "Factor Q-Sort Values for Statements sorted by Consensus vs. Disagreement",
    "Factor Characteristics",
    "Standard Errors for Differences in Factor Z-Scores (Diagonal Entries Are S.E. Within",
    "Distinguishing Statements for Factor 1 (P < .05 ; Asterisk (*) Indicates Significance",
    "Distinguishing Statements for Factor 2",
    "Distinguishing Statements for Factor 3",
    "Consensus Statements -- Those That Do Not Distinguish Between ANY Pair of Factors.",
]


def _section(text: str, title: str) -> list[str]:
    """The lines of the section whose title line starts with ``title``."""
    blocks = text.split("-" * 100 + "\n")
    block = next(b for b in blocks if b.startswith(title))
    return block.splitlines()[2:]


def test_titles_in_pqmethod_order(pq3: AnalysisResult) -> None:
    text = render_lis(pq3, CREATED)
    positions = [text.index("\n" + title) for title in TITLES]
    assert positions == sorted(positions)
    assert "2024-05-17 09:30" in text.splitlines()[4]


def test_correlations_times_100(pq3: AnalysisResult) -> None:
    lines = _section(render_lis(pq3, CREATED), "Correlation Matrix Between Sorts")
    values = [[int(v) for v in line.split()[2:]] for line in lines[1:10]]
    assert values == np.round(100 * pq3.correlations.matrix()).astype(int).tolist()


def test_unrotated_and_loadings(pq3: AnalysisResult) -> None:
    text = render_lis(pq3, CREATED)
    lines = _section(text, "Unrotated Factor Matrix")
    eigen = [float(v) for v in next(line for line in lines if "Eigenvalues" in line).split()[1:]]
    np.testing.assert_allclose(eigen[:3], pq3.unrotated_eigenvalues, atol=5e-5)
    # PQMethod prints all 8 principal components: the 8 largest eigenvalues of R.
    expected = np.sort(np.linalg.eigvalsh(pq3.correlations.matrix()))[::-1][:8]
    np.testing.assert_allclose(eigen, expected, atol=5e-5)
    assert "8 factors extracted; factors 1 to 3 were kept for rotation." in lines
    lines = _section(text, "Factor Matrix with an X")
    for j in range(9):
        cells = lines[1 + j].split()[2:]
        assert [c.endswith("X") for c in cells] == pq3.flags[j].tolist()
        np.testing.assert_allclose(
            [float(c.rstrip("X")) for c in cells], pq3.loadings[j], atol=5e-5
        )


def test_factor_scores_sorted_and_statements_cut(pq3: AnalysisResult) -> None:
    text = render_lis(pq3, CREATED)
    lines = _section(text, "Normalized Factor Scores -- For Factor 2")
    z = [float(line.split()[-2]) for line in lines[1:34]]
    assert z == sorted(z, reverse=True)
    expected = pq3.factors[1].zscores
    assert expected is not None, "F2 has z-scores"
    np.testing.assert_allclose(sorted(z, reverse=True), np.sort(expected)[::-1], atol=5e-4)
    start = lines[0].index("Statement")
    width = lines[0].index("Z-SCORE") - start
    assert width <= STATEMENT_WIDTH + 12
    assert any(line[start:].split("  ")[0].endswith("...") for line in lines[1:])


def test_distinguishing_and_consensus(pq3: AnalysisResult) -> None:
    text = render_lis(pq3, CREATED)
    for k, factor in enumerate(pq3.factors, start=1):
        lines = _section(text, f"Distinguishing Statements for Factor {k}")
        rows = [line for line in lines if re.match(r"^\d+\s", line)]
        assert {int(r.split()[0]) - 1 for r in rows} == {m.statement for m in factor.distinguishing}
        starred = {int(r.split()[0]) - 1 for r in rows if "*" in r}
        assert starred == {m.statement for m in factor.distinguishing if m.p == 0.01}
    lines = _section(text, "Consensus Statements")
    numbers = [line.split()[0] for line in lines[1:] if line.strip()]
    assert numbers == [f"{m.statement + 1}{'*' if m.p == 0.05 else ''}" for m in pq3.consensus]


def test_undefined_factor(qm4: AnalysisResult) -> None:
    text = render_lis(qm4, CREATED)
    assert "Factor F4 is undefined (no defining sort)" in text
    lines = _section(text, "Factor Characteristics")
    se = next(line for line in lines if line.startswith("S.E. of Factor Z-Scores"))
    assert se.split()[-1] == "undefined"
    assert not re.search(r"\bnan\b", text, re.IGNORECASE)
    assert "Normalized Factor Scores -- For Factor 4" not in text


def test_pages_start_with_pqmethod_headers(pq3: AnalysisResult) -> None:
    text = render_lis(pq3, CREATED)
    pages = text.split("\f")
    assert len(pages) >= len(TITLES) + 1
    for number, page in enumerate(pages, start=1):
        first, second = page.splitlines()[:2]
        assert first.startswith("qsort ") and first.endswith(f"PAGE {number:4d}")
        assert "Lipset & <friends>" in first
        assert second.startswith("Path and Project Name: Lipset & <friends>")
        assert second.endswith("May 17 24")
        assert len(page.splitlines()) <= 66
    assert all(page.splitlines()[3] == "-" * 100 for page in pages[1:] if len(page) > 300)


def test_communalities_of_every_extracted_factor(pq3: AnalysisResult) -> None:
    """PQMethod's 8 principal components: communality = sum of lambda_i v_ij^2, sign-free."""
    lines = _section(render_lis(pq3, CREATED), "Cumulative Communalities Matrix")
    assert lines[0].split()[3:] == [f"F{k}" for k in range(1, 9)]
    printed = np.array([[float(v) for v in line.split()[2:]] for line in lines[1:10]])
    values, vectors = np.linalg.eigh(pq3.correlations.matrix())
    order = np.argsort(values)[::-1][:8]
    expected = np.cumsum(values[order] * vectors[:, order] ** 2, axis=1)
    np.testing.assert_allclose(printed, expected, atol=5e-5)
