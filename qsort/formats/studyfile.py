"""qsort's own study file: one versioned JSON document (schema in ``docs/study-file.md``).

::

    {
      "format": "qsort-study",
      "version": 1,
      "title": "Lipset",
      "statements": [{"id": "1", "text": "We accept improvements ..."}, ...],
      "grid": {"values": [-4, ..., 4], "capacities": [2, 3, ...], "forced": true},
      "questions": [{"id": "age", "text": "How old are you?", "kind": "number"}],
      "sorts": {"US1": [-1, 0, -2, ...], ...}
    }

Unlike the foreign formats it keeps everything a study is made of: statement ids and texts, the
grid (forced or free), the title, the post-sort questions, the participant options of the web
app (``"participant": {"read_aloud", "idle_minutes", "tray_start"}``), the statements' pictures
(:mod:`qsort.formats.study_pictures`; such a file is version 2), and the sorts in order.
Questions are a list of objects checked for shape (``id``, ``text`` and ``kind`` strings, ids
unique; the fields of the web app's kinds: ``options`` of a ``choice`` or ``multiple`` a list of
strings, a ``scale``'s ``low`` below its ``high``, both integers, its end labels strings;
``required`` a boolean); other keys are kept as they are, so the web app can add fields without
a new version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qsort.errors import FormatError, StudyError
from qsort.formats._common import PathArg, as_matrix, build_study, preview, sorts_grid
from qsort.formats.htmlq import load_json
from qsort.formats.study_pictures import (
    PICTURES_VERSION,
    Picture,
    checked_pictures,
    picture_json,
    read_pictures,
)
from qsort.study import Grid, Statement, Study

FORMAT_NAME = "qsort-study"
VERSION = 1
Question = dict[str, Any]
#: The participant options a study file may set, with the web app's defaults (left out: these).
PARTICIPANT_OPTIONS: dict[str, Any] = {
    "read_aloud": True,
    "idle_minutes": 10,
    "tray_start": "agree",
}
TRAY_PILES = ("agree", "neutral", "disagree")
_EXPECTED = f'a qsort study file (a JSON object with "format": "{FORMAT_NAME}")'


@dataclass(frozen=True)
class StudyDocument:
    """Everything a study file holds: the study, its post-sort questions, the participant
    options and the statements' pictures (by statement id)."""

    study: Study
    questions: tuple[Question, ...] = field(default=())
    participant: dict[str, Any] = field(default_factory=lambda: dict(PARTICIPANT_OPTIONS))
    pictures: dict[str, Picture] = field(default_factory=dict)


def is_study_file(data: object) -> bool:
    """True when parsed JSON declares itself a qsort study file."""
    return isinstance(data, dict) and data.get("format") == FORMAT_NAME


def read_study_file(path: PathArg, *, grid: Grid | None = None) -> Study:
    """Read a qsort study file's study (questions are left out; see :func:`read_document`)."""
    return read_document(path, grid=grid).study


def read_document(path: PathArg, *, grid: Grid | None = None) -> StudyDocument:
    """Read a qsort study file: the study, the post-sort questions, the participant options and
    the statements' pictures (version 1 or 2)."""
    data = load_json(path, _EXPECTED)
    if not is_study_file(data):
        raise FormatError(f'{path}: expected {_EXPECTED}, found no "format": "{FORMAT_NAME}"')
    version = data.get("version")
    if version not in (VERSION, PICTURES_VERSION) or isinstance(version, bool):
        raise FormatError(
            f'{path}, "version": expected {VERSION} or {PICTURES_VERSION}, found {version!r} '
            "(a newer qsort may have written this file)"
        )
    statements = _statements(data.get("statements"), path)
    pictures = read_pictures(data["statements"], path)
    names, columns = _sorts(data.get("sorts"), len(statements), path)
    matrix = as_matrix(columns, len(statements))
    if grid is None:
        grid = _grid(data["grid"], path) if "grid" in data else sorts_grid(matrix, names, path)
    title = _string(data.get("title", ""), f'{path}, "title"')
    study = build_study(path, statements, names, matrix, grid, title)
    questions = tuple(check_questions(data.get("questions", []), path))
    participant = check_participant_options(data.get("participant"), path)
    return StudyDocument(study, questions, participant, pictures)


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise FormatError(f"{where}: expected a string, found {preview(value)}")
    return value


def _integer(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(f"{where}: expected an integer, found {preview(value)}")
    return value


def _list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise FormatError(f"{where}: expected a list, found {preview(value)}")
    return value


def _statements(raw: object, path: PathArg) -> list[Statement]:
    items = _list(raw, f'{path}, "statements"')
    out: list[Statement] = []
    for i, item in enumerate(items):
        where = f'{path}, "statements"[{i}]'
        if not isinstance(item, dict):
            raise FormatError(f'{where}: expected an object {{"id": ..., "text": ...}}')
        out.append(
            Statement(
                _string(item.get("id"), f"{where}.id"),
                _string(item.get("text", ""), f"{where}.text"),
            )
        )
    if not out:
        raise FormatError(f'{path}, "statements": expected at least one statement, found none')
    return out


def _sorts(raw: object, n_stat: int, path: PathArg) -> tuple[list[str], list[list[int]]]:
    if not isinstance(raw, dict):
        raise FormatError(
            f'{path}, "sorts": expected an object of sort name -> list of values, '
            f"found {json.dumps(raw)[:60]}"
        )
    names: list[str] = []
    columns: list[list[int]] = []
    for name, values in raw.items():
        where = f'{path}, "sorts"[{json.dumps(name)}]'
        items = _list(values, where)
        if len(items) != n_stat:
            raise FormatError(
                f"{where}: expected {n_stat} values (one per statement), found {len(items)}"
            )
        names.append(name)
        columns.append([_integer(v, f"{where}[{i}]") for i, v in enumerate(items)])
    return names, columns


def _grid(raw: object, path: PathArg) -> Grid:
    where = f'{path}, "grid"'
    if not isinstance(raw, dict):
        raise FormatError(f"{where}: expected an object with values, capacities and forced")
    values = [
        _integer(v, f"{where}.values[{i}]")
        for i, v in enumerate(_list(raw.get("values"), f"{where}.values"))
    ]
    caps = [
        _integer(v, f"{where}.capacities[{i}]")
        for i, v in enumerate(_list(raw.get("capacities"), f"{where}.capacities"))
    ]
    forced = raw.get("forced", True)
    if not isinstance(forced, bool):
        raise FormatError(f"{where}.forced: expected true or false, found {json.dumps(forced)}")
    try:
        return Grid(tuple(values), tuple(caps), forced)
    except StudyError as exc:
        raise FormatError(f"{where}: {exc}") from None


def check_questions(raw: object, path: PathArg = "questions") -> list[Question]:
    """Check post-sort questions for shape: a list of objects with string ``id`` (unique),
    ``text`` and ``kind``; other keys are kept."""
    items = _list(raw, f'{path}, "questions"')
    seen: set[str] = set()
    out: list[Question] = []
    for i, item in enumerate(items):
        where = f'{path}, "questions"[{i}]'
        if not isinstance(item, dict):
            raise FormatError(f'{where}: expected an object {{"id", "text", "kind"}}')
        for key in ("id", "text", "kind"):
            value = item.get(key)
            if not isinstance(value, str) or (key != "text" and not value):
                raise FormatError(
                    f"{where}.{key}: expected a {'string' if key == 'text' else 'non-empty string'}"
                    f", found {preview(value)}"
                )
        if item["id"] in seen:
            raise FormatError(f"{where}.id: expected unique question ids, {item['id']!r} repeats")
        seen.add(item["id"])
        _check_question_fields(item, where)
        out.append(dict(item))
    return out


def _check_question_fields(item: dict[str, Any], where: str) -> None:
    """The fields the web app's question kinds read: options, a scale's ends, required."""
    if "required" in item and not isinstance(item["required"], bool):
        raise FormatError(
            f"{where}.required: expected true or false, found {preview(item['required'])}"
        )
    if item["kind"] in ("choice", "multiple") and "options" in item:
        options = _list(item["options"], f"{where}.options")
        for j, option in enumerate(options):
            if not isinstance(option, str):
                raise FormatError(
                    f"{where}.options[{j}]: expected a string, found {preview(option)}"
                )
    if item["kind"] != "scale":
        return
    low = _integer(item.get("low"), f"{where}.low")
    high = _integer(item.get("high"), f"{where}.high")
    if low >= high:
        raise FormatError(f"{where}: expected low below high, found low {low} and high {high}")
    for end in ("low_label", "high_label"):
        if not isinstance(item.get(end, ""), str):
            raise FormatError(f"{where}.{end}: expected a string, found {preview(item[end])}")


def check_participant_options(raw: object, path: PathArg = "participant") -> dict[str, Any]:
    """Check the participant options (``read_aloud`` true or false, ``idle_minutes`` a whole
    number of minutes from 1 to 1440, ``tray_start`` one of agree, neutral, disagree); the
    ones left out take the web app's defaults."""
    where = f'{path}, "participant"'
    if raw is None:
        return dict(PARTICIPANT_OPTIONS)
    if not isinstance(raw, dict):
        raise FormatError(f"{where}: expected an object, found {json.dumps(raw)[:60]}")
    unknown = sorted(set(raw) - set(PARTICIPANT_OPTIONS))
    if unknown:
        raise FormatError(
            f"{where}: expected only {', '.join(PARTICIPANT_OPTIONS)}, found {unknown}"
        )
    options = {**PARTICIPANT_OPTIONS, **raw}
    if not isinstance(options["read_aloud"], bool):
        raise FormatError(
            f"{where}.read_aloud: expected true or false, found {json.dumps(options['read_aloud'])}"
        )
    minutes = _integer(options["idle_minutes"], f"{where}.idle_minutes")
    if not 1 <= minutes <= 1440:
        raise FormatError(f"{where}.idle_minutes: expected 1 to 1440 minutes, found {minutes}")
    if options["tray_start"] not in TRAY_PILES:
        raise FormatError(
            f"{where}.tray_start: expected one of {', '.join(TRAY_PILES)}, "
            f"found {json.dumps(options['tray_start'])}"
        )
    return options


def study_document(
    study: Study,
    questions: Sequence[Mapping[str, Any]] = (),
    participant: Mapping[str, Any] | None = None,
    pictures: Mapping[str, Picture] | None = None,
) -> dict[str, Any]:
    """The JSON object a study file holds (``participant`` options only when given; with
    ``pictures``, by statement id, the file is version 2)."""
    grid = study.grid
    drawn = checked_pictures(pictures or {}, [s.id for s in study.statements])
    extra = (
        {} if participant is None else {"participant": check_participant_options(dict(participant))}
    )
    return {
        "format": FORMAT_NAME,
        "version": PICTURES_VERSION if drawn else VERSION,
        "title": study.title,
        "statements": [_statement_json(s, drawn.get(s.id)) for s in study.statements],
        "grid": {
            "values": list(grid.values),
            "capacities": list(grid.capacities),
            "forced": grid.forced,
        },
        "questions": check_questions([dict(q) for q in questions]),
        **extra,
        "sorts": {
            name: [int(v) for v in column]
            for name, column in zip(study.sort_names, study.sorts.T, strict=True)
        },
    }


def _statement_json(statement: Statement, picture: Picture | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": statement.id, "text": statement.text}
    return out if picture is None else {**out, "picture": picture_json(picture)}


def write_study_file(
    study: Study,
    path: PathArg,
    *,
    questions: Sequence[Mapping[str, Any]] = (),
    participant: Mapping[str, Any] | None = None,
    pictures: Mapping[str, Picture] | None = None,
) -> list[Path]:
    """Write a qsort study file (UTF-8; one statement, question or sort a line, so that a diff
    of two versions stays readable; ``pictures`` by statement id). Returns the file written."""
    target = Path(path)
    doc = study_document(study, questions, participant, pictures)
    target.write_text(dump_document(doc), encoding="utf-8")
    return [target]


def dump_document(doc: Mapping[str, Any]) -> str:
    """JSON text with each top-level entry on its own line and each list or object item too."""
    parts = [f"  {_dump(key)}: {_dump_block(value)}" for key, value in doc.items()]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _dump(value: object) -> str:
    """JSON text with non-ASCII as it is, but DEL escaped: readers take a raw one for binary."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _dump_block(value: object) -> str:
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(f"    {_dump(item)}" for item in value) + "\n  ]"
    if isinstance(value, dict) and value and all(isinstance(v, list) for v in value.values()):
        items = [f"    {_dump(k)}: {_dump(v)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n  }"
    return _dump(value)


__all__ = [
    "FORMAT_NAME",
    "PARTICIPANT_OPTIONS",
    "VERSION",
    "Question",
    "StudyDocument",
    "check_participant_options",
    "check_questions",
    "dump_document",
    "is_study_file",
    "read_document",
    "read_study_file",
    "study_document",
    "write_study_file",
]
