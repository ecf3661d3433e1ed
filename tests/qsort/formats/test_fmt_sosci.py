"""Easy HtmlQ v3 sorts in a SoSci Survey data export.

The files are made here to the documented layouts: Easy HtmlQ v3's data object as its README
describes it (github.com/Jumagoro/easy-htmlq-v3 @9f7f928, README sections "Aufbau" and "Daten":
``stage2.cols`` is one list per grid column, each a list of cells, each cell a list holding one
statement ``{"id", "type"}``; statement texts in the data only before v0.4.0), stored in one text
variable of the case; SoSci Survey's download starts with the columns CASE, SERIAL, REF,
QUESTNNR, MODE, STARTED, and its file for GNU R is tab-separated UTF-8 without a header row (the
R scripts SoSci generates read it with ``header = FALSE, sep = "\\t"`` and name the columns).
"""

from __future__ import annotations

import csv
import io
import json
import string
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qsort.cli import main
from qsort.errors import FormatError
from qsort.formats import FORMATS, FormatWarning, detect_format, read_study, write_study
from qsort.study import Grid, Statement, Study

GRID = Grid.from_range(-2, 2, [1, 2, 3, 2, 1])
# Three participants' sorts of statements 1..9 (rows), as sort values.
SORTS = np.array(
    [
        [-2, 2, 0],
        [-1, 1, 0],
        [-1, 0, 1],
        [0, 0, -1],
        [0, -1, 1],
        [0, 1, -2],
        [1, -1, 0],
        [1, 0, 2],
        [2, -2, -1],
    ]
)
NAMES = ["P01", "P02", "P03"]


def _ehq3(values: np.ndarray, texts: bool = False, empty_cell: bool = False) -> dict[str, Any]:
    """One case's Easy HtmlQ v3 data: each grid column left to right, one statement a cell."""
    cols = []
    for v in GRID.values:
        cell = []
        for i in np.flatnonzero(values == v):
            item: dict[str, Any] = {"id": int(i) + 1, "type": 1 if v > 0 else 2 if v == 0 else 3}
            if texts:
                item["statement"] = f"Statement {i + 1}"
            cell.append([item])
        cols.append(cell)
    if empty_cell:
        cols[2][0] = []
    return {
        "progress": {"furthestStep": 4, "progress": 1},
        "stage1": {"statements": [], "agrees": [], "neutrals": [], "disagrees": []},
        "stage2": {"agrees": [], "neutrals": [], "disagrees": [], "cols": cols},
        "stage4": {"agree": [], "disagree": []},
    }


def _r_file(path: Path, cases: list[tuple[str, str]]) -> Path:
    """SoSci's file for GNU R: tab-separated, no header, the data in the 7th column."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for k, (serial, data) in enumerate(cases, start=1):
        writer.writerow([k, serial, "", "base", "interview", "2024-05-17 10:00:00", data, 120])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _csv_download(path: Path, cases: list[tuple[str, str]], sep: str = ",") -> Path:
    """SoSci's CSV download: a header row of variables, then one row a case."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(["CASE", "SERIAL", "REF", "QUESTNNR", "MODE", "STARTED", "QS01_01", "TIME001"])
    for k, (serial, data) in enumerate(cases, start=1):
        writer.writerow([k, serial, "", "base", "interview", "2024-05-17 10:00:00", data, 95])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _cases(**options: bool) -> list[tuple[str, str]]:
    return [(n, json.dumps(_ehq3(SORTS[:, j], **options))) for j, n in enumerate(NAMES)]


def test_the_file_for_r_is_read(tmp_path: Path) -> None:
    path = _r_file(tmp_path / "rdata.csv", _cases())
    assert detect_format(path) == "ehq3-sosci"
    study = read_study(path)
    assert study.sort_names == tuple(NAMES)
    assert study.statement_ids == tuple(str(i) for i in range(1, 10))
    np.testing.assert_array_equal(study.sorts, SORTS)
    assert study.grid == GRID


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_the_csv_download_is_read_with_texts_from_older_versions(tmp_path: Path, sep: str) -> None:
    path = _csv_download(tmp_path / "data.csv", _cases(texts=True), sep)
    assert detect_format(path) == "ehq3-sosci"
    study = read_study(path)
    np.testing.assert_array_equal(study.sorts, SORTS)
    assert study.statements[0] == Statement("1", "Statement 1")


def test_unfinished_cases_are_left_out_and_named(tmp_path: Path) -> None:
    cases = [*_cases(), ("P04", ""), ("P05", json.dumps(_ehq3(SORTS[:, 0], empty_cell=True)))]
    path = _csv_download(tmp_path / "data.csv", cases)
    with pytest.warns(FormatWarning, match=r"2 case\(s\) .*: P04 \(no data\), P05 \(sort unf"):
        study = read_study(path)
    assert study.sort_names == tuple(NAMES)


def test_the_column_values_need_the_grid_when_not_centred(tmp_path: Path) -> None:
    path = _r_file(tmp_path / "rdata.csv", _cases())
    shifted = Grid.from_range(1, 5, [1, 2, 3, 2, 1])
    study = read_study(path, "ehq3-sosci", grid=shifted)
    np.testing.assert_array_equal(study.sorts, SORTS + 3)
    data = _ehq3(SORTS[:, 0])
    data["stage2"]["cols"].append([])
    path = _r_file(tmp_path / "even.csv", [("A", json.dumps(data)), ("B", json.dumps(data))])
    with pytest.raises(FormatError, match=r"6 grid columns, an even number: .*give the grid"):
        read_study(path, "ehq3-sosci")


def test_names_come_from_serial_else_case(tmp_path: Path) -> None:
    cases = [("", data) for _, data in _cases()]
    study = read_study(_csv_download(tmp_path / "data.csv", cases))
    assert study.sort_names == ("1", "2", "3")
    study = read_study(_csv_download(tmp_path / "d2.csv", _cases()), name_column="CASE")
    assert study.sort_names == ("1", "2", "3")


def test_broken_sorts_are_named(tmp_path: Path) -> None:
    twice = _ehq3(SORTS[:, 1])
    twice["stage2"]["cols"][0][0] = [{"id": 2, "type": 3}]
    path = _r_file(
        tmp_path / "a.csv", [("A", json.dumps(_ehq3(SORTS[:, 0]))), ("B", json.dumps(twice))]
    )
    with pytest.raises(FormatError, match=r"case 'B' places statement\(s\) \[2\] twice"):
        read_study(path)
    path = _r_file(tmp_path / "b.csv", [*_cases(), ("P01", json.dumps(_ehq3(SORTS[:, 0])))])
    with pytest.raises(FormatError, match=r"\['P01'\] on more than one row"):
        read_study(path)
    path = _r_file(tmp_path / "c.csv", [("A", '{"stage2": {"cols": 3}}'), ("B", "{}")])
    with pytest.raises(FormatError, match=r"line 1 \(case 'A'\): expected \"stage2\""):
        read_study(path)
    path = _r_file(tmp_path / "d.csv", [("A", '{"stage2": [}'), ("B", "{}")])
    with pytest.raises(FormatError, match=r"line 1 \(case 'A'\): the Easy HtmlQ data is not valid"):
        read_study(path)


def test_listed_and_converted_by_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "ehq3-sosci" in FORMATS
    assert main(["formats"]) == 0
    assert "ehq3-sosci" in capsys.readouterr().out
    path = _r_file(tmp_path / "rdata.csv", _cases())
    out = tmp_path / "study.dat"
    assert main(["convert", str(path), str(out)]) == 0
    np.testing.assert_array_equal(read_study(out).sorts, SORTS)


NAME = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)


@st.composite
def studies(draw: st.DrawFn) -> Study:
    """A forced-grid study on any range of values."""
    low = draw(st.integers(-6, 6))
    high = draw(st.integers(low + 1, low + 10))
    caps = draw(st.lists(st.integers(1, 3), min_size=high - low + 1, max_size=high - low + 1))
    grid = Grid.from_range(low, high, caps)
    names = draw(st.lists(NAME, min_size=2, max_size=5, unique=True))
    columns = [draw(st.permutations(grid.pattern().tolist())) for _ in names]
    statements = tuple(Statement(str(i + 1)) for i in range(grid.size))
    return Study(statements, tuple(names), np.array(columns).T, grid)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(study=studies())
def test_written_exports_read_back(study: Study) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sosci.csv"
        write_study(study, path, "ehq3-sosci")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            back = read_study(path, grid=study.grid)
    assert back.sort_names == study.sort_names
    np.testing.assert_array_equal(back.sorts, study.sorts)
    assert back.grid == study.grid and back.statement_ids == study.statement_ids


def test_a_header_without_cases_is_refused(tmp_path: Path) -> None:
    path = _csv_download(tmp_path / "data.csv", [])
    with pytest.raises(FormatError, match=r"the header has no cases below it"):
        read_study(path, "ehq3-sosci", column="7")
