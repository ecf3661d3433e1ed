"""A study file without enough sorts to analyse (a design), and the designer's texts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qsort.cli import main
from qsort.errors import FormatError
from qsort.formats import read_study
from qsort.formats.studyfile import (
    TEXT_KEYS,
    StudyDocument,
    read_document,
    study_document,
    write_document,
)
from qsort.study import Grid, Statement, Study

GRID = Grid((-1, 0, 1), (1, 2, 1), True)
STATEMENTS = tuple(Statement(str(i), f"card {i}") for i in range(1, 5))
TEXTS = {
    "condition": "What helps you most?",
    "consent": "I agree to take part.",
    "instructions": "Sort the cards from least to most like you.",
    "thanks": "Thank you, you can close this page.",
    "disagree_label": "Least like me",
    "agree_label": "Most like me",
}


OPTIONS = {"read_aloud": False, "idle_minutes": 5, "tray_start": "neutral", "text_size": 2}


def _design(**changes: Any) -> StudyDocument:
    fields: dict[str, Any] = {
        "questions": ({"id": "age", "text": "Your age", "kind": "text"},),
        "participant": dict(OPTIONS),
        "texts": dict(TEXTS),
        "language": "de",
        "extremes_required": True,
    }
    fields.update(changes)
    return StudyDocument("Helping", STATEMENTS, GRID, **fields)


def _save(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "design.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_design_without_sorts_round_trips_every_field(tmp_path: Path) -> None:
    path = tmp_path / "design.json"
    write_document(_design(), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["sorts"] == {} and data["version"] == 1
    back = read_document(path)
    assert (back.title, back.statements, back.grid) == ("Helping", STATEMENTS, GRID)
    assert back.sort_names == () and back.sorts.shape == (4, 0)
    assert back.texts == TEXTS and back.language == "de" and back.extremes_required
    assert back.participant == OPTIONS
    assert list(back.questions) == [{"id": "age", "text": "Your age", "kind": "text"}]


def test_a_design_cannot_be_analysed_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "design.json"
    write_document(_design(), path)
    with pytest.raises(FormatError, match=r"a design with 0 sort\(s\); at least two sorts"):
        read_study(path)
    assert main(["analyze", str(path)]) != 0
    assert "design with 0 sort(s)" in capsys.readouterr().err


def test_a_design_with_one_sort_keeps_it_and_checks_it_against_the_grid(tmp_path: Path) -> None:
    doc = study_document(_lipset_like())
    doc["sorts"] = {"first": [0, -1, 1, 0]}
    back = read_document(_save(tmp_path, doc))
    assert back.sort_names == ("first",)
    np.testing.assert_array_equal(back.sorts[:, 0], [0, -1, 1, 0])
    with pytest.raises(FormatError, match=r"design with 1 sort\(s\)"):
        _ = back.study
    doc["sorts"] = {"first": [1, 1, 1, 0]}
    with pytest.raises(FormatError, match=r'"sorts"\["first"\]: does not fit the grid'):
        read_document(_save(tmp_path, doc))


def test_a_design_must_state_its_grid_and_may_be_unfinished(tmp_path: Path) -> None:
    doc = study_document(_lipset_like())
    doc["sorts"] = {}
    del doc["grid"]
    with pytest.raises(FormatError, match=r'"grid": expected the grid, found none'):
        read_document(_save(tmp_path, doc))
    doc["grid"] = {"values": [-1, 0, 1], "capacities": [1, 1, 1], "forced": True}
    assert read_document(_save(tmp_path, doc)).grid == Grid((-1, 0, 1), (1, 1, 1), True)
    doc["sorts"] = {"first": [0, -1, 1, 0]}
    with pytest.raises(FormatError, match=r"does not fit the grid .* it has 4 values"):
        read_document(_save(tmp_path, doc))


def test_texts_are_optional_checked_and_left_out_when_empty(tmp_path: Path) -> None:
    plain = study_document(_lipset_like())
    assert not {"texts", "language", "extremes_required"} & set(plain)
    back = read_document(_save(tmp_path, plain))
    assert back.texts == dict.fromkeys(TEXT_KEYS, "") and back.language == "en"
    assert not back.extremes_required
    for key, value, message in [
        ("texts", {"consent": 3}, r'"texts"\.consent: expected a string, found 3'),
        ("texts", {"welcome": "hi"}, r"expected only condition, .* found \['welcome'\]"),
        ("extremes_required", "yes", r'"extremes_required": expected true or false'),
        ("language", None, r'"language": expected a string'),
    ]:
        with pytest.raises(FormatError, match=message):
            read_document(_save(tmp_path, {**plain, key: value}))


def test_an_analysable_file_reads_as_before(tmp_path: Path) -> None:
    study = _lipset_like()
    path = _save(tmp_path, study_document(study))
    assert read_study(path) == study
    assert read_document(path).study == study


def _lipset_like() -> Study:
    sorts = np.array([[0, -1, 1, 0], [1, 0, 0, -1], [-1, 0, 0, 1]]).T
    return Study.from_matrix(sorts, ["a", "b", "c"], STATEMENTS, grid=GRID, title="Helping")
