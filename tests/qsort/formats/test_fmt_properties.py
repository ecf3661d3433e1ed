"""Property tests: any study a format can hold comes back from it unchanged."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qsort.formats import read_study, write_study
from qsort.study import Grid, Statement, Study

NAME = st.text(string.ascii_letters + string.digits + "_-", min_size=1, max_size=8)


def _reads_back_from_cp1252(text: str) -> bool:
    """False for the rare Windows-1252 text whose bytes are also valid UTF-8 ('Â¡' is the bytes
    of '¡'): a reader that tries UTF-8 first cannot tell them apart (documented limitation)."""
    data = text.encode("cp1252")
    try:
        return data.decode("utf-8") == text
    except UnicodeDecodeError:
        return True


TEXT = (
    st.text(st.characters(codec="cp1252", exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40)
    .map(str.strip)
    .filter(_reads_back_from_cp1252)
)


@st.composite
def studies(draw: st.DrawFn) -> Study:
    """A forced-grid study within -6..+13 with short unique names and one-line texts."""
    low = draw(st.integers(-6, 10))
    high = draw(st.integers(low + 1, min(low + 8, 13)))
    caps = draw(st.lists(st.integers(1, 3), min_size=high - low + 1, max_size=high - low + 1))
    grid = Grid.from_range(low, high, caps)
    names = draw(st.lists(NAME, min_size=2, max_size=5, unique=True))
    pattern = grid.pattern()
    columns = [draw(st.permutations(pattern.tolist())) for _ in names]
    texts = draw(st.lists(TEXT, min_size=grid.size, max_size=grid.size))
    statements = [Statement(str(i + 1), t) for i, t in enumerate(texts)]
    title = draw(TEXT)
    return Study(tuple(statements), tuple(names), np.array(columns).T, grid, title)


def _round_trip(study: Study, fmt: str, ext: str) -> Study:
    """Write and read back; a .DAT is read in the encoding it was written in (Windows-1252),
    since detecting the encoding of a few random characters is guesswork."""
    options = {"encoding": "cp1252"} if fmt == "pqmethod" else {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"study.{ext}"
        write_study(study, path, fmt)
        return read_study(path, fmt, **options)


@pytest.mark.parametrize(
    ("fmt", "ext", "keeps_texts", "keeps_title"),
    [
        ("pqmethod", "dat", True, True),
        ("csv", "csv", True, False),
        ("csv-participants", "csv", True, False),
        ("easyhtmlq", "json", False, False),
        ("htmlq-csv", "csv", False, False),
        ("qsort", "json", True, True),
    ],
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(study=studies())
def test_text_formats_keep_what_they_can_hold(
    study: Study, fmt: str, ext: str, keeps_texts: bool, keeps_title: bool
) -> None:
    back = _round_trip(study, fmt, ext)
    assert back.sort_names == study.sort_names
    np.testing.assert_array_equal(back.sorts, study.sorts)
    assert back.grid == study.grid
    assert back.statement_ids == study.statement_ids
    if keeps_texts:
        assert back.statements == study.statements
    if keeps_title:
        assert back.title == study.title


@pytest.mark.parametrize("fmt", ["kade-xlsx", "kade-xlsx-piles"])
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(study=studies())
def test_workbooks_keep_the_whole_study(study: Study, fmt: str) -> None:
    assert _round_trip(study, fmt, "xlsx") == study
