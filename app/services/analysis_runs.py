"""Background runs of large analyses, their progress kept in the database.

An analysis of more sorts than the ``background_sorts`` setting runs outside the request:
:func:`start` records an :class:`~app.models.AnalysisRun` (unique per study and :func:`run_key`,
so a second request for the same analysis finds the first instead of starting another), and
:func:`execute` does the work in a worker thread, writing its stage and fraction done as it goes.
Because the progress lives in the database, any app process behind a proxy can report it.

A run is held by one worker under a *lease*: a random token (``lease_owner``) and an expiry
(``lease_expires``) that a heartbeat thread renews every third of the lease while the work goes
on. A worker writes only while it holds the lease. A queued or running run whose lease expired
(the worker's process died) is taken over by :func:`take_over`, called by a later request for
the same analysis or by whichever process answers the progress page's questions; the claim is
one conditional update, so only one caller wins and the run is never started twice. A failed
run may be started again by a new request for it; a finished one never runs again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from collections.abc import Sequence
from datetime import UTC, timedelta
from typing import Any

import sqlalchemy as sa
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

#: Share of the progress bar given to reading the sorts; the engine's run takes the rest.
READING_SHARE = 0.4
#: States of a run that a worker holds (or held, if its lease expired).
ACTIVE = ("queued", "running")
#: What a run that stopped on a fault (not a refusal of the engine) says.
FAULT = "The analysis stopped on an unexpected error; it is in the server's log. Try it again."
LOG = logging.getLogger(__name__)


class LeaseLostError(Exception):
    """The worker's lease was taken over by another: it stops without writing."""


def run_key(options: Options, record_ids: Sequence[int]) -> str:
    """A hash of the options and the exact sorts chosen: new sorts make a new run."""
    data = {"options": options.to_dict(), "sorts": sorted(record_ids)}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def chosen_ids(db: Session, study_id: int, selection: Selection) -> list[int]:
    """The record ids of the sorts a selection chooses now."""
    rows = analysis.chosen_rows(analysis_store.completed_sorts(db, study_id), selection)
    return [row.record_id for row in rows]


def start(
    db: Session,
    study_id: int,
    selection: Selection,
    options: Options,
    lease: float,
    user_id: int | None = None,
) -> tuple[AnalysisRun, str | None]:
    """The run of this analysis, and the lease token when this call must launch it (None: a
    live worker holds it, or it is done)."""
    key = run_key(options, chosen_ids(db, study_id, selection))
    found = analysis_store.run_by_key(db, study_id, key)
    if found is not None:
        return found, take_over(db, found, lease, failed=True)
    token = _token()
    new = AnalysisRun(
        study_id=study_id,
        run_key=key,
        selection=selection.to_dict(),
        options=options.to_dict(),
        created_by=user_id,
        lease_owner=token,
        lease_expires=utcnow() + timedelta(seconds=lease),
    )
    db.add(new)
    try:
        db.commit()
    except IntegrityError:  # another request recorded the same run a moment ago
        db.rollback()
        again = analysis_store.run_by_key(db, study_id, key)
        assert again is not None
        return again, take_over(db, again, lease, failed=True)
    return new, token


def _token() -> str:
    return secrets.token_hex(16)


def lease_expired(run: AnalysisRun) -> bool:
    """Whether a queued or running run's lease has expired (read without writing, so that the
    progress page's questions need no write while its worker is alive)."""
    if run.status not in ACTIVE:
        return False
    expires = run.lease_expires
    if expires is None:
        return True
    if expires.tzinfo is None:  # SQLite gives back the UTC time without its zone
        expires = expires.replace(tzinfo=UTC)
    return expires < utcnow()


def take_over(db: Session, run: AnalysisRun, lease: float, *, failed: bool = False) -> str | None:
    """Claim a queued or running run whose lease expired (and a failed one if ``failed``):
    queue it afresh under a new lease and return its token; None when another holds it, it is
    done, or another caller won the claim a moment ago."""
    now = utcnow()
    expired = sa.and_(
        col(AnalysisRun.status).in_(ACTIVE),
        sa.or_(col(AnalysisRun.lease_expires).is_(None), col(AnalysisRun.lease_expires) < now),
    )
    claimable = sa.or_(expired, col(AnalysisRun.status) == "failed") if failed else expired
    token = _token()
    changed = db.execute(
        update(AnalysisRun)
        .execution_options(synchronize_session=False)
        .where(col(AnalysisRun.id) == run.id, claimable)
        .values(
            status="queued",
            progress=0.0,
            stage="",
            message="",
            lease_owner=token,
            lease_expires=now + timedelta(seconds=lease),
            updated_at=now,
        )
    )
    db.commit()
    db.refresh(run)
    return token if getattr(changed, "rowcount", 0) == 1 else None


def get(db: Session, study_id: int, run_id: int) -> AnalysisRun:
    """A run of this study, or :class:`NotFoundError` (also for another study's run)."""
    found = db.get(AnalysisRun, run_id)
    if found is None or found.study_id != study_id:
        raise NotFoundError(f"no analysis run {run_id} in study {study_id}")
    return found


def _write(db: Session, run_id: int, token: str, **values: Any) -> bool:
    """Write the run's state if this worker still holds its lease; False when it does not."""
    changed = db.execute(
        update(AnalysisRun)
        .execution_options(synchronize_session=False)
        .where(col(AnalysisRun.id) == run_id, col(AnalysisRun.lease_owner) == token)
        .values(**values, updated_at=utcnow())
    )
    db.commit()
    return bool(getattr(changed, "rowcount", 0) == 1)


def _claim(db: Session, run_id: int, token: str) -> AnalysisRun | None:
    """Mark the queued run as running under this worker's lease; None when not its to run."""
    changed = db.execute(
        update(AnalysisRun)
        .execution_options(synchronize_session=False)
        .where(
            col(AnalysisRun.id) == run_id,
            col(AnalysisRun.lease_owner) == token,
            col(AnalysisRun.status) == "queued",
        )
        .values(status="running", stage="Reading the sorts", progress=0.0, updated_at=utcnow())
    )
    db.commit()
    return db.get(AnalysisRun, run_id) if getattr(changed, "rowcount", 0) == 1 else None


class Heartbeat:
    """Renews a run's lease every third of its length until stopped or the lease is lost."""

    def __init__(self, engine: Engine, run_id: int, token: str, lease: float) -> None:
        self.engine, self.run_id, self.token, self.lease = engine, run_id, token, lease
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        while not self.stopped.wait(self.lease / 3):
            with Session(self.engine) as db:
                held = db.execute(
                    update(AnalysisRun)
                    .execution_options(synchronize_session=False)
                    .where(
                        col(AnalysisRun.id) == self.run_id,
                        col(AnalysisRun.lease_owner) == self.token,
                        col(AnalysisRun.status).in_(ACTIVE),
                    )
                    .values(lease_expires=utcnow() + timedelta(seconds=self.lease))
                )
                db.commit()
            if getattr(held, "rowcount", 0) != 1:
                return

    def __enter__(self) -> Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()


def execute(engine: Engine, run_id: int, token: str, lease: float) -> None:
    """Do a queued run held under ``token``: read the sorts, run the engine, store the JSON
    result or the reason; stop without writing if the lease is taken over meanwhile."""
    with Session(engine, expire_on_commit=False) as db:
        run = _claim(db, run_id, token)
        if run is None:
            return
        with Heartbeat(engine, run_id, token, lease):
            try:
                result = _work(db, run, token)
            except AppError as exc:
                _write(db, run_id, token, status="failed", message=exc.detail, finished_at=utcnow())
                return
            except LeaseLostError:
                return
            except Exception:  # a fault, not a refusal: say so rather than run it again forever
                LOG.exception("analysis run %s failed", run_id)
                _write(db, run_id, token, status="failed", message=FAULT, finished_at=utcnow())
                return
        done = {"status": "done", "stage": "Done", "progress": 1.0, "result": result}
        _write(db, run_id, token, **done, finished_at=utcnow())


def _work(db: Session, run: AnalysisRun, token: str) -> dict[str, Any]:
    assert run.id is not None
    run_id = run.id

    def report(stage: str, progress: float) -> None:
        if not _write(db, run_id, token, stage=stage, progress=progress):
            raise LeaseLostError(f"run {run_id} was taken over")

    stored = analysis.stored_study(db, run.study_id)
    selection = Selection.from_dict(run.selection)
    loaded = analysis.load_study(
        db, stored, selection, lambda fraction, stage: report(stage, READING_SHARE * fraction)
    )
    report("Correlating, extracting and rotating", READING_SHARE)
    result = analysis.run(loaded, analysis.options_from(run.options))
    return result.to_dict()


def launch(engine: Engine, run: AnalysisRun, token: str, lease: float) -> threading.Thread:
    """Execute a run in a daemon thread of this process and return the thread."""
    assert run.id is not None
    worker = threading.Thread(target=execute, args=(engine, run.id, token, lease), daemon=True)
    worker.start()
    return worker
