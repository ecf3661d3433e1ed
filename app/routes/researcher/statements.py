"""The statements editor's pages: the Q-set card by card, pasted lines, files, pictures.

Plain forms that work without JavaScript (``js/statements-editor.js`` only keeps the keyboard
focus on a moved card and counts pasted lines). Each change goes back to the list (POST, then
GET) with what was done; a change that cannot be made shows the list again with the message and
what was typed, and changes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response
from sqlmodel import Session

from app import store
from app.deps import CurrentUser, DbDep, SettingsDep, csrf_protect
from app.errors import AppError, InvalidInputError
from app.models import QSetVersion, StaffUser
from app.routes.researcher.pages import page, see_other
from app.services import access, designer, pictures
from app.services import statements_editor as editor

router = APIRouter(prefix="/studies", dependencies=[Depends(csrf_protect)])
MAX_FILE_BYTES = 2_000_000
DONE = {
    "added": "Added {n} statement(s) at the end.",
    "replaced": "The Q-set is now the {n} statement(s) you gave.",
    "edited": "Statement {n} saved.",
    "moved": "Statement moved; it is now number {n}.",
    "deleted": "Statement {n} deleted; the ones after it moved up one number.",
    "picture": "Picture of statement {n} saved.",
    "unpictured": "Statement {n} is a text card again.",
}
"""What the list says after each kind of change (``{n}`` a number or a count)."""

Text = Annotated[str, Form(max_length=200_000)]
Seen = Annotated[str, Form(max_length=64)]


def _cards(cards: list[store.CardSpec]) -> list[dict[str, object]]:
    return [
        {"number": n, "text": c.text, "image": pictures.media_url(c.image), "alt": c.image_alt}
        for n, c in enumerate(cards, 1)
    ]


def _statements_page(
    request: Request,
    db: Session,
    user: StaffUser,
    study_id: int,
    status: int = 200,
    **extra: object,
) -> Response:
    """The list of cards with a form for each change; ``extra`` carries messages and what a
    refused form had typed (``typed``: a card number, or ``"add"``, to its text)."""
    study = access.study_for(db, user, study_id, "edit")
    cards = designer.current_cards(db, study)
    assert study.current_qset_id is not None
    qset = db.get(QSetVersion, study.current_qset_id)
    return page(
        request,
        "researcher/statements.html",
        user,
        status,
        study=study,
        cards=_cards(cards),
        seen=editor.fingerprint(study, cards),
        version=qset.version if qset else 1,
        frozen=store.has_sorts_on(db, study.current_qset_id, None),
        problems=designer.open_problems(db, study),
        typed=extra.pop("typed", {}),
        **extra,
    )


def _done(study_id: int, what: str, n: int, focus: str = "") -> Response:
    url = f"/studies/{study_id}/statements?done={what}&n={n}"
    return see_other(url + (f"&focus={focus}#card-{n}" if focus else f"#card-{n}"))


def _refused(
    request: Request,
    db: Session,
    user: StaffUser,
    study_id: int,
    exc: AppError,
    card: int | None = None,
    **typed: str,
) -> Response:
    """The list again with why the change was refused, on which ``card``, and what was typed
    (nothing changed)."""
    db.rollback()
    return _statements_page(
        request, db, user, study_id, exc.status, error=exc.detail, card=card, typed=typed
    )


def _card_change(
    request: Request,
    db: Session,
    user: StaffUser,
    study_id: int,
    number: int,
    change: Callable[[], object],
    what: str,
    focus: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    """Make one card's ``change`` and go back to the list saying ``what`` was done (at the
    card's new number when the change returns one), or show the list again with why it was
    refused, at the card when the form ``typed`` something there, and what it typed (nothing
    changed)."""
    try:
        moved_to = change()
    except (InvalidInputError, editor.StaleListError) as exc:
        return _refused(request, db, user, study_id, exc, number if typed else None, **typed or {})
    db.commit()
    return _done(study_id, what, moved_to if isinstance(moved_to, int) else number, focus)


@router.get("/{study_id}/statements")
def statements_page(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, done: str = "", n: int = 0
) -> Response:
    """The statements editor: every card with its text, picture and moves."""
    note = DONE[done].format(n=n) if done in DONE else None
    return _statements_page(request, db, user, study_id, note=note)


@router.post("/{study_id}/statements/add")
def add_statements(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    text: Text,
    replace: Annotated[str, Form()] = "",
) -> Response:
    """Add a statement, or many pasted one a line (at the end, or instead of all)."""
    try:
        count = editor.add(db, user, study_id, text, replace_all=bool(replace))
    except InvalidInputError as exc:
        return _refused(request, db, user, study_id, exc, add=text)
    db.commit()
    return see_other(
        f"/studies/{study_id}/statements?done={'replaced' if replace else 'added'}&n={count}"
    )


@router.post("/{study_id}/statements/file")
async def statements_file(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, file: UploadFile
) -> Response:
    """Statements from a CSV table, a PQMethod .STA or a text file go into the paste box, to
    check before adding them."""
    access.study_for(db, user, study_id, "edit")  # refuse before reading what was sent
    content = await file.read(MAX_FILE_BYTES + 1)
    name = Path(file.filename or "statements.txt").name or "statements.txt"
    try:
        if len(content) > MAX_FILE_BYTES:
            raise InvalidInputError(f"{name}: a statements file may be at most 2 MB")
        with tempfile.TemporaryDirectory(prefix="qsort-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            texts, warnings = editor.texts_from_file(path)
    except InvalidInputError as exc:
        return _refused(request, db, user, study_id, exc)
    note = f"{len(texts)} statements read from {name}; check them, then add them or replace."
    note += "".join(" " + w.replace(str(path), name) for w in warnings)
    return _statements_page(request, db, user, study_id, note=note, typed={"add": "\n".join(texts)})


@router.post("/{study_id}/statements/{number}/edit")
def edit_statement(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    number: int,
    text: Text,
    seen: Seen = "",
) -> Response:
    """Change one statement's text."""
    change = partial(editor.edit, db, user, study_id, number, text, seen)
    typed = {str(number): text}
    return _card_change(request, db, user, study_id, number, change, "edited", typed=typed)


@router.post("/{study_id}/statements/{number}/move")
def move_statement(
    request: Request,
    db: DbDep,
    user: CurrentUser,
    study_id: int,
    number: int,
    direction: Annotated[str, Form(max_length=8)],
    seen: Seen = "",
) -> Response:
    """Move one statement up or down by one place."""
    change = partial(editor.move, db, user, study_id, number, direction, seen)
    return _card_change(request, db, user, study_id, number, change, "moved", direction)


@router.post("/{study_id}/statements/{number}/delete")
def delete_statement(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, number: int, seen: Seen = ""
) -> Response:
    """Take one statement out of the Q-set."""
    change = partial(editor.delete, db, user, study_id, number, seen)
    return _card_change(request, db, user, study_id, number, change, "deleted")


@router.post("/{study_id}/statements/{number}/picture")
async def statement_picture(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    user: CurrentUser,
    study_id: int,
    number: int,
    alt: Annotated[str, Form(max_length=5000)] = "",
    seen: Seen = "",
    file: UploadFile | None = None,
) -> Response:
    """Give a statement a picture (or another one) with its text alternative, or change the
    alternative alone."""
    access.study_for(db, user, study_id, "edit")
    upload = None
    if file is not None and file.filename:
        upload = (await file.read(pictures.MAX_BYTES + 1), Path(file.filename).name)
    change = partial(
        editor.set_picture, db, user, study_id, number, upload, alt, seen, settings.data_dir
    )
    typed = {f"alt{number}": alt}
    return _card_change(request, db, user, study_id, number, change, "picture", typed=typed)


@router.post("/{study_id}/statements/{number}/picture/remove")
def remove_picture(
    request: Request, db: DbDep, user: CurrentUser, study_id: int, number: int, seen: Seen = ""
) -> Response:
    """Take a statement's picture away (its text stays)."""
    change = partial(editor.remove_picture, db, user, study_id, number, seen)
    return _card_change(request, db, user, study_id, number, change, "unpictured")
