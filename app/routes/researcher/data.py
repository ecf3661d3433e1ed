"""A study's collected data: participants, one sort, exclusion, withdrawal and downloads."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from app.deps import CurrentUser, DbDep, SettingsDep, csrf_protect
from app.errors import InvalidInputError
from app.routes.researcher.pages import page, see_other
from app.services import access, collected, export, import_sorts

router = APIRouter(prefix="/studies/{study_id}", dependencies=[Depends(csrf_protect)])
MAX_UPLOAD_BYTES = 20_000_000


async def read_upload(file: UploadFile) -> bytes:
    """The uploaded file's bytes, refused beyond :data:`MAX_UPLOAD_BYTES`."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidInputError(f"an uploaded file may be at most {MAX_UPLOAD_BYTES // 10**6} MB")
    return content


def _formats() -> list[tuple[str, str]]:
    from qsort.formats import FORMATS

    return [(f.name, f.description) for f in FORMATS.values()]


@router.get("/participants")
def participants(request: Request, db: DbDep, user: CurrentUser, study_id: int) -> Response:
    """The participants table with the download choices."""
    lines = collected.participants(db, user, study_id)
    study = access.study_for(db, user, study_id, "view")
    return page(
        request,
        "researcher/participants.html",
        user,
        study=study,
        lines=lines,
        formats=_formats(),
        can_edit=access.may(db, user, study_id, "edit"),
        can_own=access.may(db, user, study_id, "own"),
    )


@router.get("/participants/{participant_id}")
def one_sort(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, participant_id: int
) -> Response:
    """One participant's sort as its grid, with comments and survey answers."""
    view = collected.sort_view(db, user, study_id, participant_id)
    study = access.study_for(db, user, study_id, "view")
    return page(
        request,
        "researcher/sort.html",
        user,
        study=study,
        view=view,
        participant_id=participant_id,
        can_edit=access.may(db, user, study_id, "edit"),
        can_own=access.may(db, user, study_id, "own"),
    )


@router.post("/participants/{participant_id}/exclude")
def exclude(
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    participant_id: int,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Exclude the sort from analysis with a reason (an empty reason includes it again)."""
    collected.exclude(db, user, study_id, participant_id, reason)
    db.commit()
    return see_other(f"/studies/{study_id}/participants/{participant_id}")


@router.post("/participants/{participant_id}/withdraw")
def withdraw(db: DbDep, user: CurrentUser, study_id: int, participant_id: int) -> Response:
    """Delete a withdrawing participant's data (recorded in the audit record)."""
    collected.withdraw(db, user, study_id, participant_id)
    db.commit()
    return see_other(f"/studies/{study_id}/participants")


@router.get("/export")
def download_sorts(
    db: DbDep,
    settings: SettingsDep,
    user: CurrentUser,
    study_id: int,
    format: str = "pqmethod",
    full: bool = False,
) -> Response:
    """The sorts in one of ``qsort formats``' formats: the file, or a zip of its files."""
    from qsort.formats import FORMATS

    if format not in FORMATS:
        raise InvalidInputError(f"expected a format among {', '.join(FORMATS)}, found {format!r}")
    with tempfile.TemporaryDirectory(prefix="qsort-export-") as folder:
        target = Path(folder) / f"study{study_id}{FORMATS[format].extensions[0]}"
        written = export.export_sorts(
            db, user, study_id, target, format, full, "data_download", data_dir=settings.data_dir
        )
        db.commit()
        if len(written) == 1:
            return _attachment(written[0].read_bytes(), written[0].name)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in written:
                archive.write(file, file.name)
        return _attachment(buffer.getvalue(), f"study{study_id}-{format}.zip")


@router.get("/responses.csv")
def download_responses(db: DbDep, user: CurrentUser, study_id: int, full: bool = False) -> Response:
    """Comments and survey answers as CSV."""
    text = export.responses_csv(db, user, study_id, full, action="data_download")
    return _sent_csv(db, text, f"study{study_id}-responses.csv")


@router.get("/trace-{kind}.csv")
def download_trace(db: DbDep, user: CurrentUser, study_id: int, kind: str) -> Response:
    """The move trace as CSV: every move (``moves``) or the time on each step (``steps``)."""
    text = export.trace_csv(db, user, study_id, kind, action="data_download")
    return _sent_csv(db, text, f"study{study_id}-{kind}.csv")


def _sent_csv(db: Session, text: str, name: str) -> Response:
    """A CSV the export service made, sent once its audit record is committed."""
    db.commit()
    return _attachment(text.encode("utf-8"), name)


def _attachment(content: bytes, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(content, media_type="application/octet-stream", headers=headers)


@router.post("/sorts/import")
async def import_sorts_file(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    file: UploadFile,
    format: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Add the sorts of an uploaded file (checked against the Q-set and grid)."""
    access.study_for(db, user, study_id, "edit")
    name = Path(file.filename or "sorts").name or "sorts"
    with tempfile.TemporaryDirectory(prefix="qsort-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(await read_upload(file))
        import_sorts.import_sorts(db, user, study_id, path, format or None, name)
    db.commit()
    return see_other(f"/studies/{study_id}/participants")
