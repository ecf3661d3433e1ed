"""Generated Q studies for property tests: sorts built around a few viewpoints, on a forced grid."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from qsort.study import Grid, Study


def quasi_normal_grid(n_statements: int, half_width: int) -> Grid:
    """A symmetric, roughly normal forced grid with ``n_statements`` slots."""
    values = np.arange(-half_width, half_width + 1)
    weights = np.exp(-0.5 * (values / (half_width / 1.6)) ** 2)
    caps = np.maximum(1, np.floor(weights / weights.sum() * n_statements)).astype(int)
    centre = half_width
    step = 0
    while caps.sum() != n_statements:
        index = centre + ((step + 1) // 2) * (1 if step % 2 else -1)
        index = min(max(index, 0), caps.size - 1)
        caps[index] += 1 if caps.sum() < n_statements else -1 if caps[index] > 1 else 0
        step = (step + 1) % (2 * half_width + 1)
    return Grid.from_range(-half_width, half_width, caps.tolist())


def study_from_seed(seed: int, n_statements: int, n_sorts: int, viewpoints: int) -> Study:
    """Sorts that each follow one of ``viewpoints`` hidden rankings, with noise, on one grid."""
    rng = np.random.default_rng(seed)
    grid = quasi_normal_grid(n_statements, 3 if n_statements < 20 else 4)
    pattern = grid.pattern()
    prototypes = rng.normal(size=(n_statements, viewpoints))
    sorts = np.empty((n_statements, n_sorts), dtype=np.int64)
    for j in range(n_sorts):
        sign = -1.0 if rng.random() < 0.15 else 1.0
        latent = sign * prototypes[:, j % viewpoints] + rng.normal(scale=0.8, size=n_statements)
        sorts[np.argsort(latent, kind="stable"), j] = pattern
    return Study.from_matrix(sorts, [f"P{j + 1:02d}" for j in range(n_sorts)], grid=grid)


@st.composite
def studies(draw: st.DrawFn) -> Study:
    """A hypothesis strategy of forced-grid studies with 2 or 3 viewpoints."""
    n_statements = draw(st.integers(12, 40))
    n_sorts = draw(st.integers(6, 18))
    viewpoints = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    return study_from_seed(seed, n_statements, n_sorts, viewpoints)
