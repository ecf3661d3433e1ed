"""The study designer's pages: a new study and the design form (the statements have their own
pages, :mod:`app.routes.researcher.statements`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app import store
from app.deps import CurrentUser, DbDep, csrf_protect
from app.errors import InvalidInputError
from app.i18n import language_names
from app.models import StaffUser
from app.routes.researcher import survey_form
from app.routes.researcher.pages import page, see_other
from app.services import access, designer, survey

router = APIRouter(prefix="/studies", dependencies=[Depends(csrf_protect)])
TEXT_FIELDS = ("consent_text", "instructions_text", "thanks_text", "disagree_label", "agree_label")


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
        "statements": store.statements(db, study.current_qset_id),
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
        languages=language_names(),
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
        statements=(
            designer.statement_lines(_text(form, "statements")) if "statements" in form else None
        ),
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
    """Read-aloud, idle limit, the tray's first pile and the opening text size as the form
    sends them (a number that is not one is passed on, for the check to name it)."""
    minutes = _text(form, "idle_minutes").strip()
    size = _text(form, "text_size").strip()
    return {
        "read_aloud": bool(_text(form, "read_aloud")),
        "idle_minutes": int(minutes) if minutes.isdigit() else minutes or 10,
        "tray_start": _text(form, "tray_start") or "agree",
        "text_size": int(size) if size.isdigit() else size or 1,
    }


def _raw_values(form: FormData) -> dict[str, object]:
    """The form as it was sent, to show again with the message when it cannot be saved."""
    questions = survey_form.raw_questions(form)
    names = ("low", "high", "capacities")
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
        values = {**_raw_values(form), "statements": _form_values(db, study_id)["statements"]}
        return _design_page(request, db, user, study_id, 422, values, error=exc.detail)
    db.commit()
    if form.get("then") == "statements":  # the statements panel's button: saved, then on
        return see_other(f"/studies/{study_id}/statements")
    return see_other(f"/studies/{study_id}/design?saved=1")
