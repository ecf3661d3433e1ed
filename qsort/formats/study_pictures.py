"""Picture cards in a qsort study file: a statement's picture, its type and its text alternative.

A statement of a picture Q-set carries its picture inside the study file, so that the file
alone moves the whole Q-set to another installation::

    {"id": "3", "text": "A crowded bus", "picture": {
        "alt": "People standing close together in a bus", "type": "image/jpeg",
        "data": "/9j/4AAQSkZJRgABAQ..."}}

``data`` is the image file's bytes in standard base64 (a study file is one JSON text). The
reader checks the shape only, as it does for everything else: ``alt`` is a non-empty text,
``type`` one of :data:`MEDIA_TYPES`, ``data`` valid base64 whose bytes begin as that type's
files begin, at most :data:`MAX_PICTURE_BYTES` a picture and :data:`MAX_FILE_PICTURE_BYTES`
in all. Whether the bytes are a sound, safe picture is the receiving program's question: the
web app re-encodes every imported picture as it does an upload.

A file with a picture is written as version :data:`PICTURES_VERSION`, so that a qsort that
knows only version 1 refuses it instead of dropping the pictures without a word; a file
without pictures stays version 1.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from qsort.errors import FormatError
from qsort.formats._common import PathArg, preview

PICTURES_VERSION = 2
"""The study file version of a file whose statements carry pictures."""
MEDIA_TYPES = ("image/png", "image/jpeg", "image/webp", "image/svg+xml")
"""The picture types a study file may hold."""
MAX_PICTURE_BYTES = 2_000_000
"""The largest picture (its bytes, before base64), as the web app's upload limit."""
MAX_FILE_PICTURE_BYTES = 50_000_000
"""The most picture bytes (before base64) one study file may hold in all."""


@dataclass(frozen=True)
class Picture:
    """A statement's picture: its text alternative, its media type and the image file's bytes."""

    alt: str
    media_type: str
    data: bytes


def _starts_as(media_type: str, data: bytes) -> bool:
    """True when ``data`` begins as a file of ``media_type`` begins (its signature)."""
    if media_type == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if media_type == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if media_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--"))


def check_picture(picture: Picture, where: str) -> Picture:
    """Check a picture's fields (as :func:`read_picture` does for a file's); return it."""
    if not picture.alt.strip():
        raise FormatError(
            f"{where}.alt: expected the picture's text alternative (what it shows, for people "
            "who cannot see it), found none"
        )
    if picture.media_type not in MEDIA_TYPES:
        raise FormatError(
            f"{where}.type: expected one of {', '.join(MEDIA_TYPES)}, "
            f"found {preview(picture.media_type)}"
        )
    if len(picture.data) > MAX_PICTURE_BYTES:
        raise FormatError(
            f"{where}.data: the picture is {len(picture.data)} bytes; expected at most "
            f"{MAX_PICTURE_BYTES}"
        )
    if not _starts_as(picture.media_type, picture.data):
        raise FormatError(f"{where}.data: expected {picture.media_type} content, found other bytes")
    return picture


def read_picture(raw: object, where: str) -> Picture:
    """A statement's ``"picture"`` object read and checked; ``where`` names it in errors."""
    if not isinstance(raw, dict):
        raise FormatError(
            f'{where}: expected an object {{"alt", "type", "data"}}, found {preview(raw)}'
        )
    for key in ("alt", "type", "data"):
        if not isinstance(raw.get(key), str):
            raise FormatError(f"{where}.{key}: expected a string, found {preview(raw.get(key))}")
    encoded: str = raw["data"]
    if len(encoded) > 4 * -(-MAX_PICTURE_BYTES // 3):
        raise FormatError(
            f"{where}.data: the picture is over {len(encoded) * 3 // 4 - 3} bytes; expected at "
            f"most {MAX_PICTURE_BYTES}"
        )
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise FormatError(
            f"{where}.data: expected the picture's bytes in base64, found {preview(encoded)}"
        ) from None
    return check_picture(Picture(raw["alt"], raw["type"], data), where)


def read_pictures(statements: list[Any], path: PathArg) -> dict[str, Picture]:
    """The pictures of a study file's (already checked) statements, by statement id."""
    out: dict[str, Picture] = {}
    for i, item in enumerate(statements):
        if "picture" in item:
            where = f'{path}, "statements"[{i}] (statement {item["id"]!r}).picture'
            out[item["id"]] = read_picture(item["picture"], where)
    check_total(out.values(), path)
    return out


def check_total(pictures: Iterable[Picture], path: PathArg) -> None:
    """Refuse more than :data:`MAX_FILE_PICTURE_BYTES` of pictures in one file."""
    total = sum(len(p.data) for p in pictures)
    if total > MAX_FILE_PICTURE_BYTES:
        raise FormatError(
            f"{path}: the pictures come to {total} bytes; a study file may hold at most "
            f"{MAX_FILE_PICTURE_BYTES}"
        )


def picture_json(picture: Picture) -> dict[str, str]:
    """A picture as a statement's ``"picture"`` object."""
    data = base64.b64encode(picture.data).decode("ascii")
    return {"alt": picture.alt, "type": picture.media_type, "data": data}


def checked_pictures(
    pictures: Mapping[str, Picture], ids: list[str], path: PathArg = "pictures"
) -> dict[str, Picture]:
    """The pictures a writer is given, checked: each for a statement of the study, each sound,
    and within the file's limit."""
    unknown = sorted(set(pictures) - set(ids))
    if unknown:
        raise FormatError(f"{path}: pictures for statements the study does not have: {unknown}")
    for key, picture in pictures.items():
        check_picture(picture, f"{path}[{key!r}]")
    check_total(pictures.values(), path)
    return dict(pictures)


__all__ = [
    "MAX_FILE_PICTURE_BYTES",
    "MAX_PICTURE_BYTES",
    "MEDIA_TYPES",
    "PICTURES_VERSION",
    "Picture",
    "check_picture",
    "checked_pictures",
    "picture_json",
    "read_picture",
    "read_pictures",
]
