"""PQMethod .DAT/.STA: Lipset read exactly, written byte for byte, and malformed files named."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from qsort.errors import FormatError, SortMismatchError, StudyError
from qsort.formats import FormatWarning, TextEncodingWarning
from qsort.formats.pqmethod import dat_names, encode_dat, read_dat, write_dat
from qsort.study import Grid, Study
from tests.refdata import DATA

LIPSET_DAT = DATA / "lipset.dat"
TINY = (
    b"  0  2  3 tiny study\r\n"
    b" -1  1  0  0  0  0  0  1  1  1  0  0  0  0  0  0  0  0  0  0  0  0\r\n"
    b"ALICE     -1 0 1\r\n"
    b"BOB        1-1 0\r\n"
)


def _write(tmp_path: Path, data: bytes, name: str = "study.dat") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _lipset_lines() -> list[bytes]:
    return LIPSET_DAT.read_bytes().split(b"\r\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\r\n".join(lines)


def test_lipset_reads_to_exactly_the_lipset_sorts(lipset: Study) -> None:
    study = read_dat(LIPSET_DAT)
    assert study.sort_names == lipset.sort_names
    np.testing.assert_array_equal(study.sorts, lipset.sorts)
    assert study.title == "Lipset Study (PQMETHOD testfile; cf. Brown, 1980, pp. 183ff.)"
    assert study.grid == Grid.from_range(-4, 4, [2, 3, 4, 5, 5, 5, 4, 3, 2])
    assert study.statement_ids == tuple(str(i) for i in range(1, 34))


def test_writing_lipset_gives_the_file_back_byte_for_byte(tmp_path: Path) -> None:
    original = LIPSET_DAT.read_bytes()
    assert encode_dat(read_dat(LIPSET_DAT)) == original
    written = write_dat(read_dat(LIPSET_DAT), tmp_path / "LIPSET.DAT")
    assert written == [tmp_path / "LIPSET.DAT"]  # no texts, so no .STA
    assert (tmp_path / "LIPSET.DAT").read_bytes() == original


def test_layout_is_what_qmethod_import_pqmethod_reads(lipset: Study) -> None:
    """qmethod reads n from columns 4-6, N from 7-9, checks (nchar(line 3) - 10) / 2 == N, and
    reads names from 10 columns with every blank removed."""
    lines = encode_dat(lipset).decode("cp1252").split("\r\n")
    assert lines[-1] == ""
    assert int(lines[0][3:6]) == lipset.n_sorts
    assert int(lines[0][6:9]) == lipset.n_statements
    assert (len(lines[2]) - 10) / 2 == lipset.n_statements
    for line, name, column in zip(lines[2:-1], lipset.sort_names, lipset.sorts.T, strict=True):
        assert line[:10].replace(" ", "") == name
        values = [int(line[10 + 2 * i : 12 + 2 * i]) for i in range(lipset.n_statements)]
        assert values == column.tolist()


def test_round_trip_with_statements_keeps_the_texts(tmp_path: Path, lipset_texts: Study) -> None:
    written = write_dat(lipset_texts, tmp_path / "lipset.dat")
    assert written == [tmp_path / "lipset.dat", tmp_path / "lipset.sta"]
    sta = (tmp_path / "lipset.sta").read_bytes()
    assert sta.count(b"\r\n") == 33 and sta.startswith(b"We accept improvements")
    again = read_dat(tmp_path / "lipset.dat")
    assert again == lipset_texts
    assert write_dat(again, tmp_path / "again.dat") and (
        (tmp_path / "again.dat").read_bytes() == (tmp_path / "lipset.dat").read_bytes()
    )


def test_upper_case_dat_gets_upper_case_sta(tmp_path: Path, lipset_texts: Study) -> None:
    written = write_dat(lipset_texts, tmp_path / "LIPSET.DAT")
    assert written[1] == tmp_path / "LIPSET.STA"
    assert read_dat(tmp_path / "LIPSET.DAT").statements == lipset_texts.statements


def test_short_statements_file_reads_with_its_padding_dropped() -> None:
    study = read_dat(LIPSET_DAT, sta=DATA / "lipset_statements_short.txt")
    assert (
        study.statements[2].text == "3. Success in life by a previously deprived person is resented"
    )


@pytest.mark.parametrize("newline", [b"\n", b"\r"])
def test_lf_and_cr_line_ends_read_the_same(tmp_path: Path, newline: bytes) -> None:
    data = LIPSET_DAT.read_bytes().replace(b"\r\n", newline)
    assert read_dat(_write(tmp_path, data)) == read_dat(LIPSET_DAT)


def test_spec_tiny_example_reads(tmp_path: Path) -> None:
    study = read_dat(_write(tmp_path, TINY))
    assert study.title == "tiny study"
    assert study.sort_names == ("ALICE", "BOB")
    assert study.sorts.T.tolist() == [[-1, 0, 1], [1, -1, 0]]
    assert study.grid == Grid((-1, 0, 1), (1, 1, 1))


def test_dos_file_in_windows_1252_and_an_end_of_file_mark_read(tmp_path: Path) -> None:
    data = TINY.replace(b"ALICE     ", "ZOË       ".encode("cp1252")) + b"\x1a"
    with pytest.warns(TextEncodingWarning, match="read as cp1252"):
        assert read_dat(_write(tmp_path, data)).sort_names == ("ZOË", "BOB")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    assert read_dat(_write(tmp_path, b"\xef\xbb\xbf" + TINY)).sort_names == ("ALICE", "BOB")


def test_sorts_that_do_not_fill_the_distribution_read_as_free(tmp_path: Path) -> None:
    data = TINY.replace(b"BOB        1-1 0", b"BOB        1 1 0")
    with pytest.warns(FormatWarning, match=r"\['BOB'\].*free"):
        study = read_dat(_write(tmp_path, data))
    assert not study.grid.forced and study.grid.values == (-1, 0, 1)


def test_explicit_grid_wins_over_the_distribution_line(tmp_path: Path) -> None:
    grid = Grid((-1, 0, 1), (1, 1, 1), forced=False)
    assert read_dat(_write(tmp_path, TINY), grid=grid).grid == grid


# --- writing what PQMethod cannot hold -------------------------------------------------------


def test_values_beyond_plus_13_cannot_be_written(tmp_path: Path) -> None:
    study = Study.from_matrix([[12, 14], [13, 12], [14, 13]], ["A", "B"])
    with pytest.raises(FormatError, match=r"out\.dat.*\+12\.\.\+14.*-6\.\.\+13"):
        write_dat(study, tmp_path / "out.dat")
    assert not (tmp_path / "out.dat").exists()


def test_long_names_are_refused_in_strict_mode(tmp_path: Path) -> None:
    study = Study.from_matrix([[1, 0], [0, 1]], ["participant 1", "P2"])
    with pytest.raises(FormatError, match=r"\['participant 1'\].*1 to 8 characters"):
        write_dat(study, tmp_path / "out.dat", names="strict")


def test_long_names_are_cut_and_duplicates_numbered_as_kade_does() -> None:
    with pytest.warns(FormatWarning, match=r"not unique, so each name was numbered"):
        names = dat_names(["Participant A", "Participant B", "C"])
    assert names == ["1_Partic", "2_Partic", "3_C"]
    with pytest.warns(FormatWarning, match=r"'Long Name 9' -> 'Long_Nam'"):
        assert dat_names(["Long Name 9", "x"]) == ["Long_Nam", "x"]
    assert dat_names(["US1", "US2"]) == ["US1", "US2"]


def test_cut_names_still_give_a_file_that_reads_back(tmp_path: Path) -> None:
    study = Study.from_matrix([[1, 0], [0, 1], [-1, -1]], ["respondent 1", "respondent 2"])
    with pytest.warns(FormatWarning):
        write_dat(study, tmp_path / "out.dat")
    assert read_dat(tmp_path / "out.dat").sort_names == ("1_respon", "2_respon")


def test_long_title_is_cut_to_68_characters(tmp_path: Path) -> None:
    study = Study.from_matrix([[1, 0], [0, 1]], ["A", "B"], title="T" * 80)
    with pytest.warns(FormatWarning, match="68 characters"):
        write_dat(study, tmp_path / "out.dat")
    assert read_dat(tmp_path / "out.dat").title == "T" * 68


def test_text_outside_windows_1252_needs_another_encoding(tmp_path: Path) -> None:
    study = Study.from_matrix([[1, 0], [0, 1]], ["A", "B"], title="Ω study")
    with pytest.raises(FormatError, match=r"cp1252.*encoding='utf-8'"):
        write_dat(study, tmp_path / "out.dat")
    write_dat(study, tmp_path / "out.dat", encoding="utf-8")
    assert read_dat(tmp_path / "out.dat").title == "Ω study"


# --- malformed files -------------------------------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_dat(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_empty_file(tmp_path: Path) -> None:
    assert "empty; expected a PQMethod .DAT file" in _error(_write(tmp_path, b""))
    assert "empty" in _error(_write(tmp_path, b"\r\n\r\n", "blank.dat"))


def test_truncated_after_the_header(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, _lipset_lines()[0] + b"\r\n"))
    assert "ends after line 1" in message and "distribution line" in message


def test_truncated_sort_lines(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, _join(_lipset_lines()[:7])))
    assert "announces 9 Q-sorts but the file has 5 sort lines" in message


def test_last_line_cut_short(tmp_path: Path) -> None:
    data = LIPSET_DAT.read_bytes()[:-20]
    message = _error(_write(tmp_path, data))
    assert "line 11 (sort 'FR9'): expected 33 values of 2 characters" in message
    assert "found 58 characters" in message


def test_more_sort_lines_than_announced(tmp_path: Path) -> None:
    lines = _lipset_lines()
    message = _error(_write(tmp_path, _join([*lines[:-1], lines[2], b""])))
    assert "line 12: the header (line 1) announces 9 Q-sorts, found more" in message


def test_header_count_that_is_not_a_number(tmp_path: Path) -> None:
    lines = _lipset_lines()
    lines[0] = b"  0 x9 33" + lines[0][9:]
    message = _error(_write(tmp_path, _join(lines)))
    assert "line 1, columns 4-6: expected the number of Q-sorts (I3), found 'x9'" in message


def test_statement_count_that_does_not_match_the_lines(tmp_path: Path) -> None:
    lines = _lipset_lines()
    lines[0] = lines[0][:6] + b" 34" + lines[0][9:]
    message = _error(_write(tmp_path, _join(lines)))
    assert "line 3 (sort 'US1'): expected 34 values" in message


def test_distribution_line_too_short(tmp_path: Path) -> None:
    lines = _lipset_lines()
    lines[1] = lines[1][:30]
    message = _error(_write(tmp_path, _join(lines)))
    assert "line 2: expected the distribution line, 22 fields of 3 columns" in message


def test_distribution_outside_minus_6_to_13(tmp_path: Path) -> None:
    lines = _lipset_lines()
    lines[1] = b" -9" + lines[1][3:]
    assert "line 2: expected the lowest and highest column values within -6..+13" in _error(
        _write(tmp_path, _join(lines))
    )


def test_non_integer_value_is_named_by_line_and_columns(tmp_path: Path) -> None:
    lines = _lipset_lines()
    lines[3] = lines[3][:14] + b" x" + lines[3][16:]
    message = _error(_write(tmp_path, _join(lines)))
    assert "line 4, columns 15-16 (sort 'US2', statement 3)" in message
    assert "expected an integer sort value, found 'x'" in message


def test_missing_name(tmp_path: Path) -> None:
    lines = _lipset_lines()
    lines[2] = b" " * 10 + lines[2][10:]
    assert "line 3: expected a Q-sort name in columns 1-8" in _error(_write(tmp_path, _join(lines)))


def test_values_off_the_grid_name_the_sort(tmp_path: Path) -> None:
    lines = _lipset_lines()
    lines[4] = lines[4][:10] + b" 9" + lines[4][12:]  # US3, statement 1: 2 -> 9
    path = _write(tmp_path, _join(lines))
    with pytest.warns(FormatWarning), pytest.raises(StudyError) as info:
        read_dat(path)
    assert isinstance(info.value, SortMismatchError)
    assert re.search(r"(?s)study\.dat: .*sort 'US3': values \[9\] lie outside", str(info.value))


def test_values_off_an_explicit_forced_grid(tmp_path: Path) -> None:
    grid = Grid.from_range(-3, 3, [3, 4, 5, 9, 5, 4, 3])
    with pytest.raises(StudyError, match=r"(?s)lipset\.dat: .*sort 'US1'"):
        read_dat(LIPSET_DAT, grid=grid)


def test_bytes_that_are_neither_utf8_nor_windows_1252(tmp_path: Path) -> None:
    with pytest.warns(TextEncodingWarning, match=r"study\.dat: the file is not UTF-8"):
        message = _error(_write(tmp_path, TINY.replace(b"ALICE", b"AL\x81CE")))
    assert "line 3" in message


def test_binary_garbage(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4
    message = _error(_write(tmp_path, data))
    assert "expected a PQMethod .DAT file" in message


def test_statements_file_with_the_wrong_number_of_lines(tmp_path: Path) -> None:
    sta = _write(tmp_path, b"one\r\ntwo\r\n", "short.sta")
    with pytest.raises(FormatError, match=r"short\.sta: expected 33 statements.*found 2 lines"):
        read_dat(LIPSET_DAT, sta=sta)


def test_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="cannot read the file"):
        read_dat(tmp_path / "nope.dat")
