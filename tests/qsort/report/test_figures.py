"""SVG figures: composite sorts on the grid, scree plot, loading plots; PNG via cairosvg."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qsort.report import derived
from qsort.report.figures import (
    PngUnavailableError,
    all_figures,
    composite_sort_svg,
    loadings_svg,
    scree_svg,
    svg_to_png,
    write_figures,
)
from qsort.result import AnalysisResult
from tests.qsort.report.conftest import HOSTILE

NS = {"svg": "http://www.w3.org/2000/svg"}


def _groups(svg: str, css_class: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{{{NS['svg']}}}g") if g.get("class") == css_class]


def _rect(group: ET.Element) -> tuple[float, float]:
    rect = group.find("svg:rect", NS)
    assert rect is not None
    return float(rect.get("x", "nan")), float(rect.get("width", "nan"))


@pytest.mark.parametrize("name", ["F1", "F2", "F3"])
def test_composite_one_card_per_statement_in_its_column(pq3: AnalysisResult, name: str) -> None:
    factor = next(f for f in pq3.factors if f.name == name)
    assert factor.array is not None, f"{name} has a factor array"
    svg = composite_sort_svg(pq3, factor)
    columns = {int(g.get("data-value", "")): _rect(g) for g in _groups(svg, "column")}
    assert sorted(columns) == list(pq3.study.grid.values)
    cards = _groups(svg, "card")
    assert sorted(g.get("data-statement", "") for g in cards) == sorted(pq3.study.statement_ids)
    for card in cards:
        i = int(card.get("data-number", "")) - 1
        x, width = _rect(card)
        col_x, col_w = columns[int(factor.array[i])]
        assert col_x <= x and x + width <= col_x + col_w


def test_composite_column_order_follows_z(pq3: AnalysisResult) -> None:
    factor = pq3.factors[0]
    assert factor.zscores is not None, "F1 has z-scores"
    svg = composite_sort_svg(pq3, factor)
    by_column: dict[str, list[tuple[float, float]]] = {}
    for card in _groups(svg, "card"):
        rect = card.find("svg:rect", NS)
        assert rect is not None
        z = float(factor.zscores[int(card.get("data-number", "")) - 1])
        by_column.setdefault(card.get("data-value", ""), []).append((float(rect.get("y", "")), z))
    for cells in by_column.values():
        zs = [z for _, z in sorted(cells)]
        assert zs == sorted(zs, reverse=True)


def test_composite_marks_distinguishing_and_consensus(pq3: AnalysisResult) -> None:
    factor = pq3.factors[2]
    cards = {
        int(g.get("data-number", "")) - 1: g.get("data-marks", "")
        for g in _groups(composite_sort_svg(pq3, factor), "card")
    }
    for i, mark in derived.distinctions(pq3, factor).items():
        assert cards[i].startswith("**" if mark.p == 0.01 else "*")
        assert cards[i].endswith(mark.arrow)
        assert mark.arrow or mark.direction == "mixed"
    for m in pq3.consensus:
        assert cards[m.statement] == ("\u25c6" if m.p == 0.05 else "\u25c7")
    svg = composite_sort_svg(pq3, factor)
    assert "\u25b2" in svg and "\u25bc" in svg and "legend" in svg


def test_composite_escapes_text_and_refuses_undefined(qm4: AnalysisResult) -> None:
    svg = composite_sort_svg(qm4, "F1")
    ET.fromstring(svg)  # well-formed despite the hostile statement
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Lipset &amp; &lt;friends&gt;" in svg
    title = [t.text for t in ET.fromstring(svg).iter(f"{{{NS['svg']}}}title")]
    assert any(t and HOSTILE in t for t in title)
    with pytest.raises(ValueError, match="undefined"):
        composite_sort_svg(qm4, "F4")
    with pytest.raises(ValueError, match="expected one of"):
        composite_sort_svg(qm4, "F9")


def test_scree_with_and_without_parallel(pq3: AnalysisResult) -> None:
    eigen = pq3.correlation_eigenvalues
    root = ET.fromstring(scree_svg(eigen))
    points = [c for c in root.iter(f"{{{NS['svg']}}}circle") if c.get("class") == "eigenvalue"]
    assert [float(c.get("data-value", "")) for c in points] == pytest.approx(eigen, abs=1e-4)
    assert "Parallel analysis" not in scree_svg(eigen)
    parallel = [1.8, 1.5, 1.3, 1.1, 1.0, 0.9, 0.8, 0.7, 0.6]
    svg = scree_svg(eigen, parallel, extracted=3)
    root = ET.fromstring(svg)
    squares = [r for r in root.iter(f"{{{NS['svg']}}}rect") if r.get("class") == "parallel"]
    assert len(squares) == len(parallel)
    assert "Parallel analysis" in svg and "3 extracted" in svg


def test_loadings_plot_shapes_and_threshold(pq3: AnalysisResult) -> None:
    svg = loadings_svg(pq3, "F1", "F2")
    sorts = {g.get("data-sort"): g.get("data-shape") for g in _groups(svg, "sort")}
    assert set(sorts) == set(pq3.study.sort_names)
    for j, name in enumerate(pq3.study.sort_names):
        expected = {
            (False, False): "circle",
            (True, False): "triangle",
            (False, True): "square",
            (True, True): "diamond",
        }
        assert sorts[name] == expected[(bool(pq3.flags[j, 0]), bool(pq3.flags[j, 1]))]
    root = ET.fromstring(svg)
    lines = [e for e in root.iter(f"{{{NS['svg']}}}line") if e.get("class") == "threshold"]
    assert len(lines) == 4
    assert "|a| &gt; 0.341" in svg
    with pytest.raises(ValueError):
        loadings_svg(pq3, "F1", "F7")


def test_all_figures_and_files(qm4: AnalysisResult, tmp_path: Path) -> None:
    figures = all_figures(qm4)
    assert "scree" in figures and "composite_F3" in figures and "composite_F4" not in figures
    assert "loadings_F1_F4" in figures
    written = write_figures(qm4, tmp_path)
    assert {p.suffix for p in written} == {".svg"}
    for path in written:
        ET.fromstring(path.read_text(encoding="utf-8"))


def test_png(pq3: AnalysisResult) -> None:
    svg = composite_sort_svg(pq3, "F1")
    try:
        png = svg_to_png(svg)
    except PngUnavailableError as exc:
        assert "pip install cairosvg" in str(exc)
        pytest.skip("cairosvg is not installed")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
