"""The report workbook: sheets in KADE's order, each sheet's key figures equal to the result's."""

from __future__ import annotations

import math
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qsort.report import derived
from qsort.report.xlsx import write_workbook
from qsort.result import AnalysisResult
from tests.qsort.report.conftest import CREATED, HOSTILE
from tests.qsort.report.xlsxread import read_table

openpyxl = pytest.importorskip("openpyxl")

EXPECTED_PQ3 = [
    "Project Overview",
    "statements",
    "Q sorts",
    "Correlation Matrix",
    "Unrotated Factor Matrix",
    "Cumul Comm Matrix",
    "Factor Loadings",
    "Factor Loadings Table",
    "Free Dist",
    "Factor Score Ranks",
    "Factor Score Correlations",
    "Fac. 1 Sorts Weight",
    "Fac. 1 Sorts Corr",
    "Fac. 1",
    "Fac. 2 Sorts Weight",
    "Fac. 2 Sorts Corr",
    "Fac. 2",
    "Fac. 3 Sorts Weight",
    "Fac. 3 Sorts Corr",
    "Fac. 3",
    "Diff Fac. 1  Fac. 2",
    "Diff Fac. 1  Fac. 3",
    "Diff Fac. 2  Fac. 3",
    "Consensus-Disagreement",
    "Factor Characteristics",
    "Standard Errors for Diffs",
    "Dist State Fac. 1",
    "Dist State Fac. 2",
    "Dist State Fac. 3",
    "Consensus Statements",
    "Fac. 1 - Rel. Ranks",
    "Fac. 2 - Rel. Ranks",
    "Fac. 3 - Rel. Ranks",
]


def _book(result: AnalysisResult, path: Path) -> Any:
    write_workbook(result, path, created=CREATED)
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def book(pq3: AnalysisResult, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _book(pq3, tmp_path_factory.mktemp("xlsx") / "lipset.xlsx")


@pytest.fixture(scope="module")
def book4(qm4: AnalysisResult, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _book(qm4, tmp_path_factory.mktemp("xlsx") / "lipset4.xlsx")


def test_sheets_in_kade_order(book: Any) -> None:
    assert book.sheetnames == EXPECTED_PQ3
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_qmethod_profile_adds_qdc_and_skips_undefined_factor(book4: Any) -> None:
    assert "Fac. 4" not in book4.sheetnames
    assert "Dist State Fac. 4" not in book4.sheetnames
    assert book4.sheetnames[-1] == "qdc"


def test_numbers_are_numbers_and_never_nan(book4: Any) -> None:
    for ws in book4.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, float):
                    assert math.isfinite(value), (ws.title, cell.coordinate)
                if isinstance(value, str):
                    assert value.lower() not in ("nan", "inf", "-inf"), (ws.title, cell.coordinate)
                    try:
                        float(value)
                    except ValueError:
                        continue
                    pytest.fail(f"number stored as text in {ws.title}!{cell.coordinate}")


def test_headers_bold_panes_frozen_columns_sized(book: Any) -> None:
    for ws in book.worksheets:
        assert ws.freeze_panes is not None, ws.title
        header_row = int("".join(ch for ch in ws.freeze_panes if ch.isdigit())) - 1
        assert ws.cell(row=header_row, column=1).font.bold, ws.title
        assert ws["A1"].font.bold
        assert ws.column_dimensions["A"].width >= 6


def test_overview(book: Any, pq3: AnalysisResult) -> None:
    _, rows = read_table(book["Project Overview"], "Item")
    items = {r[0]: r[1] for r in rows}
    assert items["Title"] == "Lipset & <friends>"
    assert items["Number of statements"] == 33
    assert items["Number of Q sorts"] == 9
    assert items["Grid"] == pq3.study.grid.describe()
    assert items["Profile (conventions followed)"] == "pqmethod"
    assert items["Extraction"] == "principal components"
    assert items["Flag threshold |a| >"] == pytest.approx(1.96 / math.sqrt(33))
    assert items["Manual flags"] == "none"
    assert "2.575" in items["Distinguishing threshold 1 (P < .01)"]
    assert items["Date"] == "2024-05-17 09:30"
    _, warnings = read_table(book["Project Overview"], "Code")
    assert [w[0] for w in warnings] == [n.code for n in pq3.notices]


def test_statements_and_sorts(book: Any, pq3: AnalysisResult) -> None:
    _, rows = read_table(book["statements"], "Statement Number")
    assert rows[4] == [5, HOSTILE, "sta_5"]
    header, rows = read_table(book["Q sorts"], "Participant")
    assert header[-2:] == ["Mean", "Standard Deviation"]
    assert [r[0] for r in rows] == list(pq3.study.sort_names)
    assert [r[1:34] for r in rows] == pq3.study.sorts.T.tolist()
    np.testing.assert_allclose([r[-1] for r in rows], pq3.study.sorts.std(axis=0, ddof=1))


def test_correlation_and_unrotated(book: Any, pq3: AnalysisResult) -> None:
    _, rows = read_table(book["Correlation Matrix"], "No.")
    np.testing.assert_allclose([r[2:] for r in rows], pq3.correlations.matrix())
    _, rows = read_table(book["Unrotated Factor Matrix"], "No.")
    np.testing.assert_allclose([r[2:] for r in rows[:9]], pq3.unrotated)
    assert [r[1] for r in rows[9:]] == ["Eigenvalues", "% expl. Var.", "Cumulative %"]
    np.testing.assert_allclose(rows[9][2:], pq3.unrotated_eigenvalues)
    pct = 100 * pq3.unrotated_eigenvalues / 9
    np.testing.assert_allclose(rows[10][2:], pct)
    np.testing.assert_allclose(rows[11][2:], np.cumsum(pct))
    cell = book["Unrotated Factor Matrix"].cell(row=4, column=3)
    assert cell.number_format == "0.0000"


def test_cumulative_communalities(book: Any, pq3: AnalysisResult) -> None:
    _, rows = read_table(book["Cumul Comm Matrix"], "No.")
    np.testing.assert_allclose([r[2:] for r in rows[:9]], np.cumsum(pq3.unrotated**2, axis=1))
    np.testing.assert_allclose(rows[9][2:], np.cumsum(100 * pq3.unrotated_eigenvalues / 9))


def test_factor_loadings_flags_marked(book: Any, pq3: AnalysisResult) -> None:
    """KADE's layout (2_pushRotatedFactorsArrayToOutput.js): unnamed flag columns saying
    "Flagged", then "percent explained variance" labelled in the first column."""
    ws = book["Factor Loadings"]
    assert ws["A1"].value == "Factor Matrix with Defining Sorts Flagged"
    header, rows = read_table(ws, "Nm")
    assert header == ["Nm", "Q sort", "Factor 1", "", "Factor 2", "", "Factor 3", ""]
    assert [r[1] for r in rows[:9]] == list(pq3.study.sort_names)
    np.testing.assert_allclose([r[2::2] for r in rows[:9]], pq3.loadings)
    assert {v for r in rows[:9] for v in r[3::2]} == {"Flagged", None}
    assert [[v == "Flagged" for v in r[3::2]] for r in rows[:9]] == pq3.flags.tolist()
    explained = [f.characteristics.explained_variance for f in pq3.factors]
    assert rows[9][:2] == ["percent explained variance", None]
    np.testing.assert_allclose(rows[9][2::2], explained)
    assert rows[11][2::2] == [f.characteristics.n_defining for f in pq3.factors]
    j, k = map(int, np.argwhere(pq3.flags)[0])
    assert ws.cell(row=4 + j, column=3 + 2 * k).font.bold


def test_free_distribution(book: Any, pq3: AnalysisResult) -> None:
    _, rows = read_table(book["Free Dist"], "No.")
    np.testing.assert_allclose([r[2] for r in rows], pq3.study.sorts.mean(axis=0))
    np.testing.assert_allclose([r[3] for r in rows], pq3.study.sorts.std(axis=0, ddof=1))


def test_score_ranks_and_correlations(book: Any, pq3: AnalysisResult) -> None:
    _, rows = read_table(book["Factor Score Ranks"], "No.")
    np.testing.assert_allclose([r[2::2] for r in rows], pq3.zscores)
    ranks = [f.ranks for f in pq3.factors if f.ranks is not None]
    assert len(ranks) == len(pq3.factors), "every factor of the run has ranks"
    assert [r[3::2] for r in rows] == np.column_stack(ranks).tolist()
    _, rows = read_table(book["Factor Score Correlations"], "Factor")
    np.testing.assert_allclose([r[1:] for r in rows], pq3.score_correlations)


def test_factor_sheets(book: Any, pq3: AnalysisResult) -> None:
    for k, factor in enumerate(pq3.factors, start=1):
        _, rows = read_table(book[f"Fac. {k}"], "No.")
        assert factor.zscores is not None and factor.array is not None, f"F{k} is defined"
        z = [r[2] for r in rows]
        assert z == sorted(z, reverse=True)
        for number, text, zscore, value in (r[:4] for r in rows):
            assert zscore == pytest.approx(factor.zscores[number - 1])
            assert value == factor.array[number - 1]
            assert text == pq3.study.statements[number - 1].text
        assert book[f"Fac. {k}"].cell(row=4, column=3).number_format == "0.000"
        _, weights = read_table(book[f"Fac. {k} Sorts Weight"], "No.")
        assert [w[0] - 1 for w in weights] == derived.defining_sorts(pq3, k - 1)
        for w in weights:
            assert w[3] == pytest.approx(factor.weights[w[0] - 1])


def test_difference_sheets(book: Any, pq3: AnalysisResult) -> None:
    for a, b in combinations(range(3), 2):
        _, rows = read_table(book[f"Diff Fac. {a + 1}  Fac. {b + 1}"], "No.")
        expected = pq3.differences[(f"F{a + 1}", f"F{b + 1}")]
        assert [r[0] - 1 for r in rows] == [d.statement for d in expected]
        np.testing.assert_allclose([r[4] for r in rows], [d.difference for d in expected])


def test_consensus_disagreement(book: Any, pq3: AnalysisResult) -> None:
    _, rows = read_table(book["Consensus-Disagreement"], "No.")
    assert [r[0] - 1 for r in rows] == [i for i, _ in pq3.disagreement]
    np.testing.assert_allclose([r[-1] for r in rows], [v for _, v in pq3.disagreement])
    first = pq3.factors[0].array
    assert first is not None, "F1 has a factor array"
    assert [r[2] for r in rows] == [int(first[i]) for i, _ in pq3.disagreement]


def test_characteristics_and_sed(book: Any, pq3: AnalysisResult) -> None:
    _, rows = read_table(book["Factor Characteristics"], "Characteristic")
    table = {r[0]: r[1:] for r in rows}
    chars = [f.characteristics for f in pq3.factors]
    assert table["No. of Defining Variables"] == [c.n_defining for c in chars]
    reliability = [c.composite_reliability for c in chars]
    se = [c.se for c in chars]
    assert None not in reliability and None not in se, "every factor has defining sorts"
    np.testing.assert_allclose(table["Composite Reliability"], np.asarray(reliability, dtype=float))
    np.testing.assert_allclose(table["S.E. of Factor Z-Scores"], np.asarray(se, dtype=float))
    np.testing.assert_allclose(table["Eigenvalue"], [c.eigenvalue for c in chars])
    _, rows = read_table(book["Standard Errors for Diffs"], "Factor")
    np.testing.assert_allclose([r[1:] for r in rows], pq3.sed)


def test_undefined_factor_shown_as_such(book4: Any, qm4: AnalysisResult) -> None:
    _, rows = read_table(book4["Factor Characteristics"], "Characteristic")
    table = {r[0]: r[1:] for r in rows}
    assert table["No. of Defining Variables"][3] == 0
    assert table["Composite Reliability"][3] == "undefined"
    assert table["S.E. of Factor Z-Scores"][3] == "undefined"
    header, rows = read_table(book4["Factor Score Ranks"], "No.")
    assert header[-2:] == ["F4 Z", "F4 Rank"]
    assert all(r[-2:] == ["undefined", "undefined"] for r in rows)


def test_distinguishing_sheets(book: Any, pq3: AnalysisResult) -> None:
    for k, factor in enumerate(pq3.factors, start=1):
        header, rows = read_table(book[f"Dist State Fac. {k}"], "No.")
        assert header[2:8] == ["F1 Q-SV", "F1 Z", "F2 Q-SV", "F2 Z", "F3 Q-SV", "F3 Z"]
        listed = {r[0] - 1: r[8] for r in rows}
        expected = {
            m.statement: "P < .01" if m.p == 0.01 else "P < .05" for m in factor.distinguishing
        }
        assert listed == expected
        own = [r[2 + 2 * (k - 1) + 1] for r in rows]
        assert own == sorted(own, reverse=True)


def test_consensus_sheet(book: Any, pq3: AnalysisResult, book4: Any, qm4: AnalysisResult) -> None:
    header, rows = read_table(book["Consensus Statements"], "No.")
    assert header[-1] == "Non-sig. at P > .05"
    assert {r[0] - 1: r[-1] == "*" for r in rows} == {
        m.statement: m.p == 0.05 for m in pq3.consensus
    }
    header, rows = read_table(book4["Consensus Statements"], "No.")
    assert [r[0] - 1 for r in rows] == [m.statement for m in qm4.consensus]
    assert header[-1] == "F3 Z"


def test_crib_sheets(book: Any, pq3: AnalysisResult) -> None:
    for k, factor in enumerate(pq3.factors):
        _, rows = read_table(book[f"Fac. {k + 1} - Rel. Ranks"], "Group")
        assert factor.crib is not None, f"{factor.name} has a crib sheet"
        highest = [r[1] - 1 for r in rows if r[0] == "Highest ranked"]
        assert tuple(highest) == factor.crib.highest
        lower = [r[1] - 1 for r in rows if r[0].startswith("Ranked lower")]
        assert tuple(lower) == factor.crib.lower


def test_qdc_sheet(book4: Any, qm4: AnalysisResult) -> None:
    _, rows = read_table(book4["qdc"], "No.")
    assert qm4.qdc is not None, "the qmethod profile gives qdc labels"
    assert [r[2] or "" for r in rows] == [row.label for row in qm4.qdc]
    np.testing.assert_allclose([r[3] for r in rows], [row.differences[0] for row in qm4.qdc])


def test_project_overview_at_kade_positions(book: Any, pq3: AnalysisResult) -> None:
    """KADE (Excel type 3) reads the project name from row 3 and the Q-sort design from row 7."""
    ws = book["Project Overview"]
    assert (ws["A3"].value, ws["B3"].value) == ("Project Name:", "Lipset & <friends>")
    assert (ws["A5"].value, ws["B5"].value) == ("Total Number of Statements:", 33)
    design = ",".join(str(v) for v in sorted(pq3.study.sorts[:, 0].tolist()))
    assert (ws["A7"].value, ws["B7"].value) == ("Q sort Design:", design)
    assert (ws["A9"].value, ws["B9"].value) == ("Total Number of Q sorts:", 9)
    values = [r[1] for r in ws.iter_rows(values_only=True)]
    log = [str(v) for v in values if isinstance(v, str) and v[:1].isdigit() and ". " in v]
    assert log[1:4] == [
        "2. principal components factors extracted: 3",
        "3. Number of factors selected for rotation: 3",
        "4. Varimax rotation applied",
    ]
    assert "5. Auto-Flag: P < 0.05 and a majority of common variance was required" in log


def test_project_log_records_every_edit(lipset: Any, tmp_path: Path) -> None:
    from qsort.options import FlagOverride
    from qsort.pipeline import analyze
    from qsort.rotation import RotationStep

    result = analyze(
        lipset,
        3,
        "centroid",
        rotation_steps=[RotationStep(1, 2, 15.0)],
        invert_factors=[3],
        manual_flags=[FlagOverride("US1", "F2", True)],
    )
    ws = _book(result, tmp_path / "log.xlsx")["Project Overview"]
    log = [r[1] for r in ws.iter_rows(values_only=True) if r[0] == "Project Log:" or r[0] is None]
    log = [v for v in log if isinstance(v, str)]
    edits = [line.split(". ", 1)[1] for line in log]
    start = edits.index("Varimax rotation applied")
    assert edits[start + 1 : start + 5] == [
        "Factor 1 and Factor 2 rotation: -15 degrees",  # KADE's sign: clockwise positive
        "Factor 3 was inverted",
        "Auto-Flag: P < 0.05 and a majority of common variance was required",
        "US1 flagged on F2 by hand",
    ]


def test_sorts_and_statements_where_kade_reads_them(book: Any, pq3: AnalysisResult) -> None:
    sorts = book["Q sorts"]
    assert sorts.cell(row=5, column=1).value == "Participant"
    assert sorts.cell(row=6, column=1).value == pq3.study.sort_names[0]
    first = [sorts.cell(row=6, column=c).value for c in range(2, 35)]
    assert first == pq3.study.sorts[:, 0].tolist()
    statements = book["statements"]
    assert statements.cell(row=3, column=1).value == "Statement Number"
    assert statements.cell(row=4, column=2).value == pq3.study.statements[0].text


def test_factor_loadings_table_groups(book: Any, pq3: AnalysisResult) -> None:
    header, rows = read_table(book["Factor Loadings Table"], "Nm")
    assert header[:5] == ["Nm", "Q sort", "Factor Group", "Factor 1", "F1"]
    size = np.abs(pq3.loadings)
    group = size.argmax(axis=1)  # no sort of Lipset has two equal largest loadings
    expected_order = sorted(range(9), key=lambda j: (group[j], -size[j, group[j]]))
    assert [r[0] - 1 for r in rows] == expected_order
    for r in rows:
        j = r[0] - 1
        rank = [i for i in expected_order if group[i] == group[j]].index(j) + 1
        assert r[2] == f"F{group[j] + 1}-{rank}"
        np.testing.assert_allclose(r[3::2], pq3.loadings[j])
        assert [v == "Flagged" for v in r[4::2]] == pq3.flags[j].tolist()


def test_sorts_corr_and_raw_sorts(book: Any, pq3: AnalysisResult) -> None:
    matrix = np.corrcoef(pq3.study.sorts.T.astype(float))  # Pearson, computed independently
    names = pq3.study.sort_names
    for k in range(3):
        defining = list(np.flatnonzero(pq3.flags[:, k]))
        header, rows = read_table(book[f"Fac. {k + 1} Sorts Corr"], "Q sort")
        assert header[1:] == [names[j] for j in defining]
        np.testing.assert_allclose([r[1:] for r in rows], matrix[np.ix_(defining, defining)])
        header, rows = read_table(book[f"Fac. {k + 1}"], "No.")
        assert header[4:] == [f"Raw Sort {names[j]}" for j in defining]
        for r in rows:
            assert r[4:] == pq3.study.sorts[r[0] - 1, defining].tolist()


def test_relative_ranks_marks(book: Any, pq3: AnalysisResult) -> None:
    consensus = {m.statement: m.p for m in pq3.consensus}
    for k, factor in enumerate(pq3.factors):
        header, rows = read_table(book[f"Fac. {k + 1} - Rel. Ranks"], "Group")
        assert header[3:5] == [f"F{k + 1} Q-SV", "Con/Dist"]
        distinguishing = {m.statement: m.p for m in factor.distinguishing}
        assert factor.array is not None, f"{factor.name} has a factor array"
        for r in rows:
            i = r[1] - 1
            if i in distinguishing:
                expected = "D*" if distinguishing[i] == 0.01 else "D"
            elif i in consensus:
                expected = "C*" if consensus[i] == 0.05 else "C"
            else:
                expected = None
            assert r[4] == expected, (k, i)
            assert r[3] == factor.array[i]


def test_project_log_writes_judgmental_turns_as_kade_counts_them(lipset: Any) -> None:
    """KADE logs clockwise turns as positive; qsort's steps are counter-clockwise positive."""
    from qsort.formats.kade_output import _log_line
    from qsort.pipeline import analyze
    from qsort.report.sheets import _project_log
    from qsort.rotation import RotationStep

    result = analyze(lipset, factors=3, rotation_steps=[RotationStep(1, 2, -10.0)])
    line = next(x for x in _project_log(result) if x.startswith("Factor 1 and Factor 2"))
    assert line == "Factor 1 and Factor 2 rotation: 10 degrees"
    steps: list[RotationStep] = []
    assert _log_line(line, {}, [], steps, [], [])
    assert steps == [RotationStep(1, 2, -10.0)]
