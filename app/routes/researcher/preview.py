"""The preview: a researcher walks the participant pages of a study, storing nothing.

Consent, the sort page (instructions, pre-sort, sort, post-sort comments, survey) and the
thank-you page are the participant's own templates, in the study's language, for the Q-set
version and grid new participants would get, open or not. Nothing is written: no participant,
no draft, no sort, no answers in the database, and the sort page keeps its work in memory only
(``"preview": true`` in its configuration: no localStorage, no idle lock, no service worker),
so a real participant's session on the same browser finds nothing of it. Every page carries a
banner saying it is a preview. Anyone who may see the study may preview it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from app.deps import CurrentUser, DbDep, TemplatesDep, csrf_protect
from app.i18n import Catalogue
from app.models import Study
from app.services import access
from app.views import paragraphs, render, study_config

router = APIRouter(prefix="/studies", dependencies=[Depends(csrf_protect)])


def _links(study: Study) -> dict[str, str]:
    """The preview's own addresses, which the participant templates use in its place."""
    base = f"/studies/{study.id}/preview"
    return {
        "start": base,
        "sort": f"{base}/sort",
        "thanks": f"{base}/thanks",
        "design": f"/studies/{study.id}/design",
        "title": study.title,
    }


def _page(
    request: Request, templates: TemplatesDep, study: Study, name: str, **context: Any
) -> Response:
    t = Catalogue(study.language)
    return render(request, templates, name, t, study=study, preview=_links(study), **context)


@router.get("/{study_id}/preview")
def preview_consent(
    request: Request, db: DbDep, user: CurrentUser, templates: TemplatesDep, study_id: int
) -> Response:
    """The consent page as a participant sees it; its buttons lead on within the preview."""
    study = access.study_for(db, user, study_id, "view")
    consent = paragraphs(study.consent_text)
    return _page(request, templates, study, "participant/consent.html", code="", consent=consent)


@router.get("/{study_id}/preview/sort")
def preview_sort(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    templates: TemplatesDep,
    study_id: int,
    choice: str = "accept",
) -> Response:
    """The sort page (every step to the survey) on the study's current Q-set and grid, or the
    page a participant who declines sees."""
    study = access.study_for(db, user, study_id, "view")
    if choice != "accept":
        return _page(request, templates, study, "participant/declined.html", code="")
    assert study.current_qset_id is not None and study.current_grid_id is not None
    t = Catalogue(study.language)
    config = {
        **study_config(db, study, study.current_qset_id, study.current_grid_id, t),
        "preview": True,
        "participant": {"storageKey": None, "sorted": False, "resumeCode": None},
        "storagePrefix": None,
        "draft": {"revision": 0, "state": None},
        "urls": _links(study),
    }
    return _page(
        request,
        templates,
        study,
        "participant/sort.html",
        instructions=paragraphs(study.instructions_text),
        config=config,
    )


@router.get("/{study_id}/preview/thanks")
def preview_thanks(
    request: Request, db: DbDep, user: CurrentUser, templates: TemplatesDep, study_id: int
) -> Response:
    """The thank-you page, without the script that clears the device (a real participant's
    unsent work on this browser must stay)."""
    study = access.study_for(db, user, study_id, "view")
    t = Catalogue(study.language)
    text = paragraphs(study.thanks_text) if study.thanks_text else [t("thanks.text")]
    return _page(request, templates, study, "participant/thanks.html", thanks=text, code="")
