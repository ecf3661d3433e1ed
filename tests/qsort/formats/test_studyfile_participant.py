"""The study file's participant options (read-aloud, idle limit, the tray's first pile)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qsort.errors import FormatError
from qsort.formats.studyfile import (
    PARTICIPANT_OPTIONS,
    read_document,
    study_document,
    write_study_file,
)
from qsort.study import Study


def test_options_round_trip(tmp_path: Path, lipset: Study) -> None:
    options = {"read_aloud": False, "idle_minutes": 25, "tray_start": "disagree", "text_size": 3}
    path = tmp_path / "s.json"
    write_study_file(lipset, path, participant=options)
    assert json.loads(path.read_text(encoding="utf-8"))["participant"] == options
    assert read_document(path).participant == options


def test_left_out_options_take_the_app_defaults(tmp_path: Path, lipset: Study) -> None:
    path = tmp_path / "s.json"
    write_study_file(lipset, path)
    assert "participant" not in json.loads(path.read_text(encoding="utf-8"))
    assert read_document(path).participant == {
        "read_aloud": True,
        "idle_minutes": 10,
        "tray_start": "agree",
        "text_size": 1,
    }
    assert PARTICIPANT_OPTIONS["idle_minutes"] == 10
    partial = study_document(lipset)
    partial["participant"] = {"idle_minutes": 3}
    path.write_text(json.dumps(partial), encoding="utf-8")
    assert read_document(path).participant == {**PARTICIPANT_OPTIONS, "idle_minutes": 3}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"read_aloud": "yes"}, '"participant".read_aloud: expected true or false, found "yes"'),
        ({"idle_minutes": 0}, '"participant".idle_minutes: expected 1 to 1440 minutes, found 0'),
        ({"idle_minutes": 2.5}, '"participant".idle_minutes: expected an integer, found 2.5'),
        ({"tray_start": "middle"}, "tray_start: expected one of agree, neutral, disagree"),
        ({"text_size": 5}, '"participant".text_size: expected a card text size from 1'),
        ({"text_size": "big"}, '"participant".text_size: expected an integer, found "big"'),
        ({"colour": "red"}, "expected only read_aloud, idle_minutes, tray_start, text_size"),
        ([1], '"participant": expected an object'),
    ],
)
def test_bad_options_are_named(tmp_path: Path, lipset: Study, bad: Any, message: str) -> None:
    doc = study_document(lipset)
    doc["participant"] = bad
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(FormatError, match=message.replace("(", r"\(").replace(".", r"\.")):
        read_document(path)
