"""write_report chooses the kind by extension; the package stays free of heavy imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qsort.errors import OptionError
from qsort.options import FlagOverride
from qsort.pipeline import analyze
from qsort.report import report_kind, write_report
from qsort.result import AnalysisResult
from qsort.rotation import RotationStep
from qsort.study import Study
from tests.qsort.report.conftest import CREATED

openpyxl = pytest.importorskip("openpyxl")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("a.xlsx", "xlsx"), ("a.HTML", "html"), ("a.htm", "html"), ("a.lis", "lis"), ("a.txt", "lis")],
)
def test_kind_from_extension(name: str, kind: str) -> None:
    assert report_kind(name) == kind


def test_unknown_kind_or_extension() -> None:
    with pytest.raises(OptionError, match="extension"):
        report_kind("report.pdf")
    with pytest.raises(OptionError, match="report kind"):
        report_kind("report.xlsx", "docx")  # type: ignore[arg-type]


def test_writes_each_kind(pq3: AnalysisResult, tmp_path: Path) -> None:
    xlsx = write_report(pq3, tmp_path / "r.xlsx", created=CREATED)
    assert xlsx.read_bytes()[:2] == b"PK"
    html = write_report(pq3, tmp_path / "r.htm", created=CREATED)
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    lis = write_report(pq3, tmp_path / "r.out", "lis", created=CREATED)
    assert "Correlation Matrix Between Sorts" in lis.read_text(encoding="utf-8")


def test_import_is_light() -> None:
    code = (
        "import sys, qsort.report, qsort.report.html, qsort.report.lis, qsort.report.figures, "
        "qsort.report.xlsx\n"
        "heavy = {'openpyxl', 'xlsxwriter', 'cairosvg', 'fastapi', 'sqlmodel', 'sqlalchemy', "
        "'jinja2', 'matplotlib'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_options_recorded_and_few_defined_factors(lipset: Study, tmp_path: Path) -> None:
    """Judgmental steps and manual flags appear in every report; 0 or 1 defined factors work."""
    unflag_all = [FlagOverride(n, f, False) for n in lipset.sort_names for f in ("F1", "F2")]
    none_defined = analyze(
        lipset, 2, "centroid", rotation_steps=[RotationStep(1, 2, 15.0)], manual_flags=unflag_all
    )
    one_factor = analyze(lipset, 1, "pca")
    for i, result in enumerate((none_defined, one_factor)):
        for ext in ("xlsx", "html", "lis"):
            write_report(result, tmp_path / f"r{i}.{ext}", created=CREATED)
    html = (tmp_path / "r0.html").read_text(encoding="utf-8")
    assert "F1/F2 by +15 degrees" in html and "US1 unflagged on F1" in html
    lis = (tmp_path / "r0.lis").read_text(encoding="utf-8")
    assert "judgmental rotation F1/F2 by +15 degrees" in lis
    assert "Factor Characteristics" in lis
    book = openpyxl.load_workbook(tmp_path / "r0.xlsx")
    assert "Fac. 1" not in book.sheetnames and "Factor Characteristics" in book.sheetnames
    assert "Fac. 1" in openpyxl.load_workbook(tmp_path / "r1.xlsx").sheetnames
