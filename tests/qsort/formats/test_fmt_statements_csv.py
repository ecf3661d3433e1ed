"""Statements from a CSV table: header or none, an id column or none, any encoding, and errors
that name the file, the line and the column."""

from __future__ import annotations

import tempfile
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qsort.errors import FormatError, OptionError, QsortError
from qsort.formats._common import TextEncodingWarning
from qsort.formats.statements_csv import read_statements_csv
from qsort.study import Statement


def _csv(tmp_path: Path, content: str | bytes, name: str = "cards.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_a_header_names_the_text_and_id_columns_in_any_order(tmp_path: Path) -> None:
    path = _csv(tmp_path, 'Theme;Statement;No.\nwork;"A job, any job";2\nhome;A home;1\n')
    assert read_statements_csv(path) == [Statement("2", "A job, any job"), Statement("1", "A home")]


def test_one_column_without_header_is_the_text_even_with_commas(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Friends, family and neighbours help\r\n\r\nHope matters\r\n")
    assert read_statements_csv(path) == [
        Statement("1", "Friends, family and neighbours help"),
        Statement("2", "Hope matters"),
    ]


def test_two_columns_without_header_take_the_numbers_as_ids(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Hope matters\t3\nSleep is hard\t1\n")
    assert read_statements_csv(path) == [
        Statement("3", "Hope matters"),
        Statement("1", "Sleep is hard"),
    ]


def test_a_quoted_text_with_a_line_break_becomes_one_line(tmp_path: Path) -> None:
    path = _csv(tmp_path, 'id,text\n1,"Work\ngives a reason"\n2,"Say ""no"""\n')
    assert read_statements_csv(path) == [
        Statement("1", "Work gives a reason"),
        Statement("2", 'Say "no"'),
    ]


@pytest.mark.parametrize(
    ("encoding", "name"), [("cp1252", "cp1252"), ("cp932", "cp932"), ("utf-16", "UTF-16")]
)
def test_legacy_encodings_are_detected_and_named(tmp_path: Path, encoding: str, name: str) -> None:
    texts = {
        "cp1252": ["Café et thé", "Naïve hope", "Señora Müller's garden"],
        "cp932": ["家族が支えてくれる", "仕事が大切だ", "毎日の習慣が役に立つ"],
        "utf-16": ["Ünïcödé", "Ελπίδα", "Надежда"],
    }[encoding]
    content = "number,text\n" + "".join(f"{i},{t}\n" for i, t in enumerate(texts, 1))
    path = _csv(tmp_path, content.encode(encoding))
    with pytest.warns(TextEncodingWarning, match=f"read as {name}"):
        got = read_statements_csv(path)
    assert [s.text for s in got] == texts


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "id,text\n1,Hope\n1,Work\n",
            "line 3, column 1: the statement id '1' is already used on line 2",
        ),
        (
            "id,text\n1,Hope\n2,\n",
            "line 3, column 2: expected the statement's text, found an empty cell",
        ),
        (
            "id,text\n1,Hope\n2\n",
            "line 3, column 2: expected the statement's text, found a row of 1",
        ),
        ("number,theme,mood\n1,a,b\n", "line 1: the header names no text column"),
        ("text\n", "has a header row (line 1) but no statements"),
        ("\n\n", "the file is empty; expected a CSV table of statements"),
        ('text\n"Hope\x00\n', "line 2: found a binary control character"),
    ],
)
def test_bad_files_name_the_file_line_and_column(
    tmp_path: Path, content: str, message: str
) -> None:
    path = _csv(tmp_path, content)
    with pytest.raises(FormatError) as caught:
        read_statements_csv(path)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_a_given_delimiter_must_be_one_qsort_reads(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match=r"delimiter: expected one of , ; TAB \|"):
        read_statements_csv(_csv(tmp_path, "text\nHope\n"), delimiter=":")


SEED = b'id;text\n1;"Hope, and friends"\n2;Work gives a reason\n3;Sleep is hard\n'


@settings(max_examples=80, deadline=timedelta(seconds=20), derandomize=True)
@given(
    cut=st.integers(0, len(SEED)),
    flips=st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.integers(0, 255)), max_size=4),
    insert=st.sampled_from([b"", b'"', b"\x00", b"\r", b";;;", b"\xff\xfe", b"x" * 200_000]),
)
def test_mutated_files_give_statements_or_a_format_error(
    cut: int, flips: list[tuple[int, int]], insert: bytes
) -> None:
    data = bytearray(SEED[:cut] + insert + SEED[cut:])
    for at, byte in flips:
        data[at % len(data)] = byte
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(bytes(data))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                statements = read_statements_csv(path)
            except QsortError:
                return
    assert statements and all(s.text.strip() and s.id for s in statements)
