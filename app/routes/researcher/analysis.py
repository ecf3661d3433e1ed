"""The analysis workbench: analyse a study's sorts, save, reopen, compare and download.

Thin routes over :mod:`app.services.workbench_page` and :mod:`app.services.saved_analyses`:
whoever may see a study (``view``) may analyse it and download from it; saving and deleting a
saved analysis needs ``edit``. Every download is written in the audit record.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import CurrentUser, DbDep, csrf_protect
from app.models import StaffUser
from app.models import Study as StoredStudy
from app.routes.researcher.pages import page, see_other
from app.services import access, audit, saved_analyses, workbench_page
from app.services.analysis import Selection
from app.services.workbench_page import Urls
from qsort.options import Options

router = APIRouter(prefix="/studies/{study_id}/analysis", dependencies=[Depends(csrf_protect)])
TEMPLATE = "researcher/analysis/workbench.html"


def _here(study_id: int) -> str:
    return f"/studies/{study_id}/analysis"


def _urls(db: Session, study_id: int) -> Urls:
    here = _here(study_id)
    saved = [
        {
            "id": str(s.id),
            "name": s.name,
            "url": f"{here}?saved={s.id}",
            "delete": f"{here}/saved/{s.id}/delete",
            "when": f"{s.updated_at:%d %b %Y %H:%M}",
        }
        for s in saved_analyses.list_saved(db, study_id)
    ]
    return Urls(f"{here}/save", f"{here}/download", saved, f"{here}/compare")


def _show(
    request: Request,
    db: Session,
    user: StaffUser,
    study: StoredStudy,
    selection: Selection,
    options: Options,
) -> Response:
    assert study.id is not None
    context = workbench_page.build_page(db, study, selection, options, _urls(db, study.id))
    context["can_edit"] = access.may(db, user, study.id, "edit")
    return page(request, TEMPLATE, user, **context)


@router.get("")
def workbench(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, saved: int | None = None
) -> Response:
    """The workbench with the default analysis, or a saved one reopened exactly."""
    study = access.study_for(db, user, study_id, "view")
    if saved is None:
        return _show(request, db, user, study, Selection(), Options())
    selection, options = saved_analyses.reopen(saved_analyses.get(db, study_id, saved))
    return _show(request, db, user, study, selection, options)


@router.post("")
async def run(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """Run the analysis the form describes."""
    study = access.study_for(db, user, study_id, "view")
    data = await request.form()
    form = {key: str(value) for key, value in data.items()}
    selection = workbench_page.selection_from_form(form, [str(v) for v in data.getlist("sort")])
    return _show(request, db, user, study, selection, workbench_page.options_from_form(form))


@router.get("/download/{name:path}")
def download(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, name: str, a: str
) -> Response:
    """One file of the analysis the link names (or all of them as a zip), recorded in the audit."""
    study = access.study_for(db, user, study_id, "view")
    content, kind = workbench_page.download_file(db, study, a, name)
    audit.record(db, user, "data_download", study_id=study_id, detail=f"analysis {name}")
    db.commit()
    filename = name.rsplit("/", 1)[-1]
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(content, media_type=kind, headers=headers)


@router.post("/save")
async def save(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """Save the analysis on the page under a name, then reopen it."""
    access.study_for(db, user, study_id, "edit")
    form = await request.form()
    selection, options = workbench_page.decode_state(str(form.get("a", "")))
    saved = saved_analyses.save(
        db, study_id, str(form.get("name", "")), selection, options, user.id
    )
    return see_other(f"{_here(study_id)}?saved={saved.id}")


@router.post("/saved/{analysis_id}/delete")
def delete(db: DbDep, user: CurrentUser, study_id: int, analysis_id: int) -> Response:
    """Delete a saved analysis (the sorts are untouched)."""
    access.study_for(db, user, study_id, "edit")
    saved_analyses.delete(db, saved_analyses.get(db, study_id, analysis_id))
    return see_other(_here(study_id))


@router.get("/compare")
def compare(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, a: int, b: int
) -> Response:
    """Two saved analyses side by side: arrays by statement, loadings by shared sort."""
    access.study_for(db, user, study_id, "view")
    context = saved_analyses.compare_page(db, study_id, a, b)
    context["back_url"] = _here(study_id)
    return page(request, "researcher/analysis/compare.html", user, **context)
