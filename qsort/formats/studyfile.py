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
app (``"participant": {"read_aloud", "idle_minutes", "tray_start", "text_size"}``), the
statements' pictures (:mod:`qsort.formats.study_pictures`; such a file is version 2), the
designer's texts
(``"texts"``), the participant pages' ``"language"``, whether the extreme columns must be
commented on (``"extremes_required"``), and the sorts in order, as many as there are: a file of
fewer than two is a design, read whole by :func:`read_document` but refused for analysis.
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

import numpy as np
from numpy.typing import NDArray

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
    "text_size": 1,
}
TRAY_PILES = ("agree", "neutral", "disagree")
TEXT_SIZES = (1, 2, 3, 4)
"""The sort page's card text sizes, smallest first; the study sets the one it opens at."""
_EXPECTED = f'a qsort study file (a JSON object with "format": "{FORMAT_NAME}")'


#: The designer's texts a study file may carry under ``"texts"`` (left out: ``""``).
TEXT_KEYS = ("condition", "consent", "instructions", "thanks", "disagree_label", "agree_label")
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True, eq=False)
class StudyDocument:
    """Everything a study file holds: the design (title, statements, grid, questions, texts,
    participant options and language, the pictures by statement id) and zero or more sorts.

    A file with fewer than two sorts is a design: it moves a study before its data is in, and
    :attr:`study` refuses it, since no analysis can be made of it. Documents compare by
    identity (they hold an array).
    """

    title: str
    statements: tuple[Statement, ...]
    grid: Grid
    sort_names: tuple[str, ...] = ()
    sorts: NDArray[np.integer[Any]] = field(default_factory=lambda: np.zeros((0, 0), np.int64))
    """The values, statements x sorts (no column for a design without sorts; the
    :class:`Study`'s compact array when there are enough sorts to make one)."""
    questions: tuple[Question, ...] = field(default=())
    participant: dict[str, Any] = field(default_factory=lambda: dict(PARTICIPANT_OPTIONS))
    pictures: dict[str, Picture] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=lambda: dict.fromkeys(TEXT_KEYS, ""))
    language: str = DEFAULT_LANGUAGE
    extremes_required: bool = False
    source: str = "study file"
    analysable: Study | None = field(default=None, repr=False, compare=False)
    """The sorts as a checked :class:`Study` when there are two or more (see :attr:`study`)."""

    @classmethod
    def from_study(cls, study: Study, **rest: Any) -> StudyDocument:
        """The document of a :class:`Study` (its sorts included) and the ``rest`` given."""
        return cls(
            study.title,
            study.statements,
            study.grid,
            study.sort_names,
            study.sorts,
            analysable=study,
            **rest,
        )

    @property
    def study(self) -> Study:
        """The sorts as a :class:`Study`, for analysis and the other formats.

        Raises
        ------
        FormatError
            The file is a design with fewer than two sorts.
        """
        if self.analysable is not None:
            return self.analysable
        if len(self.sort_names) < 2:
            raise FormatError(
                f"{self.source}: this study file is a design with {len(self.sort_names)} sort(s); "
                "at least two sorts are needed to analyse or convert it"
            )
        matrix = self.sorts.astype(np.int64)
        return build_study(
            self.source, self.statements, self.sort_names, matrix, self.grid, self.title
        )


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
    names, columns = _sorts(data.get("sorts", {}), len(statements), path)
    matrix = as_matrix(columns, len(statements))
    if grid is None:
        grid = _grid(data["grid"], path) if "grid" in data else _sorts_grid(matrix, names, path)
    title = _string(data.get("title", ""), f'{path}, "title"')
    study = None
    if len(names) >= 2:
        study = build_study(path, statements, names, matrix, grid, title)
    else:
        _check_design(statements, names, columns, grid, path)
    return StudyDocument(
        title,
        tuple(statements),
        grid,
        tuple(names),
        matrix if study is None else study.sorts,
        tuple(check_questions(data.get("questions", []), path)),
        check_participant_options(data.get("participant"), path),
        pictures,
        check_texts(data.get("texts"), path),
        _string(data.get("language", DEFAULT_LANGUAGE), f'{path}, "language"'),
        _boolean(data.get("extremes_required", False), f'{path}, "extremes_required"'),
        str(path),
        study,
    )


def _sorts_grid(matrix: Any, names: list[str], path: PathArg) -> Grid:
    """The grid the sorts share; a design (fewer than two sorts) must state its grid."""
    if len(names) < 2:
        raise FormatError(
            f'{path}, "grid": expected the grid, found none (a file with fewer than two sorts '
            "cannot take its grid from the sorts)"
        )
    return sorts_grid(matrix, names, path)


def _check_design(
    statements: list[Statement],
    names: list[str],
    columns: list[list[int]],
    grid: Grid,
    path: PathArg,
) -> None:
    """What a :class:`Study` checks, for a design of fewer than two sorts. A design without
    sorts may be unfinished: a forced grid that does not hold the Q-set yet is kept (the web
    app's designer says what to change before the study opens); a sort must fit the grid."""
    ids = [s.id for s in statements]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise FormatError(f'{path}, "statements": expected unique ids, found repeated {repeated}')
    for name, column in zip(names, columns, strict=True):
        problems = grid.check_sort(column)
        if problems:
            raise FormatError(
                f'{path}, "sorts"[{json.dumps(name)}]: does not fit the grid '
                f"({grid.describe()}): {'; '.join(problems)}"
            )


def check_texts(raw: object, path: PathArg = "texts") -> dict[str, str]:
    """Check the designer's texts: an object of strings keyed by :data:`TEXT_KEYS` (those
    left out are ``""``)."""
    where = f'{path}, "texts"'
    if raw is None:
        return dict.fromkeys(TEXT_KEYS, "")
    if not isinstance(raw, dict):
        raise FormatError(f"{where}: expected an object, found {preview(raw)}")
    unknown = sorted(set(raw) - set(TEXT_KEYS))
    if unknown:
        raise FormatError(f"{where}: expected only {', '.join(TEXT_KEYS)}, found {unknown}")
    return {key: _string(raw.get(key, ""), f"{where}.{key}") for key in TEXT_KEYS}


def _boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise FormatError(f"{where}: expected true or false, found {preview(value)}")
    return value


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
    number of minutes from 1 to 1440, ``tray_start`` one of agree, neutral, disagree,
    ``text_size`` the card text size the sort page opens at, 1 to 4); the ones left out take the
    web app's defaults."""
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
    if _integer(options["text_size"], f"{where}.text_size") not in TEXT_SIZES:
        raise FormatError(
            f"{where}.text_size: expected a card text size from 1 (smallest) to 4, "
            f"found {options['text_size']}"
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
    given = dict(PARTICIPANT_OPTIONS) if participant is None else dict(participant)
    doc = StudyDocument.from_study(
        study,
        questions=tuple(dict(q) for q in questions),
        participant=given,
        pictures=dict(pictures or {}),
    )
    return document_json(doc, with_participant=participant is not None)


def document_json(doc: StudyDocument, *, with_participant: bool = False) -> dict[str, Any]:
    """The JSON object a study file holds for ``doc``: the texts, language, comment rule and
    participant options only where they differ from the defaults (or ``with_participant``);
    version 2 when a statement has a picture. A design may have no sorts."""
    grid = doc.grid
    drawn = checked_pictures(doc.pictures, [s.id for s in doc.statements])
    participant = check_participant_options(dict(doc.participant))
    texts = check_texts(dict(doc.texts))
    extra: dict[str, Any] = {}
    if with_participant or participant != PARTICIPANT_OPTIONS:
        extra["participant"] = participant
    if any(texts.values()):
        extra["texts"] = {key: text for key, text in texts.items() if text}
    if doc.language != DEFAULT_LANGUAGE:
        extra["language"] = _string(doc.language, "language")
    if doc.extremes_required:
        extra["extremes_required"] = True
    return {
        "format": FORMAT_NAME,
        "version": PICTURES_VERSION if drawn else VERSION,
        "title": doc.title,
        "statements": [_statement_json(s, drawn.get(s.id)) for s in doc.statements],
        "grid": {
            "values": list(grid.values),
            "capacities": list(grid.capacities),
            "forced": grid.forced,
        },
        "questions": check_questions([dict(q) for q in doc.questions]),
        **extra,
        "sorts": {
            name: [int(v) for v in column]
            for name, column in zip(doc.sort_names, doc.sorts.T, strict=True)
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
    return _write(study_document(study, questions, participant, pictures), path)


def write_document(doc: StudyDocument, path: PathArg) -> list[Path]:
    """Write ``doc`` as a qsort study file, a design without sorts included (see
    :func:`document_json`). Returns the file written."""
    return _write(document_json(doc), path)


def _write(doc: Mapping[str, Any], path: PathArg) -> list[Path]:
    target = Path(path)
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
    "TEXT_KEYS",
    "VERSION",
    "Question",
    "StudyDocument",
    "check_participant_options",
    "check_questions",
    "check_texts",
    "document_json",
    "dump_document",
    "is_study_file",
    "read_document",
    "read_study_file",
    "study_document",
    "write_document",
    "write_study_file",
]
