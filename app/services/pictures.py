"""Picture cards: image files kept in the data folder's ``media/`` and served to participants.

A statement's ``image`` names a file here. Names are the SHA-256 of the content plus the type's
extension, so a file never changes under its name: the route can let browsers (and the service
worker, for offline use) keep it for a year, and two statements with the same picture share it.
Only names of that exact form are served, so no request can reach anything else on disk.

A picture uploaded in the designer goes through :func:`prepare_upload` first: its type is read
from its content (never from its name), a photo is turned upright and scaled down to
:data:`TABLET_EDGE` pixels on its longer side (a 10-inch tablet's screen, sharp on a
high-density one), and re-encoded, which also drops its metadata (a phone photo's place and time).
An SVG drawing is kept as it is once it parses as SVG without a document type (no entities).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from app.errors import InvalidInputError, InvalidSubmissionError

if TYPE_CHECKING:
    from PIL import Image

MEDIA_DIRNAME = "media"
MEDIA_URL = "/media/"
TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "svg": "image/svg+xml"}
NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|webp|svg)$")
MAX_BYTES = 2_000_000
TABLET_EDGE = 1600
"""The longest side, in pixels, a stored photo keeps."""
MAX_PIXELS = 40_000_000
"""A picture that unpacks to more pixels than this is refused unread (a decompression bomb)."""
_PILLOW_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MAX_ALT = 1000
"""The longest text alternative, in characters."""


def checked_alt(alt: str) -> str:
    """A picture's text alternative on one line, checked: present and at most :data:`MAX_ALT`
    characters (screen readers and read-aloud say it in place of the picture)."""
    line = " ".join(alt.split())
    if not line:
        raise InvalidInputError(
            "a picture needs its text alternative: say in a sentence what it shows, for "
            "people who cannot see it (screen readers and read-aloud say it)"
        )
    if len(line) > MAX_ALT:
        raise InvalidInputError(f"a text alternative may be at most {MAX_ALT} characters")
    return line


def media_dir(data_dir: Path) -> Path:
    """The folder holding the pictures of every study."""
    return data_dir / MEDIA_DIRNAME


def media_url(name: str | None) -> str | None:
    """The address a page uses for a stored picture (None for a card without one)."""
    return None if not name else MEDIA_URL + name


def store_image(data_dir: Path, content: bytes, kind: str) -> str:
    """Keep a picture (``kind`` one of png, jpg, webp, svg); return its name for a statement."""
    if kind not in TYPES:
        raise InvalidSubmissionError(
            f"picture type {kind!r}: expected one of {', '.join(sorted(TYPES))}"
        )
    if len(content) > MAX_BYTES:
        raise InvalidSubmissionError(f"picture is {len(content)} bytes; the limit is {MAX_BYTES}")
    name = f"{hashlib.sha256(content).hexdigest()}.{kind}"
    folder = media_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if path.exists():
        os.utime(path)  # kept again now: :func:`remove_unused` counts its age from here
    else:
        path.write_bytes(content)
    return name


def remove_unused(
    data_dir: Path, referenced: set[str], min_age: float, *, dry_run: bool = False
) -> dict[Path, int]:
    """Remove the stored pictures no statement refers to; return the files removed and their
    sizes in bytes.

    ``referenced`` holds the names statements use (:func:`app.store.picture_names`). A file
    kept or uploaded again less than ``min_age`` seconds ago stays even when unused, so that a
    picture being uploaded or imported while this runs (stored, its statement not yet saved)
    is never taken away. Only names of the stored form are touched, nothing else in the folder.
    """
    folder = media_dir(data_dir)
    if not folder.is_dir():
        return {}
    cutoff = time.time() - min_age
    removed = {}
    for path in sorted(folder.iterdir()):
        if not NAME.match(path.name) or path.name in referenced or not path.is_file():
            continue
        state = path.stat()
        if state.st_mtime > cutoff:
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        removed[path] = state.st_size
    return removed


def image_path(data_dir: Path, name: str) -> Path | None:
    """The file for a served name, or None when the name is not a stored picture's."""
    if not NAME.match(name):
        return None
    path = media_dir(data_dir) / name
    return path if path.is_file() else None


def prepare_upload(content: bytes, filename: str) -> tuple[bytes, str]:
    """An uploaded picture checked and sized for tablets: its bytes to store and its kind.

    Raises :class:`InvalidInputError` naming the file and what was expected for an empty or
    too large file, a file that is not a PNG, JPEG, WebP or SVG picture, or a damaged one.
    """
    if not content:
        raise InvalidInputError(f"{filename}: the file is empty; expected a picture")
    if len(content) > MAX_BYTES:
        raise InvalidInputError(
            f"{filename}: the picture is larger than the limit of {MAX_BYTES / 1e6:.0f} MB "
            "(save it smaller, e.g. 1600 pixels wide)"
        )
    if _looks_like_svg(content):
        return _checked_svg(content, filename), "svg"
    return _sized_raster(content, filename)


def _looks_like_svg(content: bytes) -> bool:
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--")


def _checked_svg(content: bytes, filename: str) -> bytes:
    """The drawing as sent, once it parses as SVG; a document type (entities) is refused."""
    if b"<!DOCTYPE" in content.upper():
        raise InvalidInputError(
            f"{filename}: an SVG with a document type (<!DOCTYPE>) is not accepted; "
            "save it as plain SVG"
        )
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError as exc:
        raise InvalidInputError(f"{filename}: this SVG drawing cannot be read ({exc})") from None
    if root.tag.rsplit("}", 1)[-1] != "svg":
        raise InvalidInputError(f"{filename}: expected an SVG drawing, found <{root.tag}>")
    return content


def _sized_raster(content: bytes, filename: str) -> tuple[bytes, str]:
    """A PNG, JPEG or WebP photo upright, at most :data:`TABLET_EDGE` wide and high, re-encoded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    expected = "a PNG, JPEG, WebP or SVG picture"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(content))
            kind = _PILLOW_FORMATS.get(image.format or "")
            if kind is None:
                raise InvalidInputError(f"{filename}: expected {expected}, found {image.format}")
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInputError(
                    f"{filename}: the picture is {image.width}x{image.height} pixels; "
                    f"expected at most {MAX_PIXELS // 1_000_000} million"
                )
            image.load()
    except UnidentifiedImageError:
        raise InvalidInputError(
            f"{filename}: expected {expected}; this file is not one of them"
        ) from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise InvalidInputError(
            f"{filename}: the picture is damaged or cut short; expected {expected}"
        ) from None
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((TABLET_EDGE, TABLET_EDGE))
    return _encoded(upright, kind), kind


def _encoded(image: Image.Image, kind: str) -> bytes:
    """The image written again in its own kind, without metadata."""
    out = io.BytesIO()
    if kind == "jpg":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "webp":
        image.save(out, "WEBP", quality=85)
    else:
        image.save(out, "PNG", optimize=True)
    return out.getvalue()
