"""Picture cards: image files kept in the data folder's ``media/`` and served to participants.

A statement's ``image`` names a file here. Names are the SHA-256 of the content plus the type's
extension, so a file never changes under its name: the route can let browsers (and the service
worker, for offline use) keep it for a year, and two statements with the same picture share it.
Only names of that exact form are served, so no request can reach anything else on disk.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from app.errors import InvalidSubmissionError

MEDIA_DIRNAME = "media"
MEDIA_URL = "/media/"
TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "svg": "image/svg+xml"}
NAME = re.compile(r"^[0-9a-f]{64}\.(png|jpg|webp|svg)$")
MAX_BYTES = 2_000_000


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
    if not path.exists():
        path.write_bytes(content)
    return name


def image_path(data_dir: Path, name: str) -> Path | None:
    """The file for a served name, or None when the name is not a stored picture's."""
    if not NAME.match(name):
        return None
    path = media_dir(data_dir) / name
    return path if path.is_file() else None
