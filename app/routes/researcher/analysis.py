"""The analysis workbench: analyse a study's sorts, save, reopen, compare and download.

Thin routes over :mod:`app.services.workbench_page` and :mod:`app.services.saved_analyses`:
whoever may see a study (``view``) may analyse it and download from it; saving and deleting a
saved analysis needs ``edit``. Every download is written in the audit record.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app.deps import CurrentUser, DbDep, csrf_protect
from app.errors import AnalysisError, NotFoundError
from app.models import AnalysisRun, StaffUser
from app.models import Study as StoredStudy
from app.routes.researcher.pages import page, see_other
from app.services import (
    access,
    analysis_runs,
    audit,
    saved_analyses,
    stability,
    workbench_page,
)
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
    return Urls(
        f"{here}/save",
        f"{here}/download",
        saved,
        f"{here}/compare",
        f"{here}/bootstrap",
        f"{here}/groups",
    )


def _show(
    request: Request,
    db: Session,
    user: StaffUser,
    study: StoredStudy,
    selection: Selection,
    options: Options,
) -> Response:
    assert study.id is not None
    if len(analysis_runs.chosen_ids(db, study.id, selection)) > analysis_runs.BACKGROUND_SORTS:
        return _background(request, db, user, study, selection, options)
    context = workbench_page.build_page(db, study, selection, options, _urls(db, study.id))
    context["can_edit"] = access.may(db, user, study.id, "edit")
    return page(request, TEMPLATE, user, **context)


def _background(
    request: Request,
    db: Session,
    user: StaffUser,
    study: StoredStudy,
    selection: Selection,
    options: Options,
) -> Response:
    """A large analysis: started once in the background, its progress shown until it is done."""
    assert study.id is not None
    run, started = analysis_runs.start(db, study.id, selection, options, user.id)
    if started:
        analysis_runs.launch(request.app.state.engine, run)
    return _run_page(request, user, study, run)


def _run_page(request: Request, user: StaffUser, study: StoredStudy, run: AnalysisRun) -> Response:
    """A background run's page: its progress, then its summary once done."""
    assert study.id is not None
    here = _here(study.id)
    return page(
        request,
        "researcher/analysis/progress.html",
        user,
        title=study.title,
        study_id=study.id,
        run=run,
        summary=workbench_page.run_summary(run.result) if run.result else None,
        status_url=f"{here}/runs/{run.id}",
        page_url=f"{here}?run={run.id}",
        back_url=here,
    )


@router.get("/runs/{run_id}")
def run_status(db: DbDep, user: CurrentUser, study_id: int, run_id: int) -> JSONResponse:
    """A background run's state, read from the database (any app process can answer)."""
    access.study_for(db, user, study_id, "view")
    found = analysis_runs.get(db, study_id, run_id)
    return JSONResponse(
        {
            "status": found.status,
            "progress": found.progress,
            "stage": found.stage,
            "message": found.message,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.get("/runs/{run_id}/result.json")
def run_result(db: DbDep, user: CurrentUser, study_id: int, run_id: int) -> Response:
    """A finished background run's result JSON (``qsort analyze --json``'s form)."""
    access.study_for(db, user, study_id, "view")
    found = analysis_runs.get(db, study_id, run_id)
    if found.result is None:
        raise NotFoundError(f"run {run_id} has no result yet")
    audit.record(db, user, "data_download", study_id=study_id, detail=f"analysis run {run_id}")
    db.commit()
    content = (json.dumps(found.result, indent=1) + "\n").encode("utf-8")
    headers = {
        "Content-Disposition": 'attachment; filename="result.json"',
        "Cache-Control": "no-store",
    }
    return Response(content, media_type="application/json", headers=headers)


@router.get("")
def workbench(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    saved: int | None = None,
    run: int | None = None,
) -> Response:
    """The workbench with the default analysis, a saved one reopened exactly, or a large run."""
    study = access.study_for(db, user, study_id, "view")
    if run is not None:
        return _run_page(request, user, study, analysis_runs.get(db, study_id, run))
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


@router.post("/bootstrap")
async def bootstrap(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """Bootstrap the analysis on the page: resampled sorts, seeded."""
    study = access.study_for(db, user, study_id, "view")
    form = await request.form()
    selection, options = workbench_page.decode_state(str(form.get("a", "")))
    resamples = _whole(str(form.get("resamples", "200")), "Resamples")
    seed = _whole(str(form.get("seed", "0")), "Seed")
    context = stability.bootstrap_page(db, study, selection, options, resamples, seed)
    context["back_url"] = _here(study_id)
    return page(request, "researcher/analysis/bootstrap.html", user, **context)


@router.get("/groups")
def groups(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    a: str,
    first: str,
    second: str,
) -> Response:
    """Two participant groups analysed alike, their viewpoints matched and compared."""
    study = access.study_for(db, user, study_id, "view")
    _, options = workbench_page.decode_state(a)
    context = stability.groups_page(db, study, (first, second), options)
    context["back_url"] = _here(study_id)
    return page(request, "researcher/analysis/groups.html", user, **context)


def _whole(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise AnalysisError(f"{what}: expected a whole number, found {text!r}") from None
