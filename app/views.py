"""What the participant pages show, gathered from the store (kept out of the routes)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app import store
from app.i18n import Catalogue
from app.models import Participant, Statement, Study
from app.services.autosave import stored_draft
from app.services.pictures import media_url


def render(
    request: Request,
    templates: Jinja2Templates,
    name: str,
    t: Catalogue,
    status: int = 200,
    **context: Any,
) -> Response:
    """Render a participant page with the catalogue ``t`` and the page's language."""
    request.state.language = t.language
    page = {"t": t, "lang": t.language, **context}
    response = templates.TemplateResponse(request, name, page, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    return response


def paragraphs(text: str) -> list[str]:
    """A study text split into paragraphs on line breaks (templates escape each one)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def statement_card(statement: Statement) -> dict[str, Any]:
    """One card for the page: number, text, and the picture's address and text alternative."""
    return {
        "n": statement.number,
        "text": statement.text,
        "image": media_url(statement.image),
        "alt": statement.image_alt,
    }


def study_options(study: Study, t: Catalogue) -> dict[str, Any]:
    """The study's texts and participant options the page needs."""
    return {
        "extremesRequired": study.extremes_required,
        "disagreeLabel": study.disagree_label or t("sort.most_disagree"),
        "agreeLabel": study.agree_label or t("sort.most_agree"),
        "language": study.language,
        "readAloud": study.read_aloud,
        "idleMinutes": max(study.idle_minutes, 1),
        "trayStart": study.tray_start,
        "textSize": study.text_size,
    }


def sort_config(
    db: Session,
    participant: Participant,
    study: Study,
    t: Catalogue,
    shell: bool = False,
    resume_code: str | None = None,
) -> dict[str, Any]:
    """Everything the sort page's JavaScript needs, embedded in the page as JSON (read only).

    With ``shell`` the page is the offline shell the service worker keeps: the study's cards,
    grid and texts only, with no participant, label, resume code or draft in it
    (``participant`` and ``draft`` are null); the page then takes the participant's work from
    the device's copy. The participant is named by their random ``public_id`` only.
    """
    assert participant.id is not None and study.id is not None
    draft = None if shell else stored_draft(db, participant)
    return {
        "participant": None
        if shell
        else {
            "storageKey": f"{study.slug}:{participant.public_id}",
            "sorted": participant.sorted_at is not None,
            "resumeCode": resume_code,
        },
        "storagePrefix": f"{study.slug}:",
        **study_config(db, study, participant.qset_id, participant.grid_id, t),
        "draft": None if draft is None else {"revision": draft[0], "state": draft[1]},
        "urls": {
            "draft": "/api/draft",
            "sort": "/api/sort",
            "finish": "/api/finish",
            "unlock": "/api/unlock",
            "start": "/",
            "shell": "/p/shell",
            "worker": "/sw.js",
        },
    }


def study_config(
    db: Session, study: Study, qset_id: int, grid_id: int, t: Catalogue
) -> dict[str, Any]:
    """The study's part of the sort page's configuration: its options, the Q-set version and
    grid the page sorts on, the cards, the survey questions and the page's strings."""
    assert study.id is not None
    grid = store.get_grid(db, grid_id)
    assert grid is not None
    return {
        "study": study_options(study, t),
        "qsetId": qset_id,
        "gridId": grid_id,
        "grid": {
            "values": grid.column_values,
            "capacities": grid.capacities,
            "forced": grid.forced,
        },
        "statements": [statement_card(s) for s in store.statements(db, qset_id)],
        "questions": [
            {
                "key": q.key,
                "kind": q.kind,
                "prompt": q.prompt,
                "options": q.options,
                "required": q.required,
            }
            for q in store.questions(db, study.id)
        ],
        "strings": t.subset("js."),
    }
