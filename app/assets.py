"""Static files sent small and cached well: gzip for every text response, and versioned URLs.

Pages refer to static files through ``static_url("js/app.js")``, which adds a version made from
the files' contents (``/static/v-1a2b3c4d5e/js/app.js``). A versioned URL never changes meaning,
so it is served with a year-long ``immutable`` cache; a tablet on a slow room network then
downloads the participant pages once, compressed. Modules import each other by relative paths
(``./model.js``), so a whole version's modules load together and an ``import()`` on demand
stays inside the version of the page that made it.

The plain ``/static/...`` path still works and is revalidated on each use. So does the URL of an
earlier version (a page left open across an upgrade, or an offline copy, may still ask for it):
it answers with today's file, revalidated, never cached for good under that name.

The service worker (``/sw.js``) is built here too: its cache name is the version and its list of
files is the sort page's stylesheet and modules with everything they import, read from the files
themselves, so the list can never go stale.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

GZIP_MINIMUM_BYTES = 500
YEAR_S = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR_S}, immutable"
VERSION_SEGMENT = re.compile(r"v-[0-9a-f]{10}/")

#: The sort page's own stylesheet and entry modules (``templates/participant/sort.html``): the
#: service worker keeps them and every module they import, for a reload with no network.
OFFLINE_ENTRIES = ("css/qsort.css", "js/app.js", "js/help.js")
#: The service worker's own source, under the static folder (served at ``/sw.js``).
WORKER_SOURCE = "js/sw.js"
#: ``import ... from "./x.js"`` and ``import "./x.js"``: loaded with the module that names them.
STATIC_IMPORT = re.compile(r"""(?:\bfrom|^import)\s*["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)
#: ``import("./x.js")``: loaded on demand, when the page first needs it.
DYNAMIC_IMPORT = re.compile(r"""\bimport\(\s*["'](\.{1,2}/[^"']+)["']\s*\)""")


def asset_version(folder: Path) -> str:
    """A short digest of every file under ``folder`` (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return f"v-{digest.hexdigest()[:10]}"


def module_closure(folder: Path, entries: tuple[str, ...], on_demand: bool = False) -> list[str]:
    """``entries`` (paths under ``folder``) and every module they import, in the order found.

    Static imports are always followed, ``import()`` on demand only with ``on_demand``; paths
    are resolved as the browser does (``./x.js``, ``../x.js``). A named file that does not
    exist raises ``FileNotFoundError``.
    """
    seen: list[str] = []
    queue = list(entries)
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(f"static file {name!r} (named by a page or an import)")
        seen.append(name)
        if name.endswith(".js"):
            here = posixpath.dirname(name)
            source = path.read_text(encoding="utf-8")
            targets = STATIC_IMPORT.findall(source)
            targets += DYNAMIC_IMPORT.findall(source) if on_demand else []
            for target in targets:
                queue.append(posixpath.normpath(posixpath.join(here, target)))
    return seen


@dataclass(frozen=True)
class Assets:
    """The static folder as this process serves it: its version and the URLs built from it."""

    folder: Path
    version: str

    def url(self, path: str) -> str:
        """The versioned, cached-for-good URL of the static file at ``path``."""
        return f"/static/{self.version}/{path}"

    def service_worker(self) -> str:
        """The service worker's source with its version and list of files written in.

        The list is what the sort page loads at once; the modules it loads on demand are kept
        by the page itself, those its study uses only (``keepShell`` in ``sync.js``).
        """
        files = [self.url(name) for name in module_closure(self.folder, OFFLINE_ENTRIES)]
        head = f"const VERSION = {json.dumps(self.version)};\nconst ASSETS = {json.dumps(files)};\n"
        return head + (self.folder / WORKER_SOURCE).read_text(encoding="utf-8")


class ImmutableStaticFiles(StaticFiles):
    """Static files under the current version's prefix: cached for a year, never revalidated."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file, with a long-lived immutable cache header when it exists."""
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = IMMUTABLE
        return response


class RevalidatedStaticFiles(StaticFiles):
    """Static files at their plain path or an earlier version's: asked for again on each use.

    An earlier version's prefix is dropped, so its URL answers with today's file (ETag makes
    the revalidation cheap) instead of breaking the page that still names it.
    """

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file, marked to be revalidated before reuse."""
        earlier = VERSION_SEGMENT.match(path)
        if earlier:
            path = path[earlier.end() :]
        response = await super().get_response(path, scope)
        response.headers["Cache-Control"] = "no-cache"
        return response


def install_assets(app: FastAPI, folder: Path) -> Assets:
    """Compress responses, mount ``folder`` at its versioned and plain paths; return the assets.

    The versioned mount comes first so that ``/static/v-.../`` never reaches the plain one.
    """
    assets = Assets(folder, asset_version(folder))
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.mount(
        f"/static/{assets.version}", ImmutableStaticFiles(directory=str(folder)), name="assets"
    )
    app.mount("/static", RevalidatedStaticFiles(directory=str(folder)), name="static")
    return assets
