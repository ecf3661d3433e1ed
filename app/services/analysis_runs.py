"""Background runs of large analyses, their progress kept in the database.

An analysis of more than :data:`BACKGROUND_SORTS` sorts runs outside the request: :func:`start`
records an :class:`~app.models.AnalysisRun` (unique per study and :func:`run_key`, so a second
request for the same analysis finds the first instead of starting another), and :func:`execute`
does the work in a worker thread, writing its stage and fraction done as it goes. Because the
progress lives in the database, any app process behind a proxy can report it. A failed run may be
started again; a queued, running or finished one is never started twice.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from app import analysis_store
from app.errors import AppError, NotFoundError
from app.models import AnalysisRun, utcnow
from app.services import analysis
from app.services.analysis import Selection
from qsort.options import Options

#: Analyses of more sorts than this run in the background with a progress bar.
BACKGROUND_SORTS = 10_000
#: Share of the progress bar given to reading the sorts; the engine's run takes the rest.
READING_SHARE = 0.4


def run_key(options: Options, record_ids: Sequence[int]) -> str:
    """A hash of the options and the exact sorts chosen: new sorts make a new run."""
    data = {"options": options.to_dict(), "sorts": sorted(record_ids)}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def chosen_ids(db: Session, study_id: int, selection: Selection) -> list[int]:
    """The record ids of the sorts a selection chooses now."""
    rows = analysis.chosen_rows(analysis_store.completed_sorts(db, study_id), selection)
    return [row.record_id for row in rows]


def start(
    db: Session, study_id: int, selection: Selection, options: Options, user_id: int | None = None
) -> tuple[AnalysisRun, bool]:
    """The run of this analysis, and whether this call started it (False: already there)."""
    key = run_key(options, chosen_ids(db, study_id, selection))
    found = analysis_store.run_by_key(db, study_id, key)
    if found is not None:
        return found, _restart_failed(db, found)
    new = AnalysisRun(
        study_id=study_id,
        run_key=key,
        selection=selection.to_dict(),
        options=options.to_dict(),
        created_by=user_id,
    )
    db.add(new)
    try:
        db.commit()
    except IntegrityError:  # another request recorded the same run a moment ago
        db.rollback()
        again = analysis_store.run_by_key(db, study_id, key)
        assert again is not None
        return again, False
    return new, True


def get(db: Session, study_id: int, run_id: int) -> AnalysisRun:
    """A run of this study, or :class:`NotFoundError` (also for another study's run)."""
    found = db.get(AnalysisRun, run_id)
    if found is None or found.study_id != study_id:
        raise NotFoundError(f"no analysis run {run_id} in study {study_id}")
    return found


def _restart_failed(db: Session, run: AnalysisRun) -> bool:
    """Queue a failed run again; only one caller wins the conditional update."""
    changed = db.execute(
        update(AnalysisRun)
        .where(col(AnalysisRun.id) == run.id, col(AnalysisRun.status) == "failed")
        .values(status="queued", progress=0.0, stage="", message="", updated_at=utcnow())
    )
    db.commit()
    db.refresh(run)
    return bool(getattr(changed, "rowcount", 0) == 1)


def _report(db: Session, run: AnalysisRun, **values: Any) -> None:
    for name, value in values.items():
        setattr(run, name, value)
    run.updated_at = utcnow()
    db.add(run)
    db.commit()


def execute(engine: Engine, run_id: int) -> None:
    """Do a queued run: read the sorts, run the engine, store the JSON result or the reason."""
    with Session(engine, expire_on_commit=False) as db:
        run = db.get(AnalysisRun, run_id)
        if run is None or run.status != "queued":
            return
        _report(db, run, status="running", stage="Reading the sorts", progress=0.0)
        try:
            result = _work(db, run)
        except AppError as exc:
            _report(db, run, status="failed", message=exc.detail, finished_at=utcnow())
            return
        _report(
            db, run, status="done", stage="Done", progress=1.0, result=result, finished_at=utcnow()
        )


def _work(db: Session, run: AnalysisRun) -> dict[str, Any]:
    def reading(fraction: float, stage: str) -> None:
        _report(db, run, stage=stage, progress=READING_SHARE * fraction)

    stored = analysis.stored_study(db, run.study_id)
    selection = Selection.from_dict(run.selection)
    loaded = analysis.load_study(db, stored, selection, reading)
    _report(db, run, stage="Correlating, extracting and rotating", progress=READING_SHARE)
    result = analysis.run(loaded, analysis.options_from(run.options))
    return result.to_dict()


def launch(engine: Engine, run: AnalysisRun) -> threading.Thread:
    """Execute a run in a daemon thread of this process and return the thread."""
    assert run.id is not None
    worker = threading.Thread(target=execute, args=(engine, run.id), daemon=True)
    worker.start()
    return worker
