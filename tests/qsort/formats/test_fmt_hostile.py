"""Hostile and broken files: a clear QsortError (or a study), never a traceback, in bounded time.

The fixed cases are the ones a fuzzing run of 1,200 mutated files found (issue 14); the
hypothesis tests mutate a valid file of every format (truncation, byte flips, a huge field,
deep nesting, a huge number) and accept only a study or a QsortError. Their deadline is loose
(a loaded 2-core machine) but finite: a reader that takes tens of seconds fails it.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import warnings
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qsort.errors import FormatError, QsortError
from qsort.formats import read_study, write_study
from qsort.formats.csv_sorts import Table, _bulk_table, read_csv
from qsort.formats.pqmethod import read_dat
from qsort.formats.study_pictures import Picture
from qsort.formats.studyfile import read_document, write_study_file
from qsort.study import Grid, Study

# --- the cases the issue names ---------------------------------------------------------------


def test_a_field_larger_than_the_csv_field_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text('statement,"' + "x" * 200_000 + '"\n1,1\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"big\.csv, line \d+: field larger than field limit"):
        read_csv(path)


def test_a_header_longer_than_the_field_limit_reads(tmp_path: Path) -> None:
    """20,000 sorts laid out one row per statement: a 150,000-character header line."""
    rng = np.random.default_rng(3)
    values = np.array([rng.permutation([-1, 0, 1]) for _ in range(20_000)]).T
    names = [f"Sort{k}" for k in range(20_000)]
    rows = ["statement," + ",".join(names)]
    rows += [f"{i + 1}," + ",".join(map(str, row)) for i, row in enumerate(values.tolist())]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert len(rows[0]) > 131_072
    study = read_csv(path)
    assert study.sorts.shape == (3, 20_000)
    np.testing.assert_array_equal(study.sorts, values)
    for sep in (";", "\t"):
        (tmp_path / "sep.csv").write_text(path.read_text().replace(",", sep), encoding="utf-8")
        assert read_csv(tmp_path / "sep.csv").sorts.shape == (3, 20_000)


def test_json_nested_500_deep(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 500 + "]" * 500, encoding="utf-8")
    with pytest.raises(FormatError, match=r"deep\.json: participant '#1': expected an object"):
        read_study(path)
    path.write_text('{"p": ' * 500 + "1" + "}" * 500, encoding="utf-8")
    with pytest.raises(FormatError, match=r"participant 'p': expected an object with a \"sort\""):
        read_study(path)
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(FormatError, match=r"deep\.json: the JSON is nested too deeply"):
        read_study(path)


def test_a_dat_holding_only_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.dat"
    for data in (b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n", b"\xff\xfe"):
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(FormatError, match=r"bom\.dat: the file is empty"):
                read_dat(path)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("n.csv", "statement,A,B\n1," + "7" * 5000 + ",1\n2,1,-1\n"),
        ("n.json", json.dumps({"p1": {"sort": "1" * 5000 + "|0"}, "p2": {"sort": "0|1"}})),
        ("q.csv", 'statement,A,B\n1,"' + "7" * 5000 + '",1\n2,1,-1\n'),
    ],
)
def test_a_5000_digit_number(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(FormatError, match="found a number of 5000 digits"):
        read_study(tmp_path / name)


def test_a_json_number_beyond_pythons_digit_limit(tmp_path: Path) -> None:
    (tmp_path / "big.json").write_text('{"p1": {"sort": "0|1", "age": ' + "9" * 5000 + "}}")
    with pytest.raises(FormatError, match=r"big\.json: Exceeds the limit \(4300 digits\)"):
        read_study(tmp_path / "big.json")


def test_a_bad_cell_after_a_bulk_read_is_named_exactly(tmp_path: Path) -> None:
    """50,000 participants with one bad cell on the last line: the bulk parse fails, then the
    cell is found and named by line and column."""
    rows = ["participant,1,2,3"] + [f"P{k},-1,0,1" for k in range(50_000)]
    rows[-1] = "P49999,-1,O,1"  # a letter O for a zero
    path = tmp_path / "many.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        read_csv(path)
    assert str(info.value) == (
        f"{path}, line 50001, column 3 (sort 'P49999', statement '2'): expected an integer "
        "sort value, found 'O'"
    )


@pytest.mark.parametrize("cell", ["+-3", "1_0", "3.5", "--1", " ", "0x1"])
def test_cells_python_would_take_as_numbers_are_named(tmp_path: Path, cell: str) -> None:
    path = tmp_path / "odd.csv"
    path.write_text(f'statement,A,B\n1,"{cell}",1\n2,1,-1\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"odd\.csv, line 2, column 2 \(sort 'A', statement"):
        read_csv(path)


def test_a_row_wider_than_the_header_is_not_read_in_bulk(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("participant,1,2,3\nA,-1,0,1\nB,1,0,-1,9\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 3: expected 4 cells, as the header has"):
        read_csv(path)


def test_bulk_and_exact_reads_agree(tmp_path: Path) -> None:
    """The same table read in bulk (plain, CRLF; and quoted as R's write.csv quotes header and
    labels) and cell by cell (one quoted value sends the file down the exact path)."""
    rng = np.random.default_rng(5)
    sorts = np.array([rng.permutation([-2, -1, -1, 0, 0, 0, 1, 1, 2]) for _ in range(40)])
    rows = ["participant," + ",".join(str(i + 1) for i in range(9))]
    rows += [f"P{k}," + ",".join(map(str, s)) for k, s in enumerate(sorts.tolist())]
    plain = tmp_path / "plain.csv"
    plain.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    r_style = tmp_path / "r.csv"
    quoted_rows = ['"' + row.replace(",", '",', 1) for row in rows]
    quoted_rows[0] = ",".join(f'"{cell}"' for cell in rows[0].split(","))
    r_style.write_text("\n".join(quoted_rows) + "\n", encoding="utf-8")
    exact = tmp_path / "exact.csv"
    exact.write_text("\n".join(rows).replace(",-1,", ',"-1",', 1) + "\n", encoding="utf-8")
    for path, bulk in ((plain, True), (r_style, True), (exact, False)):
        assert isinstance(_bulk_table(path.read_bytes(), ","), Table) is bulk
        np.testing.assert_array_equal(read_csv(path).sorts, sorts.T)
        assert read_csv(path).sort_names == tuple(f"P{k}" for k in range(40))


# --- fuzzing every reader --------------------------------------------------------------------

GRID = Grid.from_range(-2, 2, [1, 2, 3, 2, 1])
FORMATS = {
    "pqmethod": "dat",
    "csv": "csv",
    "csv-participants": "csv",
    "htmlq-csv": "csv",
    "eqwebsort-csv": "csv",
    "easyhtmlq": "json",
    "ehq3-sosci": "csv",
    "qsort": "json",
    "kade-xlsx": "xlsx",
    "kade-xlsx-piles": "xlsx",
}


def _seed(fmt: str) -> bytes:
    """A valid file of the format: 4 sorts of 9 statements with texts where it holds them."""
    rng = np.random.default_rng(11)
    sorts = np.array([rng.permutation(GRID.pattern()) for _ in range(4)]).T
    statements = [f"statement {i + 1}, with Zoë" for i in range(9)]
    study = Study.from_matrix(sorts, ["ann", "ben", "cai", "dee"], statements, grid=GRID)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"seed.{FORMATS[fmt]}"
        write_study(study, path, fmt)
        return path.read_bytes()


def _picture_seed() -> bytes:
    """A valid qsort study file whose statements 1 and 2 carry pictures (PNG, SVG)."""
    rng = np.random.default_rng(11)
    sorts = np.array([rng.permutation(GRID.pattern()) for _ in range(4)]).T
    study = Study.from_matrix(sorts, ["ann", "ben", "cai", "dee"], list("abcdefghi"), grid=GRID)
    pictures = {
        study.statements[0].id: Picture("a bus", "image/png", b"\x89PNG\r\n\x1a\n" + bytes(300)),
        study.statements[1].id: Picture(
            "a line", "image/svg+xml", b"<svg>" + b"x" * 200 + b"</svg>"
        ),
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "seed.json"
        write_study_file(study, path, pictures=pictures)
        return path.read_bytes()


SEEDS = {fmt: _seed(fmt) for fmt in FORMATS}
SEEDS["qsort-pictures"] = _picture_seed()


@st.composite
def mutated(draw: st.DrawFn, fmt: str) -> bytes:
    """The format's seed file, changed by one or more hostile edits (for a workbook, the edits
    go to one of its XML parts half of the time, so that the reader sees damaged sheets)."""
    if FORMATS.get(fmt) == "xlsx" and draw(st.booleans()):
        return _mutated_part(draw, SEEDS[fmt])
    return _mutate(draw, SEEDS[fmt])


def _mutated_part(draw: st.DrawFn, seed: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(seed)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = draw(st.sampled_from(sorted(parts)))
    parts[name] = _mutate(draw, parts[name])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return out.getvalue()


def _mutate(draw: st.DrawFn, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "field", "nest", "number", "lines"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "truncate":
            del data[at:]
        elif kind == "flip":
            data[at : at + 1] = bytes([draw(st.integers(0, 255))])
        elif kind == "field":
            data[at:at] = draw(st.sampled_from([b"x", b"9", b",", b'"', b"|"])) * 150_000
        elif kind == "nest":
            depth = draw(st.integers(100, 3000))
            data[at:at] = b"[" * depth + b"]" * depth
        elif kind == "number":
            data[at:at] = b"9" * draw(st.integers(20, 6000))
        else:
            line = data[: data.find(b"\n") + 1] if b"\n" in data else b"x\n"
            data[at:at] = bytes(line[-60:]) * draw(st.integers(2, 2000))
    return bytes(data)


def _read(fmt: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz.{FORMATS[fmt]}"
        path.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                read_study(path, fmt)
                read_study(path)  # the detected format too
            except QsortError:
                pass


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(
    max_examples=60,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(data=st.data())
def test_every_reader_survives_mutated_files(fmt: str, data: st.DataObject) -> None:
    _read(fmt, data.draw(mutated(fmt)))


@settings(
    max_examples=60,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
@given(data=st.data())
def test_the_study_file_reader_survives_mutated_pictures(data: st.DataObject) -> None:
    """The study file with pictures, mutated (base64 cut, flipped, swollen): a study or a
    QsortError, never a traceback."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.json"
        path.write_bytes(data.draw(mutated("qsort-pictures")))
        with contextlib.suppress(QsortError):
            read_document(path)


def test_the_picture_seed_is_valid(tmp_path: Path) -> None:
    (tmp_path / "seed.json").write_bytes(SEEDS["qsort-pictures"])
    pictures = read_document(tmp_path / "seed.json").pictures
    assert [p.alt for p in pictures.values()] == ["a bus", "a line"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_seed_files_are_valid(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"seed.{FORMATS[fmt]}"
    path.write_bytes(SEEDS[fmt])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert read_study(path, fmt).n_sorts == 4
        assert read_study(path).n_sorts == 4
