"""Reports of a study larger than their limits: stated selections, whole-study summaries."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qsort.errors import Notice
from qsort.pipeline import analyze
from qsort.report import bounds
from qsort.report.bounds import HTML, LIS, STRONGEST, WORKBOOK
from qsort.report.html import render_html
from qsort.report.lis import render_lis
from qsort.report.plots import DENSITY_TOP, MAX_POINTS, Point, loadings_svg, readable_labels
from qsort.report.svg import Frame
from qsort.report.xlsx import write_workbook
from qsort.result import AnalysisResult
from qsort.study import Grid, Study
from tests.qsort.report.conftest import CREATED
from tests.qsort.report.xlsxread import read_table

openpyxl = pytest.importorskip("openpyxl")

N_SORTS = 2_400
PATTERN = np.repeat(np.arange(-4, 5), [2, 3, 4, 5, 6, 5, 4, 3, 2])
NS = {"svg": "http://www.w3.org/2000/svg"}


def _study(n_sorts: int, seed: int = 3) -> Study:
    """Forced sorts: three prototypes with 12 of 34 cards shuffled, every fourth sort random."""
    rng = np.random.default_rng(seed)
    prototypes = [rng.permutation(PATTERN) for _ in range(3)]
    sorts = np.empty((PATTERN.size, n_sorts), dtype=np.int64)
    for j in range(n_sorts):
        sort = rng.permutation(PATTERN) if j % 4 == 3 else prototypes[j % 4].copy()
        moved = rng.choice(PATTERN.size, 12, replace=False)
        sort[moved] = rng.permutation(sort[moved])
        sorts[:, j] = sort
    names = [f"P{j + 1}" for j in range(n_sorts)]
    return Study.from_matrix(sorts, names, grid=Grid.from_pattern(PATTERN.tolist()))


@pytest.fixture(scope="module")
def big() -> AnalysisResult:
    return analyze(_study(N_SORTS), factors=3, extraction="pca")


def _strongest(result: AnalysisResult) -> list[int]:
    """Independently: the STRONGEST largest |loadings| of each factor (ties to earlier sorts)."""
    chosen: set[int] = set()
    for k in range(result.loadings.shape[1]):
        order = np.lexsort((np.arange(result.study.n_sorts), -np.abs(result.loadings[:, k])))
        chosen.update(order[:STRONGEST].tolist())
    return sorted(chosen)


@pytest.fixture(scope="module")
def book(big: AnalysisResult, tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = tmp_path_factory.mktemp("big") / "big.xlsx"
    write_workbook(big, path, created=CREATED)
    return openpyxl.load_workbook(path)


def test_per_sort_tables_list_the_strongest_loaders(book: Any, big: AnalysisResult) -> None:
    shown = _strongest(big)
    assert WORKBOOK.sorts < N_SORTS and len(shown) < 3 * STRONGEST + 1
    _, rows = read_table(book["Factor Loadings"], "Nm")
    assert [r[0] - 1 for r in rows[:-3]] == shown
    np.testing.assert_allclose([r[2::2] for r in rows[:-3]], big.loadings[shown])
    assert rows[-1][2::2] == big.flags.sum(axis=0).tolist()
    _, rows = read_table(book["Unrotated Factor Matrix"], "No.")
    np.testing.assert_allclose(rows[-3][2:], np.sum(big.unrotated**2, axis=0))
    _, rows = read_table(book["Q sorts"], "Participant")
    assert [r[0] for r in rows] == [big.study.sort_names[j] for j in shown]
    notes = [r[0] for r in book["Factor Loadings"].iter_rows(values_only=True) if r[0]]
    assert any(f"{N_SORTS:,} Q-sorts: more than the 1,000" in str(n) for n in notes)


def test_correlations_summarised_without_the_full_matrix(book: Any, big: AnalysisResult) -> None:
    shown = _strongest(big)
    header, rows = read_table(book["Correlation Matrix"], "No.")
    assert header[2:] == [big.study.sort_names[j] for j in shown]
    full = np.asarray(np.corrcoef(big.study.sorts.T), dtype=float)
    np.testing.assert_allclose([r[2:] for r in rows], full[np.ix_(shown, shown)], atol=1e-12)
    _, summary = read_table(book["Correlation Matrix"], "All sorts")
    values = {r[0]: r[1] for r in summary}
    off_diagonal = full[~np.eye(N_SORTS, dtype=bool)]
    assert values["Pairs of distinct sorts"] == N_SORTS * (N_SORTS - 1) // 2
    assert values["Mean correlation between distinct sorts"] == pytest.approx(off_diagonal.mean())


def test_defining_sort_sheets_bounded(book: Any, big: AnalysisResult) -> None:
    defining = np.flatnonzero(big.flags[:, 0])
    assert defining.size > WORKBOOK.matrix
    header, rows = read_table(book["Fac. 1 Sorts Corr"], "Q sort")
    size = np.abs(big.loadings[defining, 0])
    top = sorted(defining[np.lexsort((defining, -size))[:STRONGEST]].tolist())
    assert header[1:] == [big.study.sort_names[j] for j in top]
    assert len(rows) == STRONGEST
    header, _ = read_table(book["Fac. 1"], "No.")
    assert len(header) == 4 + STRONGEST


def test_html_stays_small(big: AnalysisResult) -> None:
    html = render_html(big, created=CREATED)
    assert len(html.encode("utf-8")) < 3 * 2**20
    assert f"{N_SORTS:,} Q-sorts: more than the {HTML.sorts:,}" in html
    assert 'class="density"' in html


def test_lis_bounded(big: AnalysisResult) -> None:
    text = render_lis(big, CREATED)
    assert f"{N_SORTS:,} Q-sorts: more than the {LIS.matrix:,}" in text
    mean = bounds.mean_correlation(big)
    assert f"Mean correlation between all distinct sorts: {mean:.4f}" in text
    assert len(text) < 2**20


def test_loading_plot_density(big: AnalysisResult) -> None:
    assert N_SORTS > MAX_POINTS
    root = ET.fromstring(loadings_svg(big, 0, 1))
    cells = [r for r in root.iter(f"{{{NS['svg']}}}rect") if r.get("class") == "density"]
    inside = np.all(np.abs(big.loadings[:, :2]) <= 1.0, axis=1).sum()
    assert sum(int(c.get("data-count", "0")) for c in cells) == inside
    points = [g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == "sort"]
    assert len(points) == DENSITY_TOP


def test_labels_never_overlap() -> None:
    frame = Frame(70, 60, 440, 440, -1.0, 1.0, -1.0, 1.0)
    crowd = [
        Point(f"S{i}", frame.x(0.3), frame.y(0.3), (0.3, 0.3), (i == 5, False)) for i in range(30)
    ]
    assert readable_labels(crowd, frame) == {5}
    spread = [
        Point(f"S{i}", frame.x(x), frame.y(0.0), (x, 0.0), (False, False))
        for i, x in enumerate(np.linspace(-0.9, 0.8, 6))
    ]
    assert readable_labels(spread, frame) == set(range(6))
    edge = [Point("LONGNAME", frame.x(0.99), frame.y(0.0), (0.99, 0.0), (True, False))]
    assert readable_labels(edge, frame) == set()


def test_small_study_written_in_full(pq3: AnalysisResult, tmp_path: Path) -> None:
    selection = bounds.select(pq3, WORKBOOK.sorts)
    assert selection.full and selection.note() == ""


def test_long_warnings_cut(big: AnalysisResult, tmp_path: Path) -> None:
    """A notice longer than the reports' limit (such as a list of thousands of sorts) is cut."""
    long = Notice("many-sorts", "sorts without a flag: " + ", ".join(f"S{j}" for j in range(900)))
    result = dataclasses.replace(big, notices=(*big.notices, long))
    assert len(long.message) > bounds.NOTICE_CHARS
    write_workbook(result, tmp_path / "long.xlsx", created=CREATED)
    _, rows = read_table(openpyxl.load_workbook(tmp_path / "long.xlsx")["Project Overview"], "Code")
    shown = {r[0]: r[1] for r in rows}[long.code]
    assert long.message.startswith(shown.split(" ... (")[0])
    assert len(shown) < bounds.NOTICE_CHARS + 80 and "more characters" in shown
    assert long.message not in render_lis(result, CREATED)
