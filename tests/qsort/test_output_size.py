"""``qsort analyze`` output at size: a summary past 60 sorts, ``--all``, compact JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qsort.cli import main
from qsort.formats import write_study
from qsort.pipeline import analyze
from qsort.summary import SORT_LIMIT, render_summary
from tests.qsort.studygen import study_from_seed
from tests.refdata import DATA

LIPSET = str(DATA / "lipset_sorts.csv")


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    study = study_from_seed(21, 24, 150, 3)
    path = tmp_path_factory.mktemp("large") / "large.csv"
    write_study(study, path)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def test_small_studies_list_every_sort(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "analyze", LIPSET, "--factors", "2", "--extraction", "pca")
    assert "Factor loadings (X = defining sort)" in out
    for name in ("US1", "US8", "JP5"):
        assert any(line.startswith(name + " ") for line in out.splitlines())
    assert "summarised" not in out


def test_large_studies_get_counts_and_strongest_loaders(
    capsys: pytest.CaptureFixture[str], large_file: Path
) -> None:
    out = _run(capsys, "analyze", str(large_file), "--factors", "3", "--extraction", "pca")
    lines = out.splitlines()
    header = f"Factor loadings, summarised (150 Q-sorts, more than {SORT_LIMIT})"
    assert not any(line.startswith("P01 ") or line.startswith("P150 ") for line in lines)
    assert len(lines) < 120
    table = lines[lines.index(header) + 2 : lines.index(header) + 5]
    strongest_at = next(i for i, line in enumerate(lines) if line.startswith("Strongest loaders"))
    result = analyze(study_from_seed(21, 24, 150, 3), 3, "pca")
    for k, factor in enumerate(result.factors):
        (row,) = [line for line in table if line.split()[:1] == [factor.name]]
        flagged = int(result.flags[:, k].sum())
        positive = int((result.flags[:, k] & (result.loadings[:, k] > 0)).sum())
        assert row.split()[1:4] == [str(flagged), str(positive), str(flagged - positive)]
        strongest = lines[strongest_at + 1 + k]
        assert strongest.startswith(f"  {factor.name}: ")
        top = int(np.argmax(np.abs(result.loadings[:, k])))
        name, loading = strongest.split(": ", 1)[1].split()[:2]
        assert name == result.study.sort_names[top]
        assert loading.rstrip("X") == f"{result.loadings[top, k]:.4f}"


def test_all_lists_every_sort(capsys: pytest.CaptureFixture[str], large_file: Path) -> None:
    out = _run(capsys, "analyze", str(large_file), "--factors", "3", "--all")
    names = {line.split()[0] for line in out.splitlines() if line.startswith("P")}
    assert len(names) == 150
    assert "summarised" not in out


def test_summary_limit_is_inclusive() -> None:
    at_limit = analyze(study_from_seed(2, 20, SORT_LIMIT, 2), 2, "pca")
    past = analyze(study_from_seed(2, 20, SORT_LIMIT + 1, 2), 2, "pca")
    assert "summarised" not in render_summary(at_limit)
    assert "summarised" in render_summary(past)
    assert "summarised" not in render_summary(past, every_sort=True)


def test_json_is_written_compactly_and_reads_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, large_file: Path
) -> None:
    target = tmp_path / "out.json"
    _run(capsys, "analyze", str(large_file), "--factors", "2", "--json", str(target))
    text = target.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, separators=(",", ":")) + "\n"
    result = analyze(study_from_seed(21, 24, 150, 3), 2, "centroid")
    np.testing.assert_allclose(data["loadings"], result.loadings, rtol=0, atol=1e-12)
    weights = np.column_stack([f.weights for f in result.factors])
    np.testing.assert_allclose(data["weights"], weights, rtol=0, atol=1e-12)
    assert len(data["weights"]) == 150 and len(data["weights"][0]) == 2
