"""Picture cards in study files: a designed picture study goes out and comes into another
installation whole (browser and command line), and an imported picture is checked as an upload.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.services import pictures
from qsort.cli import main as qsort_main
from tests.app.conftest import full_sort, joined
from tests.app.staff.conftest import StaffWorld, build_world, csrf_of, open_study
from tests.app.staff.test_designer import _design, _new_study
from tests.app.staff.test_statements import _page

DRAWING = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3">'
    b'<rect width="4" height="3" fill="navy"/></svg>'
)


def _png(size: tuple[int, int] = (40, 30), colour: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


#: statement number -> (file name, content, text alternative)
CARDS = {
    3: ("square.png", _png(), "A red square on its own"),
    5: ("box.svg", DRAWING, "A navy blue box, wider than high"),
}


@pytest.fixture()
def elsewhere(tmp_path: Path) -> Iterator[StaffWorld]:
    """A second installation with its own data folder (another researcher's machine)."""
    yield from build_world(tmp_path / "elsewhere")


def _picture_study(world: StaffWorld) -> int:
    """A study designed in the browser with two picture cards, open, with two sorts."""
    owner = world.clients["other"]
    study_id = _new_study(owner)
    design = f"/studies/{study_id}/design"
    base = f"/studies/{study_id}/statements"
    form = {**_design(), "then": "statements", "csrf_token": csrf_of(owner, design)}
    assert owner.post(design, data=form).status_code == 303
    for number, (name, content, alt) in CARDS.items():
        form = {"csrf_token": csrf_of(owner, base), "alt": alt, "seen": _page(owner, study_id).seen}
        made = owner.post(f"{base}/{number}/picture", data=form, files={"file": (name, content)})
        assert made.status_code == 303
    code = open_study(owner, study_id)
    for k in range(2):
        participant = TestClient(world.app, follow_redirects=False)
        config = joined(participant, code)
        placements = full_sort(config)
        if k:
            numbers = [p["statement"] for p in placements][::-1]
            placements = [{**p, "statement": n} for p, n in zip(placements, numbers, strict=True)]
        body = {"key": f"{k:016d}", "qset_id": config["qsetId"], "grid_id": config["gridId"]}
        sent = participant.post("/api/sort", json={**body, "placements": placements})
        assert sent.status_code == 200
    return study_id


def _cards_shown(world: StaffWorld, owner: TestClient, study_id: int) -> list[dict[str, Any]]:
    """The statements of the participant's sort page, each with its picture's bytes."""
    config = joined(TestClient(world.app, follow_redirects=False), open_study(owner, study_id))
    cards = []
    for card in config["statements"]:
        shown = {"text": card["text"], "alt": card.get("alt", ""), "picture": None}
        if card.get("image"):
            served = owner.get(card["image"])
            assert served.status_code == 200
            shown["picture"] = (served.headers["content-type"], served.content)
        cards.append(shown)
    return cards


def _same_picture(a: tuple[str, bytes] | None, b: tuple[str, bytes] | None) -> bool:
    """Same type, and the same drawing (SVG) or the same pixels (a re-encoded photo)."""
    if a is None or b is None:
        return a is b
    if a[0] != b[0]:
        return False
    if a[0] == "image/svg+xml":
        return a[1] == b[1]
    with Image.open(io.BytesIO(a[1])) as first, Image.open(io.BytesIO(b[1])) as second:
        return first.size == second.size and first.tobytes() == second.tobytes()


def _assert_same_cards(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
    assert [(c["text"], c["alt"]) for c in after] == [(c["text"], c["alt"]) for c in before]
    for old, new in zip(before, after, strict=True):
        assert _same_picture(old["picture"], new["picture"]), old["text"]


def test_a_picture_study_moves_to_another_installation_in_the_browser(
    world: StaffWorld, elsewhere: StaffWorld
) -> None:
    study_id = _picture_study(world)
    owner = world.clients["other"]
    before = _cards_shown(world, owner, study_id)
    assert [c["alt"] for c in before if c["picture"]] == [alt for _, _, alt in CARDS.values()]
    download = owner.get(f"/studies/{study_id}/study.json")
    assert download.status_code == 200
    document = json.loads(download.content)
    assert document["version"] == 2
    drawn = [s for s in document["statements"] if "picture" in s]
    assert [(s["id"], s["picture"]["type"]) for s in drawn] == [
        ("3", "image/png"),
        ("5", "image/svg+xml"),
    ]
    assert base64.b64decode(drawn[1]["picture"]["data"]) == DRAWING
    assert (drawn[0]["picture"]["type"], base64.b64decode(drawn[0]["picture"]["data"])) == (
        before[2]["picture"]
    )
    researcher = elsewhere.clients["other"]
    made = researcher.post(
        "/studies/import",
        data={"csrf_token": csrf_of(researcher, "/studies")},
        files={"file": ("pictures.json", download.content)},
    )
    assert made.status_code == 303
    new_id = int(made.headers["location"].rsplit("/", 1)[1])
    # the file brought the condition of instruction; saving the designer again with the same
    # statements keeps their pictures
    assert researcher.get(f"/studies/{new_id}").text.count(_design()["condition"]) == 1
    design = f"/studies/{new_id}/design"
    form = {**_design(), "csrf_token": csrf_of(researcher, design)}
    assert researcher.post(design, data=form).status_code == 303
    _assert_same_cards(before, _cards_shown(elsewhere, researcher, new_id))
    assert researcher.get(f"/studies/{new_id}/participants").text.count("imported") >= 2


def _cli(*args: str) -> int:
    return int(qsort_main(list(args)))


def test_a_picture_study_moves_with_the_command_line(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study_id = _picture_study(world)
    out, again = tmp_path / "out.json", tmp_path / "again.json"
    here, there = str(world.settings.data_dir), str(tmp_path / "there")
    assert _cli("study", "export", str(study_id), str(out), "--data-dir", here) == 0
    assert (os.stat(out).st_mode & 0o777) == 0o600
    capsys.readouterr()
    assert _cli("study", "import", str(out), "--data-dir", there) == 0
    found = re.search(r"imported study (\d+)", capsys.readouterr().out)
    assert found is not None
    assert _cli("study", "export", found.group(1), str(again), "--data-dir", there) == 0
    first, second = (json.loads(p.read_text(encoding="utf-8")) for p in (out, again))
    assert [s["text"] for s in second["statements"]] == [s["text"] for s in first["statements"]]
    assert second["sorts"] == first["sorts"]
    for old, new in zip(first["statements"], second["statements"], strict=True):
        assert ("picture" in old) == ("picture" in new)
        if "picture" in old:
            assert new["picture"]["alt"] == old["picture"]["alt"]
            pair = [
                (p["picture"]["type"], base64.b64decode(p["picture"]["data"])) for p in (old, new)
            ]
            assert _same_picture(*pair)
    stored = sorted(p.name for p in pictures.media_dir(Path(there)).iterdir())
    assert len(stored) == 2 and all(pictures.NAME.match(name) for name in stored)


def _exported(world: StaffWorld, tmp_path: Path) -> dict[str, Any]:
    study_id = _picture_study(world)
    out = tmp_path / "good.json"
    here = str(world.settings.data_dir)
    assert _cli("study", "export", str(study_id), str(out), "--data-dir", here) == 0
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def _with_picture(document: dict[str, Any], media_type: str, content: bytes) -> dict[str, Any]:
    """The document with statement 3's picture replaced by ``content``."""
    changed: dict[str, Any] = json.loads(json.dumps(document))
    picture = changed["statements"][2]["picture"]
    picture.update(type=media_type, data=base64.b64encode(content).decode())
    return changed


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG")  # small on disk, 48 million pixels
    return out.getvalue()


@pytest.mark.parametrize(
    ("media_type", "content", "message"),
    [
        (
            "image/png",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
            "expected a PNG, JPEG, WebP or SVG picture; this file is not one",
        ),
        ("image/png", _png((300, 200))[:-30], "the picture is damaged or cut short"),
        ("image/png", _bomb(), "the picture is 8000x6000 pixels; expected at most 40 million"),
        (
            "image/svg+xml",
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>',
            "an SVG with a document type (<!DOCTYPE>) is not accepted",
        ),
        ("image/svg+xml", b"<svg><g></svg>", "this SVG drawing cannot be read"),
        ("image/svg+xml", b"<?xml version='1.0'?><html/>", "expected an SVG drawing, found <html>"),
    ],
)
def test_an_imported_picture_is_checked_as_an_upload_and_nothing_is_kept(
    world: StaffWorld,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    media_type: str,
    content: bytes,
    message: str,
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_with_picture(_exported(world, tmp_path), media_type, content)))
    folder = world.settings.data_dir
    media = sorted(pictures.media_dir(folder).iterdir())
    capsys.readouterr()
    assert _cli("study", "list", "--json", "--data-dir", str(folder)) == 0
    studies = json.loads(capsys.readouterr().out)
    assert _cli("study", "import", str(bad), "--data-dir", str(folder)) == 2
    error = capsys.readouterr().err
    assert f"bad.json, statement '3', picture: {message}" in error, error
    owner = world.clients["other"]
    refused = owner.post(
        "/studies/import",
        data={"csrf_token": csrf_of(owner, "/studies")},
        files={"file": ("bad.json", bad.read_bytes())},
    )
    assert refused.status_code == 422
    assert "bad.json, statement &#39;3&#39;, picture: " in refused.text
    assert _cli("study", "list", "--json", "--data-dir", str(folder)) == 0
    assert json.loads(capsys.readouterr().out) == studies
    assert sorted(pictures.media_dir(folder).iterdir()) == media


def test_an_imported_photo_loses_its_metadata_and_keeps_its_alternative(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # where the photo was taken
    exif[0x0132] = "2024:05:01 10:00:00"
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(photo, "JPEG", exif=exif)
    with Image.open(io.BytesIO(photo.getvalue())) as sent:
        assert sent.getexif()
    document = _with_picture(_exported(world, tmp_path), "image/jpeg", photo.getvalue())
    document["statements"][2]["picture"]["alt"] = "  A blue   photo "
    path = tmp_path / "photo.json"
    path.write_text(json.dumps(document))
    there = tmp_path / "there"
    capsys.readouterr()
    assert _cli("study", "import", str(path), "--data-dir", str(there)) == 0
    out = tmp_path / "back.json"
    assert _cli("study", "export", "1", str(out), "--data-dir", str(there)) == 0
    picture = json.loads(out.read_text(encoding="utf-8"))["statements"][2]["picture"]
    assert picture["alt"] == "A blue photo" and picture["type"] == "image/jpeg"
    with Image.open(io.BytesIO(base64.b64decode(picture["data"]))) as stored:
        assert stored.size == (64, 48) and not stored.getexif()
        assert "exif" not in stored.info


def test_a_picture_without_its_alternative_is_refused(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _exported(world, tmp_path)
    document["statements"][2]["picture"]["alt"] = ""
    path = tmp_path / "noalt.json"
    path.write_text(json.dumps(document))
    capsys.readouterr()
    assert _cli("study", "import", str(path), "--data-dir", str(tmp_path / "x")) == 2
    assert "(statement '3').picture.alt: expected the picture's text alternative" in (
        capsys.readouterr().err
    )


def test_replaced_pictures_are_cleaned_up_and_used_ones_stay(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study_id = _picture_study(world)
    owner = world.clients["other"]
    base = f"/studies/{study_id}/statements"
    first = {p.name for p in pictures.media_dir(world.settings.data_dir).iterdir()}
    form = {"csrf_token": csrf_of(owner, base), "alt": "A green one", "seen": ""}
    green = ("green.png", _png(colour=(0, 160, 0)))
    # the Q-set was sorted: a new version, which the old one's picture does not stop
    assert owner.post(f"{base}/5/picture", data=form, files={"file": green}).status_code == 303
    removed = owner.post(f"{base}/3/picture/remove", data={"csrf_token": form["csrf_token"]})
    assert removed.status_code == 303
    folder = world.settings.data_dir
    old = time.time() - 3 * 24 * 3600
    for path in pictures.media_dir(folder).iterdir():
        os.utime(path, (old, old))
    capsys.readouterr()
    assert _cli("media", "clean", "--data-dir", str(folder)) == 0
    assert "removed 0 unused picture file(s), 0 bytes; 3 in use" in capsys.readouterr().out
    fresh = _new_study(owner)  # a draft nobody joined: its pictures change in place
    design = f"/studies/{fresh}/design"
    form = {**_design(), "csrf_token": csrf_of(owner, design)}
    assert owner.post(design, data=form).status_code == 303
    fresh_base = f"/studies/{fresh}/statements"
    form = {"csrf_token": csrf_of(owner, fresh_base), "alt": "Grey", "seen": ""}
    grey = ("grey.png", _png(colour=(90, 90, 90)))
    assert owner.post(f"{fresh_base}/1/picture", data=form, files={"file": grey}).status_code == 303
    added = {p.name for p in pictures.media_dir(folder).iterdir()} - first
    assert len(added) == 2  # the green one and the grey one
    assert (
        owner.post(f"{fresh_base}/1/picture", data=form, files={"file": green}).status_code == 303
    )
    for path in pictures.media_dir(folder).iterdir():
        os.utime(path, (old, old))
    assert _cli("media", "clean", "--dry-run", "--data-dir", str(folder)) == 0
    dry = capsys.readouterr().out
    assert "would remove 1 unused picture file(s)" in dry
    assert _cli("media", "clean", "--data-dir", str(folder)) == 0
    report = capsys.readouterr().out
    gone = re.findall(r"^removed (\S+)$", report, re.M)
    assert len(gone) == 1 and gone[0] in dry and "; 3 in use" in report
    assert not (pictures.media_dir(folder) / gone[0]).exists()
    for study in (study_id, fresh):
        for card in joined(TestClient(world.app, follow_redirects=False), open_study(owner, study))[
            "statements"
        ]:
            if card.get("image"):
                assert owner.get(card["image"]).status_code == 200


def test_an_export_whose_picture_file_is_gone_says_which_statement(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study_id = _picture_study(world)
    folder = world.settings.data_dir
    drawing = next(p for p in pictures.media_dir(folder).iterdir() if p.suffix == ".svg")
    drawing.unlink()
    out = tmp_path / "out.json"
    capsys.readouterr()
    assert _cli("study", "export", str(study_id), str(out), "--data-dir", str(folder)) == 2
    error = capsys.readouterr().err
    assert f"statement 5: its picture {drawing.name} is missing from the data folder's media/" in (
        error
    )
    assert not out.exists()
    refused = world.clients["other"].get(f"/studies/{study_id}/study.json")
    assert refused.status_code == 422 and "statement 5: its picture" in refused.text


def _pictures_of(document: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    """(statement id, text alternative, image bytes) of every picture card in a study file."""
    return [
        (s["id"], s["picture"]["alt"], base64.b64decode(s["picture"]["data"]))
        for s in document["statements"]
        if "picture" in s
    ]


def test_the_sorts_export_in_qsort_form_carries_the_pictures(
    world: StaffWorld, tmp_path: Path
) -> None:
    """The data page's export and ``qsort data export --format qsort`` write the same study
    file as the study's own download: picture cards keep their images."""
    study_id = _picture_study(world)
    owner = world.clients["other"]
    whole = json.loads(owner.get(f"/studies/{study_id}/study.json").content)
    expected = _pictures_of(whole)
    assert [(i, alt) for i, alt, _ in expected] == [
        (str(n), alt) for n, (_, _, alt) in CARDS.items()
    ]
    browser = owner.get(f"/studies/{study_id}/export", params={"format": "qsort"})
    assert browser.status_code == 200
    assert _pictures_of(json.loads(browser.content)) == expected
    out = tmp_path / "sorts.json"
    here = str(world.settings.data_dir)
    assert (
        _cli("data", "export", str(study_id), str(out), "--format", "qsort", "--data-dir", here)
        == 0
    )
    assert _pictures_of(json.loads(out.read_text(encoding="utf-8"))) == expected
