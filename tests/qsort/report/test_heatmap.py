"""The correlation heat map: each cell's colour says its correlation, small study or large."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np

from qsort.options import Options
from qsort.pipeline import run
from qsort.report.heatmap import (
    MAX_SIDE,
    STEPS,
    blocks,
    colour_step,
    correlation_heatmap_svg,
    factor_order,
    step_colour,
)
from qsort.study import Study
from tests.qsort.studygen import study_from_seed

SVG = "{http://www.w3.org/2000/svg}"


def _cells(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_small_map_names_sorts_and_prints_every_value(lipset: Study) -> None:
    matrix = run(lipset, Options()).correlations.matrix()
    svg = correlation_heatmap_svg(matrix, lipset.sort_names)
    cells = _cells(svg)
    assert len(cells) == 81
    for k, cell in enumerate(cells):
        i, j = divmod(k, 9)
        title = cell.find(f"{SVG}title")
        assert title is not None and title.text is not None
        assert title.text.startswith(f"{lipset.sort_names[i]} \u00d7 {lipset.sort_names[j]}")
        assert abs(float(title.text.rsplit("= ", 1)[1]) - matrix[i, j]) <= 0.0005 + 1e-12
        assert cell.get("fill") == step_colour(colour_step(matrix[i, j]))
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert texts.count("1") >= 9 and all(n in texts for n in lipset.sort_names)


def test_colour_scale_ends_and_middle() -> None:
    assert step_colour(0) == "#ffffff"
    assert step_colour(STEPS) == "#1f4e79" and step_colour(-STEPS) == "#b85c00"
    assert colour_step(0.04) == 0 and colour_step(-1.0) == -STEPS


def test_blocks_average_neighbouring_sorts() -> None:
    m = np.arange(25, dtype=float).reshape(5, 5)
    b = blocks(m, 2)
    assert b.shape == (3, 3)
    assert b[0, 0] == np.mean(m[:2, :2]) and b[2, 1] == np.mean(m[4:, 2:4])


def test_factor_order_groups_sorts_by_their_strongest_factor() -> None:
    loadings = np.array([[0.1, 0.8], [0.9, 0.1], [-0.7, 0.2], [0.2, 0.5], [0.6, 0.0]])
    assert factor_order(loadings) == [1, 4, 2, 0, 3]


def test_large_map_stays_small_and_says_how_it_is_drawn() -> None:
    study = study_from_seed(3, 30, 320, 3)
    result = run(study, Options())
    svg = correlation_heatmap_svg(
        result.correlations.matrix(), study.sort_names, factor_order(result.loadings)
    )
    assert len(svg) < 1_500_000
    assert "blocks of 3 sorts" in svg and "grouped by the factor" in svg
    side = -(-320 // 3)
    assert side <= MAX_SIDE
    assert len(re.findall("<rect ", svg)) <= side * side + 2 * STEPS + 2
