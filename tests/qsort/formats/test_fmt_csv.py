"""CSV in both orientations and four delimiters: detection, round trips, malformed tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qsort.errors import FormatError, SortMismatchError, StudyError
from qsort.formats import TextEncodingWarning
from qsort.formats.csv_sorts import read_csv, statements_path, write_csv
from qsort.study import Grid, Study
from tests.refdata import DATA

LIPSET_CSV = DATA / "lipset_sorts.csv"
TINY_ROWS = "statement,A,B,C\n1,-1,1,0\n2,0,-1,1\n3,1,0,-1\n"


def _write(tmp_path: Path, text: str | bytes, name: str = "sorts.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def test_lipset_csv_reads_to_the_lipset_sorts(lipset: Study) -> None:
    study = read_csv(LIPSET_CSV)
    assert study.statement_ids == lipset.statement_ids
    assert study.sort_names == lipset.sort_names
    np.testing.assert_array_equal(study.sorts, lipset.sorts)
    assert study.grid == lipset.grid


def test_writing_lipset_csv_gives_the_file_back(tmp_path: Path) -> None:
    assert write_csv(read_csv(LIPSET_CSV), tmp_path / "out.csv") == [tmp_path / "out.csv"]
    assert (tmp_path / "out.csv").read_bytes() == LIPSET_CSV.read_bytes()


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
@pytest.mark.parametrize("orientation", ["statements", "participants"])
def test_round_trip_in_each_orientation_and_delimiter(
    tmp_path: Path, lipset: Study, orientation: str, delimiter: str
) -> None:
    first = read_csv(LIPSET_CSV)
    path = tmp_path / "out.csv"
    write_csv(first, path, orientation=orientation, delimiter=delimiter)  # type: ignore[arg-type]
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith(
        ("statement" if orientation == "statements" else "participant") + delimiter
    )
    again = read_csv(path)
    assert again == first
    np.testing.assert_array_equal(again.sorts, lipset.sorts)


def test_ken_q_layout_with_numbered_header_is_read_by_participant(tmp_path: Path) -> None:
    text = ",1,2,3\nA,-1,0,1\nB,1,-1,0\n"
    study = read_csv(_write(tmp_path, text))
    assert study.sort_names == ("A", "B")
    assert study.statement_ids == ("1", "2", "3")
    assert study.sorts.T.tolist() == [[-1, 0, 1], [1, -1, 0]]


def test_header_without_label_is_read_by_statement(tmp_path: Path) -> None:
    study = read_csv(_write(tmp_path, ",A,B\ns1,-1,1\ns2,1,-1\n"))
    assert study.sort_names == ("A", "B") and study.statement_ids == ("s1", "s2")


def test_given_orientation_wins(tmp_path: Path) -> None:
    path = _write(tmp_path, "x,s1,s2,s3\nA,-1,0,1\nB,1,-1,0\n")
    study = read_csv(path, orientation="participants")
    assert study.sort_names == ("A", "B")


def test_numbered_both_ways_asks_for_the_orientation(tmp_path: Path) -> None:
    path = _write(tmp_path, ",1,2\n1,-1,1\n2,1,-1\n")
    with pytest.raises(FormatError, match="give the orientation"):
        read_csv(path)
    assert read_csv(path, orientation="statements").sort_names == ("1", "2")


def test_trailing_empty_columns_and_blank_rows_are_ignored(tmp_path: Path) -> None:
    text = "statement;A;B;;\r\n1;-1;1;;\r\n\r\n2;1;-1;;\r\n;;;;\r\n"
    study = read_csv(_write(tmp_path, text))
    assert study.sort_names == ("A", "B") and study.n_statements == 2


def test_quoted_names_with_the_delimiter(tmp_path: Path) -> None:
    study = Study.from_matrix([[1, 0], [0, 1]], ["Smith, J.", 'He said "no"'])
    write_csv(study, tmp_path / "q.csv")
    assert read_csv(tmp_path / "q.csv").sort_names == study.sort_names


def test_statement_texts_travel_in_a_statements_file(tmp_path: Path, lipset_texts: Study) -> None:
    written = write_csv(lipset_texts, tmp_path / "lipset.csv")
    assert written == [tmp_path / "lipset.csv", statements_path(tmp_path / "lipset.csv")]
    assert read_csv(tmp_path / "lipset.csv", title=lipset_texts.title) == lipset_texts
    assert read_csv(tmp_path / "lipset.csv", find_statements=False).statements[0].text == ""


def test_explicit_statements_file_with_numbers_and_tabs(tmp_path: Path) -> None:
    study = read_csv(LIPSET_CSV, statements=DATA / "lipset_statements.txt")
    assert study.statements[0].text.startswith("We accept improvements in the status")


def test_free_distribution_needs_the_grid(tmp_path: Path) -> None:
    path = _write(tmp_path, "statement,A,B\n1,-1,1\n2,1,1\n3,0,-1\n")
    with pytest.raises(SortMismatchError, match=r"sorts\.csv: Q-sorts 'A' and 'B'.*give the grid"):
        read_csv(path)
    grid = Grid((-1, 0, 1), (1, 1, 1), forced=False)
    assert read_csv(path, grid=grid).grid == grid


def test_windows_1252_and_utf8_bom_and_utf16(tmp_path: Path) -> None:
    text = "statement,Zoë,B\n1,-1,1\n2,1,-1\n"
    assert read_csv(_write(tmp_path, b"\xef\xbb\xbf" + text.encode(), "bom.csv")).sort_names == (
        "Zoë",
        "B",
    )
    for i, (data, said) in enumerate(
        [(text.encode("cp1252"), "read as cp1252"), (text.encode("utf-16"), "read as UTF-16")]
    ):
        with pytest.warns(TextEncodingWarning, match=said):
            assert read_csv(_write(tmp_path, data, f"{i}.csv")).sort_names == ("Zoë", "B")


# --- malformed files -------------------------------------------------------------------------


def _error(path: Path, **options: object) -> str:
    with pytest.raises(FormatError) as info:
        read_csv(path, **options)  # type: ignore[arg-type]
    message = str(info.value)
    assert str(path) in message
    return message


def test_empty_file(tmp_path: Path) -> None:
    assert "empty; expected a CSV table of Q-sorts" in _error(_write(tmp_path, ""))


def test_header_only(tmp_path: Path) -> None:
    assert "no data rows" in _error(_write(tmp_path, "statement,A,B\n"))


def test_single_column(tmp_path: Path) -> None:
    assert "line 1: expected cells separated by a comma" in _error(_write(tmp_path, "a\nb\n"))


def test_truncated_last_row(tmp_path: Path) -> None:
    text = LIPSET_CSV.read_text(encoding="utf-8")[:-8]
    message = _error(_write(tmp_path, text))
    assert "line 34: expected 10 cells, as the header has, found 7" in message


def test_row_with_too_many_values(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, TINY_ROWS.replace("2,0,-1,1", "2,0,-1,1,5")))
    assert "line 3: expected 4 cells" in message


def test_non_integer_value_named_by_line_column_sort_and_statement(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, TINY_ROWS.replace("2,0,-1,1", "2,0,x,1")))
    assert "line 3, column 3 (sort 'B', statement '2'): expected an integer sort value" in message


def test_empty_value_cell(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, TINY_ROWS.replace("2,0,-1,1", "2,0,,1")))
    assert "found an empty cell" in message


def test_missing_statement_id(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, TINY_ROWS.replace("2,0,-1,1", ",0,-1,1")))
    assert "line 3, column 1: expected a statement id" in message


def test_values_off_the_grid(tmp_path: Path) -> None:
    grid = Grid((-1, 0, 1), (1, 1, 1))
    path = _write(tmp_path, TINY_ROWS.replace("3,1,0,-1", "3,1,0,7"))
    with pytest.raises(StudyError, match=r"(?s)sorts\.csv: .*sort 'C': values \[7\]"):
        read_csv(path, grid=grid)


def test_bytes_that_are_not_text(tmp_path: Path) -> None:
    with pytest.warns(TextEncodingWarning, match=r"not UTF-8; it was read as \w+"):
        assert "no data rows" in _error(_write(tmp_path, b"statement,A\x81\n"))
    assert "not a text file" in _error(_write(tmp_path, b"PK\x03\x04\x00\x01\x02", "z.csv"))


def test_unknown_delimiter_option(tmp_path: Path) -> None:
    from qsort.errors import OptionError

    with pytest.raises(OptionError, match="delimiter"):
        read_csv(_write(tmp_path, TINY_ROWS), delimiter=":")
