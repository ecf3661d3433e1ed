"""Two groups compared, on constructed groups whose shared viewpoint and differences are known.

Group A holds two viewpoints, P1 and P2; group B holds P1' (P1 with three statements turned
around) and P3. P1, P2 and P3 are independent random rankings, so the only viewpoint the groups
share is P1, and the statements on which it differs most between them are the three turned ones.
"""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from qsort.cli import main
from qsort.compare import compare
from qsort.errors import StudyError
from qsort.options import Options
from qsort.pipeline import run
from qsort.result import AnalysisResult
from qsort.study import Grid, Statement, Study
from tests.qsort.studygen import quasi_normal_grid

N = 36
TURNED = (4, 17, 29)
OPTIONS = Options(extraction="pca", n_factors=2)
FloatArray = NDArray[np.float64]


def prototypes() -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    rng = np.random.default_rng(42)
    p1, p2, p3 = rng.normal(size=(3, N))
    p1[list(TURNED)] = [1.6, 1.5, -1.6]  # make the turned statements strong in P1 ...
    p1_turned = p1.copy()
    p1_turned[list(TURNED)] *= -1  # ... and as strong the other way in P1'
    return p1, p2, p3, p1_turned


def group(viewpoints: list[FloatArray], seed: int, grid: Grid, ids: list[str]) -> Study:
    """Twelve sorts per viewpoint, each its prototype plus a little noise, placed on the grid."""
    rng = np.random.default_rng(seed)
    pattern = np.sort(grid.pattern())
    columns = []
    for prototype in viewpoints:
        for _ in range(12):
            column = np.empty(N, dtype=np.int64)
            column[np.argsort(prototype + rng.normal(scale=0.3, size=N))] = pattern
            columns.append(column)
    names = [f"S{j + 1}" for j in range(len(columns))]
    return Study.from_matrix(np.column_stack(columns), names, [Statement(i) for i in ids], grid)


def groups() -> tuple[AnalysisResult, AnalysisResult]:
    p1, p2, p3, p1_turned = prototypes()
    grid = quasi_normal_grid(N, 4)
    ids = [f"st{i + 1}" for i in range(N)]
    first = run(group([p1, p2], 1, grid, ids), OPTIONS)
    second = run(group([p1_turned, p3], 2, grid, ids), OPTIONS)
    return first, second


def factor_following(result: AnalysisResult, prototype: FloatArray) -> str:
    """The defined factor whose z-scores correlate most with a prototype."""
    r = [np.corrcoef(result.zscores[:, k], prototype)[0, 1] for k in range(len(result.defined))]
    return result.defined[int(np.argmax(r))].name


def test_correlations_are_those_of_the_factor_zscores() -> None:
    first, second = groups()
    comparison = compare(first, second, ("users", "workers"))
    expected = np.corrcoef(first.zscores.T, second.zscores.T)[:2, 2:]
    np.testing.assert_allclose(comparison.correlations, expected, atol=1e-12)


def test_the_shared_viewpoint_is_matched_and_its_turned_statements_lead() -> None:
    first, second = groups()
    p1, _, _, p1_turned = prototypes()
    comparison = compare(first, second, ("users", "workers"), min_correlation=0.3)
    assert len(comparison.matches) == 1
    match = comparison.matches[0]
    assert match.first == factor_following(first, p1)
    assert match.second == factor_following(second, p1_turned)
    assert match.correlation > 0.4
    top = {d.statement for d in match.differences[:3]}
    assert top == {f"st{i + 1}" for i in TURNED}
    leading = match.differences[0]
    assert leading.difference == pytest.approx(leading.first - leading.second)
    assert abs(leading.difference) > 2.5
    assert np.sign(leading.first_array) != np.sign(leading.second_array)


def test_unrelated_viewpoints_correlate_weakly_and_stay_unmatched_above_a_threshold() -> None:
    first, second = groups()
    _, p2, p3, _ = prototypes()
    comparison = compare(first, second, min_correlation=0.3)
    a = comparison.first_factors.index(factor_following(first, p2))
    b = comparison.second_factors.index(factor_following(second, p3))
    assert abs(comparison.correlations[a, b]) < 0.3
    assert all(m.first != comparison.first_factors[a] for m in comparison.matches)


def test_statement_order_does_not_matter_but_the_statements_must_agree() -> None:
    first, second = groups()
    order = np.random.default_rng(0).permutation(N)
    study = second.study
    shuffled = Study.from_matrix(
        study.sorts[order],
        study.sort_names,
        [study.statements[i] for i in order],
        study.grid,
    )
    again = compare(first, run(shuffled, OPTIONS))
    np.testing.assert_allclose(again.correlations, compare(first, second).correlations, atol=1e-9)
    other_ids = [Statement(f"x{i}") for i in range(N)]
    other = Study.from_matrix(study.sorts, study.sort_names, other_ids, study.grid)
    with pytest.raises(StudyError, match="same statements"):
        compare(first, run(other, OPTIONS))


def write_csv(study: Study, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["statement", *study.sort_names])
        for i, statement in enumerate(study.statement_ids):
            writer.writerow([statement, *study.sorts[i].tolist()])


def test_cli_compares_two_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = groups()
    write_csv(first.study, tmp_path / "users.csv")
    write_csv(second.study, tmp_path / "workers.csv")
    out = tmp_path / "compare.json"
    args = [str(tmp_path / "users.csv"), str(tmp_path / "workers.csv")]
    status = main(
        [
            "compare",
            *args,
            "--extraction",
            "pca",
            "--factors",
            "2",
            "--top",
            "3",
            "--json",
            str(out),
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "Correlations between factor z-scores (users in rows, workers in columns)" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    expected = compare(first, second, ("users", "workers"))
    np.testing.assert_allclose(data["correlations"], expected.correlations, atol=1e-9)
    shared = [m for m in data["matches"] if m["correlation"] > 0.3]
    assert {d["statement"] for d in shared[0]["differences"][:3]} == {f"st{i + 1}" for i in TURNED}


def test_more_factors_on_one_side_are_matched_one_to_one_by_the_best_sum() -> None:
    first, second = groups()
    wider = run(second.study, Options(extraction="pca", n_factors=3))
    for a, b in ((wider, first), (first, wider)):
        comparison = compare(a, b, min_correlation=-1.0)
        r = comparison.correlations
        small = min(r.shape)
        assert len(comparison.matches) == small
        pairs = [
            (comparison.first_factors.index(m.first), comparison.second_factors.index(m.second))
            for m in comparison.matches
        ]
        assert len({p[0] for p in pairs}) == len({p[1] for p in pairs}) == small
        best = max(
            itertools.permutations(range(max(r.shape)), small),
            key=lambda chosen: sum(
                r[i, j] if r.shape[0] <= r.shape[1] else r[j, i] for i, j in enumerate(chosen)
            ),
        )
        total = sum(r[i, j] if r.shape[0] <= r.shape[1] else r[j, i] for i, j in enumerate(best))
        assert sum(m.correlation for m in comparison.matches) == pytest.approx(total)
