"""Study and grid validation: every invalid input gets an error naming the sort and the problem."""

from __future__ import annotations

import numpy as np
import pytest

from qsort.errors import (
    DuplicateSortNameError,
    SortMismatchError,
    StudyError,
    TooFewError,
    ZeroVarianceSortError,
)
from qsort.study import Grid, Study, infer_grid

GRID = Grid.from_range(-1, 1, [1, 2, 1])


def test_infer_grid_from_shared_distribution(lipset: Study) -> None:
    assert lipset.grid == Grid.from_range(-4, 4, [2, 3, 4, 5, 5, 5, 4, 3, 2])
    assert lipset.grid.size == 33
    assert lipset.grid.describe() == "-4..+4, forced, 2 3 4 5 5 5 4 3 2"


def test_forced_sort_off_the_grid_is_named() -> None:
    sorts = np.array([[-1, 1], [0, 0], [0, 0], [1, 1]])
    with pytest.raises(SortMismatchError) as info:
        Study.from_matrix(sorts, ["A", "B"], grid=GRID)
    message = str(info.value)
    assert "sort 'B'" in message and "column -1 holds 0 cards, the grid wants 1" in message
    assert "sort 'A'" not in message


def test_value_outside_range_is_named() -> None:
    sorts = np.array([[-1, -1], [0, 0], [0, 2], [1, 1]])
    with pytest.raises(SortMismatchError, match=r"sort 'B': values \[2\] lie outside"):
        Study.from_matrix(sorts, ["A", "B"], grid=GRID)


def test_free_grid_accepts_any_values_in_range() -> None:
    free = Grid.from_range(-1, 1, [1, 2, 1], forced=False)
    study = Study.from_matrix(np.array([[-1, 1], [0, 1], [0, -1], [1, 1]]), ["A", "B"], grid=free)
    assert study.n_sorts == 2
    with pytest.raises(SortMismatchError, match="outside the grid's range"):
        Study.from_matrix(np.array([[-1, 1], [0, 3], [0, -1], [1, 1]]), ["A", "B"], grid=free)


def test_grid_cannot_be_inferred_from_different_distributions() -> None:
    with pytest.raises(SortMismatchError, match="give the grid"):
        infer_grid(np.array([[-1, -1], [0, 1], [1, 1]]))


def test_duplicate_sort_names() -> None:
    with pytest.raises(DuplicateSortNameError, match=r"duplicates: \['A'\]"):
        Study.from_matrix(np.array([[-1, 1], [0, 0], [0, 0], [1, -1]]), ["A", "A"], grid=GRID)


def test_too_few_sorts_or_statements() -> None:
    with pytest.raises(TooFewError, match="at least 2 statements and 2 Q-sorts"):
        Study.from_matrix(np.array([[1], [2]]), ["A"])
    with pytest.raises(TooFewError):
        Study.from_matrix(np.array([[1, 2]]), ["A", "B"])


def test_zero_variance_sort_is_refused() -> None:
    free = Grid.from_range(-1, 1, [1, 2, 1], forced=False)
    with pytest.raises(ZeroVarianceSortError, match=r"\['B'\]"):
        Study.from_matrix(np.array([[-1, 0], [0, 0], [0, 0], [1, 0]]), ["A", "B"], grid=free)


def test_non_integer_values_are_refused() -> None:
    with pytest.raises(StudyError, match=r"whole numbers, found 0\.5 at statement 2, sort 1"):
        Study.from_matrix(np.array([[1.0, 2.0], [0.5, 1.0]]), ["A", "B"])


def test_grid_shape_errors() -> None:
    with pytest.raises(StudyError, match="one capacity per column"):
        Grid((1, 2), (1,))
    with pytest.raises(StudyError, match="distinct and ascending"):
        Grid((2, 1), (1, 1))
    with pytest.raises(SortMismatchError, match="forced grid has 4 slots but the Q-set has 3"):
        Study.from_matrix(np.array([[-1, 1], [0, 0], [1, -1]]), ["A", "B"], grid=GRID)


def test_study_is_immutable(lipset: Study) -> None:
    with pytest.raises(ValueError):
        lipset.sorts[0, 0] = 3
