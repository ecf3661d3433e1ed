"""EQ Web Sort / easy-htmlq JSON and HtmlQ CSV: reading real shapes, round trips, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from qsort.errors import FormatError, StudyError
from qsort.formats import TextEncodingWarning
from qsort.formats.htmlq import (
    read_easyhtmlq,
    read_easyhtmlq_extra,
    read_htmlq_csv,
    read_htmlq_csv_extra,
    write_easyhtmlq,
    write_htmlq_csv,
)
from qsort.study import Grid, Study

EASY = {
    "p1": {"sort": "-1|0|1", "age": "34", "comment": "fine"},
    "p2": {"sort": "1|-1|0", "age": "51", "comment": ""},
}
HTMLQ = (
    "sid;uid;datetime;s1;s2;s3;dur0;comment\n"
    "7;anna;2024-01-02 10:00:00;-1;0;1;30;nice\n"
    '8;ben;2024-01-02 11:00:00;1;-1;0;41;"a; b"\n'
)


def _json(tmp_path: Path, data: object, name: str = "sorts.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _text(tmp_path: Path, text: str | bytes, name: str = "htmlq.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_easyhtmlq_reads_sorts_in_statement_order(tmp_path: Path) -> None:
    study = read_easyhtmlq(_json(tmp_path, EASY))
    assert study.sort_names == ("p1", "p2")
    assert study.statement_ids == ("1", "2", "3")
    assert study.sorts.T.tolist() == [[-1, 0, 1], [1, -1, 0]]
    assert read_easyhtmlq_extra(_json(tmp_path, EASY))["p1"] == {"age": "34", "comment": "fine"}


def test_easyhtmlq_name_field_and_list_sorts(tmp_path: Path) -> None:
    data = {"x": {"sort": [-1, 0, 1], "nick": "Ann"}, "y": {"sort": ["1", "0", "-1"], "nick": "Bo"}}
    study = read_easyhtmlq(_json(tmp_path, data), name_field="nick")
    assert study.sort_names == ("Ann", "Bo")


def test_easyhtmlq_round_trip_with_extra_fields(tmp_path: Path, lipset: Study) -> None:
    path = tmp_path / "lipset.json"
    write_easyhtmlq(lipset, path, extra={"US1": {"age": 40}})
    first = read_easyhtmlq(path)
    np.testing.assert_array_equal(first.sorts, lipset.sorts)
    assert read_easyhtmlq_extra(path)["US1"] == {"age": 40}
    write_easyhtmlq(first, tmp_path / "again.json")
    assert read_easyhtmlq(tmp_path / "again.json") == first


def test_htmlq_csv_reads_statement_columns_and_names_by_uid(tmp_path: Path) -> None:
    study = read_htmlq_csv(_text(tmp_path, HTMLQ))
    assert study.sort_names == ("anna", "ben")
    assert study.statement_ids == ("1", "2", "3")
    assert study.sorts.T.tolist() == [[-1, 0, 1], [1, -1, 0]]
    extra = read_htmlq_csv_extra(_text(tmp_path, HTMLQ))
    assert extra["ben"]["comment"] == "a; b" and extra["anna"]["sid"] == "7"


def test_htmlq_csv_names_by_sid_when_uid_is_empty(tmp_path: Path) -> None:
    text = HTMLQ.replace(";anna;", ";;").replace(";ben;", ";;")
    assert read_htmlq_csv(_text(tmp_path, text)).sort_names == ("7", "8")


def test_htmlq_csv_round_trip(tmp_path: Path, lipset: Study) -> None:
    write_htmlq_csv(lipset, tmp_path / "l.csv")
    assert (tmp_path / "l.csv").read_text(encoding="utf-8").startswith("sid;uid;ssta_1;ssta_2;")
    first = read_htmlq_csv(tmp_path / "l.csv")
    assert first == Study(lipset.statements, lipset.sort_names, lipset.sorts, lipset.grid)
    write_htmlq_csv(first, tmp_path / "again.csv")
    assert read_htmlq_csv(tmp_path / "again.csv") == first


# --- malformed JSON --------------------------------------------------------------------------


def _json_error(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_easyhtmlq(path)
    assert str(path) in str(info.value)
    return str(info.value)


def test_json_empty_file(tmp_path: Path) -> None:
    assert "empty; expected a JSON object keyed by participant" in _json_error(
        _text(tmp_path, "", "e.json")
    )


def test_json_truncated(tmp_path: Path) -> None:
    text = json.dumps(EASY, indent=1)[:-10]
    message = _json_error(_text(tmp_path, text, "t.json"))
    assert re.search(r"t\.json, line \d+, column \d+: not valid JSON", message)


def test_json_not_an_object(tmp_path: Path) -> None:
    assert "found a JSON str" in _json_error(_json(tmp_path, "sorts"))
    assert "found an empty list" in _json_error(_json(tmp_path, []))
    message = _json_error(_json(tmp_path, [1, 2]))
    assert "participant '#1': expected an object with a \"sort\" field, found 1" in message


def test_json_participant_without_sort(tmp_path: Path) -> None:
    message = _json_error(_json(tmp_path, {"p1": {"sorted": "1|2"}}))
    assert "participant 'p1': expected an object with a \"sort\" field" in message


def test_json_wrong_count(tmp_path: Path) -> None:
    data = {"p1": {"sort": "-1|0|1"}, "p2": {"sort": "1|-1"}}
    message = _json_error(_json(tmp_path, data))
    assert "participant 'p2', field \"sort\": expected 3 values separated by '|'" in message
    assert "found 2" in message


def test_json_non_integer_value(tmp_path: Path) -> None:
    data = {"p1": {"sort": "-1|0|1"}, "p2": {"sort": "1|a|0"}}
    message = _json_error(_json(tmp_path, data))
    assert "participant 'p2', field \"sort\", value 2: expected an integer sort value" in message


def test_json_duplicate_participant(tmp_path: Path) -> None:
    text = '{"p1": {"sort": "1|0"}, "p1": {"sort": "0|1"}}'
    assert "'p1' appears twice" in _json_error(_text(tmp_path, text, "d.json"))


def test_json_not_utf8(tmp_path: Path) -> None:
    data = json.dumps({"Zoë": {"sort": "1|0"}}, ensure_ascii=False).encode("cp1252")
    assert "is not UTF-8 text" in _json_error(_text(tmp_path, data, "c.json"))


def test_json_binary_garbage(tmp_path: Path) -> None:
    assert "not a text file" in _json_error(_text(tmp_path, b"\x00\x01\x02{", "b.json"))


def test_json_values_off_the_grid(tmp_path: Path) -> None:
    data = {"p1": {"sort": "-1|0|1"}, "p2": {"sort": "1|-1|3"}}
    with pytest.raises(StudyError, match=r"(?s)sort 'p2': values \[3\]"):
        read_easyhtmlq(_json(tmp_path, data), grid=Grid((-1, 0, 1), (1, 1, 1)))


# --- malformed HtmlQ CSV ---------------------------------------------------------------------


def _csv_error(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_htmlq_csv(path)
    assert str(path) in str(info.value)
    return str(info.value)


def test_htmlq_empty(tmp_path: Path) -> None:
    assert "empty" in _csv_error(_text(tmp_path, ""))


def test_htmlq_no_statement_columns(tmp_path: Path) -> None:
    assert "expected statement columns named s1, s2" in _csv_error(
        _text(tmp_path, "sid;uid;x\n1;a;2\n")
    )


def test_htmlq_truncated_row(tmp_path: Path) -> None:
    message = _csv_error(_text(tmp_path, HTMLQ[:-30]))
    assert "line 3: expected 8 cells separated by ';'" in message


def test_htmlq_non_integer(tmp_path: Path) -> None:
    message = _csv_error(_text(tmp_path, HTMLQ.replace(";-1;0;1;", ";-1;?;1;")))
    assert "line 2, column 5 's2' (sort 'anna'): expected an integer sort value" in message


def test_htmlq_header_only(tmp_path: Path) -> None:
    assert "no rows below it" in _csv_error(_text(tmp_path, HTMLQ.splitlines()[0] + "\n"))


def test_htmlq_undecodable(tmp_path: Path) -> None:
    data = HTMLQ.encode("utf-8").replace(b"anna", b"an\x81a")
    with pytest.warns(TextEncodingWarning, match=r"htmlq\.csv: the file is not UTF-8"):
        read_htmlq_csv(_text(tmp_path, data))
