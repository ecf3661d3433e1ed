"""The workbench's bootstrap and group comparison are qsort's, on the stored sorts."""

from __future__ import annotations

import numpy as np
import pytest
from sqlmodel import Session

from app.errors import AnalysisError
from app.services import analysis, stability
from app.services.analysis import Selection
from qsort.bootstrap import bootstrap
from qsort.compare import compare
from qsort.options import Options
from qsort.pipeline import run
from qsort.study import Study
from tests.app.workbench.stored import GROUPS


def test_bootstrap_equals_the_engine_on_the_same_sorts(
    lipset_db: tuple[Session, int], lipset: Study
) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    options = Options(n_factors=2)
    page = stability.bootstrap_page(db, stored, Selection(), options, 50, 7)
    reference = bootstrap(run(lipset, options), resamples=50, seed=7)
    assert np.array_equal(page["boot"].draws, reference.draws)
    assert np.allclose(page["boot"].loading_se, reference.loading_se, equal_nan=True)
    assert np.allclose(page["boot"].array_kept, reference.array_kept, equal_nan=True)
    with pytest.raises(AnalysisError, match="Resamples: expected 10 to"):
        stability.bootstrap_page(db, stored, Selection(), options, 5, 0)


def test_groups_are_compared_as_the_engine_compares_them(
    lipset_db: tuple[Session, int], lipset: Study
) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    options = Options(n_factors=2, extraction="pca", profile="qmethod")
    page = stability.groups_page(db, stored, GROUPS, options)
    first = Study(lipset.statements, lipset.sort_names[:4], lipset.sorts[:, :4], lipset.grid)
    second = Study(lipset.statements, lipset.sort_names[4:], lipset.sorts[:, 4:], lipset.grid)
    reference = compare(run(first, options), run(second, options), labels=GROUPS)
    assert np.allclose(page["comparison"].correlations, reference.correlations)
    assert [(m.first, m.second) for m in page["comparison"].matches] == [
        (m.first, m.second) for m in reference.matches
    ]
    with pytest.raises(AnalysisError, match="two different groups"):
        stability.groups_page(db, stored, (GROUPS[0], GROUPS[0]), options)
