"""``--flags-from``: a published analysis's flags and settings, read from its output workbook.

The KADE workbook is made here to KADE's output layout (facts from github.com/shawnbanasick/kade,
src/renderer/src/Sections/Output/calcualteOutputLogic/2_pushLoadingsTableToOutput.js and
2_pushProjectOverviewToOutputArray.js, the log texts from its locales/en/translation.json):
the ``Factor Loadings Table`` sheet has a header ``Nm, Q sort, Factor Group, Factor 1, F1, ...``
and ``Flagged`` in the flag column of each defining sort; the ``Project Overview`` sheet holds
the auto-flag line and the numbered project log. KADE counts a clockwise turn as positive.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openpyxl import Workbook

from qsort.cli import main
from qsort.errors import FormatError
from qsort.formats.kade_output import read_published_analysis
from qsort.rotation import RotationStep
from tests.refdata import DATA

NAMES = ["US1", "US2", "US3", "US4", "JP5", "CA6", "UK7", "US8", "FR9"]
# Hand-set flags as a published analysis might carry them (not the automatic ones).
FLAGS = {
    "US1": 1,
    "US2": 1,
    "US3": 2,
    "US4": 2,
    "JP5": 2,
    "CA6": 3,
    "UK7": 3,
    "US8": 1,
    "FR9": None,
}
LOG = [
    "Lipset data loaded from PQMethod DAT file",
    "Brown Centroid Factors Extracted: 7",
    "Number of factors selected for rotation: 3",
    "Varimax rotation applied",
    "Factor 1 and Factor 2 rotation: 10 degrees",
]


def _kade_workbook(path: Path, log: list[str] = LOG) -> Path:
    book = Workbook()
    book.remove(book.active)
    overview = book.create_sheet("Project Overview")
    rows: list[list[Any]] = [
        ["overview", ""],
        ["", ""],
        ["Project Name:  ", "Lipset"],
        ["Q sort Design:  ", "-4,-4,-3,-3,-3"],
        ["Auto-Flag: ", "P < 0.05 and a majority of common variance was required"],
        ["KADE Version Number:  ", "2.0.0"],
    ]
    rows += [["Project Log:  " if i == 0 else "", f"{i + 1}. {m}"] for i, m in enumerate(log)]
    for line in rows:
        overview.append(line)
    table = book.create_sheet("Factor Loadings Table")
    table.append(["loadingsTable", ""])
    table.append(["", ""])
    table.append(["Loadings Table with Defining Sorts Flagged"])
    table.append(["", ""])
    table.append(
        ["Nm", "Q sort", "Factor Group", "Factor 1", "F1", "Factor 2", "F2", "Factor 3", "F3"]
    )
    for i, name in enumerate(NAMES):
        row: list[Any] = [i + 1, name, FLAGS[name] or ""]
        for k in (1, 2, 3):
            row += [0.1 * k, "Flagged" if FLAGS[name] == k else ""]
        table.append(row)
    book.save(path)
    return path


def _expected_flags() -> np.ndarray:
    flags = np.zeros((len(NAMES), 3), dtype=bool)
    for j, name in enumerate(NAMES):
        factor = FLAGS[name]
        if factor:
            flags[j, factor - 1] = True
    return flags


def test_flags_and_settings_are_read_from_a_kade_workbook(tmp_path: Path) -> None:
    book = read_published_analysis(_kade_workbook(tmp_path / "kade.xlsx"))
    assert book.extraction == "centroid"
    assert book.n_factors == 3
    assert book.rotation == "varimax"
    assert book.rotation_steps == (RotationStep(1, 2, -10.0),)  # KADE's clockwise positive
    assert book.flag_level == 1.96 and book.flag_level_read and book.majority is True
    assert book.factors == ("F1", "F2", "F3")
    flagged = {(f.sort, f.factor) for f in book.flags if f.flagged}
    assert flagged == {(n, f"F{k}") for n, k in FLAGS.items() if k}
    assert len(book.flags) == len(NAMES) * 3


def test_analyze_reproduces_the_published_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _kade_workbook(tmp_path / "kade.xlsx")
    out = tmp_path / "result.json"
    args = ["analyze", str(DATA / "lipset.dat"), "--flags-from", str(path), "--json", str(out)]
    assert main(args) == 0
    assert "from " in capsys.readouterr().err
    result = json.loads(out.read_text())
    np.testing.assert_array_equal(np.array(result["flags"], dtype=bool), _expected_flags())
    options = result["options"]
    assert options["extraction"] == "centroid" and options["n_factors"] == 3
    assert options["rotation_steps"] == [{"factor_a": 1, "factor_b": 2, "degrees": -10.0}]


def test_options_on_the_command_line_win(tmp_path: Path) -> None:
    path = _kade_workbook(tmp_path / "kade.xlsx")
    out = tmp_path / "result.json"
    args = ["analyze", str(DATA / "lipset.dat"), "--flags-from", str(path), "--json", str(out)]
    assert main([*args, "--extraction", "pca", "--unflag", "US1:F1"]) == 0
    result = json.loads(out.read_text())
    assert result["options"]["extraction"] == "pca"
    expected = _expected_flags()
    expected[0, 0] = False
    np.testing.assert_array_equal(np.array(result["flags"], dtype=bool), expected)


def test_qsorts_own_report_workbook_is_read_back(tmp_path: Path) -> None:
    report = tmp_path / "report.xlsx"
    first = tmp_path / "first.json"
    lipset = str(DATA / "lipset.dat")
    by_hand = ["--flag", "FR9:F3", "--rotate", "1,2,-10", "--invert", "2"]
    assert main(["analyze", lipset, *by_hand, "--json", str(first)]) == 0
    assert main(["report", lipset, *by_hand, "--xlsx", str(report)]) == 0
    again = tmp_path / "again.json"
    assert main(["analyze", lipset, "--flags-from", str(report), "--json", str(again)]) == 0
    before, after = json.loads(first.read_text()), json.loads(again.read_text())
    assert after["flags"] == before["flags"]
    assert after["loadings"] == before["loadings"]
    assert after["options"]["rotation_steps"] == before["options"]["rotation_steps"]
    assert after["options"]["inversions"] == [2]


def test_a_workbook_without_a_loadings_table_is_refused(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "sorts"
    book.save(tmp_path / "input.xlsx")
    with pytest.raises(FormatError, match=r"no 'Factor Loadings Table' sheet"):
        read_published_analysis(tmp_path / "input.xlsx")


def _kade_factor_loadings_only(path: Path) -> Path:
    """A workbook with only KADE's "Factor Loadings" sheet (2_pushRotatedFactorsArrayToOutput.js):
    a marker row, the title, a header ``Nm, Q sort, Factor 1, '', ...`` whose flag columns have
    no header, ``Flagged`` marks, and a closing "percent explained variance" row."""
    book = Workbook()
    ws = book.active
    ws.title = "Factor Loadings"
    ws.append(["matrix"])
    ws.append(["", ""])
    ws.append(["Factor Matrix with Defining Sorts Flagged"])
    ws.append(["", ""])
    ws.append(["Nm", "Q sort", "Factor 1", "", "Factor 2", "", "Factor 3", ""])
    for i, name in enumerate(NAMES):
        row: list[Any] = [i + 1, name]
        for k in (1, 2, 3):
            row += [0.1 * k, "Flagged" if FLAGS[name] == k else ""]
        ws.append(row)
    ws.append(["percent explained variance", "", 30, "", 20, "", 10, ""])
    book.save(path)
    return path


def test_flags_are_read_from_kades_factor_loadings_sheet(tmp_path: Path) -> None:
    book = read_published_analysis(_kade_factor_loadings_only(tmp_path / "kade.xlsx"))
    assert book.factors == ("F1", "F2", "F3")
    flagged = {(f.sort, f.factor) for f in book.flags if f.flagged}
    assert flagged == {(n, f"F{k}") for n, k in FLAGS.items() if k}
    assert len(book.flags) == len(NAMES) * 3


def test_qsorts_factor_loadings_sheet_alone_is_read_back(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    report = tmp_path / "report.xlsx"
    lipset = str(DATA / "lipset.dat")
    first = tmp_path / "first.json"
    assert main(["analyze", lipset, "--flag", "FR9:F3", "--json", str(first)]) == 0
    assert main(["report", lipset, "--flag", "FR9:F3", "--xlsx", str(report)]) == 0
    book = load_workbook(report)
    del book["Factor Loadings Table"]
    book.save(report)
    published = read_published_analysis(report)
    flags = json.loads(first.read_text())["flags"]
    read = {(f.sort, f.factor): f.flagged for f in published.flags}
    for j, name in enumerate(NAMES):
        assert [read[(name, f"F{k + 1}")] for k in range(3)] == flags[j]
