"""The statements editor's service: card-by-card changes, numbering, versions, pictures.

Runs on SQLite and, when its server is there, PostgreSQL (the ``small_study`` fixture).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, select

from app import store
from app.errors import InvalidInputError
from app.models import AuditEvent, QSetVersion, StaffUser
from app.services import join
from app.services import statements_editor as editor
from tests.app.services_fixtures import STATEMENTS, the_study


def _texts(db: Session) -> list[str]:
    study = the_study(db)
    return [s.text for s in store.statements(db, study.current_qset_id or 0)]


def _seen(db: Session) -> str:
    study = the_study(db)
    from app.services import designer

    return editor.fingerprint(study, designer.current_cards(db, study))


def test_card_by_card_changes_keep_numbers_as_places_in_the_list(
    small_study: Session, owner: StaffUser
) -> None:
    db = small_study
    assert editor.add(db, owner, 1, "Hope grows\n\n  Friends   listen \n") == 2
    editor.edit(db, owner, 1, 2, "Family helps a lot", _seen(db))
    assert editor.move(db, owner, 1, 7, "up", _seen(db)) == 6
    assert editor.delete(db, owner, 1, 1, _seen(db)) == "Cravings pass"
    db.commit()
    expected = ["Family helps a lot", *STATEMENTS[2:], "Friends listen", "Hope grows"]
    assert _texts(db) == expected
    study = the_study(db)
    numbers = [s.number for s in store.statements(db, study.current_qset_id or 0)]
    assert numbers == [1, 2, 3, 4, 5, 6]
    details = db.exec(select(AuditEvent.detail).where(AuditEvent.action == "study_edit")).all()
    assert list(details) == [
        "added 2 statement(s)",
        "edited statement 2",
        "moved statement 7 to 6",
        "deleted statement 1",
    ]


def test_a_change_to_a_sorted_qset_makes_one_new_version(
    small_study: Session, owner: StaffUser
) -> None:
    db = small_study
    join.accept_consent(db, "TINY")
    db.commit()
    old = the_study(db).current_qset_id
    editor.move(db, owner, 1, 1, "down", _seen(db))
    editor.edit(db, owner, 1, 1, "Family helps me", _seen(db))
    db.commit()
    study = the_study(db)
    assert study.current_qset_id != old
    versions = db.exec(select(QSetVersion.version).where(QSetVersion.study_id == 1)).all()
    assert sorted(versions) == [1, 2]  # the second change edits version 2 in place
    assert [s.text for s in store.statements(db, old or 0)] == STATEMENTS
    assert _texts(db)[:2] == ["Family helps me", "Cravings pass"]


def test_a_form_from_an_older_page_changes_nothing(small_study: Session, owner: StaffUser) -> None:
    db = small_study
    seen = _seen(db)
    editor.delete(db, owner, 1, 5, seen)
    db.commit()
    with pytest.raises(editor.StaleListError, match="changed since this page was shown"):
        editor.delete(db, owner, 1, 1, seen)
    db.rollback()
    assert _texts(db) == STATEMENTS[:4]


def test_empty_texts_and_moves_off_the_list_are_refused(
    small_study: Session, owner: StaffUser
) -> None:
    db = small_study
    with pytest.raises(InvalidInputError, match="needs its text"):
        editor.edit(db, owner, 1, 1, "   ", _seen(db))
    with pytest.raises(InvalidInputError, match="already the upmost"):
        editor.move(db, owner, 1, 1, "up", _seen(db))
    with pytest.raises(editor.StaleListError, match="no statement 9; the Q-set has 5"):
        editor.edit(db, owner, 1, 9, "x", _seen(db))


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (20, 90, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # the camera's maker: metadata that must not be kept
    image.save(out, "PNG", exif=exif)
    return out.getvalue()


def test_a_picture_is_sized_for_tablets_and_kept_when_the_text_changes(
    small_study: Session, owner: StaffUser, tmp_path: Path
) -> None:
    db = small_study
    upload = (_png(3200, 1800), "photo.png")
    editor.set_picture(db, owner, 1, 2, upload, " A blue  square ", _seen(db), tmp_path)
    editor.edit(db, owner, 1, 2, "Family helps (picture)", _seen(db))
    db.commit()
    card = store.statements(db, the_study(db).current_qset_id or 0)[1]
    assert card.image is not None and card.image_alt == "A blue square"
    with Image.open(tmp_path / "media" / card.image) as stored:
        assert stored.size == (1600, 900) and stored.format == "PNG"
        assert not stored.getexif()
    editor.remove_picture(db, owner, 1, 2, _seen(db))
    db.commit()
    card = store.statements(db, the_study(db).current_qset_id or 0)[1]
    assert (card.image, card.image_alt, card.text) == (None, "", "Family helps (picture)")


@pytest.mark.parametrize(
    ("content", "name", "alt", "message"),
    [
        (b"just text", "notes.png", "A square", "notes.png: expected a PNG, JPEG, WebP or SVG"),
        (
            b"\x89PNG" + b"0" * 2_000_000,
            "big.png",
            "A square",
            "big.png: the picture is larger than the limit of 2 MB",
        ),
        (b"", "empty.jpg", "A square", "empty.jpg: the file is empty"),
        (b"<svg><script>", "bad.svg", "A square", "bad.svg: this SVG drawing cannot be read"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]><svg/>', "e.svg", "A", "DOCTYPE"),
        (_png(10, 10), "ok.png", "  ", "needs its text alternative"),
    ],
)
def test_a_bad_picture_is_refused_with_what_was_expected_and_nothing_changes(
    small_study: Session,
    owner: StaffUser,
    tmp_path: Path,
    content: bytes,
    name: str,
    alt: str,
    message: str,
) -> None:
    db = small_study
    with pytest.raises(InvalidInputError, match=message):
        editor.set_picture(db, owner, 1, 1, (content, name), alt, _seen(db), tmp_path)
    db.rollback()
    card = store.statements(db, the_study(db).current_qset_id or 0)[0]
    assert card.image is None and not (tmp_path / "media").exists()


def test_an_svg_drawing_is_kept_as_drawn(
    small_study: Session, owner: StaffUser, tmp_path: Path
) -> None:
    db = small_study
    drawing = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"><rect width="4"/></svg>'
    editor.set_picture(db, owner, 1, 5, (drawing, "box.svg"), "A black box", _seen(db), tmp_path)
    db.commit()
    card = store.statements(db, the_study(db).current_qset_id or 0)[4]
    assert card.image is not None and card.image.endswith(".svg")
    assert (tmp_path / "media" / card.image).read_bytes() == drawing
