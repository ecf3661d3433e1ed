"""Quantities the reports derive: KADE's factor groups and the cut of long warnings."""

from __future__ import annotations

import numpy as np

from qsort.report import bounds, derived


def test_factor_groups_follow_kade_rule() -> None:
    loadings = np.array(
        [
            [0.5, -0.5, 0.1],  # equal sizes: the positive loading wins (KADE's >= 0)
            [0.3, -0.6, 0.2],  # the negative loading is larger: group F2
            [0.7, 0.1, 0.0],
            [0.2, 0.1, 0.4],
            [0.55, 0.0, 0.0],
        ]
    )
    labels, order = derived.factor_groups(loadings, ("F1", "F2", "F3"))
    assert labels == ["F1-3", "F2-1", "F1-1", "F3-1", "F1-2"]
    assert order == [2, 4, 0, 1, 3]


def test_factor_groups_ties_in_sort_order() -> None:
    loadings = np.array([[0.4, 0.0], [0.4, 0.1], [0.4, 0.0]])
    labels, order = derived.factor_groups(loadings, ("F1", "F2"))
    assert order == [0, 1, 2] and labels == ["F1-1", "F1-2", "F1-3"]


def test_brief_keeps_short_and_cuts_long_warnings() -> None:
    assert bounds.brief("short") == "short"
    long = " ".join(f"P{j} on F1 (-0.3000)," for j in range(200))
    cut = bounds.brief(long, 100)
    assert cut.startswith("P0 on F1 (-0.3000), P1 on F1") and len(cut) < 160
    left = int(cut.rsplit("(", 1)[1].split(" ")[0].replace(",", ""))
    assert len(cut.split(" ... (")[0]) + left == len(long)
