"""A background run whose worker died is taken over, once; a live worker's run is left alone.

A dead worker is simulated by the row it leaves behind: queued or running, its lease expired.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import AnalysisRun, utcnow
from app.services import analysis, analysis_runs
from app.services.analysis import Selection
from app.settings import Settings, SettingsError
from qsort.options import Options
from qsort.pipeline import run as run_engine
from qsort.study import Study

LEASE = 60.0


def _stale_row(db: Session, study_id: int, status: str, expired: bool = True) -> AnalysisRun:
    """The row a worker leaves when its process dies part way (or a live worker's row)."""
    ids = analysis_runs.chosen_ids(db, study_id, Selection())
    when = utcnow() + timedelta(seconds=-5 if expired else LEASE)
    row = AnalysisRun(
        study_id=study_id,
        run_key=analysis_runs.run_key(Options(), ids),
        selection=Selection().to_dict(),
        options=Options().to_dict(),
        status=status,
        progress=0.4,
        stage="Correlating, extracting and rotating",
        lease_owner="dead-worker",
        lease_expires=when,
    )
    db.add(row)
    db.commit()
    return row


def test_a_dead_workers_run_is_taken_over_once_and_finishes(
    lipset_db: tuple[Session, int], engine: Engine, lipset: Study
) -> None:
    db, study_id = lipset_db
    dead = _stale_row(db, study_id, "running")
    assert analysis_runs.lease_expired(dead)
    run, token = analysis_runs.start(db, study_id, Selection(), Options(), LEASE)
    again, second = analysis_runs.start(db, study_id, Selection(), Options(), LEASE)
    assert run.id == again.id == dead.id
    assert token is not None and second is None  # taken over once, not started twice
    assert run.status == "queued" and run.progress == 0.0
    analysis_runs.execute(engine, run.id or 0, "dead-worker", LEASE)  # the old lease is void
    db.refresh(run)
    assert run.status == "queued"
    analysis_runs.execute(engine, run.id or 0, token, LEASE)
    with Session(engine) as other:
        done = other.get(AnalysisRun, run.id)
        assert done is not None and done.status == "done" and done.result is not None
        expected = run_engine(lipset, Options()).loadings
        assert np.allclose(done.result["loadings"], expected, atol=1e-12)


def test_a_run_without_a_lease_counts_as_expired(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    row = _stale_row(db, study_id, "queued")
    row.lease_expires = None  # a row written before leases existed
    db.add(row)
    db.commit()
    assert analysis_runs.lease_expired(row)
    assert analysis_runs.take_over(db, row, LEASE) is not None
    assert not analysis_runs.lease_expired(row)
    assert analysis_runs.take_over(db, row, LEASE) is None


def test_a_live_workers_run_is_left_alone(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    live = _stale_row(db, study_id, "running", expired=False)
    assert not analysis_runs.lease_expired(live)
    run, token = analysis_runs.start(db, study_id, Selection(), Options(), LEASE)
    assert run.id == live.id and token is None
    assert run.status == "running" and run.lease_owner == "dead-worker"
    assert analysis_runs.take_over(db, run, LEASE) is None


def test_a_failed_run_is_not_restarted_by_the_progress_page(
    lipset_db: tuple[Session, int],
) -> None:
    db, study_id = lipset_db
    failed = _stale_row(db, study_id, "failed")
    assert analysis_runs.take_over(db, failed, LEASE) is None  # only a new request restarts it
    assert analysis_runs.take_over(db, failed, LEASE, failed=True) is not None


def test_the_heartbeat_renews_the_lease_until_it_is_lost(
    lipset_db: tuple[Session, int], engine: Engine
) -> None:
    db, study_id = lipset_db
    row = _stale_row(db, study_id, "running", expired=False)
    assert row.id is not None
    first = row.lease_expires
    with analysis_runs.Heartbeat(engine, row.id, "dead-worker", 3.0) as beat:
        deadline = time.monotonic() + 20
        while True:  # wait for the state to change, with a generous deadline
            db.refresh(row)
            if row.lease_expires != first or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        assert row.lease_expires != first
        assert analysis_runs.take_over(db, row, LEASE) is None  # still held
        row.lease_owner = "someone-else"  # the lease is taken over meanwhile
        db.add(row)
        db.commit()
        beat.thread.join(timeout=20)
        assert not beat.thread.is_alive()  # the heartbeat stops once its lease is gone


def test_a_fault_fails_the_run_instead_of_leaving_it_running(
    lipset_db: tuple[Session, int], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, study_id = lipset_db

    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(analysis, "run", broken)
    run, token = analysis_runs.start(db, study_id, Selection(), Options(), LEASE)
    assert token is not None
    analysis_runs.execute(engine, run.id or 0, token, LEASE)
    db.refresh(run)
    assert run.status == "failed" and run.message == analysis_runs.FAULT
    assert analysis_runs.take_over(db, run, LEASE) is None  # not taken over as a dead worker's


def test_the_threshold_and_the_lease_are_settings(tmp_path: Path) -> None:
    env = {"QSORT_DATA_DIR": str(tmp_path), "QSORT_SECRET_KEY": "k"}
    assert (Settings.from_env(env).background_sorts, Settings.from_env(env).run_lease) == (
        10_000,
        60.0,
    )
    read = Settings.from_env({**env, "QSORT_BACKGROUND_SORTS": "500", "QSORT_RUN_LEASE": "7.5"})
    assert (read.background_sorts, read.run_lease) == (500, 7.5)
    with pytest.raises(SettingsError, match="QSORT_BACKGROUND_SORTS: expected a whole number"):
        Settings.from_env({**env, "QSORT_BACKGROUND_SORTS": "many"})
    with pytest.raises(SettingsError, match="QSORT_RUN_LEASE: expected a number above 0"):
        Settings.from_env({**env, "QSORT_RUN_LEASE": "0"})
