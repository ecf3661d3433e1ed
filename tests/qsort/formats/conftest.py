"""Fixtures for the file-format tests (the root conftest gives ``lipset`` from lipset_sorts.csv)."""

from __future__ import annotations

import pytest

from qsort.formats.pqmethod import read_dat
from qsort.study import Study
from tests.refdata import DATA


@pytest.fixture
def lipset_texts() -> Study:
    """Lipset read from LIPSET.DAT with the long statement texts (ids "1".."33")."""
    return read_dat(DATA / "lipset.dat", sta=DATA / "lipset_statements.txt")
