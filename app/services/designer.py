"""The study designer: make a study from nothing, change its texts, Q-set, grid and survey.

A study's Q-set version and grid are frozen once anybody has joined on them: a change then
makes a new version (and a new grid), which new participants get, while every sort already
made keeps naming the version it was made on. A forced grid must hold exactly the number of
statements before the study can open; the form says so while it does not.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app import store
from app.errors import InvalidInputError
from app.i18n import available_languages
from app.models import GridShape, StaffUser, Study, utcnow
from app.services import access, audit, survey
from app.services.group_sessions import new_code
from app.store import CardSpec
from qsort.errors import FormatError
from qsort.formats.studyfile import PARTICIPANT_OPTIONS, check_participant_options

QUESTION_KINDS = survey.KINDS
"""The survey kinds the participant pages ask (free text, one choice, several choices, a scale)."""
MAX_STATEMENTS = 200
MAX_COLUMNS = 21


@dataclass(frozen=True)
class Design:
    """What the designer form sends, already split into lines and numbers."""

    title: str
    condition: str
    statements: list[str] | None
    """The Q-set's texts, one a statement; None keeps the Q-set as it is (the statements
    editor, :mod:`app.services.statements_editor`, changes it card by card)."""
    values: list[int]
    capacities: list[int]
    forced: bool = True
    texts: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    extremes_required: bool = False
    participant: dict[str, Any] = field(default_factory=lambda: dict(PARTICIPANT_OPTIONS))
    """Read-aloud, the idle limit before the resume code, the tray's first pile (study file)."""
    questions: list[survey.Spec] = field(default_factory=list)


def participant_options(raw: dict[str, Any]) -> dict[str, Any]:
    """The participant options checked as the study file checks them (one rule for both)."""
    try:
        return check_participant_options(raw, "the participant options")
    except FormatError as exc:
        raise InvalidInputError(str(exc)) from None


def statement_lines(text: str) -> list[str]:
    """One statement a non-empty line (pasted lists keep their order)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_grid(low: str, high: str, capacities: str) -> tuple[list[int], list[int]]:
    """Column values ``low..high`` and one capacity each (numbers separated by spaces/commas)."""
    try:
        lo, hi = int(low), int(high)
        caps = [int(c) for c in re.split(r"[\s,;]+", capacities.strip()) if c]
    except ValueError as exc:
        raise InvalidInputError(
            "the grid needs whole numbers: a lowest and highest column value and one capacity "
            "per column, such as 2 3 4 3 2"
        ) from exc
    if not lo < hi or hi - lo + 1 > MAX_COLUMNS:
        raise InvalidInputError(
            f"the lowest column value must be below the highest, with at most {MAX_COLUMNS} "
            f"columns; found {lo} to {hi}"
        )
    if len(caps) != hi - lo + 1 or any(c < 0 for c in caps):
        raise InvalidInputError(
            f"columns {lo} to {hi} need {hi - lo + 1} capacities (whole numbers, 0 or more); "
            f"found {len(caps)}"
        )
    return list(range(lo, hi + 1)), caps


def parse_question(
    key: str,
    kind: str,
    prompt: str,
    options: str,
    required: bool,
    scale: tuple[str, str, str, str] = ("1", "5", "", ""),
) -> survey.Spec:
    """One survey question from the form, checked: a choice's options one a line, a scale's
    low and high numbers and the labels of its ends."""
    if kind == "scale":
        low, high, low_label, high_label = scale
        try:
            points = survey.scale_options(int(low), int(high), low_label, high_label)
        except ValueError:
            raise InvalidInputError(
                f"the scale {prompt.strip()!r} needs whole numbers for its ends, such as 1 and 5; "
                f"found {low!r} and {high!r}"
            ) from None
    else:
        points = survey.choice_options(statement_lines(options))
    return survey.check_spec((survey.clean_key(key), kind, prompt, points, required))


def grid_problem(values: list[int], capacities: list[int], forced: bool, n: int) -> str | None:
    """What stops the grid from taking ``n`` statements, or None when it fits."""
    room = sum(capacities)
    if forced and room != n:
        return (
            f"the grid holds {room} cards but the Q-set has {n} statements; "
            f"a forced grid must hold exactly {n}"
        )
    if not forced and room < n:
        return f"the grid has room for {room} cards but the Q-set has {n} statements"
    return None


def create_study(db: Session, user: StaffUser, title: str) -> Study:
    """A new draft study owned by ``user``, with an empty Q-set and a small grid to change."""
    access.require_role(user, "admin", "researcher")
    title = title.strip()
    if not title:
        raise InvalidInputError("a study needs a title")
    study = store.create_study(
        db,
        slug=f"study-{secrets.token_hex(6)}",
        title=title[:200],
        condition="",
        statements=[],
        column_values=[-2, -1, 0, 1, 2],
        capacities=[1, 2, 3, 2, 1],
    )
    study.status = "draft"
    assert study.id is not None and user.id is not None
    store.grant(db, study.id, user.id, "owner")
    audit.record(db, user, "study_create", study_id=study.id, detail=title[:200])
    return study


def save(db: Session, user: StaffUser, study_id: int, design: Design) -> Study:
    """Store the design; a frozen Q-set or grid that changes becomes a new version."""
    study = access.study_for(db, user, study_id, "edit")
    if design.language not in available_languages():
        raise InvalidInputError(f"expected a language among {available_languages()}")
    options = participant_options(design.participant)
    if len({k for k, *_ in design.questions}) != len(design.questions):
        raise InvalidInputError("two survey questions have the same short name")
    _check_answered(db, study_id, design.questions)
    changed = _save_texts(db, study, design.statements) | _save_grid(db, study, design)
    study.title, study.condition = design.title.strip()[:200] or study.title, design.condition
    study.language, study.extremes_required = design.language, design.extremes_required
    for name, value in options.items():  # read_aloud, idle_minutes, tray_start, text_size
        setattr(study, name, value)
    for name, text in design.texts.items():
        setattr(study, name, text)
    study.updated_at = utcnow()
    db.add(study)
    store.replace_questions(db, study_id, design.questions)
    detail = "new version of " + " and ".join(sorted(changed)) if changed else "texts and survey"
    audit.record(db, user, "study_edit", study_id=study_id, detail=detail)
    return study


def _check_answered(db: Session, study_id: int, questions: list[survey.Spec]) -> None:
    """Questions somebody has answered stay, and keep their kind (the answers read by it)."""
    answered = store.answered_question_keys(db, study_id)
    missing = answered - {k for k, *_ in questions}
    if missing:
        raise InvalidInputError(
            f"answered questions cannot be removed: {', '.join(sorted(missing))}"
        )
    kinds = {q.key: q.kind for q in store.questions(db, study_id) if q.key in answered}
    for key, kind, prompt, *_ in questions:
        if kinds.get(key, kind) != kind:
            raise InvalidInputError(
                f"{prompt!r} has answers as {survey.KIND_NAMES[kinds[key]]}: its kind cannot "
                "change (add a new question instead)"
            )


def current_cards(db: Session, study: Study) -> list[CardSpec]:
    """The study's current Q-set as cards (text, picture, text alternative), in number order."""
    assert study.current_qset_id is not None
    return [
        CardSpec(s.text, s.image, s.image_alt) for s in store.statements(db, study.current_qset_id)
    ]


def save_qset(db: Session, study: Study, cards: list[CardSpec]) -> set[str]:
    """Make ``cards`` the study's Q-set, numbered 1, 2, ... in their order.

    A Q-set nobody has joined on is changed in place (so a card's number is its place in the
    list); once somebody has, the change becomes a new version, which the study then uses, and
    every sort keeps the version it was made on. Returns ``{"the Q-set"}`` for a new version.
    """
    assert study.id is not None and study.current_qset_id is not None
    if len(cards) > MAX_STATEMENTS:
        raise InvalidInputError(f"at most {MAX_STATEMENTS} statements; found {len(cards)}")
    if current_cards(db, study) == cards:
        return set()
    if store.has_sorts_on(db, study.current_qset_id, None):
        study.current_qset_id = store.new_qset(db, study.id, cards).id
        db.add(study)
        return {"the Q-set"}
    store.replace_statements(db, study.current_qset_id, cards)
    return set()


def _save_texts(db: Session, study: Study, texts: list[str] | None) -> set[str]:
    """The Q-set from one text a statement (None: unchanged); a card whose text stays keeps its
    picture."""
    if texts is None:
        return set()
    pictures = {c.text: c for c in reversed(current_cards(db, study)) if c.image}
    return save_qset(db, study, [pictures.get(text, CardSpec(text)) for text in texts])


def _save_grid(db: Session, study: Study, design: Design) -> set[str]:
    assert study.id is not None and study.current_grid_id is not None
    grid = store.get_grid(db, study.current_grid_id)
    assert grid is not None
    shape = (design.values, design.capacities, design.forced)
    if (grid.column_values, grid.capacities, grid.forced) == shape:
        return set()
    if store.has_sorts_on(db, None, grid.id):
        grid = GridShape(study_id=study.id, column_values=[], capacities=[])
        frozen = {"the grid"}
    else:
        frozen = set()
    grid.column_values, grid.capacities, grid.forced = shape
    db.add(grid)
    db.flush()
    study.current_grid_id = grid.id
    return frozen


def open_problems(db: Session, study: Study) -> list[str]:
    """Everything that stops the study from opening to participants."""
    assert study.current_qset_id is not None and study.current_grid_id is not None
    n = len(store.statements(db, study.current_qset_id))
    grid = store.get_grid(db, study.current_grid_id)
    assert grid is not None
    problems = [] if n >= 2 else [f"the Q-set needs at least two statements; it has {n}"]
    if not study.condition.strip():
        problems.append("the condition of instruction (the question sorted on) is empty")
    problem = grid_problem(grid.column_values, grid.capacities, grid.forced, n)
    return problems + ([problem] if problem else [])


def set_open(db: Session, study: Study, is_open: bool) -> str | None:
    """Open the study's join session (making one with a fresh code) or close them all."""
    assert study.id is not None
    sessions = store.study_sessions(db, study.id)
    if not is_open:
        for session in sessions:
            session.is_open, session.closed_at = False, utcnow()
            db.add(session)
        return None
    if not sessions:
        return store.open_session(db, study.id, new_code(), name="Main").code
    sessions[0].is_open, sessions[0].closed_at = True, None
    db.add(sessions[0])
    return sessions[0].code
