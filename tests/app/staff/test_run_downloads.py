"""A large background run's downloads equal the workbench writers' files of the same analysis.

The reference study's sorts (with their texts) are stored as participants would have sorted
them; with the background threshold lowered, the workbench starts a run and its worker finishes
it. The engine is then run directly on the same sorts and options (a ``qsort.Study`` built here
from the reference file, not from the store) and each of the run's files must equal, byte for
byte, what :mod:`app.services.downloads` writes from that independent result.
"""

from __future__ import annotations

import functools
import io
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import store
from app.models import AnalysisRun, AuditEvent, QSortRecord, StaffUser
from app.services import analysis_runs, downloads, large_runs
from qsort.options import Options
from qsort.pipeline import run as run_engine
from qsort.result import AnalysisResult
from qsort.study import Statement, Study
from tests.app.staff.conftest import StaffWorld, build_world
from tests.app.workbench.stored import store_study
from tests.refdata import DATA

CREATED = datetime(2026, 5, 17, 9, 30)


@dataclass
class Finished:
    """A world with a finished run of the stored study, and where its files are."""

    state: StaffWorld
    study_id: int
    run_id: int

    @property
    def files(self) -> str:
        return f"/studies/{self.study_id}/analysis/runs/{self.run_id}/files"

    def client(self, who: str = "owner") -> TestClient:
        client: TestClient = self.state.clients[who]
        return client


@pytest.fixture(scope="module")
def texts(lipset: Study) -> Study:
    """Lipset with its statements' texts (commas, quotes and all), as researchers type them."""
    lines = (DATA / "lipset_statements.txt").read_text(encoding="utf-8").splitlines()
    statements = tuple(
        Statement(s.id, line.split("\t", 1)[1])
        for s, line in zip(lipset.statements, lines, strict=True)
    )
    return replace(lipset, statements=statements)


@pytest.fixture(scope="module")
def expected(texts: Study) -> AnalysisResult:
    """The engine run directly: statements named 1..N as the store numbers them."""
    numbered = tuple(Statement(str(i + 1), s.text) for i, s in enumerate(texts.statements))
    return run_engine(replace(texts, statements=numbered), Options())


@pytest.fixture()
def finished(tmp_path: Path, texts: Study, monkeypatch: pytest.MonkeyPatch) -> Iterator[Finished]:
    world = build_world(tmp_path)
    state = next(world)
    with state.db() as db:
        study_id = store_study(db, texts)
        owner = db.exec(select(StaffUser).where(StaffUser.email == "demo@example.org")).one()
        assert owner.id is not None
        store.grant(db, study_id, owner.id, "owner")
        db.commit()
    state.app.state.settings = replace(state.settings, background_sorts=3)
    workers: list[threading.Thread] = []
    real_launch = analysis_runs.launch

    def launch(engine: Any, run: AnalysisRun, token: str, lease: float) -> threading.Thread:
        workers.append(real_launch(engine, run, token, lease))
        return workers[-1]

    monkeypatch.setattr(analysis_runs, "launch", launch)
    # The reports print when they were made: the same date on both sides.
    real_report = downloads.report_file
    monkeypatch.setattr(downloads, "report_file", functools.partial(real_report, created=CREATED))
    assert state.clients["owner"].get(f"/studies/{study_id}/analysis").status_code == 200
    workers[0].join()
    with Session(state.app.state.engine) as db:
        run_id = db.exec(select(AnalysisRun.id)).one()
    assert run_id is not None
    yield Finished(state, study_id, run_id)
    world.close()


def test_tables_equal_the_writers_on_the_engines_result(
    finished: Finished, expected: AnalysisResult
) -> None:
    client = finished.client()
    tables = expected.statement_tables
    for name in downloads.STATEMENT_FILES:
        answer = client.get(f"{finished.files}/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.headers["content-disposition"] == f'attachment; filename="{name}"'
        assert answer.content == downloads.statement_file(tables, name), name
    arrays = client.get(f"{finished.files}/factor_arrays.csv").text.splitlines()
    assert arrays[0] == "statement,text,F1,F2,F3"
    assert arrays[1].startswith("1,We accept improvements in the status")


def test_reports_equal_the_writers_on_the_engines_result(
    finished: Finished, expected: AnalysisResult
) -> None:
    client = finished.client()
    for name in large_runs.REPORT_FILES:
        answer = client.get(f"{finished.files}/{name}")
        assert answer.status_code == 200, name
        assert answer.content == downloads.report_file(expected, name), name


def test_zip_holds_every_table(finished: Finished, expected: AnalysisResult) -> None:
    client = finished.client()
    answer = client.get(f"{finished.files}/analysis.zip")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    folder = f"analysis-run-{finished.run_id}"
    assert sorted(archive.namelist()) == sorted(f"{folder}/{n}" for n in large_runs.TABLE_FILES)
    for name in large_runs.TABLE_FILES:
        single = client.get(
            f"/studies/{finished.study_id}/analysis/runs/{finished.run_id}/{name}"
            if name in ("result.json", "loadings.csv")
            else f"{finished.files}/{name}"
        )
        assert archive.read(f"{folder}/{name}") == single.content, name
    tables = expected.statement_tables
    assert archive.read(f"{folder}/consensus.csv") == downloads.consensus_csv(tables)


def test_each_download_is_recorded(finished: Finished) -> None:
    client = finished.client()
    assert client.get(f"{finished.files}/distinguishing.csv").status_code == 200
    assert client.get(f"{finished.files}/analysis.zip").status_code == 200
    with finished.state.db() as db:
        details = [e.detail for e in db.exec(select(AuditEvent)) if e.action == "data_download"]
    run = finished.run_id
    assert details[-2:] == [f"run {run} distinguishing.csv", f"run {run} analysis.zip"]


def test_an_unfinished_run_says_so(finished: Finished) -> None:
    with finished.state.db() as db:
        running = AnalysisRun(
            study_id=finished.study_id, run_key="running", status="running", selection={}
        )
        db.add(running)
        db.commit()
        run_id = running.id
    here = f"/studies/{finished.study_id}/analysis/runs/{run_id}"
    for path in (
        f"{here}/files/factor_arrays.csv",
        f"{here}/files/analysis.zip",
        f"{here}/result.json",
    ):
        answer = finished.client().get(path)
        assert answer.status_code == 404, path
        assert "This analysis has not finished (it is running)" in answer.text, path


def test_another_researchers_study_is_refused(finished: Finished) -> None:
    """Researchers with no right on this study (one is a viewer of the demo study) are told
    it is not there; nothing is recorded as downloaded."""
    refused = (("other", 404), ("viewer", 404), ("facilitator", 404), ("anonymous", 303))
    for who, status in refused:
        for name in ("factor_arrays.csv", "analysis.zip", "report.lis"):
            answer = finished.client(who).get(f"{finished.files}/{name}")
            assert answer.status_code == status, (who, name)
            assert b"statement,text" not in answer.content
    with finished.state.db() as db:
        assert not [e for e in db.exec(select(AuditEvent)) if e.action == "data_download"]


def test_an_unknown_file_is_not_found(finished: Finished) -> None:
    assert finished.client().get(f"{finished.files}/sorts.dat").status_code == 404


def test_reports_are_refused_once_the_sorts_changed(finished: Finished) -> None:
    """A sort excluded after the run: the reports (built from the sorts) say to run it again;
    the tables, drawn from the run's own numbers, are still given."""
    with finished.state.db() as db:
        record = db.exec(select(QSortRecord)).first()
        assert record is not None
        record.excluded_reason = "duplicate"
        db.add(record)
        db.commit()
    client = finished.client()
    answer = client.get(f"{finished.files}/analysis.xlsx")
    assert answer.status_code == 409
    assert "changed since this run" in answer.text and "start the analysis again" in answer.text
    assert client.get(f"{finished.files}/zscores.csv").status_code == 200


def test_the_page_links_every_download(finished: Finished) -> None:
    page = finished.client().get(f"/studies/{finished.study_id}/analysis?run={finished.run_id}")
    for name in (*large_runs.TABLE_FILES, *large_runs.REPORT_FILES, large_runs.ZIP):
        assert f'data-file="{name}"' in page.text, name
    for name in large_runs.LEFT_OUT:
        assert name in page.text


def test_reports_are_left_out_beyond_their_limit(
    finished: Finished, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond REPORT_MAX_SORTS (lowered here below the run's 9 sorts) the page lists the
    reports among what it leaves out, with the reason, and does not give them."""
    monkeypatch.setattr(large_runs, "REPORT_MAX_SORTS", 5)
    client = finished.client()
    page = client.get(f"/studies/{finished.study_id}/analysis?run={finished.run_id}").text
    assert 'data-file="report.lis"' not in page
    assert "analysis.xlsx, report.html, report.lis: they are built from the sorts" in page
    assert client.get(f"{finished.files}/report.lis").status_code == 404
    assert client.get(f"{finished.files}/factor_arrays.csv").status_code == 200
