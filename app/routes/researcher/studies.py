"""The studies list, one study's overview (state, sharing) and its audit record."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response

from app import store
from app.deps import CurrentUser, DbDep, SettingsDep, csrf_protect
from app.errors import InvalidInputError
from app.models import StaffUser
from app.routes.researcher.data import read_upload
from app.routes.researcher.pages import page, see_other
from app.services import access, export, import_sorts, studies

router = APIRouter(prefix="/studies", dependencies=[Depends(csrf_protect)])


@router.get("")
def study_list(request: Request, db: DbDep, user: CurrentUser) -> Response:
    """The studies the user may see, with their state and number of sorts."""
    rows = [r for r in studies.rows_for(db, user) if r.right != "facilitator"]
    return page(request, "researcher/studies.html", user, rows=rows)


def _overview(
    request: Request, db: DbDep, user: StaffUser, study_id: int, status: int = 200, **extra: object
) -> Response:
    study = access.study_for(db, user, study_id, "view")
    session = store.session_for_study(db, study_id)
    members = store.study_members(db, study_id)
    return page(
        request,
        "researcher/study.html",
        user,
        status,
        study=study,
        session=session,
        members=members,
        sorts=store.sort_counts(db).get(study_id, 0),
        can_edit=access.may(db, user, study_id, "edit"),
        can_own=access.may(db, user, study_id, "own"),
        share_rights=tuple(studies.SHARE_RIGHTS),
        **extra,
    )


@router.get("/{study_id}")
def overview(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """One study: its state, join code, sorts and who shares it."""
    return _overview(request, db, user, study_id)


@router.post("/{study_id}/status")
def set_status(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    status: Annotated[str, Form(max_length=16)],
) -> Response:
    """Open or close the study to participants (the page says what stops it from opening)."""
    try:
        studies.set_status(db, user, study_id, status)
    except InvalidInputError as exc:
        db.rollback()
        return _overview(request, db, user, study_id, 422, error=exc.detail)
    db.commit()
    return see_other(f"/studies/{study_id}")


@router.post("/{study_id}/share")
def share(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    email: Annotated[str, Form(max_length=254)],
    right: Annotated[str, Form(max_length=16)],
) -> Response:
    """Give another account a right on the study."""
    try:
        studies.share(db, user, study_id, email, right)
    except InvalidInputError as exc:
        db.rollback()
        return _overview(request, db, user, study_id, 422, error=exc.detail)
    db.commit()
    return see_other(f"/studies/{study_id}")


@router.get("/{study_id}/audit")
def audit_record(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """Who did what to this study (its owners and admins only)."""
    study = access.study_for(db, user, study_id, "own")
    events = store.audit_events(db, study_id)
    return page(request, "researcher/audit.html", user, events=events, study=study)


@router.post("/import")
async def import_study(
    request: Request, db: DbDep, settings: SettingsDep, user: CurrentUser, file: UploadFile
) -> Response:
    """Make a draft study from an uploaded qsort study file (its pictures checked as uploads)."""
    access.require_role(user, "admin", "researcher")
    name = Path(file.filename or "study.json").name or "study.json"
    with tempfile.TemporaryDirectory(prefix="qsort-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(await read_upload(file))
        study = import_sorts.import_study(db, user, path, name, settings.data_dir)
    db.commit()
    return see_other(f"/studies/{study.id}")


@router.get("/{study_id}/study.json")
def download_study(db: DbDep, settings: SettingsDep, user: CurrentUser, study_id: int) -> Response:
    """The whole study as a qsort study file (statements and their pictures, grid, questions,
    sorts)."""
    with tempfile.TemporaryDirectory(prefix="qsort-export-") as folder:
        target = Path(folder) / f"study{study_id}.json"
        export.export_sorts(
            db, user, study_id, target, "qsort", action="data_download", data_dir=settings.data_dir
        )
        db.commit()
        content = target.read_bytes()
    headers = {
        "Content-Disposition": f'attachment; filename="{target.name}"',
        "Cache-Control": "no-store",
    }
    return Response(content, media_type="application/json", headers=headers)
