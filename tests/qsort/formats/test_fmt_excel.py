"""KADE / Ken-Q workbooks, type 1 (piles) and type 2 (values): layout, round trips, bad cells."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from qsort.errors import FormatError, StudyError
from qsort.formats import FormatWarning
from qsort.formats.excel import TYPE1_LABEL, read_xlsx, write_xlsx
from qsort.study import Grid, Study


def _book(sheets: Mapping[str, Sequence[Sequence[Any]]], path: Path) -> Path:
    """Save a workbook whose sheets hold the given rows."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


PATTERN: list[list[Any]] = [list(range(-6, 14)), [0, 0, 0, 0, 0, 1, 1, 1] + [0] * 12]
STATEMENTS: list[list[Any]] = [["Number", "Statements"], [1, "one"], [2, "two"], [3, "three"]]


def test_type2_round_trip_keeps_texts_title_and_grid(tmp_path: Path, lipset_texts: Study) -> None:
    path = tmp_path / "lipset.xlsx"
    assert write_xlsx(lipset_texts, path) == [path]
    first = read_xlsx(path)
    assert first == lipset_texts
    write_xlsx(first, tmp_path / "again.xlsx")
    assert read_xlsx(tmp_path / "again.xlsx") == first


def test_type2_layout(tmp_path: Path, lipset_texts: Study) -> None:
    write_xlsx(lipset_texts, tmp_path / "l.xlsx")
    book = load_workbook(tmp_path / "l.xlsx")
    assert {"sorts", "statements", "pattern", "name", "version"} <= set(book.sheetnames)
    sorts = book["sorts"]
    assert sorts["A1"].value == "US1" and sorts["B1"].value == -1 and sorts.max_column == 34
    assert [c.value for c in book["pattern"][1]] == list(range(-6, 14))
    assert [c.value for c in book["pattern"][2]][:9] == [0, 0, 2, 3, 4, 5, 5, 5, 4]
    assert book["statements"]["B1"].value == "Statements"
    assert book["statements"]["A2"].value == 1
    assert book["name"]["A1"].value == "Project Name"
    assert book["name"]["A2"].value == lipset_texts.title
    assert (book["version"]["A1"].value, book["version"]["A2"].value) == ("Version", "2")


def test_type1_round_trip_and_layout(tmp_path: Path, lipset_texts: Study) -> None:
    path = tmp_path / "piles.xlsx"
    write_xlsx(lipset_texts, path, excel_type=1)
    sorts = load_workbook(path)["sorts"]
    assert sorts["A1"].value == TYPE1_LABEL and sorts["B1"].value == "US1"
    assert [sorts.cell(r, 1).value for r in range(2, 35)] == lipset_texts.grid.pattern().tolist()
    # US1 gave -4 to statements 16 and 20: the two lowest slots hold them.
    assert (sorts["B2"].value, sorts["B3"].value) == (16, 20)
    assert read_xlsx(path) == lipset_texts


def test_type1_workbook_made_by_hand(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[TYPE1_LABEL, "Ann", "Bo"], [-1, 3, 1], [0, 1, 2], [1, 2, 3]]
    path = _book(
        {"sorts": rows, "statements": STATEMENTS, "pattern": PATTERN}, tmp_path / "t1.xlsx"
    )
    study = read_xlsx(path)
    assert study.sort_names == ("Ann", "Bo")
    assert study.sorts.T.tolist() == [[0, 1, -1], [-1, 0, 1]]
    assert [s.text for s in study.statements] == ["one", "two", "three"]
    assert study.grid == Grid((-1, 0, 1), (1, 1, 1))


def test_type2_without_pattern_or_statements_sheets(tmp_path: Path) -> None:
    path = _book({"Sorts": [["A", -1, 0, 1], ["B", "1", 0.0, -1]]}, tmp_path / "t2.xlsx")
    with pytest.warns(
        FormatWarning, match=r"sheet 'sorts' cell\(s\) B2 hold numbers stored as text"
    ):
        study = read_xlsx(path)
    assert study.statement_ids == ("1", "2", "3")
    assert study.sorts.T.tolist() == [[-1, 0, 1], [1, 0, -1]]


def test_type2_free_distribution_round_trips(tmp_path: Path) -> None:
    grid = Grid((-2, -1, 0, 1, 2), (1, 1, 2, 1, 1), forced=False)
    study = Study.from_matrix(
        np.array([[-2, -1, 0, 0, 1, 2], [0, 0, 0, 1, 1, 2]]).T, ["A", "B"], grid=grid
    )
    write_xlsx(study, tmp_path / "free.xlsx")
    with pytest.warns(FormatWarning, match=r"\['B'\].*free"):
        assert read_xlsx(tmp_path / "free.xlsx") == study
    with pytest.raises(FormatError, match=r"type 1 .*forced distributions only"):
        write_xlsx(study, tmp_path / "piles.xlsx", excel_type=1)


def test_grid_beyond_the_pattern_sheet_cannot_be_written(tmp_path: Path) -> None:
    study = Study.from_matrix([[-7, 0], [0, -7]], ["A", "B"])
    with pytest.raises(FormatError, match=r"-7\.\.\+0.*-6\.\.\+13"):
        write_xlsx(study, tmp_path / "x.xlsx")


def test_names_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    study = Study.from_matrix([[1, 0], [0, 1]], ["=SUM(A1)", "B"], title="=1+1")
    write_xlsx(study, tmp_path / "f.xlsx")
    assert read_xlsx(tmp_path / "f.xlsx") == study


# --- malformed workbooks ---------------------------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_xlsx(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.xlsx").write_bytes(b"")
    assert "empty; expected a KADE / Ken-Q Excel workbook" in _error(tmp_path / "e.xlsx")


def test_text_file_named_xlsx(tmp_path: Path) -> None:
    (tmp_path / "t.xlsx").write_text("statement,A\n", encoding="utf-8")
    assert "not an .xlsx workbook" in _error(tmp_path / "t.xlsx")


def test_old_xls_workbook(tmp_path: Path) -> None:
    (tmp_path / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    assert "Excel 97-2003 (.xls)" in _error(tmp_path / "old.xlsx")


def test_damaged_zip(tmp_path: Path) -> None:
    (tmp_path / "z.xlsx").write_bytes(b"PK\x03\x04" + b"garbage" * 20)
    assert "not a readable .xlsx workbook" in _error(tmp_path / "z.xlsx")


def test_no_sorts_sheet(tmp_path: Path) -> None:
    path = _book({"data": [["A", 1, 0]]}, tmp_path / "n.xlsx")
    assert "no 'sorts' worksheet" in _error(path)


def test_type2_row_with_the_wrong_count(tmp_path: Path) -> None:
    rows = [["A", -1, 0, 1], ["B", 1, -1]]
    path = _book({"sorts": rows, "statements": STATEMENTS}, tmp_path / "c.xlsx")
    assert "sheet 'sorts', row 2 (sort 'B'): expected 3 sort values" in _error(path)


def test_type2_truncated_sheet_without_statements(tmp_path: Path) -> None:
    path = _book({"sorts": [["A", -1, 0, 1], ["B", 1, -1]]}, tmp_path / "c.xlsx")
    assert "row 2 (sort 'B'): expected 3 sort values" in _error(path)


def test_type2_non_integer_cell(tmp_path: Path) -> None:
    rows = [["A", -1, 0, 1], ["B", 1, "x", -1]]
    path = _book({"sorts": rows}, tmp_path / "c.xlsx")
    assert "sheet 'sorts', cell C2 (sort 'B'): expected an integer sort value, found 'x'" in _error(
        path
    )


def test_type2_gap_in_a_row(tmp_path: Path) -> None:
    rows = [["A", -1, 0, 1], ["B", 1, None, -1]]
    assert "cell C2 (sort 'B')" in _error(_book({"sorts": rows}, tmp_path / "g.xlsx"))


def test_type1_statement_placed_twice(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[TYPE1_LABEL, "Ann"], [-1, 3], [0, 1], [1, 3]]
    message = _error(_book({"sorts": rows, "statements": STATEMENTS}, tmp_path / "d.xlsx"))
    assert "cell B4 (sort 'Ann'): statement 3 is already placed at cell B2" in message


def test_type1_statement_number_out_of_range(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[TYPE1_LABEL, "Ann"], [-1, 3], [0, 1], [1, 9]]
    message = _error(_book({"sorts": rows}, tmp_path / "r.xlsx"))
    assert "cell B4 (sort 'Ann'): expected a statement number 1..3, found 9" in message


def test_type1_slot_count_differs_from_the_statements(tmp_path: Path) -> None:
    rows: list[list[Any]] = [[TYPE1_LABEL, "Ann"], [-1, 2], [1, 1]]
    message = _error(_book({"sorts": rows, "statements": STATEMENTS}, tmp_path / "s.xlsx"))
    assert "expected 3 card slots from row 2" in message


def test_pattern_with_text(tmp_path: Path) -> None:
    pattern = [PATTERN[0], ["a", *PATTERN[1][1:]]]
    path = _book({"sorts": [["A", -1, 0, 1]], "pattern": pattern}, tmp_path / "p.xlsx")
    assert "sheet 'pattern', cell A2: expected a number of cards, found 'a'" in _error(path)


def test_values_off_the_pattern_name_the_sort(tmp_path: Path) -> None:
    rows = [["A", -1, 0, 1], ["B", 1, 0, 5]]
    path = _book({"sorts": rows, "pattern": PATTERN}, tmp_path / "v.xlsx")
    with (
        pytest.warns(FormatWarning),
        pytest.raises(StudyError, match=r"(?s)sort 'B': values \[5\]"),
    ):
        read_xlsx(path)
