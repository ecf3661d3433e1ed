"""The bulk CSV parser (qsort.formats._bulk) across block boundaries, line ends and bad cells.

Blocks are made tiny so that a small file spans many of them; every table is compared with the
numbers it was written from, and a file the parser refuses must still be read (or refused with
the exact cell) by the cell-by-cell path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qsort.errors import FormatError
from qsort.formats import _bulk, csv_sorts
from qsort.formats.csv_sorts import Table, _bulk_table, read_csv, read_table


def _participants(tmp_path: Path, values: np.ndarray, end: str = "\n", final: str = "\n") -> Path:
    rows = ["participant," + ",".join(str(i + 1) for i in range(values.shape[1]))]
    rows += [f"P{k}," + ",".join(map(str, row)) for k, row in enumerate(values.tolist())]
    path = tmp_path / "sorts.csv"
    path.write_text(end.join(rows) + final, encoding="utf-8", newline="")
    return path


@pytest.fixture(autouse=True)
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_bulk, "BLOCK_BYTES", 64)


@pytest.mark.parametrize(
    ("end", "final"), [("\n", "\n"), ("\r\n", "\r\n"), ("\n", ""), ("\n", "\n\n")]
)
def test_tables_across_many_blocks_read_exactly(tmp_path: Path, end: str, final: str) -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(-1000, 1001, (57, 9))
    path = _participants(tmp_path, values, end, final)
    table = _bulk_table(path.read_bytes(), ",")
    assert isinstance(table, Table)
    np.testing.assert_array_equal(table.values, values)
    assert table.labels == [f"P{k}" for k in range(57)]


def test_a_line_longer_than_a_block_is_parsed_whole(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    values = rng.integers(-5, 6, (3, 200))
    table = _bulk_table(_participants(tmp_path, values).read_bytes(), ",")
    assert isinstance(table, Table)
    np.testing.assert_array_equal(table.values, values)


def test_signs_and_labels_as_written(tmp_path: Path) -> None:
    path = tmp_path / "signs.csv"
    path.write_text('statement,A,B\n"s 1",+3,-0\n é ,-12,7\n', encoding="utf-8")
    table, side = read_table(path)
    assert side == "statements"
    assert table.labels == ["s 1", "é"]
    assert table.values.tolist() == [[3, 0], [-12, 7]]


@pytest.mark.parametrize(
    ("cell", "column"),
    [("x", 4), ("", 4), ("1001", 4), ("1.5", 4), ("--2", 4), ("5 ", 4), ("12345", 4)],
)
def test_a_bad_cell_past_many_blocks_is_named_exactly(
    tmp_path: Path, cell: str, column: int
) -> None:
    rng = np.random.default_rng(3)
    values = rng.integers(-5, 6, (40, 5)).astype(str)
    values[31, column - 2] = cell
    path = _participants(tmp_path, values)
    assert not isinstance(_bulk_table(path.read_bytes(), ","), Table)
    if cell == "5 ":  # a space around a number is accepted by the exact path
        assert read_table(path)[0].values[31, column - 2] == 5
        return
    with pytest.raises(FormatError, match=rf"sorts\.csv, line 33, column {column} \(sort 'P31'"):
        read_csv(path)


def test_a_short_row_deep_in_the_file_is_named(tmp_path: Path) -> None:
    rows = ["participant,1,2,3"] + [f"P{k},-1,0,1" for k in range(30)]
    rows[20] = "P19,-1,0"
    path = tmp_path / "short.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 21: expected 4 cells, as the header has, found 3"):
        read_csv(path)


@pytest.mark.parametrize("label", ["participant", "who"])
def test_a_bad_cell_is_named_from_its_block_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, label: str
) -> None:
    # With a header that tells the orientation ("participant"), only the refused block is read
    # cell by cell; a numbered header with an unknown label ("who") needs every row's label,
    # so the whole file is. Both name the same cell.
    values = np.random.default_rng(6).integers(-5, 6, (40, 4)).astype(str)
    values[25, 2] = "x"
    path = _participants(tmp_path, values)
    path.write_text(path.read_text(encoding="utf-8").replace("participant", label, 1))
    rows_read: list[int] = []
    original = csv_sorts._cell_table

    def spy(*args: Any) -> Any:
        rows_read.append(len(args[2]))
        return original(*args)

    monkeypatch.setattr(csv_sorts, "_cell_table", spy)
    with pytest.raises(FormatError, match=r"line 27, column 4 \(sort 'P25', statement '3'\)"):
        read_csv(path)
    assert rows_read == ([40] if label == "who" else [rows_read[0]])
    assert rows_read[0] < 40 or label == "who"
