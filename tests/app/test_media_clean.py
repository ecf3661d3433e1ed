"""Removing unused pictures: a file no statement of any Q-set version uses goes, a used one stays.

Runs on SQLite and, when its server is there, PostgreSQL (the ``small_study`` fixture).
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from PIL import Image
from sqlmodel import Session

from app import store
from app.models import StaffUser
from app.services import designer, join, pictures
from app.services import statements_editor as editor
from tests.app.services_fixtures import the_study

DAY = 24 * 3600


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(out, "PNG")
    return out.getvalue()


def _picture(db: Session, owner: StaffUser, number: int, colour: str, data_dir: Path) -> str:
    """Give card ``number`` a picture of one colour; return the stored file's name."""
    rgb = {"red": (255, 0, 0), "blue": (0, 0, 255), "green": (0, 160, 0), "grey": (90, 90, 90)}
    study = the_study(db)
    seen = editor.fingerprint(study, designer.current_cards(db, study))
    upload = (_png(rgb[colour]), f"{colour}.png")
    editor.set_picture(db, owner, 1, number, upload, f"A {colour} square", seen, data_dir)
    db.commit()
    card = store.statements(db, the_study(db).current_qset_id or 0)[number - 1]
    assert card.image is not None
    return card.image


def _age_everything(data_dir: Path) -> None:
    old = time.time() - 2 * DAY
    for path in pictures.media_dir(data_dir).iterdir():
        os.utime(path, (old, old))


def test_only_pictures_no_version_uses_are_removed(
    small_study: Session, owner: StaffUser, tmp_path: Path
) -> None:
    db = small_study
    red = _picture(db, owner, 1, "red", tmp_path)
    assert _picture(db, owner, 2, "red", tmp_path) == red  # one file for both cards
    blue = _picture(db, owner, 3, "blue", tmp_path)
    join.accept_consent(db, "TINY")  # somebody joined: this version is kept as it is
    db.commit()
    first_version = the_study(db).current_qset_id
    study = the_study(db)
    seen = editor.fingerprint(study, designer.current_cards(db, study))
    editor.remove_picture(db, owner, 1, 3, seen)  # a new version without the blue picture
    db.commit()
    green = _picture(db, owner, 1, "green", tmp_path)  # card 2 still shows the red one
    grey = _picture(db, owner, 4, "grey", tmp_path)
    replaced = _picture(db, owner, 4, "blue", tmp_path)  # in place: nobody joined version 2
    assert replaced == blue and the_study(db).current_qset_id != first_version
    (pictures.media_dir(tmp_path) / "notes.txt").write_text("not a picture")
    _age_everything(tmp_path)
    size = (pictures.media_dir(tmp_path) / grey).stat().st_size
    in_use = store.picture_names(db)
    assert in_use == {red, blue, green}
    removed = pictures.remove_unused(tmp_path, in_use, DAY)
    assert [p.name for p in removed] == [grey]
    assert removed[pictures.media_dir(tmp_path) / grey] == size
    left = sorted(p.name for p in pictures.media_dir(tmp_path).iterdir())
    assert left == sorted([red, blue, green, "notes.txt"])
    assert pictures.remove_unused(tmp_path, store.picture_names(db), 0) == {}


def test_a_recent_or_uploaded_again_picture_stays_until_it_has_aged(
    small_study: Session, owner: StaffUser, tmp_path: Path
) -> None:
    db = small_study
    grey = _picture(db, owner, 4, "grey", tmp_path)
    _picture(db, owner, 4, "red", tmp_path)  # grey is now unused, but was stored just now
    assert pictures.remove_unused(tmp_path, store.picture_names(db), DAY) == {}
    _age_everything(tmp_path)
    stored = (pictures.media_dir(tmp_path) / grey).read_bytes()
    assert pictures.store_image(tmp_path, stored, "png") == grey  # an upload of it under way
    assert pictures.remove_unused(tmp_path, store.picture_names(db), DAY) == {}
    _age_everything(tmp_path)
    found = pictures.remove_unused(tmp_path, store.picture_names(db), DAY, dry_run=True)
    assert [p.name for p in found] == [grey]
    assert (pictures.media_dir(tmp_path) / grey).exists()  # a dry run removes nothing
    assert [p.name for p in pictures.remove_unused(tmp_path, store.picture_names(db), DAY)] == [
        grey
    ]
    assert not (pictures.media_dir(tmp_path) / grey).exists()
