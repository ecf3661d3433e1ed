"""A second view of the same analysis runs no engine; a change of included sorts runs it again."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

import qsort.pipeline
from app.models import Participant, QSortRecord
from app.services import analysis, result_cache, saved_analyses, workbench_page
from app.services.analysis import Selection
from app.services.workbench_page import Urls, encode_state
from qsort.options import FlagOverride, Options

URLS = Urls("/save", "/download")
FLAGGED = Options(manual_flags=(FlagOverride("US3", "F2", True),))


@pytest.fixture()
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Options]]:
    """The options of every engine run (``qsort.pipeline.run``), from an empty cache."""
    result_cache.clear()
    calls: list[Options] = []
    real = qsort.pipeline.run

    def counted(study: Any, options: Options, *args: Any, **kwargs: Any) -> Any:
        calls.append(options)
        return real(study, options, *args, **kwargs)

    monkeypatch.setattr(qsort.pipeline, "run", counted)
    yield calls
    result_cache.clear()


def test_a_second_view_runs_no_engine(
    lipset_db: tuple[Session, int], engine_calls: list[Options]
) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    first = workbench_page.build_page(db, stored, Selection(), FLAGGED, URLS)
    assert len(engine_calls) == 2  # the analysis, and its automatic flags without manual ones
    second = workbench_page.build_page(db, stored, Selection(), FLAGGED, URLS)
    assert len(engine_calls) == 2
    assert second["script_data"] == first["script_data"]
    token = encode_state(Selection(), FLAGGED)
    workbench_page.download_file(db, stored, token, "result.json")  # a download of the same
    workbench_page.download_file(db, stored, token, "report.html")  # with the guidance
    assert len(engine_calls) == 2


def test_other_options_or_sorts_run_the_engine(
    lipset_db: tuple[Session, int], engine_calls: list[Options]
) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    workbench_page.build_page(db, stored, Selection(), Options(), URLS)
    workbench_page.build_page(db, stored, Selection(), Options(n_factors=2), URLS)
    workbench_page.build_page(db, stored, Selection("group", "workers"), Options(), URLS)
    assert len(engine_calls) == 3


def test_a_sort_excluded_or_included_again_runs_the_engine_again(
    lipset_db: tuple[Session, int], engine_calls: list[Options]
) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    assert workbench_page.build_page(db, stored, Selection(), Options(), URLS)["study"].n_sorts == 9
    record = _record_of(db, "JP5")
    record.excluded_reason = "sorted in a hurry"
    db.add(record)
    db.commit()
    page = workbench_page.build_page(db, stored, Selection(), Options(), URLS)
    assert len(engine_calls) == 2 and page["study"].n_sorts == 8
    assert "JP5" not in page["study"].sort_names
    record.excluded_reason = None
    db.add(record)
    db.commit()
    page = workbench_page.build_page(db, stored, Selection(), Options(), URLS)
    assert page["study"].n_sorts == 9 and len(engine_calls) == 2  # the first result again


def test_saved_analyses_compared_twice_run_each_once(
    lipset_db: tuple[Session, int], engine_calls: list[Options]
) -> None:
    db, study_id = lipset_db
    a = saved_analyses.save(db, study_id, "A", Selection(), Options())
    b = saved_analyses.save(db, study_id, "B", Selection(), Options(n_factors=2))
    for _ in range(2):
        saved_analyses.compare(db, study_id, a.id or 0, b.id or 0)
    assert len(engine_calls) == 2


def _record_of(db: Session, label: str) -> QSortRecord:
    query = (
        select(QSortRecord)
        .join(Participant, Participant.id == QSortRecord.participant_id)  # type: ignore[arg-type]
        .where(Participant.label == label)
    )
    return db.exec(query).one()
