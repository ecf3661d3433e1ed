"""Every workbook layout KADE and Ken-Q Analysis import, made here to their documented layouts.

Layouts (facts, not code) from github.com/shawnbanasick/ken-q-analysis (src/S1-data/Excel1,
Excel2, Excel3) and github.com/shawnbanasick/kade (src/renderer/src/Sections/Input/Excel and
Kanded; the output sheets in Sections/Output/calcualteOutputLogic):
* KADE's input template numbers many statement rows (84) of which a study fills some; KADE takes
  the statements that have text and the number of statements from the pattern sheet.
* Legacy type 1 (no pattern/version sheets): on the sorts sheet, after a title row, the project
  name row, 20 rows of value -6..+13 and card count, a label row, the names row, then a row per
  card slot (value, then each participant's statement number).
* Legacy type 2: a ``Sort Pattern`` row of every slot's value, then a participant a row.
* Type 3: an output workbook, ``Project Overview`` (``Q sort Design:`` row), ``Q sorts`` (a
  header row, then name, values, mean, standard deviation), ``statements``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from qsort.errors import FormatError
from qsort.formats import FormatWarning, read_study
from qsort.formats.excel import read_xlsx, workbook_layout
from qsort.study import Grid

VALUES = list(range(-6, 14))
COUNTS = [0, 0, 0, 0, 0, 1, 1, 1] + [0] * 12  # -1, 0, +1: one card each
TEXTS = ["we accept change", "we keep traditions", "we vote"]
SORTS = {"A": [-1, 0, 1], "B": [1, 0, -1], "C": [0, 1, -1]}


def _book(sheets: Mapping[str, Sequence[Sequence[Any]]], path: Path) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    book.save(path)
    return path


def _check(path: Path, title: str = "Tiny") -> None:
    study = read_study(path)
    assert study.sort_names == tuple(SORTS)
    assert study.sorts.T.tolist() == list(SORTS.values())
    assert [s.text for s in study.statements] == TEXTS
    assert study.grid == Grid((-1, 0, 1), (1, 1, 1))
    assert study.title == title


def test_kade_template_with_numbered_rows_left_empty(tmp_path: Path) -> None:
    statements = [["Number", "Statements"]] + [
        [i + 1, TEXTS[i] if i < 3 else None] for i in range(84)
    ]
    sheets: dict[str, list[list[Any]]] = {
        "sorts": [["id_1" if n == "A" else n, *v] for n, v in SORTS.items()],
        "statements": statements,
        "pattern": [VALUES, COUNTS],
        "name": [["Project Name"], ["Tiny"]],
        "version": [["Version"], ["2"]],
    }
    study = read_xlsx(_book(sheets, tmp_path / "template.xlsx"))
    assert study.statement_ids == ("1", "2", "3")
    assert [s.text for s in study.statements] == TEXTS
    assert study.sort_names == ("id_1", "B", "C")


def test_template_rows_without_any_text_stop_at_the_patterns_size(tmp_path: Path) -> None:
    sheets: dict[str, list[list[Any]]] = {
        "sorts": [[n, *v] for n, v in SORTS.items()],
        "statements": [["Number", "Statements"]] + [[i + 1] for i in range(84)],
        "pattern": [VALUES, COUNTS],
        "version": [["Version"], ["2"]],
    }
    assert read_xlsx(_book(sheets, tmp_path / "t.xlsx")).statement_ids == ("1", "2", "3")


def _legacy_type1() -> dict[str, list[list[Any]]]:
    rows: list[list[Any]] = [["Ken-Q Analysis Excel Type 1 input"], ["Project Name:", "Tiny"]]
    rows += [[v, c] for v, c in zip(VALUES, COUNTS, strict=True)]
    rows += [["Participant Name and Sort Value:"], ["Names", *SORTS]]
    for slot, value in enumerate([-1, 0, 1]):
        row: list[Any] = [value]
        for sort in SORTS.values():
            row.append(sort.index(value) + 1)  # the statement placed in that slot
        rows.append(row)
        del slot
    statements = [["Number", "Statements"]] + [[i + 1, t] for i, t in enumerate(TEXTS)]
    return {"sorts": rows, "statements": statements}


def test_legacy_type1(tmp_path: Path) -> None:
    path = _book(_legacy_type1(), tmp_path / "legacy1.xlsx")
    _check(path)


def test_legacy_type1_with_a_missing_card_row(tmp_path: Path) -> None:
    sheets = _legacy_type1()
    sheets["sorts"] = sheets["sorts"][:-1]
    with pytest.raises(FormatError, match=r"add up to 3 cards, found 2 card rows"):
        read_xlsx(_book(sheets, tmp_path / "short.xlsx"))


def test_legacy_type2(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["Ken-Q Analysis Excel Type 2 input"],
        ["Project Name", "Tiny"],
        ["Sort Pattern", -1, 0, 1],
        ["Participant", "S1", "S2", "S3"],
        *[[n, *v] for n, v in SORTS.items()],
    ]
    statements = [["Number", "Statements"]] + [[i + 1, t] for i, t in enumerate(TEXTS)]
    _check(_book({"sorts": rows, "statements": statements}, tmp_path / "legacy2.xlsx"))


def _kade_output() -> dict[str, list[list[Any]]]:
    overview: list[list[Any]] = [
        ["overview", ""],
        ["", ""],
        ["Project Name:  ", "Tiny"],
        ["", ""],
        ["Total Number of Statements:  ", 3],
        ["", ""],
        ["Q sort Design:  ", "-1,0,1"],
        ["", ""],
        ["Total Number of Q sorts:  ", 3],
    ]
    sorts: list[list[Any]] = [["sorts", ""], ["", ""], ["Q sorts", ""], ["", ""]]
    sorts += [["Participant", "S1", "S2", "S3", "Mean", "Standard Deviation"]]
    sorts += [[n, *v, 0, 0.816] for n, v in SORTS.items()]
    statements: list[list[Any]] = [["statements", ""], ["", ""], ["Statement Number", "Statements"]]
    statements += [[i + 1, t] for i, t in enumerate(TEXTS)]
    return {"Project Overview": overview, "Q sorts": sorts, "statements": statements}


def test_type3_an_output_workbook_read_back(tmp_path: Path) -> None:
    _check(_book(_kade_output(), tmp_path / "type3.xlsx"))


def test_layouts_are_told_apart(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from qsort.formats._cells import normalised

    cases = {"legacy1": _legacy_type1(), "type3": _kade_output()}
    for layout, sheets in cases.items():
        book = load_workbook(_book(sheets, tmp_path / f"{layout}.xlsx"))
        assert workbook_layout({normalised(ws.title): ws for ws in book.worksheets}) == layout


def test_numbers_stored_as_text_among_numbers_are_named(tmp_path: Path) -> None:
    counts: list[Any] = list(COUNTS)
    counts[6] = "1"  # one count retyped as text
    sheets: dict[str, list[list[Any]]] = {
        "sorts": [[n, *v] for n, v in SORTS.items()],
        "pattern": [VALUES, counts],
        "version": [["Version"], ["2"]],
    }
    with pytest.warns(FormatWarning, match=r"sheet 'pattern' cell\(s\) G2 hold numbers stored as"):
        read_xlsx(_book(sheets, tmp_path / "typed.xlsx"))


def test_a_changed_count_that_frees_the_grid_names_the_sorts(tmp_path: Path) -> None:
    counts = list(COUNTS)
    counts[6] = 2  # the pattern no longer matches the sorts
    sheets: dict[str, list[list[Any]]] = {
        "sorts": [[n, *v] for n, v in SORTS.items()],
        "pattern": [VALUES, counts],
        "version": [["Version"], ["2"]],
    }
    with pytest.warns(FormatWarning, match=r"\['A', 'B', 'C'\] do not fill .* read as free"):
        study = read_xlsx(_book(sheets, tmp_path / "free.xlsx"))
    assert not study.grid.forced


def test_a_value_turned_into_a_date_is_refused(tmp_path: Path) -> None:
    sheets = {"sorts": [["A", -1, 0, 1], ["B", 1, dt.datetime(2024, 1, 2), -1]]}
    with pytest.raises(FormatError, match=r"cell C2 \(sort 'B'\): .*found a date"):
        read_xlsx(_book(sheets, tmp_path / "date.xlsx"))
