"""The streamed JSON of a result (AnalysisResult.write_json) reads back as its to_dict().

The dictionary is the independent form here: json.dumps of it was the writer before, so reading
the streamed file back must give the same keys, order and every float bit for bit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qsort import result as result_module
from qsort.pipeline import analyze
from qsort.study import Study


@pytest.mark.parametrize("rows_per_write", [1, 4, 1 << 14])
def test_streamed_json_reads_back_as_the_dict(
    lipset: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows_per_write: int
) -> None:
    monkeypatch.setattr(result_module, "_ROWS_PER_WRITE", rows_per_write)
    result = analyze(lipset, factors=3, extraction="pca", split_bipolar_factors=[2])
    path = tmp_path / "out.json"
    result.write_json(path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n") and "\n" not in text[:-1]  # compact: one line
    loaded = json.loads(text)
    expected = json.loads(json.dumps(result.to_dict()))  # as the writer before wrote it
    assert list(loaded) == list(expected)
    assert loaded == expected


def test_streamed_json_of_many_sorts(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    pattern = np.repeat(np.arange(-3, 4), [2, 3, 4, 5, 4, 3, 2])
    sorts = np.stack([rng.permutation(pattern) for _ in range(2500)], axis=1)
    result = analyze(Study.from_matrix(sorts), factors=4, extraction="pca")
    path = tmp_path / "many.json"
    result.write_json(path)
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert loaded == json.loads(json.dumps(result.to_dict()))
    assert len(loaded["loadings"]) == 2500
