"""The study designer's pages: a new study, the design form, statements from a file."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app import store
from app.deps import CurrentUser, DbDep, csrf_protect
from app.errors import InvalidInputError
from app.i18n import available_languages
from app.models import StaffUser
from app.routes.researcher import survey_form
from app.routes.researcher.pages import page, see_other
from app.services import access, designer, survey

router = APIRouter(prefix="/studies", dependencies=[Depends(csrf_protect)])
TEXT_FIELDS = ("consent_text", "instructions_text", "thanks_text", "disagree_label", "agree_label")
MAX_UPLOAD_BYTES = 2_000_000


@router.post("/new")
def new_study(
    db: DbDep, user: CurrentUser, title: Annotated[str, Form(max_length=200)]
) -> Response:
    """Make a draft study and go to its designer."""
    study = designer.create_study(db, user, title)
    db.commit()
    return see_other(f"/studies/{study.id}/design")


def _form_values(db: Session, study_id: int) -> dict[str, object]:
    study = store.get_study(db, study_id)
    assert study is not None and study.current_qset_id and study.current_grid_id
    grid = store.get_grid(db, study.current_grid_id)
    assert grid is not None
    return {
        "statements": "\n".join(s.text for s in store.statements(db, study.current_qset_id)),
        "low": grid.column_values[0],
        "high": grid.column_values[-1],
        "capacities": " ".join(str(c) for c in grid.capacities),
        "forced": grid.forced,
        "questions": survey_form.question_rows(store.questions(db, study_id)),
    }


def _design_page(
    request: Request,
    db: Session,
    user: StaffUser,
    study_id: int,
    status: int = 200,
    values: dict[str, object] | None = None,
    **extra: object,
) -> Response:
    study = access.study_for(db, user, study_id, "edit")
    shown = values or _form_values(db, study_id)
    shown["questions"] = survey_form.with_blanks(list(shown["questions"]))  # type: ignore[call-overload]
    return page(
        request,
        "researcher/design.html",
        user,
        status,
        study=study,
        form=shown,
        languages=available_languages(),
        kinds=designer.QUESTION_KINDS,
        kind_names=survey.KIND_NAMES,
        problems=designer.open_problems(db, study),
        frozen=store.has_sorts_on(db, study.current_qset_id, study.current_grid_id),
        **extra,
    )


@router.get("/{study_id}/design")
def design(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """The designer: texts, statements, grid and survey in one form."""
    return _design_page(request, db, user, study_id)


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def design_from_form(form: FormData) -> designer.Design:
    """The designer form as a :class:`Design` (raises with a message for bad numbers)."""
    values, capacities = designer.parse_grid(
        _text(form, "low"), _text(form, "high"), _text(form, "capacities")
    )
    questions = survey_form.questions_from_form(form)
    return designer.Design(
        title=_text(form, "title"),
        condition=_text(form, "condition").strip(),
        statements=designer.statement_lines(_text(form, "statements")),
        values=values,
        capacities=capacities,
        forced=bool(_text(form, "forced")),
        texts={name: _text(form, name).strip() for name in TEXT_FIELDS},
        language=_text(form, "language") or "en",
        extremes_required=bool(_text(form, "extremes_required")),
        participant=_participant_options(form),
        questions=questions,
    )


def _participant_options(form: FormData) -> dict[str, object]:
    """Read-aloud, idle limit and the tray's first pile as the form sends them."""
    minutes = _text(form, "idle_minutes").strip()
    return {
        "read_aloud": bool(_text(form, "read_aloud")),
        "idle_minutes": int(minutes) if minutes.isdigit() else minutes or 10,
        "tray_start": _text(form, "tray_start") or "agree",
    }


def _raw_values(form: FormData) -> dict[str, object]:
    """The form as it was sent, to show again with the message when it cannot be saved."""
    questions = survey_form.raw_questions(form)
    names = ("statements", "low", "high", "capacities")
    return {
        **{n: _text(form, n) for n in names},
        "forced": bool(_text(form, "forced")),
        "questions": questions,
    }


@router.post("/{study_id}/design")
async def save_design(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """Save the design; the form comes back with what to fix when it cannot be saved."""
    access.study_for(db, user, study_id, "edit")  # refuse before reading what was sent
    form = await request.form()
    try:
        designer.save(db, user, study_id, design_from_form(form))
    except InvalidInputError as exc:
        db.rollback()
        return _design_page(request, db, user, study_id, 422, _raw_values(form), error=exc.detail)
    db.commit()
    return see_other(f"/studies/{study_id}/design?saved=1")


@router.post("/{study_id}/statements/file")
async def statements_file(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, file: UploadFile
) -> Response:
    """Statements from a PQMethod .STA or a text file (one a line) go into the form to check."""
    access.study_for(db, user, study_id, "edit")
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInputError("a statements file may be at most 2 MB")
    with tempfile.TemporaryDirectory(prefix="qsort-upload-") as folder:
        path = Path(folder) / (Path(file.filename or "statements.txt").name or "statements.txt")
        path.write_bytes(content)
        try:
            texts = designer.statements_from_file(path)
        except InvalidInputError as exc:
            return _design_page(request, db, user, study_id, 422, error=exc.detail)
    values = _form_values(db, study_id)
    values["statements"] = "\n".join(texts)
    note = f"{len(texts)} statements read from {file.filename}; check them and save."
    return _design_page(request, db, user, study_id, values=values, note=note)
