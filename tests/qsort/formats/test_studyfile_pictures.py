"""Pictures in the qsort study file: read back exactly, old files still read, bad ones named."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qsort.errors import FormatError, QsortError
from qsort.formats import read_study
from qsort.formats import study_pictures as sp
from qsort.formats.pqmethod import read_dat
from qsort.formats.study_pictures import Picture
from qsort.formats.studyfile import read_document, study_document, write_study_file
from qsort.study import Study
from tests.refdata import DATA

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + bytes(range(255, -1, -1))
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x01" * 30
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><title>Zoë</title></svg>'.encode()
PICTURES = {
    "1": Picture("A crowded bus, people standing", "image/png", PNG),
    "5": Picture("Zoë's drawing of a house", "image/jpeg", JPEG),
    "7": Picture("A field", "image/webp", WEBP),
    "33": Picture("A line drawing", "image/svg+xml", SVG),
}


def _write(tmp_path: Path, study: Study, pictures: dict[str, Picture]) -> Path:
    path = tmp_path / "pictures.json"
    write_study_file(study, path, pictures=pictures)
    return path


def _with_picture(tmp_path: Path, study: Study, picture: object, at: int = 2) -> Path:
    doc = study_document(study)
    doc["statements"][at]["picture"] = picture
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _refusal(path: Path) -> str:
    with pytest.raises(FormatError) as info:
        read_document(path)
    return str(info.value)


def test_pictures_come_back_exactly(tmp_path: Path, lipset_texts: Study) -> None:
    path = _write(tmp_path, lipset_texts, PICTURES)
    doc = read_document(path)
    assert doc.pictures == PICTURES
    assert doc.study == lipset_texts
    write_study_file(doc.study, tmp_path / "again.json", pictures=doc.pictures)
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_the_file_holds_base64_and_is_version_2(tmp_path: Path, lipset_texts: Study) -> None:
    data = json.loads(_write(tmp_path, lipset_texts, PICTURES).read_text(encoding="utf-8"))
    assert data["version"] == 2
    first = data["statements"][0]
    assert first["picture"]["alt"] == "A crowded bus, people standing"
    assert first["picture"]["type"] == "image/png"
    assert base64.b64decode(first["picture"]["data"]) == PNG
    assert "picture" not in data["statements"][1]


def test_a_file_without_pictures_stays_version_1(tmp_path: Path, lipset_texts: Study) -> None:
    data = json.loads(_write(tmp_path, lipset_texts, {}).read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert all(set(s) == {"id", "text"} for s in data["statements"])
    assert read_document(tmp_path / "pictures.json").pictures == {}


def test_an_old_version_1_file_reads_without_pictures(tmp_path: Path, lipset: Study) -> None:
    doc = {
        "format": "qsort-study",
        "version": 1,
        "statements": [{"id": s.id, "text": s.text} for s in lipset.statements],
        "sorts": {n: [int(v) for v in lipset.sorts[:, j]] for j, n in enumerate(lipset.sort_names)},
    }
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    read = read_document(path)
    assert read.pictures == {}
    assert read.study.sort_names == lipset.sort_names
    assert read_study(path).n_sorts == lipset.n_sorts


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        ("a cat", r'\(statement \'3\'\)\.picture: expected an object \{"alt", "type", "data"\}'),
        ({"type": "image/png", "data": ""}, r"\.picture\.alt: expected a string, found null"),
        (
            {"alt": "  ", "type": "image/png", "data": base64.b64encode(PNG).decode()},
            r"\(statement '3'\)\.picture\.alt: expected the picture's text alternative",
        ),
        (
            {"alt": "x", "type": "image/gif", "data": "R0lGODlh"},
            r"\.picture\.type: expected one of image/png, image/jpeg, image/webp, "
            r'image/svg\+xml, found "image/gif"',
        ),
        (
            {"alt": "x", "type": "image/png", "data": "iVBORw0KGgo*AAA"},
            r"\(statement '3'\)\.picture\.data: expected the picture's bytes in base64",
        ),
        (
            {"alt": "x", "type": "image/png", "data": "iVBORw0KGgo"},
            r"\.picture\.data: expected the picture's bytes in base64",
        ),
        (
            {"alt": "x", "type": "image/png", "data": base64.b64encode(JPEG).decode()},
            r"\(statement '3'\)\.picture\.data: expected image/png content, found other bytes",
        ),
        (
            {"alt": "x", "type": "image/svg+xml", "data": base64.b64encode(b"MZ\x90").decode()},
            r"\.picture\.data: expected image/svg\+xml content",
        ),
        (
            {"alt": "x", "type": "image/png", "data": "ü"},
            r"\.picture\.data: expected the picture's bytes in base64",
        ),
    ],
)
def test_a_bad_picture_is_named(
    tmp_path: Path, lipset_texts: Study, picture: object, message: str
) -> None:
    text = _refusal(_with_picture(tmp_path, lipset_texts, picture))
    assert text.startswith(f"{tmp_path / 'bad.json'}, \"statements\"[2] (statement '3')")
    with pytest.raises(FormatError, match=message):
        read_document(tmp_path / "bad.json")


def test_a_picture_over_the_limit_is_refused(tmp_path: Path, lipset_texts: Study) -> None:
    big = PNG + b"\x00" * (sp.MAX_PICTURE_BYTES - len(PNG) + 1)
    picture = {"alt": "x", "type": "image/png", "data": base64.b64encode(big).decode()}
    text = _refusal(_with_picture(tmp_path, lipset_texts, picture))
    assert "(statement '3').picture.data: the picture is 2000001 bytes; expected at most" in text
    huge = {**picture, "data": "A" * 4_000_000}
    text = _refusal(_with_picture(tmp_path, lipset_texts, huge))
    assert "(statement '3').picture.data: the picture is over 2999997 bytes; expected at most" in (
        text
    )
    at_limit = {**picture, "data": base64.b64encode(big[:-1]).decode()}
    assert (
        read_document(_with_picture(tmp_path, lipset_texts, at_limit)).pictures["3"].data
        == (big[:-1])
    )


def test_a_file_over_the_total_limit_is_refused(
    tmp_path: Path, lipset_texts: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, lipset_texts, PICTURES)
    total = sum(len(p.data) for p in PICTURES.values())
    monkeypatch.setattr(sp, "MAX_FILE_PICTURE_BYTES", total - 1)
    assert f"the pictures come to {total} bytes; a study file may hold at most {total - 1}" in (
        _refusal(path)
    )
    with pytest.raises(FormatError, match="a study file may hold at most"):
        write_study_file(lipset_texts, tmp_path / "w.json", pictures=PICTURES)


def test_a_control_character_in_a_text_is_written_readably(
    tmp_path: Path, lipset_texts: Study
) -> None:
    """JSON leaves DEL (0x7f) unescaped, and the reader takes a raw one for a binary file."""
    pictures = {"2": Picture("a\x7fb\x01", "image/png", PNG)}
    path = _write(tmp_path, lipset_texts, pictures)
    assert "\\u007f" in path.read_text(encoding="utf-8")
    assert read_document(path).pictures == pictures


def test_the_writer_refuses_what_the_reader_would(tmp_path: Path, lipset_texts: Study) -> None:
    with pytest.raises(FormatError, match=r"statements the study does not have: \['99'\]"):
        write_study_file(lipset_texts, tmp_path / "w.json", pictures={"99": PICTURES["1"]})
    with pytest.raises(FormatError, match=r"pictures\['1'\]\.alt: expected the picture's text"):
        write_study_file(lipset_texts, tmp_path / "w.json", pictures={"1": Picture("", "", b"")})
    assert not (tmp_path / "w.json").exists()


LIPSET = read_dat(DATA / "lipset.dat")
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
_FIELD = (
    _JSON
    | st.sampled_from(sp.MEDIA_TYPES)
    | st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode())
)


@settings(max_examples=150, deadline=None)
@given(
    picture=st.one_of(
        _JSON,
        st.fixed_dictionaries({}, optional={"alt": _FIELD, "type": _FIELD, "data": _FIELD}),
    )
)
def test_any_picture_field_gives_a_picture_or_a_named_refusal(
    tmp_path_factory: pytest.TempPathFactory, picture: Any
) -> None:
    path = _with_picture(tmp_path_factory.mktemp("fuzz"), LIPSET, picture, at=0)
    try:
        doc = read_document(path)
    except QsortError as exc:
        assert "(statement '1').picture" in str(exc)
    else:
        assert doc.pictures["1"].alt == picture["alt"]
        assert base64.b64encode(doc.pictures["1"].data).decode() == picture["data"]


_SIGNATURES = {
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
    "image/webp": b"RIFF\x00\x00\x00\x00WEBP",
    "image/svg+xml": b"<svg",
}


@settings(max_examples=60, deadline=None)
@given(
    chosen=st.dictionaries(
        st.sampled_from([s.id for s in LIPSET.statements]),
        st.tuples(
            st.text(min_size=1, max_size=40).filter(str.strip),
            st.sampled_from(sorted(_SIGNATURES)),
            st.binary(max_size=300),
        ),
        max_size=5,
    )
)
def test_any_pictures_are_read_back_exactly(
    tmp_path_factory: pytest.TempPathFactory, chosen: dict[str, tuple[str, str, bytes]]
) -> None:
    pictures = {
        key: Picture(alt, media_type, _SIGNATURES[media_type] + tail)
        for key, (alt, media_type, tail) in chosen.items()
    }
    path = tmp_path_factory.mktemp("round") / "study.json"
    write_study_file(LIPSET, path, pictures=pictures)
    doc = read_document(path)
    assert doc.pictures == pictures and doc.study == LIPSET
    assert json.loads(path.read_text(encoding="utf-8"))["version"] == (2 if pictures else 1)
