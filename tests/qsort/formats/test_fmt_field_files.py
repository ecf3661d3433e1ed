"""Files as the field's tools write them: encodings, qmethod's .DAT fault, EQ Web Sort / Quince
downloads, repeated participants.

Layouts and facts (no code) from the tools' public repositories:
* qmethod ``export.pqmethod()`` (github.com/aiorazabala/qmethod, R/export.pqmethod.R): line 1 is
  ``paste0('  0', sprintf('% 3d', n.qsorts), sprintf('% 3d', n.stat), ' ', name, ': ', desc)``,
  so 100 or more sorts take four characters and shift the statement count.
* EQ Web Sort (github.com/shawnbanasick/eq-web-sort @ src/pages/submit): the Google Sheets
  back end stores each field as ``key: value`` in its own cell; the Netlify form stores all of
  them in one cell as ``key:| value | ``; the sort is ``v1|v2|...`` in statement order. KADE's
  importers (github.com/shawnbanasick/kade, src/renderer/src/Sections/Input/JSON/
  processSheetsCsv.js, processNetlifyCsv.js) read them so, naming sorts by ``randomId``.
* KADE's own demo data includes a Japanese study whose statements are Shift-JIS on Windows.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from qsort.cli import main
from qsort.errors import FormatError
from qsort.formats import (
    FormatWarning,
    TextEncodingWarning,
    detect_format,
    read_study,
    write_study,
)
from qsort.formats.csv_sorts import read_csv
from qsort.formats.htmlq import read_easyhtmlq, read_htmlq_csv
from qsort.formats.pqmethod import encode_dat, read_dat
from qsort.study import Grid, Study

TINY_CSV = "participant,1,2,3\nA,-1,0,1\nB,1,0,-1\n"
JAPANESE = ["私たちは改善を受け入れる", "社会は公正であるべきだ", "教育がいちばん大切だ"]
WESTERN = ["Über die Straße gehen", "Naïve café society", "Ça va très bien"]


def _tiny(tmp_path: Path) -> Path:
    path = tmp_path / "sorts.csv"
    path.write_text(TINY_CSV, encoding="utf-8")
    return path


# --- encodings of statement files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("texts", "encoding", "said"),
    [
        (JAPANESE, "utf-16-le", "UTF-16"),
        (JAPANESE, "utf-16-be", "UTF-16"),
        (WESTERN, "cp1252", "cp1252"),
        (JAPANESE, "shift_jis", "cp932"),
    ],
)
def test_statement_files_in_other_encodings_are_read_and_named(
    tmp_path: Path, texts: list[str], encoding: str, said: str
) -> None:
    data = "\r\n".join(texts).encode(encoding)
    if encoding.startswith("utf-16"):
        data = ("\ufeff" + "\r\n".join(texts)).encode(encoding)
    (tmp_path / "st.txt").write_bytes(data)
    with pytest.warns(TextEncodingWarning, match=rf"st\.txt: the file is not UTF-8.*{said}"):
        study = read_csv(_tiny(tmp_path), statements=tmp_path / "st.txt")
    assert [s.text for s in study.statements] == texts


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_or_without_bom_reads_without_a_warning(tmp_path: Path, bom: bytes) -> None:
    (tmp_path / "st.txt").write_bytes(bom + "\n".join(JAPANESE).encode())
    study = read_csv(_tiny(tmp_path), statements=tmp_path / "st.txt")  # warnings are errors
    assert [s.text for s in study.statements] == JAPANESE


def test_an_encoding_given_is_used_without_detection(tmp_path: Path) -> None:
    (tmp_path / "st.txt").write_bytes("\n".join(WESTERN).encode("cp1252"))
    study = read_csv(_tiny(tmp_path), statements=tmp_path / "st.txt", encoding="cp1252")
    assert [s.text for s in study.statements] == WESTERN


def test_the_command_line_says_which_encoding_was_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = ["statement,Zoë,Björn,Ann", "1,-1,1,0", "2,1,-1,-1", "3,0,0,1"]
    (tmp_path / "s.csv").write_bytes("\n".join(rows).encode("cp1252"))
    assert main(["analyze", str(tmp_path / "s.csv"), "--factors", "1", "--extraction", "pca"]) == 0
    out, err = capsys.readouterr()
    assert "qsort: warning:" in err and "read as cp1252" in err
    assert "Zoë" in out


# --- PQMethod files from qmethod ------------------------------------------------------------


def _qmethod_dat(n_sorts: int, n_stat: int) -> bytes:
    """A .DAT laid out as qmethod's export.pqmethod() writes it (sprintf('% 3d') counts)."""
    rng = np.random.default_rng(n_sorts)
    pattern = np.repeat([-1, 0, 1], [1, n_stat - 2, 1])
    lines = [f"  0{n_sorts: 3d}{n_stat: 3d} big: a study", _distribution(n_stat)]
    for k in range(n_sorts):
        values = rng.permutation(pattern)
        lines.append(f"S{k + 1:<9d}" + "".join(f"{v:2d}" for v in values))
    return "".join(line + "\r\n" for line in lines).encode()


def _distribution(n_stat: int) -> str:
    counts = [0] * 20
    counts[5], counts[6], counts[7] = 1, n_stat - 2, 1
    return " -1  1" + "".join(f"{c:3d}" for c in counts)


def test_qmethods_header_for_100_sorts_is_read_with_a_warning_naming_the_fault(
    tmp_path: Path,
) -> None:
    data = _qmethod_dat(120, 6)
    assert data.startswith(b"  0 120  6 big")  # the fault, as qmethod writes it
    (tmp_path / "big.dat").write_bytes(data)
    with pytest.warns(
        FormatWarning, match=r"line 1: .*qmethod's export\.pqmethod\(\).*120 Q-sorts"
    ):
        study = read_dat(tmp_path / "big.dat")
    assert study.sorts.shape == (6, 120)
    assert study.title == "big: a study"
    fixed = encode_dat(study)
    assert fixed.startswith(b"  0120  6 big")  # written back in PQMethod's own columns


def test_qmethods_header_below_100_sorts_is_pqmethods(tmp_path: Path) -> None:
    (tmp_path / "small.dat").write_bytes(_qmethod_dat(12, 6))
    assert read_dat(tmp_path / "small.dat").sorts.shape == (6, 12)  # no warning


# --- EQ Web Sort, Quince and easy-htmlq exports ---------------------------------------------

SORTS = {"r-aa1": [-1, 0, 0, 1], "r-bb2": [0, -1, 1, 0], "r-cc3": [1, 0, -1, 0]}


def test_json_as_a_list_of_participants_is_read(tmp_path: Path) -> None:
    records = [
        {"partId": f"P{i}", "randomId": rid, "sort": "|".join(map(str, values)), "time": 61}
        for i, (rid, values) in enumerate(SORTS.items())
    ]
    (tmp_path / "eq.json").write_text(json.dumps(records), encoding="utf-8")
    study = read_study(tmp_path / "eq.json")
    assert study.sort_names == ("r-aa1", "r-bb2", "r-cc3")
    assert study.sorts.T.tolist() == list(SORTS.values())
    by_part = read_easyhtmlq(tmp_path / "eq.json", name_field="partId")
    assert by_part.sort_names == ("P0", "P1", "P2")


def test_google_sheets_download_with_time_stamps_is_read(tmp_path: Path) -> None:
    rows = ["1,2,3,4,5,6"]
    for i, (rid, values) in enumerate(SORTS.items()):
        rows.append(
            f'"12/14/2024 10:2{i}:41",partId: P{i},randomId: {rid},urlUsercode: no usercode set,'
            f"dateTime: 12141{i},sort: {'|'.join(map(str, values))}"
        )
    (tmp_path / "sheets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert detect_format(tmp_path / "sheets.csv") == "eqwebsort-csv"
    study = read_study(tmp_path / "sheets.csv")
    assert study.sort_names == tuple(SORTS)
    assert study.sorts.T.tolist() == list(SORTS.values())


def test_netlify_download_is_read(tmp_path: Path) -> None:
    rows = ["Q-sorts,created_at"]
    for i, (rid, values) in enumerate(SORTS.items()):
        cell = (
            f"projectName:| demo | partId:| P{i} | randomId:| {rid} | urlUsercode:| x | "
            f"sort:| {'|'.join(map(str, values))} | "
        )
        rows.append(f'"{cell}",2024-12-14T10:2{i}:41Z')
    (tmp_path / "netlify.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    study = read_study(tmp_path / "netlify.csv")
    assert study.sort_names == tuple(SORTS)
    assert study.sorts.T.tolist() == list(SORTS.values())


def test_a_table_of_fields_as_quince_stores_them_is_read(tmp_path: Path) -> None:
    """Quince (github.com/shawnbanasick/quince, src/pages/submit/SubmitButtonBaserow.jsx) posts
    the results object to a Baserow table whose columns take the field names."""
    rows = ["id,partId,randomId,dateTime,sort"]
    rows += [
        f"{i + 1},P{i},{rid},2024-12-14 10:2{i},{'|'.join(map(str, v))}"
        for i, (rid, v) in enumerate(SORTS.items())
    ]
    (tmp_path / "baserow.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert detect_format(tmp_path / "baserow.csv") == "eqwebsort-csv"
    study = read_study(tmp_path / "baserow.csv")
    assert study.sort_names == tuple(SORTS)
    assert study.sorts.T.tolist() == list(SORTS.values())


def test_eqwebsort_download_round_trips(tmp_path: Path, lipset: Study) -> None:
    write_study(lipset, tmp_path / "eq.csv", "eqwebsort-csv")
    assert read_study(tmp_path / "eq.csv") == Study.from_matrix(
        lipset.sorts, lipset.sort_names, grid=lipset.grid
    )


def test_a_participant_submitting_twice_is_named(tmp_path: Path) -> None:
    rows = ["1,2"] + [
        f"randomId: {rid},sort: {'|'.join(map(str, v))}"
        for rid, v in [*SORTS.items(), ("r-aa1", SORTS["r-aa1"])]
    ]
    (tmp_path / "twice.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"'r-aa1' on lines 2, 5; expected one row per"):
        read_study(tmp_path / "twice.csv")


def test_htmlq_repeated_rows_are_named_not_renamed(tmp_path: Path) -> None:
    head = "sid;uid;s1;s2;s3\n"
    same = head + "1;anna;-1;0;1\n2;ben;1;0;-1\n3;anna;-1;0;1\n"
    (tmp_path / "same.csv").write_text(same, encoding="utf-8")
    with pytest.raises(FormatError, match=r"uid 'anna' on lines 2, 4 \(the same sort repeated\)"):
        read_htmlq_csv(tmp_path / "same.csv")
    other = head + "1;anna;-1;0;1\n2;anna;1;0;-1\n3;ben;0;1;-1\n"
    (tmp_path / "other.csv").write_text(other, encoding="utf-8")
    with pytest.raises(FormatError, match=r"uid 'anna' on lines 2, 3 \(different sorts\)"):
        read_htmlq_csv(tmp_path / "other.csv")


def test_htmlq_without_repeats_is_named_by_uid(tmp_path: Path) -> None:
    text = "sid;uid;s1;s2;s3\n1;anna;-1;0;1\n2;ben;1;0;-1\n"
    (tmp_path / "ok.csv").write_text(text, encoding="utf-8")
    study = read_htmlq_csv(tmp_path / "ok.csv", grid=Grid((-1, 0, 1), (1, 1, 1)))
    assert study.sort_names == ("anna", "ben")
