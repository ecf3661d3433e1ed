"""The ``qsort`` command line, run as a user would: output, files written, and clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qsort.cli import main
from qsort.formats import read_study
from qsort.pipeline import analyze
from qsort.study import Study
from tests.refdata import DATA

LIPSET = str(DATA / "lipset_sorts.csv")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_analyze_prints_a_readable_summary(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "analyze", LIPSET, "--factors", "3", "--extraction", "centroid")
    assert code == 0 and err == ""
    assert "9 Q-sorts, 33 statements, grid -4..+4, forced, 2 3 4 5 5 5 4 3 2" in out
    assert "Brown centroid (3 factors)" in out and "varimax rotation" in out
    for section in (
        "Factor loadings",
        "Factor characteristics",
        "Factor arrays",
        "Distinguishing statements",
        "Consensus statements",
    ):
        assert section in out
    assert "JP5" in out and "nan" not in out.lower()


def test_analyze_json_matches_the_python_api(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lipset: Study
) -> None:
    out_file = tmp_path / "result.json"
    code, out, _ = run(
        capsys,
        "analyze",
        LIPSET,
        "--factors",
        "3",
        "--extraction",
        "pca",
        "--profile",
        "qmethod",
        "--correlation",
        "spearman",
        "--json",
        str(out_file),
    )
    assert code == 0 and f"Wrote {out_file}" in out
    data = json.loads(out_file.read_text(encoding="utf-8"))
    expected = analyze(lipset, 3, "pca", correlation="spearman", profile="qmethod")
    np.testing.assert_allclose(data["loadings"], expected.loadings, atol=1e-12)
    assert data["arrays"] == expected.arrays.tolist()
    assert data["options"]["correlation"] == "spearman" and data["profile"] == "qmethod"
    assert len(data["qdc"]) == 33 and set(data["qdc"][0]["stars"]) == {"f1_f2", "f1_f3", "f2_f3"}


def test_analyze_options_reach_the_result(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_file = tmp_path / "r.json"
    code, out, _ = run(
        capsys,
        "analyze",
        LIPSET,
        "--factors",
        "3",
        "--rotate",
        "1,2,-10",
        "--invert",
        "3",
        "--flag",
        "FR9:F3",
        "--unflag",
        "US1:F1",
        "--flag-level",
        "2.575",
        "--forbid-negative",
        "--json",
        str(out_file),
    )
    assert code == 0
    options = json.loads(out_file.read_text(encoding="utf-8"))["options"]
    assert options["rotation_steps"] == [{"factor_a": 1, "factor_b": 2, "degrees": -10.0}]
    assert options["inversions"] == [3] and options["flag_level"] == 2.575
    assert options["allow_negative"] is False
    assert {"sort": "FR9", "factor": "F3", "flagged": True} in options["manual_flags"]
    assert "judgmental rotation F1/F2 by -10 degrees" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "missing.csv"], "missing.csv"),
        (["analyze", LIPSET, "--factors", "40"], "allow at most 9"),
        (["analyze", LIPSET, "--grid=-4..4:3,3,3,4,7,4,3,3,3"], "do not fit the grid"),
        (["analyze", LIPSET, "--grid=-3..3:1,2,3,4,3,2,1"], "16 slots but the Q-set has 33"),
        (["analyze", LIPSET, "--grid", "nonsense"], "expected LOW..HIGH:CAPACITIES"),
        (["analyze", LIPSET, "--extraction", "centroid", "--flag", "XX:F1"], "no Q-sort named"),
        (["analyze", LIPSET, "--grid=4..-4:1"], "LOW must not exceed HIGH"),
        (["convert", LIPSET, "out.dat", "--free"], "--free needs --grid"),
    ],
)
def test_bad_input_gives_one_clear_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("qsort: error:") and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--flag-level", "2.0", "expected one of"),
        ("--rotate", "1,1,10", "two different factors"),
        ("--rotate", "1,2,nan", "finite"),
        ("--rotate", "1,2", "A,B,DEGREES"),
    ],
)
def test_bad_option_values_are_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["analyze", LIPSET, option, value])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_huge_values_in_a_file_get_a_message_not_a_hang(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for value in ("1000000000", "99999999999999999999999"):
        path = tmp_path / "wide.csv"
        path.write_text(f"name,1,2,3\nA,-{value},0,{value}\nB,{value},0,-{value}\n")
        code, _, err = run(capsys, "analyze", str(path), "--factors", "1")
        assert code == 2 and "between -1000 and 1000" in err


def test_factors_prints_guidance(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "factors", LIPSET, "--iterations", "20")
    assert code == 0
    assert "Kaiser-Guttman (eigenvalue > 1): 4" in out
    assert "Parallel analysis (20 random studies, seed 0" in out


def test_convert_round_trip(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, lipset: Study
) -> None:
    dat = tmp_path / "lipset.dat"
    xlsx = tmp_path / "lipset.xlsx"
    assert run(capsys, "convert", LIPSET, str(dat))[0] == 0
    assert run(capsys, "convert", str(dat), str(xlsx))[0] == 0
    back = read_study(xlsx)
    assert np.array_equal(back.sorts, lipset.sorts) and back.sort_names == lipset.sort_names
    code, out, _ = run(capsys, "formats")
    assert code == 0 and "pqmethod" in out and "kade-xlsx" in out


def test_report_writes_every_kind(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, _ = run(
        capsys,
        "report",
        LIPSET,
        "--factors",
        "3",
        "--xlsx",
        str(tmp_path / "r.xlsx"),
        "--html",
        str(tmp_path / "out" / "r.html"),
        "--lis",
        str(tmp_path / "r.lis"),
        "--figures",
        str(tmp_path / "fig"),
    )
    assert code == 0
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    assert "<svg" in (tmp_path / "out" / "r.html").read_text(encoding="utf-8")
    assert "Factor Characteristics" in (tmp_path / "r.lis").read_text(encoding="utf-8")
    assert sorted(p.name for p in (tmp_path / "fig").glob("composite_*.svg")) == [
        "composite_F1.svg",
        "composite_F2.svg",
        "composite_F3.svg",
    ]
    code, _, err = run(capsys, "report", LIPSET)
    assert code == 2 and "expected at least one of --xlsx" in err


def test_help_and_version_from_the_installed_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "qsort.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("analyze", "factors", "convert", "formats", "report", "serve", "db"):
        assert command in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "qsort.cli", "analyze", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--flag-level" in done.stdout and "--grid" in done.stdout
