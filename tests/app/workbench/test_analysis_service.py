"""Stored sorts become the engine's study; results equal the engine's on the same sorts."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import Session

from app.errors import AnalysisError
from app.services import analysis
from app.services.analysis import Selection
from app.services.interpretation import factor_voices
from qsort.options import FlagOverride, Options
from qsort.pipeline import run as run_engine
from qsort.rotation import RotationStep
from qsort.study import Study
from tests.app.workbench.stored import GROUPS

OPTIONS = Options(
    extraction="centroid",
    n_factors=3,
    rotation="varimax",
    rotation_steps=(RotationStep(1, 2, 7.5),),
    manual_flags=(FlagOverride("US3", "F2", True),),
)


def _load(db: Session, study_id: int, selection: Selection) -> analysis.Loaded:
    return analysis.load_study(db, analysis.stored_study(db, study_id), selection)


def test_all_sorts_give_the_engine_result_of_the_reference_file(
    lipset_db: tuple[Session, int], lipset: Study
) -> None:
    db, study_id = lipset_db
    loaded = _load(db, study_id, Selection())
    assert loaded.study.sort_names == lipset.sort_names
    assert np.array_equal(loaded.study.sorts, lipset.sorts)
    assert loaded.study.grid == lipset.grid
    ours = analysis.run(loaded, OPTIONS)
    reference = run_engine(lipset, OPTIONS)
    assert np.allclose(ours.loadings, reference.loadings, atol=1e-12)
    assert np.allclose(ours.zscores, reference.zscores, atol=1e-12, equal_nan=True)
    assert ours.flags[lipset.sort_names.index("US3"), 1]


def test_a_group_and_a_hand_picked_set(lipset_db: tuple[Session, int], lipset: Study) -> None:
    db, study_id = lipset_db
    group = _load(db, study_id, Selection("group", GROUPS[1]))
    assert group.study.sort_names == lipset.sort_names[4:]
    picked_ids = [row.record_id for row in group.rows[:3]]
    picked = _load(db, study_id, Selection("sorts", sorts=tuple(picked_ids)))
    assert picked.study.sort_names == lipset.sort_names[4:7]
    assert np.array_equal(picked.study.sorts, lipset.sorts[:, 4:7])


def test_groups_are_counted(lipset_db: tuple[Session, int]) -> None:
    from app import analysis_store

    db, study_id = lipset_db
    assert analysis.groups(analysis_store.completed_sorts(db, study_id)) == {
        GROUPS[0]: 4,
        GROUPS[1]: 5,
    }


def test_engine_refusals_become_plain_messages(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    one = _load(db, study_id, Selection("group", GROUPS[1]))
    with pytest.raises(AnalysisError, match="Too many factors for these sorts"):
        analysis.run(one, Options(n_factors=8))
    with pytest.raises(AnalysisError, match="No completed sorts are chosen"):
        _load(db, study_id, Selection("group", "nobody"))
    with pytest.raises(AnalysisError, match="An option is not valid"):
        analysis.options_from({"rotation": "sideways"})
    with pytest.raises(AnalysisError, match="not here"):
        _load(db, study_id, Selection("sorts", sorts=(999,)))


def test_repeated_labels_are_named_with_their_session() -> None:
    from app.analysis_store import SortRow

    rows = [
        SortRow(1, 1, "P01", "AAA", "", 1, 1),
        SortRow(2, 2, "P01", "BBB", "", 1, 1),
        SortRow(3, 3, "P02", "AAA", "", 1, 1),
    ]
    assert analysis.sort_names(rows) == {1: "P01", 2: "P01-BBB", 3: "P02"}


def test_defining_participants_remarks_on_the_extremes(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    loaded = _load(db, study_id, Selection())
    result = analysis.run(loaded, OPTIONS)
    voices = factor_voices(db, loaded, result)
    assert [v.factor for v in voices] == [f.name for f in result.defined]
    grid = loaded.study.grid
    for v, factor in zip(voices, result.defined, strict=True):
        k = result.factor_names.index(factor.name)
        definers = [n for j, n in enumerate(loaded.study.sort_names) if result.flags[j, k]]
        assert [d.sort for d in v.definers] == definers
        assert all(d.answers and d.answers[0][0] == "Your role" for d in v.definers)
        assert factor.array is not None
        extremes = {i + 1 for i, a in enumerate(factor.array) if a in (grid.low, grid.high)}
        assert {e.number for e in v.extremes} == extremes
        for e in v.extremes:
            column = loaded.study.sorts[e.number - 1]
            expected = [
                n
                for j, n in enumerate(loaded.study.sort_names)
                if n in definers and column[j] in (grid.low, grid.high)
            ]
            assert [r.sort for r in e.remarks] == expected
            assert all(r.text.startswith(f"{r.sort} on {e.number}:") for r in e.remarks)


def test_excluded_sorts_are_left_out(lipset_db: tuple[Session, int], lipset: Study) -> None:
    from sqlmodel import select

    from app.models import Participant, QSortRecord

    db, study_id = lipset_db
    person = db.exec(select(Participant).where(Participant.label == "JP5")).one()
    record = db.exec(select(QSortRecord).where(QSortRecord.participant_id == person.id)).one()
    record.excluded_reason = "sorted twice by mistake"
    db.add(record)
    db.commit()
    loaded = _load(db, study_id, Selection())
    assert "JP5" not in loaded.study.sort_names and loaded.study.n_sorts == 8
    with pytest.raises(AnalysisError, match="not here"):
        _load(db, study_id, Selection("sorts", sorts=(record.id or 0,)))
