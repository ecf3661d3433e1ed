"""What the participant pages show, gathered from the store (kept out of the routes)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app import store
from app.i18n import Catalogue
from app.models import Participant, Study
from app.services.autosave import current_draft


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


def sort_config(
    db: Session, participant: Participant, study: Study, t: Catalogue, shell: bool = False
) -> dict[str, Any]:
    """Everything the sort page's JavaScript needs, embedded in the page as JSON.

    With ``shell`` the page is the offline shell the service worker keeps: the study's cards,
    grid and texts only, with no participant, label or draft in it (``participant`` and
    ``draft`` are null); the page then takes the participant's work from the device's copy.
    """
    assert participant.id is not None and study.id is not None
    grid = store.get_grid(db, participant.grid_id)
    assert grid is not None
    draft = None if shell else current_draft(db, participant)
    return {
        "participant": None
        if shell
        else {
            "storageKey": f"{study.slug}:{participant.id}",
            "sorted": participant.sorted_at is not None,
        },
        "storagePrefix": f"{study.slug}:",
        "study": {
            "extremesRequired": study.extremes_required,
            "disagreeLabel": study.disagree_label or t("sort.most_disagree"),
            "agreeLabel": study.agree_label or t("sort.most_agree"),
        },
        "qsetId": participant.qset_id,
        "gridId": participant.grid_id,
        "grid": {
            "values": grid.column_values,
            "capacities": grid.capacities,
            "forced": grid.forced,
        },
        "statements": [
            {"n": s.number, "text": s.text} for s in store.statements(db, participant.qset_id)
        ],
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
        "draft": None if draft is None else {"revision": draft.revision, "state": draft.state},
        "strings": t.subset("js."),
        "urls": {
            "draft": "/api/draft",
            "sort": "/api/sort",
            "finish": "/api/finish",
            "start": "/",
            "shell": "/p/shell",
            "worker": "/sw.js",
        },
    }
