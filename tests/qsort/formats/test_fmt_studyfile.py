"""qsort's own study file: everything kept, the schema checked, every bad field named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qsort.errors import FormatError, StudyError
from qsort.formats.studyfile import (
    check_questions,
    read_document,
    read_study_file,
    study_document,
    write_study_file,
)
from qsort.study import Grid, Study

QUESTIONS: list[dict[str, Any]] = [
    {"id": "age", "text": "How old are you?", "kind": "number"},
    {"id": "role", "text": "Your role", "kind": "choice", "options": ["client", "worker"]},
]


def _doc(study: Study, **changes: Any) -> dict[str, Any]:
    doc = study_document(study)
    doc.update(changes)
    return doc


def _save(tmp_path: Path, doc: object, name: str = "study.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_round_trip_keeps_everything(tmp_path: Path, lipset_texts: Study) -> None:
    path = tmp_path / "lipset.json"
    assert write_study_file(lipset_texts, path, questions=QUESTIONS) == [path]
    doc = read_document(path)
    assert doc.study == lipset_texts
    assert list(doc.questions) == QUESTIONS
    write_study_file(doc.study, tmp_path / "again.json", questions=doc.questions)
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_file_is_plain_json_with_the_documented_keys(tmp_path: Path, lipset: Study) -> None:
    write_study_file(lipset, tmp_path / "s.json")
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert list(data) == [
        "format",
        "version",
        "title",
        "statements",
        "grid",
        "questions",
        "sorts",
    ]
    assert (data["format"], data["version"]) == ("qsort-study", 1)
    assert data["grid"] == {
        "values": [-4, -3, -2, -1, 0, 1, 2, 3, 4],
        "capacities": [2, 3, 4, 5, 5, 5, 4, 3, 2],
        "forced": True,
    }
    assert list(data["sorts"]) == list(lipset.sort_names)
    assert data["sorts"]["US1"] == lipset.sorts[:, 0].tolist()


def test_free_grid_is_kept(tmp_path: Path) -> None:
    grid = Grid((-1, 0, 1), (1, 1, 1), forced=False)
    study = Study.from_matrix([[-1, 1], [0, 1], [1, 0]], ["A", "B"], grid=grid, title="free")
    write_study_file(study, tmp_path / "f.json")
    assert read_study_file(tmp_path / "f.json") == study


def test_grid_may_be_left_out(tmp_path: Path, lipset: Study) -> None:
    doc = _doc(lipset)
    del doc["grid"], doc["questions"]
    assert read_study_file(_save(tmp_path, doc)) == lipset


# --- malformed files -------------------------------------------------------------------------


def _error(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_study_file(path)
    assert str(path) in str(info.value)
    return str(info.value)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.json").write_text("", encoding="utf-8")
    assert "empty; expected a qsort study file" in _error(tmp_path / "e.json")


def test_truncated_file(tmp_path: Path, lipset: Study) -> None:
    write_study_file(lipset, tmp_path / "t.json")
    text = (tmp_path / "t.json").read_text(encoding="utf-8")
    (tmp_path / "t.json").write_text(text[: len(text) // 2], encoding="utf-8")
    assert "not valid JSON" in _error(tmp_path / "t.json")


def test_not_a_study_file(tmp_path: Path) -> None:
    assert 'found no "format": "qsort-study"' in _error(_save(tmp_path, {"p1": {"sort": "1"}}))


def test_newer_version(tmp_path: Path, lipset: Study) -> None:
    message = _error(_save(tmp_path, _doc(lipset, version=3)))
    assert '"version": expected 1 or 2, found 3 (a newer qsort' in message


def test_sort_with_the_wrong_count(tmp_path: Path, lipset: Study) -> None:
    doc = _doc(lipset)
    doc["sorts"]["US2"] = doc["sorts"]["US2"][:-1]
    assert '"sorts"["US2"]: expected 33 values (one per statement), found 32' in _error(
        _save(tmp_path, doc)
    )


def test_non_integer_value(tmp_path: Path, lipset: Study) -> None:
    doc = _doc(lipset)
    doc["sorts"]["US2"][4] = "2"
    assert '"sorts"["US2"][4]: expected an integer, found "2"' in _error(_save(tmp_path, doc))


def test_statement_without_id(tmp_path: Path, lipset: Study) -> None:
    doc = _doc(lipset)
    doc["statements"][3] = {"text": "x"}
    assert '"statements"[3].id: expected a string, found null' in _error(_save(tmp_path, doc))


def test_bad_grid(tmp_path: Path, lipset: Study) -> None:
    doc = _doc(lipset, grid={"values": [1, 0], "capacities": [1, 1]})
    assert '"grid": grid: column values must be distinct and ascending' in _error(
        _save(tmp_path, doc)
    )


def test_bad_questions(tmp_path: Path, lipset: Study) -> None:
    doc = _doc(lipset, questions=[{"id": "a", "text": "?"}])
    assert '"questions"[0].kind: expected a non-empty string, found null' in _error(
        _save(tmp_path, doc)
    )
    doc = _doc(lipset, questions=[QUESTIONS[0], QUESTIONS[0]])
    assert "unique question ids, 'age' repeats" in _error(_save(tmp_path, doc, "q.json"))


def test_check_questions_refuses_a_non_list() -> None:
    with pytest.raises(FormatError, match="expected a list"):
        check_questions({"id": "a"})


def test_values_off_the_grid(tmp_path: Path, lipset: Study) -> None:
    doc = _doc(lipset)
    doc["sorts"]["JP5"][0] = 6
    with pytest.raises(StudyError, match=r"(?s)study\.json: .*sort 'JP5'"):
        read_study_file(_save(tmp_path, doc))


def test_not_utf8(tmp_path: Path, lipset: Study) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(json.dumps(_doc(lipset, title="Zoë"), ensure_ascii=False).encode("cp1252"))
    assert "is not UTF-8 text" in _error(path)


def test_sorts_kept_in_file_order(tmp_path: Path, lipset: Study) -> None:
    doc = _doc(lipset)
    doc["sorts"] = dict(reversed(list(doc["sorts"].items())))
    study = read_study_file(_save(tmp_path, doc))
    assert study.sort_names == tuple(reversed(lipset.sort_names))
    np.testing.assert_array_equal(study.sorts, lipset.sorts[:, ::-1])
