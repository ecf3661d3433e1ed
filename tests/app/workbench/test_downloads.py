"""Every download of an analysis opens with the tool a researcher would use."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from PIL import Image

from app.services.downloads import Bundle, bundle, zip_bundle
from qsort.formats._common import TextEncodingWarning
from qsort.formats.pqmethod import read_dat
from qsort.options import Options
from qsort.pipeline import run
from qsort.result import AnalysisResult
from qsort.study import Statement, Study


@pytest.fixture(scope="module")
def texts(lipset: Study) -> Study:
    """Lipset's sorts with a text on every card (the store always has texts)."""
    statements = tuple(Statement(s.id, f"Card {s.id} \u2013 caf\u00e9") for s in lipset.statements)
    return replace(lipset, statements=statements)


@pytest.fixture(scope="module")
def result(texts: Study) -> AnalysisResult:
    return run(texts, Options(extraction="centroid", n_factors=3))


@pytest.fixture(scope="module")
def files(result: AnalysisResult) -> Bundle:
    return bundle(result)


def test_workbook_opens_with_openpyxl(files: Bundle) -> None:
    book = openpyxl.load_workbook(io.BytesIO(files.files["analysis.xlsx"]), read_only=True)
    assert len(book.sheetnames) > 5


def test_html_parses_and_has_figures(files: Bundle) -> None:
    tags: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)

    Collect().feed(files.files["report.html"].decode("utf-8"))
    assert "table" in tags and "svg" in tags


def test_dat_and_sta_read_back(files: Bundle, texts: Study, tmp_path: Path) -> None:
    (tmp_path / "sorts.dat").write_bytes(files.files["sorts.dat"])
    (tmp_path / "sorts.sta").write_bytes(files.files["sorts.sta"])
    with pytest.warns(TextEncodingWarning, match="cp1252"):  # PQMethod's own encoding
        back = read_dat(tmp_path / "sorts.dat")
    assert np.array_equal(back.sorts, texts.sorts)
    assert back.sort_names == texts.sort_names
    assert [s.text for s in back.statements] == [s.text for s in texts.statements]


def test_json_and_csv_carry_the_result(files: Bundle, result: AnalysisResult) -> None:
    data = json.loads(files.files["result.json"])
    assert np.allclose(data["loadings"], result.loadings, atol=0)
    rows = list(csv.reader(io.StringIO(files.files["zscores.csv"].decode("utf-8"))))
    assert rows[0] == ["statement", "text", *result.factor_names]
    z = np.array([[float(c) for c in row[2:]] for row in rows[1:]])
    assert np.array_equal(z, result.zscores)
    arrays = list(csv.reader(io.StringIO(files.files["factor_arrays.csv"].decode("utf-8"))))
    assert [[int(c) for c in row[2:]] for row in arrays[1:]] == result.arrays.tolist()


def _rows(files: Bundle, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(files.files[name].decode("utf-8"))))


def test_distinguishing_and_consensus_csv_carry_the_result(
    files: Bundle, result: AnalysisResult
) -> None:
    """Each listed statement with its p, its direction worked out here from the z-scores, and
    every factor's array value and z-score."""
    z, arrays, names = result.zscores, result.arrays, [f.name for f in result.defined]
    rows = _rows(files, "distinguishing.csv")
    assert rows[0][:5] == ["factor", "statement", "text", "p", "direction"]
    assert rows[0][5:] == [f"{n} {w}" for n in names for w in ("array", "z")]
    listed = [(f.name, m.statement, m.p) for f in result.defined for m in f.distinguishing]
    assert len(rows) - 1 == len(listed) > 0
    for row, (name, i, p) in zip(rows[1:], listed, strict=True):
        k = names.index(name)
        others = np.delete(z[i], k)
        way = (
            "higher"
            if (z[i, k] > others).all()
            else "lower"
            if (z[i, k] < others).all()
            else "mixed"
        )
        sid = result.study.statement_ids[i]
        assert row[:5] == [name, sid, f"Card {sid} \u2013 caf\u00e9", repr(p), way]
        assert [float(c) for c in row[6::2]] == z[i].tolist()
        assert [int(c) for c in row[5::2]] == arrays[i].tolist()
    consensus = _rows(files, "consensus.csv")
    ids = result.study.statement_ids
    assert [(r[0], float(r[2])) for r in consensus[1:]] == [
        (ids[m.statement], m.p) for m in result.consensus
    ]
    assert len(consensus) > 1


def test_characteristics_csv_carries_the_result(files: Bundle, result: AnalysisResult) -> None:
    rows = _rows(files, "characteristics.csv")
    assert [r[0] for r in rows[1:]] == list(result.factor_names)
    for row, factor in zip(rows[1:], result.factors, strict=True):
        c = factor.characteristics
        assert int(row[1]) == c.n_defining and float(row[5]) == c.eigenvalue
        assert float(row[4]) == c.se and float(row[6]) == c.explained_variance


def test_every_figure_as_svg_and_decodable_png(files: Bundle, result: AnalysisResult) -> None:
    svgs = sorted(n for n in files.files if n.endswith(".svg"))
    assert "figures/correlations.svg" in svgs and "figures/scree.svg" in svgs
    assert {f"figures/composite_{f.name}.svg" for f in result.defined} <= set(svgs)
    for name in svgs:
        image = Image.open(io.BytesIO(files.files[name.replace(".svg", ".png")]))
        image.load()
        assert image.size[0] > 100 and image.size[1] > 100
    assert files.missing == {}


def test_zip_holds_everything(files: Bundle) -> None:
    archive = zipfile.ZipFile(io.BytesIO(zip_bundle(files.files)))
    assert sorted(archive.namelist()) == sorted(f"analysis/{n}" for n in files.files)
    assert archive.read("analysis/result.json") == files.files["result.json"]


def test_one_download_alone_equals_the_bundles(files: Bundle, result: AnalysisResult) -> None:
    from app.services.downloads import single

    dated = {"analysis.xlsx", "report.html", "report.lis"}  # they print when they were made
    for name, content in files.files.items():
        if name not in dated:
            assert single(result, name, None) == content, name
    book = openpyxl.load_workbook(io.BytesIO(single(result, "analysis.xlsx", None)))
    assert (
        book.sheetnames
        == openpyxl.load_workbook(io.BytesIO(files.files["analysis.xlsx"])).sheetnames
    )
    assert single(result, "report.html", None).lstrip().lower().startswith(b"<!doctype html")
    assert len(single(result, "report.lis", None)) == len(files.files["report.lis"])
    with pytest.raises(KeyError):
        single(result, "figures/nothing.svg", None)
