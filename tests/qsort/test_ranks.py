"""Average ranks against scipy's rankdata, the independent reference (hypothesis-generated ties)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import rankdata

from qsort.ranks import average_ranks

SORT_VALUES = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=30),
    elements=st.integers(-4, 4).map(float),
)


@given(SORT_VALUES)
def test_columns_match_scipy(values: np.ndarray) -> None:
    assert np.array_equal(average_ranks(values, axis=0), rankdata(values, axis=0))


@given(SORT_VALUES)
def test_rows_match_scipy(values: np.ndarray) -> None:
    assert np.array_equal(average_ranks(values, axis=1), rankdata(values, axis=1))


def test_ties_share_the_mean_of_their_positions() -> None:
    assert average_ranks([3.0, 1.0, 3.0, 2.0]).tolist() == [3.5, 1.0, 3.5, 2.0]
