"""The ``qsort analyze`` line built from options reruns the same analysis."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qsort.cli import main
from qsort.cli.reproduce import analyze_command, final_flags
from qsort.options import FlagOverride, Options
from qsort.pipeline import run
from qsort.rotation import RotationStep
from qsort.study import Study
from tests.refdata import DATA

LIPSET = str(DATA / "lipset_sorts.csv")

CASES = [
    Options(),
    Options(
        extraction="centroid",
        n_factors=3,
        rotation_steps=(RotationStep(1, 2, 12.345678901234), RotationStep(3, 1, -4.0)),
        manual_flags=(
            FlagOverride("US3", "F2", True),
            FlagOverride("JP5", "F1", False),
            FlagOverride("US3", "F2", False),
            FlagOverride("US3", "F2", True),
        ),
        inversions=(2,),
    ),
    Options(
        profile="qmethod",
        extraction="pca",
        n_factors=2,
        rotation="none",
        correlation="spearman",
        flag_level=None,
        allow_negative=False,
        bipolar_splits=(1,),
    ),
    Options(profile="qmethod", extraction="pca", n_factors=3, rotation="promax"),
    Options(
        extraction="horst",
        majority=False,
        flag_level=2.575,
    ),
]


@pytest.mark.parametrize("options", CASES)
def test_the_command_reproduces_the_result(
    options: Options, lipset: Study, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = analyze_command(options, LIPSET, lipset.grid)
    words = shlex.split(line)
    assert words[:3] == ["qsort", "analyze", LIPSET]
    out = tmp_path / "result.json"
    assert main([*words[1:], "--json", str(out)]) == 0
    capsys.readouterr()
    data = json.loads(out.read_text(encoding="utf-8"))
    expected = run(lipset, options)
    assert np.allclose(data["loadings"], expected.loadings, atol=1e-12)
    assert data["flags"] == expected.flags.tolist()
    got = Options.from_dict(data["options"])
    assert replace(got, manual_flags=()) == replace(options, manual_flags=())
    assert set(got.manual_flags) == set(final_flags(options.manual_flags))


def test_last_override_of_a_pair_wins() -> None:
    flags = (FlagOverride("A", "F1"), FlagOverride("B", "F1"), FlagOverride("A", "F1", False))
    assert final_flags(flags) == [FlagOverride("A", "F1", False), FlagOverride("B", "F1")]


def test_names_with_spaces_are_quoted(lipset: Study) -> None:
    line = analyze_command(Options(), "my sorts.csv", None)
    assert shlex.split(line)[2] == "my sorts.csv"
    assert "--grid" not in line
