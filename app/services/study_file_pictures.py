"""Picture cards through study files: out with their bytes, in through the upload's checks.

A study file (:mod:`qsort.formats.study_pictures`) carries each picture card's image and text
alternative, so that a picture Q-set moves whole to another installation. On the way out,
:func:`pictures_for_file` reads the stored files of the study's current Q-set; on the way in,
:func:`prepare_file_pictures` puts every picture through :func:`app.services.pictures.
prepare_upload`, exactly as a designer's upload (type read from the content, photos re-encoded
without metadata, SVG drawings without a document type), so an imported file cannot bring in
what an upload could not. Nothing is stored until every picture of the file has passed;
:func:`store_file_pictures` then keeps them by content as uploads are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from app import store
from app.errors import InvalidInputError
from app.services import pictures
from app.store import CardSpec
from qsort.formats.study_pictures import Picture
from qsort.formats.studyfile import StudyDocument


@dataclass(frozen=True)
class PreparedPicture:
    """A file's picture once checked: the bytes to store, their kind and the alternative."""

    content: bytes
    kind: str
    alt: str


def pictures_for_file(db: Session, qset_id: int, data_dir: Path) -> dict[str, Picture]:
    """The pictures of a Q-set version's cards, by statement id (its number), for a study file.

    Raises :class:`InvalidInputError` naming the statement when a card's picture file is no
    longer in the data folder, rather than writing a file that silently lacks it.
    """
    out: dict[str, Picture] = {}
    for card in store.statements(db, qset_id):
        if not card.image:
            continue
        path = pictures.image_path(data_dir, card.image)
        if path is None:
            raise InvalidInputError(
                f"statement {card.number}: its picture {card.image} is missing from the data "
                f"folder's {pictures.MEDIA_DIRNAME}/; give the card its picture again"
            )
        kind = card.image.rsplit(".", 1)[1]
        out[str(card.number)] = Picture(card.image_alt, pictures.TYPES[kind], path.read_bytes())
    return out


def prepare_file_pictures(document: StudyDocument, source: str) -> dict[str, PreparedPicture]:
    """Every picture of a study file checked as an upload is, by statement id (nothing stored).

    Raises :class:`InvalidInputError` naming the file and the statement for a picture an
    upload would refuse, a type its content does not bear out, or a missing alternative.
    """
    out: dict[str, PreparedPicture] = {}
    for statement_id, picture in document.pictures.items():
        where = f"{source}, statement {statement_id!r}"
        try:
            alt = pictures.checked_alt(picture.alt)
        except InvalidInputError as exc:
            raise InvalidInputError(f"{where}: {exc.detail}") from None
        content, kind = pictures.prepare_upload(picture.data, f"{where}, picture")
        if pictures.TYPES[kind] != picture.media_type:
            raise InvalidInputError(
                f"{where}, picture: declared {picture.media_type}, but its content is "
                f"{pictures.TYPES[kind]}"
            )
        out[statement_id] = PreparedPicture(content, kind, alt)
    return out


def store_file_pictures(
    document: StudyDocument, prepared: dict[str, PreparedPicture], data_dir: Path
) -> list[CardSpec]:
    """The file's statements as cards, their checked pictures stored in the data folder."""
    cards = []
    for statement in document.statements:
        picture = prepared.get(statement.id)
        if picture is None:
            cards.append(CardSpec(statement.text))
            continue
        name = pictures.store_image(data_dir, picture.content, picture.kind)
        cards.append(CardSpec(statement.text, name, picture.alt))
    return cards
