"""The analysis workbench: analyse a study's sorts, save, reopen, compare and download.

Thin routes over :mod:`app.services.workbench_page` and :mod:`app.services.saved_analyses`:
whoever may see a study (``view``) may analyse it and download from it; saving and deleting a
saved analysis needs ``edit``. Every download is written in the audit record.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from app.deps import CurrentUser, DbDep, csrf_protect
from app.errors import AnalysisError
from app.models import AnalysisRun, StaffUser
from app.models import Study as StoredStudy
from app.routes.researcher.data import read_upload
from app.routes.researcher.pages import page, see_other
from app.services import (
    access,
    analysis_runs,
    audit,
    flags_import,
    large_runs,
    saved_analyses,
    stability,
    workbench_page,
)
from app.services.analysis import Selection
from app.services.workbench_page import Urls
from app.settings import Settings
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
        f"{here}/flags-from",
    )


def _show(
    request: Request,
    db: Session,
    user: StaffUser,
    study: StoredStudy,
    selection: Selection,
    options: Options,
    imported: flags_import.Imported | None = None,
    import_error: str | None = None,
) -> Response:
    """The workbench for this analysis, or a large one's background run; ``imported``: what an
    output workbook gave, ``import_error``: why one was refused (the page answers 422)."""
    assert study.id is not None
    settings: Settings = request.app.state.settings
    if len(analysis_runs.chosen_ids(db, study.id, selection)) > settings.background_sorts:
        return _background(request, db, user, study, selection, options)
    flags = imported.flags if imported else ()
    context = workbench_page.build_page(db, study, selection, options, _urls(db, study.id), flags)
    context["can_edit"] = access.may(db, user, study.id, "edit")
    context["import_note"] = imported.note if imported else None
    context["import_error"] = import_error
    status = 422 if import_error else 200
    return page(request, TEMPLATE, user, status, **context)


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
    lease = request.app.state.settings.run_lease
    run, token = analysis_runs.start(db, study.id, selection, options, lease, user.id)
    if token is not None:
        _launch(request, db, user, run, token)
    return _run_page(request, user, study, run)


def _launch(request: Request, db: Session, user: StaffUser, run: AnalysisRun, token: str) -> None:
    """Run it in a worker thread of this process, and say so in the audit record."""
    audit.record(db, user, "analyse", study_id=run.study_id, detail=f"background run {run.id}")
    db.commit()
    analysis_runs.launch(request.app.state.engine, run, token, request.app.state.settings.run_lease)


def _keep_going(request: Request, db: Session, user: StaffUser, run: AnalysisRun) -> None:
    """Take over a queued or running run whose worker died (its lease expired)."""
    if analysis_runs.lease_expired(run):
        token = analysis_runs.take_over(db, run, request.app.state.settings.run_lease)
        if token is not None:
            _launch(request, db, user, run, token)


def _run_page(
    request: Request, user: StaffUser, study: StoredStudy, run: AnalysisRun, number: int = 1
) -> Response:
    """A background run's page: its progress, then its summary once done."""
    assert study.id is not None
    here = _here(study.id)
    n_sorts = len(run.result["sorts"]) if run.result else 0
    return page(
        request,
        "researcher/analysis/progress.html",
        user,
        title=study.title,
        study_id=study.id,
        run=run,
        summary=large_runs.summary(run.result, number) if run.result else None,
        threshold=request.app.state.settings.background_sorts,
        status_url=f"{here}/runs/{run.id}",
        files_url=f"{here}/runs/{run.id}/files",
        table_files=large_runs.TABLE_FILES,
        report_files=large_runs.reports_for(n_sorts),
        zip_name=large_runs.ZIP,
        left_out=large_runs.left_out(n_sorts),
        page_url=f"{here}?run={run.id}",
        back_url=here,
    )


@router.get("/runs/{run_id}")
def run_status(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, run_id: int
) -> JSONResponse:
    """A background run's state, read from the database (any app process can answer)."""
    access.study_for(db, user, study_id, "view")
    found = analysis_runs.get(db, study_id, run_id)
    _keep_going(request, db, user, found)
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
    return _run_download(db, user, study_id, run_id, "result.json")


@router.get("/runs/{run_id}/loadings.csv")
def run_loadings(db: DbDep, user: CurrentUser, study_id: int, run_id: int) -> Response:
    """A finished background run's loadings and flags, one row per sort (too many for a page)."""
    return _run_download(db, user, study_id, run_id, "loadings.csv")


@router.get("/runs/{run_id}/files/{name}")
def run_file(db: DbDep, user: CurrentUser, study_id: int, run_id: int, name: str) -> Response:
    """One more file of a finished background run: a per-statement table, a report, or the zip
    of the tables (see :mod:`app.services.large_runs`)."""
    return _run_download(db, user, study_id, run_id, name)


def _run_download(db: Session, user: StaffUser, study_id: int, run_id: int, name: str) -> Response:
    """A finished run's file, for one who may see the study, recorded once it is built (a run
    not finished is refused with :class:`~app.errors.RunNotDoneError`)."""
    access.study_for(db, user, study_id, "view")
    found = analysis_runs.get(db, study_id, run_id)
    content = large_runs.run_file(db, found, name)
    audit.record(db, user, "data_download", study_id=study_id, detail=f"run {run_id} {name}")
    db.commit()
    return _attachment(content, name)


def _attachment(content: bytes, filename: str, kind: str | None = None) -> Response:
    """A download of ``content`` under ``filename`` (its type from its extension by default)."""
    from app.services.downloads import media_type

    kind = kind or media_type(filename)
    headers = {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    }
    return Response(content, media_type=kind, headers=headers)


@router.get("")
def workbench(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    saved: int | None = None,
    run: int | None = None,
    page: int = 1,
) -> Response:
    """The workbench with the default analysis, a saved one reopened exactly, or a large run
    (``page``: which page of its loadings)."""
    study = access.study_for(db, user, study_id, "view")
    if run is not None:
        found = analysis_runs.get(db, study_id, run)
        _keep_going(request, db, user, found)
        return _run_page(request, user, study, found, page)
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
    return _attachment(content, name.rsplit("/", 1)[-1], kind)


@router.post("/flags-from")
async def flags_from(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, file: UploadFile
) -> Response:
    """The analysis on the page with the flags and settings of a KADE / Ken-Q output workbook
    (``qsort analyze --flags-from``); a workbook of other sorts is refused, the page kept."""
    study = access.study_for(db, user, study_id, "view")
    form = await request.form()
    selection, options = workbench_page.decode_state(str(form.get("a", "")))
    content = await read_upload(file)
    name = Path(file.filename or "workbook.xlsx").name
    try:
        book = flags_import.read_workbook(content, name)
        taken = flags_import.imported(db, study, selection, options, book)
    except AnalysisError as exc:
        return _show(request, db, user, study, selection, options, import_error=exc.detail)
    audit.record(db, user, "analyse", study_id=study_id, detail=f"flags from {name}")
    db.commit()
    return _show(request, db, user, study, selection, taken.options, taken)


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
