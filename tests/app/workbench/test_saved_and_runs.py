"""Saved analyses reopen exactly and compare side by side; background runs start once."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.errors import AnalysisError, NotFoundError
from app.models import AnalysisRun
from app.services import analysis, analysis_runs, saved_analyses
from app.services.analysis import Selection
from qsort.options import FlagOverride, Options
from qsort.pipeline import run as run_engine
from qsort.rotation import RotationStep
from qsort.study import Study
from tests.app.workbench.stored import GROUPS

OPTIONS = Options(
    extraction="centroid",
    rotation_steps=(RotationStep(1, 3, -22.5),),
    manual_flags=(FlagOverride("JP5", "F1", False),),
    inversions=(3,),
)
LEASE = 60.0


def test_saved_analysis_reopens_exactly(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    selection = Selection("group", GROUPS[1])
    saved = saved_analyses.save(db, study_id, "  Workers,  3 factors ", selection, OPTIONS, 7)
    assert saved.name == "Workers, 3 factors" and saved.created_by == 7
    db.expire_all()
    again, options = saved_analyses.reopen(saved_analyses.get(db, study_id, saved.id or 0))
    assert again == selection and options == OPTIONS
    replaced = saved_analyses.save(db, study_id, "Workers, 3 factors", Selection(), Options())
    assert replaced.id == saved.id
    assert saved_analyses.reopen(replaced) == (Selection(), Options())
    assert len(saved_analyses.list_saved(db, study_id)) == 1
    with pytest.raises(AnalysisError, match="expected 1 to 200 characters"):
        saved_analyses.save(db, study_id, "   ", Selection(), Options())
    with pytest.raises(NotFoundError):
        saved_analyses.get(db, study_id + 1, saved.id or 0)
    saved_analyses.delete(db, saved)
    with pytest.raises(NotFoundError):
        saved_analyses.get(db, study_id, saved.id or 0)


def test_two_analyses_side_by_side(lipset_db: tuple[Session, int], lipset: Study) -> None:
    db, study_id = lipset_db
    a = saved_analyses.save(db, study_id, "all", Selection(), Options(n_factors=2))
    b = saved_analyses.save(db, study_id, "group", Selection("group", GROUPS[1]), OPTIONS)
    both = saved_analyses.compare(db, study_id, a.id or 0, b.id or 0)
    first = run_engine(lipset, Options(n_factors=2))
    assert both.sorts == lipset.sort_names[4:]
    assert len(both.arrays) == 33 and len(both.arrays[0]) == 2 + 3
    assert [list(row[:2]) for row in both.arrays] == first.arrays.tolist()
    assert np.allclose([row[:2] for row in both.loadings], first.loadings[4:], atol=1e-12)
    assert [list(row[2:]) for row in both.loadings] == both.b.loadings.tolist()


def test_command_names_the_export_and_grid(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    loaded = analysis.load_study(db, analysis.stored_study(db, study_id), Selection())
    line = saved_analyses.command(loaded, OPTIONS, "ref.csv")
    assert line.startswith("qsort analyze ref.csv --grid=-4..4:2,3,4,5,5,5,4,3,2 ")
    assert "--rotate=1,3,-22.5" in line and "--unflag=JP5:F1" in line and "--invert=3" in line


def test_a_run_starts_once_and_reports_progress(
    lipset_db: tuple[Session, int], engine: Engine, lipset: Study
) -> None:
    db, study_id = lipset_db
    run, token = analysis_runs.start(db, study_id, Selection(), OPTIONS, LEASE)
    again, again_token = analysis_runs.start(db, study_id, Selection(), OPTIONS, LEASE)
    assert token is not None and again_token is None and again.id == run.id
    analysis_runs.launch(engine, run, token, LEASE).join()
    with Session(engine) as other:  # another process's view: the database alone
        done = other.get(AnalysisRun, run.id)
        assert done is not None and done.status == "done" and done.progress == 1.0
        assert done.result is not None
        assert np.allclose(done.result["loadings"], run_engine(lipset, OPTIONS).loadings, atol=0)
    _, after = analysis_runs.start(db, study_id, Selection(), OPTIONS, LEASE)
    assert after is None


def test_concurrent_starts_make_one_run(lipset_db: tuple[Session, int], engine: Engine) -> None:
    _, study_id = lipset_db
    outcomes: list[bool] = []

    def start() -> None:
        with Session(engine, expire_on_commit=False) as db:
            token = analysis_runs.start(db, study_id, Selection(), Options(), LEASE)[1]
            outcomes.append(token is not None)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [False, False, False, True]


def test_a_failed_run_says_why_and_may_start_again(
    lipset_db: tuple[Session, int], engine: Engine
) -> None:
    db, study_id = lipset_db
    too_many = Options(n_factors=8)
    run, token = analysis_runs.start(db, study_id, Selection("group", GROUPS[0]), too_many, LEASE)
    assert token is not None
    analysis_runs.execute(engine, run.id or 0, token, LEASE)
    db.refresh(run)
    assert run.status == "failed" and run.message.startswith("Too many factors")
    again, started = analysis_runs.start(
        db, study_id, Selection("group", GROUPS[0]), too_many, LEASE
    )
    assert started is not None and started != token and again.status == "queued"


def test_new_sorts_make_a_new_run(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    all_ids = analysis_runs.chosen_ids(db, study_id, Selection())
    group_ids = analysis_runs.chosen_ids(db, study_id, Selection("group", GROUPS[0]))
    assert analysis_runs.run_key(OPTIONS, all_ids) != analysis_runs.run_key(OPTIONS, group_ids)
    assert analysis_runs.run_key(OPTIONS, all_ids[::-1]) == analysis_runs.run_key(OPTIONS, all_ids)


def test_progress_is_written_while_reading(
    lipset_db: tuple[Session, int], engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import analysis_store

    db, study_id = lipset_db
    monkeypatch.setattr(analysis_store, "CHUNK", 2)
    seen: list[tuple[float, str]] = []
    analysis.load_study(
        db, analysis.stored_study(db, study_id), Selection(), lambda f, s: seen.append((f, s))
    )
    assert [round(f, 6) for f, _ in seen] == [round(k * 2 / 9, 6) for k in range(1, 5)]
    assert {s for _, s in seen} == {"Reading the sorts"}
