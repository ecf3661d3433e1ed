"""One table per option: its name type, the CLI choices, the validation and the pipeline agree."""

from __future__ import annotations

import argparse
from typing import get_args

import numpy as np
import pytest

from qsort.cli import build_parser
from qsort.errors import OptionError
from qsort.methods import (
    CORRELATIONS,
    EXTRACTIONS,
    PROFILE_NAMES,
    ROTATIONS,
    CorrelationMethod,
    ExtractionMethod,
    ProfileName,
    RotationMethod,
    RotationName,
)
from qsort.options import Options
from qsort.pipeline import analyze
from qsort.profiles import Profile
from qsort.rotation import Rotated
from tests.refdata import DATA, read_sorts_csv


def choices(command: str) -> dict[str, list[str]]:
    """The choices of every option of one ``qsort`` subcommand."""
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        action.dest: list(action.choices)
        for action in sub.choices[command]._actions
        if action.choices is not None
    }


def test_each_table_holds_exactly_the_names_of_its_type() -> None:
    assert tuple(CORRELATIONS) == get_args(CorrelationMethod)
    assert tuple(EXTRACTIONS) == get_args(ExtractionMethod)
    assert tuple(PROFILE_NAMES) == get_args(ProfileName)
    assert tuple(ROTATIONS) == get_args(RotationName)


@pytest.mark.parametrize("command", ["analyze", "report", "bootstrap", "compare"])
def test_the_command_line_offers_the_tables(command: str) -> None:
    offered = choices(command)
    assert offered["correlation"] == list(CORRELATIONS)
    assert offered["extraction"] == list(EXTRACTIONS)
    assert offered["rotation"] == list(ROTATIONS)
    assert offered["profile"] == list(PROFILE_NAMES)


def test_options_accept_every_table_name_and_refuse_others() -> None:
    for name in CORRELATIONS:
        assert Options(correlation=name).correlation == name
    for extraction in EXTRACTIONS:
        assert Options(extraction=extraction).extraction == extraction
    for rotation, method in ROTATIONS.items():
        for profile in method.profiles:
            assert Options(rotation=rotation, profile=profile).rotation == rotation
    for what in ("correlation", "extraction", "rotation", "profile"):
        with pytest.raises(OptionError, match=f"{what}: expected one of"):
            Options(**{what: "unknown"})  # type: ignore[arg-type]


def quarter_turn(loadings: np.ndarray, profile: Profile) -> Rotated:
    """Turn F1 into F2 and F2 into -F1."""
    turn = np.eye(loadings.shape[1])
    turn[:2, :2] = [[0.0, -1.0], [1.0, 0.0]]
    return Rotated(loadings @ turn, turn, 1, True, ())


def test_a_new_rotation_is_one_table_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry alone makes the rotation valid, offered on the command line, and run."""
    table = dict(ROTATIONS)
    table["quarter-turn"] = RotationMethod("quarter turn", quarter_turn)  # type: ignore[index]
    monkeypatch.setattr("qsort.methods.ROTATIONS", table)
    monkeypatch.setattr("qsort.pipeline.ROTATIONS", table)
    monkeypatch.setattr("qsort.cli.arguments.ROTATIONS", table)
    assert "quarter-turn" in choices("analyze")["rotation"]
    study = read_sorts_csv(DATA / "lipset_sorts.csv")
    turned = analyze(study, 3, "centroid", "quarter-turn")  # type: ignore[arg-type]
    plain = analyze(study, 3, "centroid", "none")
    expected = plain.loadings[:, [1, 0, 2]] * [1.0, -1.0, 1.0]
    expected *= np.where((expected * np.abs(expected)).sum(axis=0) < 0, -1.0, 1.0)  # PQMethod
    np.testing.assert_allclose(turned.loadings, expected, atol=1e-12)
    assert turned.to_dict()["options"]["rotation"] == "quarter-turn"
