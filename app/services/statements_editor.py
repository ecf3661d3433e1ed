"""The designer's statements, card by card: add, edit, move, delete, picture, and from a file.

Every change reads the study's current Q-set as cards, changes the list, and hands it to
:func:`app.services.designer.save_qset`, the one place that decides between changing the Q-set
in place (nobody has joined on it) and making a new version (somebody has): a card's number is
its place in the list, so on an unfrozen Q-set moving a card renumbers the cards it passes, and
a frozen Q-set is never renumbered under a sort already made.

A card is named by its number; forms also send the Q-set's :func:`fingerprint` as they saw it,
so that a change made from a page shown before another change (another tab, a co-owner) is
refused instead of landing on the wrong card. Each change is one line in the audit record.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable
from dataclasses import astuple, replace
from pathlib import Path

from sqlmodel import Session

from app.errors import AppError, InvalidInputError
from app.models import StaffUser, Study
from app.services import access, audit, designer, pictures
from app.store import CardSpec

MAX_TEXT = 1000
"""The longest statement, in characters (a card must stay readable on a tablet)."""


class StaleListError(AppError):
    """The statements changed since the page the form came from was shown."""

    status = 409
    code = "stale_statements"
    message_key = "error.invalid"


def fingerprint(study: Study, cards: list[CardSpec]) -> str:
    """A short digest of the Q-set version and its cards, as a page shows them."""
    data = json.dumps([study.current_qset_id, [astuple(c) for c in cards]])
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _card_text(text: str) -> str:
    """A statement's text on one line, checked."""
    line = " ".join(text.split())
    if not line:
        raise InvalidInputError("a statement needs its text; to take a card out, delete it")
    if len(line) > MAX_TEXT:
        raise InvalidInputError(
            f"a statement may be at most {MAX_TEXT} characters; this one has {len(line)}"
        )
    return line


def _change(
    db: Session,
    user: StaffUser,
    study_id: int,
    seen: str | None,
    what: str,
    edit: Callable[[list[CardSpec]], list[CardSpec]],
) -> Study:
    """Apply ``edit`` to the current cards, save them (versioning as the designer does) and
    record ``what`` was done; ``seen`` is the fingerprint the form was made with."""
    study = access.study_for(db, user, study_id, "edit")
    cards = designer.current_cards(db, study)
    if seen and seen != fingerprint(study, cards):
        raise StaleListError(
            "the statements changed since this page was shown (in another tab, or by a "
            "co-owner); nothing was changed: here is the list as it is now"
        )
    changed = designer.save_qset(db, study, edit(cards))
    detail = what + ("; new version of the Q-set" if changed else "")
    audit.record(db, user, "study_edit", study_id=study_id, detail=detail)
    return study


def _at(cards: list[CardSpec], number: int) -> int:
    """The list index of card ``number`` (1-based), or an error naming the range."""
    if not 1 <= number <= len(cards):
        raise StaleListError(f"there is no statement {number}; the Q-set has {len(cards)}")
    return number - 1


def _one_card(
    number: int, change: Callable[[CardSpec], CardSpec]
) -> Callable[[list[CardSpec]], list[CardSpec]]:
    """An edit of the list that changes card ``number`` alone."""

    def edit(cards: list[CardSpec]) -> list[CardSpec]:
        out = list(cards)
        i = _at(cards, number)
        out[i] = change(cards[i])
        return out

    return edit


def add(
    db: Session, user: StaffUser, study_id: int, text: str, *, replace_all: bool = False
) -> int:
    """Add one statement a non-empty line of ``text`` at the end (or instead of every card);
    return how many were added."""
    lines = [_card_text(line) for line in designer.statement_lines(text)]
    if not lines:
        raise InvalidInputError("type a statement (or paste several, one a line) to add")
    what = f"{'replaced the Q-set with' if replace_all else 'added'} {len(lines)} statement(s)"
    new = [CardSpec(line) for line in lines]
    _change(db, user, study_id, None, what, lambda cards: new if replace_all else [*cards, *new])
    return len(lines)


def edit(db: Session, user: StaffUser, study_id: int, number: int, text: str, seen: str) -> None:
    """Change the text of card ``number`` (its picture stays)."""
    line = _card_text(text)
    change = _one_card(number, lambda card: replace(card, text=line))
    _change(db, user, study_id, seen, f"edited statement {number}", change)


def move(
    db: Session, user: StaffUser, study_id: int, number: int, direction: str, seen: str
) -> int:
    """Swap card ``number`` with its neighbour above or below; return its new number."""
    if direction not in ("up", "down"):
        raise InvalidInputError(f"expected a move up or down, found {direction!r}")
    step = -1 if direction == "up" else 1
    target = number + step

    def change(cards: list[CardSpec]) -> list[CardSpec]:
        i = _at(cards, number)
        if not 0 <= i + step < len(cards):
            raise InvalidInputError(f"statement {number} is already the {direction}most")
        out = list(cards)
        out[i], out[i + step] = out[i + step], out[i]
        return out

    _change(db, user, study_id, seen, f"moved statement {number} to {target}", change)
    return target


def delete(db: Session, user: StaffUser, study_id: int, number: int, seen: str) -> str:
    """Take card ``number`` out of the Q-set; return its text (the page shows it)."""
    removed: list[str] = []

    def change(cards: list[CardSpec]) -> list[CardSpec]:
        i = _at(cards, number)
        removed.append(cards[i].text)
        return cards[:i] + cards[i + 1 :]

    _change(db, user, study_id, seen, f"deleted statement {number}", change)
    return removed[0]


def set_picture(
    db: Session,
    user: StaffUser,
    study_id: int,
    number: int,
    upload: tuple[bytes, str] | None,
    alt: str,
    seen: str,
    data_dir: Path,
) -> None:
    """Give card ``number`` a picture (or a new one) with its text alternative.

    ``upload`` is the file's content and name; None keeps the card's picture and changes only
    its text alternative. Nothing is stored unless the picture and its alternative are good.
    """
    alt = pictures.checked_alt(alt)
    name = None
    if upload is not None:
        content, kind = pictures.prepare_upload(*upload)
        name = pictures.store_image(data_dir, content, kind)

    def change(card: CardSpec) -> CardSpec:
        if name is None and card.image is None:
            raise InvalidInputError(f"choose a picture file for statement {number}")
        return replace(card, image=name or card.image, image_alt=alt)

    what = "picture of" if upload is not None else "text alternative of"
    _change(db, user, study_id, seen, f"{what} statement {number}", _one_card(number, change))


def remove_picture(db: Session, user: StaffUser, study_id: int, number: int, seen: str) -> None:
    """Make card ``number`` a text card again (the file stays: other cards may share it)."""

    change = _one_card(number, lambda card: CardSpec(card.text))
    _change(db, user, study_id, seen, f"removed the picture of statement {number}", change)


def texts_from_file(path: Path) -> tuple[list[str], list[str]]:
    """The statements of a CSV table, a PQMethod ``.STA`` or a text file (one a line), and
    what the reader warned about (such as the legacy encoding it read the file as).

    A CSV's statements come in the order of their numbers when its id column holds whole
    numbers, else in the file's order. qsort's readers decode legacy encodings and name the
    line (and column) of anything they cannot read.
    """
    from qsort.errors import QsortError
    from qsort.formats._common import FormatWarning

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", FormatWarning)
            texts = _csv_texts(path) if path.suffix.lower() == ".csv" else _sta_texts(path)
    except QsortError as exc:
        raise InvalidInputError(str(exc)) from exc
    return texts, [str(w.message) for w in caught if issubclass(w.category, FormatWarning)]


def _csv_texts(path: Path) -> list[str]:
    from qsort.formats.statements_csv import read_statements_csv

    statements = read_statements_csv(path)
    if all(s.id.isdigit() for s in statements):
        statements = sorted(statements, key=lambda s: int(s.id))
    return [s.text for s in statements]


def _sta_texts(path: Path) -> list[str]:
    from qsort.formats._common import decode_text, read_bytes, split_lines
    from qsort.formats.pqmethod import read_sta

    text = decode_text(read_bytes(path), path, "one statement per line", legacy=True)
    lines = split_lines(text)
    while lines and not lines[-1].strip():
        lines.pop()
    return [t for t in read_sta(path, len(lines)) if t.strip()]
