"""Static files sent small and cached well: gzip for every text response, and versioned URLs.

Pages refer to static files through ``static_url("js/app.js")``, which adds a version made from
the files' contents (``/static/v-1a2b3c4d/js/app.js``). A versioned URL never changes meaning, so
it is served with a year-long ``immutable`` cache; the plain ``/static/...`` path still works and
is revalidated on each use. A tablet on a slow room network then downloads the participant pages
once, compressed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

GZIP_MINIMUM_BYTES = 500
YEAR_S = 365 * 24 * 3600


def asset_version(folder: Path) -> str:
    """A short digest of every file under ``folder`` (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return f"v-{digest.hexdigest()[:10]}"


class ImmutableStaticFiles(StaticFiles):
    """Static files under a versioned prefix: cached for a year, never revalidated."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file, with a long-lived immutable cache header when it exists."""
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = f"public, max-age={YEAR_S}, immutable"
        return response


class RevalidatedStaticFiles(StaticFiles):
    """Static files at their plain path: the browser asks again each time (ETag makes it cheap)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file, marked to be revalidated before reuse."""
        response = await super().get_response(path, scope)
        response.headers.setdefault("Cache-Control", "no-cache")
        return response


def install_assets(app: FastAPI, folder: Path) -> str:
    """Compress responses, mount ``folder`` at its versioned and plain paths; return the version.

    The versioned mount comes first so that ``/static/v-.../`` never reaches the plain one.
    """
    version = asset_version(folder)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.mount(f"/static/{version}", ImmutableStaticFiles(directory=str(folder)), name="assets")
    app.mount("/static", RevalidatedStaticFiles(directory=str(folder)), name="static")
    return version
