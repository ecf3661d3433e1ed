"""Shared fixtures: the reference studies, read straight from tests/data with the csv module."""

from __future__ import annotations

import pytest

from qsort.study import Study
from tests.refdata import DATA, read_sorts_csv


@pytest.fixture(scope="session")
def lipset() -> Study:
    """Lipset's 33 statements x 9 Q-sorts (qmethod's `lipset` data)."""
    return read_sorts_csv(DATA / "lipset_sorts.csv", "Lipset")


@pytest.fixture(scope="session")
def cegebe() -> Study:
    """The CEGEBE study: 36 statements x 13 Q-sorts, -5..+5."""
    return read_sorts_csv(DATA / "cegebe_sorts.csv", "CEGEBE")
