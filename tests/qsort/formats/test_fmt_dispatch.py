"""read_study / write_study: the formats table, detection, options, and a round trip for each."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qsort.errors import FormatError, OptionError
from qsort.formats import FORMATS, detect_format, read_study, write_study
from qsort.study import Study
from tests.refdata import DATA

EXTENSIONS = {
    "pqmethod": "dat",
    "csv": "csv",
    "csv-participants": "csv",
    "kade-xlsx": "xlsx",
    "kade-xlsx-piles": "xlsx",
    "easyhtmlq": "json",
    "htmlq-csv": "csv",
    "eqwebsort-csv": "csv",
    "ehq3-sosci": "csv",
    "qsort": "json",
}


def test_the_table_lists_every_format() -> None:
    assert set(FORMATS) == set(EXTENSIONS)
    for name, spec in FORMATS.items():
        assert spec.name == name and spec.description
        assert f".{EXTENSIONS[name]}" in spec.extensions
        assert "grid" in spec.options("read")


@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_round_trip_read_write_read(tmp_path: Path, lipset: Study, fmt: str) -> None:
    source = tmp_path / f"source.{EXTENSIONS[fmt]}"
    write_study(lipset, source, fmt)
    first = read_study(source, fmt)
    np.testing.assert_array_equal(first.sorts, lipset.sorts)
    assert first.sort_names == lipset.sort_names
    written = write_study(first, tmp_path / f"copy.{EXTENSIONS[fmt]}", fmt)
    assert written[0] == tmp_path / f"copy.{EXTENSIONS[fmt]}"
    assert read_study(written[0], fmt) == first
    assert read_study(written[0]) == first  # detected from extension and content


def test_lipset_reads_the_same_from_dat_and_csv(lipset: Study) -> None:
    dat = read_study(DATA / "lipset.dat")
    csv = read_study(DATA / "lipset_sorts.csv")
    assert dat.sort_names == csv.sort_names == lipset.sort_names
    np.testing.assert_array_equal(dat.sorts, csv.sorts)
    assert dat.grid == csv.grid


def test_convert_dat_to_every_format_and_back(tmp_path: Path) -> None:
    dat = read_study(DATA / "lipset.dat", sta=DATA / "lipset_statements.txt")
    for fmt in ("kade-xlsx", "kade-xlsx-piles", "qsort"):
        path = tmp_path / f"{fmt}.{EXTENSIONS[fmt]}"
        write_study(dat, path, fmt)
        assert read_study(path) == dat
    out = write_study(read_study(tmp_path / "qsort.json"), tmp_path / "back.dat")
    assert out[0].read_bytes() == (DATA / "lipset.dat").read_bytes()


def test_json_and_csv_are_told_apart_by_content(tmp_path: Path, lipset: Study) -> None:
    write_study(lipset, tmp_path / "a.json", "qsort")
    write_study(lipset, tmp_path / "b.json", "easyhtmlq")
    write_study(lipset, tmp_path / "c.csv", "htmlq-csv")
    write_study(lipset, tmp_path / "d.csv", "csv-participants")
    write_study(lipset, tmp_path / "e.csv", "eqwebsort-csv")
    write_study(lipset, tmp_path / "f.csv", "ehq3-sosci")
    assert detect_format(tmp_path / "a.json") == "qsort"
    assert detect_format(tmp_path / "b.json") == "easyhtmlq"
    assert detect_format(tmp_path / "c.csv") == "htmlq-csv"
    assert detect_format(tmp_path / "d.csv") == "csv"
    assert detect_format(tmp_path / "e.csv") == "eqwebsort-csv"
    assert detect_format(tmp_path / "f.csv") == "ehq3-sosci"
    assert detect_format(DATA / "lipset.dat") == "pqmethod"


def test_unknown_extension_and_format_and_option(tmp_path: Path, lipset: Study) -> None:
    with pytest.raises(FormatError, match=r"study\.sav: cannot tell the format"):
        read_study(tmp_path / "study.sav")
    with pytest.raises(OptionError, match="cannot tell the format"):
        write_study(lipset, tmp_path / "study.sav")
    with pytest.raises(OptionError, match="unknown format 'spss'"):
        read_study(DATA / "lipset.dat", "spss")
    with pytest.raises(OptionError, match=r"'pqmethod' has no read option\(s\) \['delimiter'\]"):
        read_study(DATA / "lipset.dat", delimiter=";")
    with pytest.raises(OptionError, match=r"'kade-xlsx' has no write option\(s\) \['names'\]"):
        write_study(lipset, tmp_path / "x.xlsx", names="strict")


def test_options_reach_the_writer(tmp_path: Path, lipset: Study) -> None:
    write_study(lipset, tmp_path / "x.csv", delimiter=";")
    assert (tmp_path / "x.csv").read_text(encoding="utf-8").startswith("statement;US1;")


def test_importing_the_formats_does_not_load_openpyxl() -> None:
    code = (
        "import sys, qsort, qsort.formats; "
        "bad = [m for m in ('openpyxl', 'fastapi', 'sqlmodel', 'sqlalchemy', 'jinja2') "
        "if m in sys.modules]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
