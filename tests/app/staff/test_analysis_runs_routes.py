"""A large analysis through the workbench's routes: started once, progress read back, result."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlmodel import Session, func, select

from app.models import AnalysisRun
from app.services import analysis_runs
from qsort.options import Options
from qsort.pipeline import run as run_engine
from qsort.study import Study
from tests.app.staff.conftest import build_world
from tests.app.workbench.stored import store_study_for


def test_a_large_analysis_runs_once_in_the_background(
    tmp_path: Path, lipset: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(tmp_path)
    state = next(world)
    with state.db() as db:
        study_id = store_study_for(db, lipset, "demo@example.org", "owner")
    state.app.state.settings = replace(state.settings, background_sorts=3)
    workers: list[threading.Thread] = []
    real_launch = analysis_runs.launch

    def launch(engine: Any, run: AnalysisRun, token: str, lease: float) -> threading.Thread:
        worker = real_launch(engine, run, token, lease)
        workers.append(worker)
        return worker

    monkeypatch.setattr(analysis_runs, "launch", launch)
    client = state.clients["owner"]
    first = client.get(f"/studies/{study_id}/analysis")
    again = client.get(f"/studies/{study_id}/analysis")
    assert first.status_code == again.status_code == 200
    assert 'data-testid="run-progress"' in first.text
    assert len(workers) == 1  # the second request found the first run
    workers[0].join()
    with Session(state.app.state.engine) as db:
        assert db.exec(select(func.count()).select_from(AnalysisRun)).one() == 1
        run_id = db.exec(select(AnalysisRun.id)).one()
    status = client.get(f"/studies/{study_id}/analysis/runs/{run_id}").json()
    assert status == {"status": "done", "progress": 1.0, "stage": "Done", "message": ""}
    done = client.get(f"/studies/{study_id}/analysis?run={run_id}")
    assert 'data-testid="run-characteristics"' in done.text
    result = json.loads(client.get(f"/studies/{study_id}/analysis/runs/{run_id}/result.json").text)
    assert np.allclose(result["loadings"], run_engine(lipset, Options()).loadings, atol=1e-12)
    assert client.get(f"/studies/{study_id}/analysis/runs/{run_id}").status_code == 200
    outsider = state.clients["other"]
    assert outsider.get(f"/studies/{study_id}/analysis/runs/{run_id}").status_code == 404
    world.close()


def test_bootstrap_and_group_pages(tmp_path: Path, lipset: Study) -> None:
    from app.services.analysis import Selection
    from app.services.workbench_page import encode_state
    from tests.app.staff.conftest import csrf_of
    from tests.app.workbench.stored import GROUPS

    world = build_world(tmp_path)
    state = next(world)
    with state.db() as db:
        study_id = store_study_for(db, lipset, "viewer@example.org", "viewer")
    client = state.clients["viewer"]
    token = encode_state(Selection(), Options(n_factors=2))
    here = f"/studies/{study_id}/analysis"
    workbench = client.get(here)
    assert workbench.status_code == 200 and 'data-testid="bootstrap"' in workbench.text
    assert 'data-testid="save"' not in workbench.text  # a viewer may analyse, not save
    boot = client.post(
        f"{here}/bootstrap",
        data={"a": token, "resamples": "30", "seed": "1", "csrf_token": csrf_of(client)},
    )
    assert boot.status_code == 200 and 'data-testid="boot-loadings"' in boot.text
    groups = client.get(
        f"{here}/groups", params={"a": token, "first": GROUPS[0], "second": GROUPS[1]}
    )
    assert groups.status_code == 200 and 'data-testid="group-correlations"' in groups.text
    world.close()
