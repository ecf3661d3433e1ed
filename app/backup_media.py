"""The data folder's ``media/`` (the pictures of picture cards) inside a backup, and back.

Pictures are files, not rows, so :mod:`app.backup` carries them in a section of their own after
the tables: a line ``{"media": n}`` and then, for each of the ``n`` files, a line ``{"name":
..., "size": ...}`` followed by a line holding the file's bytes in base64. A picture's name is
its content's SHA-256 (:data:`app.services.pictures.NAME`), so a restore checks every file
against its name: a damaged backup is refused rather than serving a wrong picture. Only names
of that form are carried; anything else in the folder is not qsort's.

A restore writes the files into a staging folder inside the data folder first and moves them
into ``media/`` only once the database rows are in, so a failed restore leaves no picture
behind and a picture never appears without its rows.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from pathlib import Path
from typing import IO

from app.services.pictures import NAME, media_dir


class MediaError(Exception):
    """A picture in a backup is not what its entry says."""


def media_files(data_dir: Path) -> list[Path]:
    """The stored pictures of ``data_dir``, by name."""
    folder = media_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if NAME.match(p.name) and p.is_file())


def dump_media(data_dir: Path, handle: IO[str]) -> int:
    """Write the media section for every stored picture; return the number of files."""
    files = media_files(data_dir)
    handle.write(json.dumps({"media": len(files)}) + "\n")
    for path in files:
        content = path.read_bytes()
        handle.write(json.dumps({"name": path.name, "size": len(content)}) + "\n")
        handle.write(base64.b64encode(content).decode("ascii") + "\n")
    return len(files)


def load_media(handle: IO[str], count: int, staging: Path) -> int:
    """Read ``count`` files of a media section into ``staging``, each checked against its
    name and size; return the count."""
    for index in range(count):
        entry = json.loads(handle.readline())
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not NAME.match(name):
            raise MediaError(f"media file {index + 1}: expected a stored picture's name")
        try:
            content = base64.b64decode(handle.readline().strip(), validate=True)
        except binascii.Error as exc:
            raise MediaError(f"media file {name}: its bytes are not base64 ({exc})") from None
        if len(content) != entry.get("size") or hashlib.sha256(content).hexdigest() != name[:64]:
            raise MediaError(f"media file {name}: its bytes do not match its name (damaged)")
        _write_private(staging / name, content)
    return count


def install_media(staging: Path, data_dir: Path) -> None:
    """Move the restored pictures from ``staging`` into the data folder's ``media/``."""
    folder = media_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path in sorted(staging.iterdir()):
        path.replace(folder / path.name)


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
