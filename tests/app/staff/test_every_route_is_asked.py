"""Every staff route the app serves is asked by one of the access-control matrices.

A new researcher, admin or facilitator route that no matrix row asks would ship with its rights
untested; this test lists the app's routes and fails naming each staff route no row matches.
Participant routes (the join flow, the participant API, static files) are not staff routes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from starlette.routing import BaseRoute

from app.main import create_app
from app.settings import Settings
from tests.app.staff import test_access_matrix as researcher_matrix
from tests.app.staff import test_access_matrix_facilitator as facilitator_matrix

STAFF_PREFIXES = ("/studies", "/admin", "/f")
"""Where the staff pages live; everything else is the participant's side or public."""

PLACEHOLDER = re.compile(r"\{[^}]+\}")


def _routes(routes: Iterable[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path template) of every endpoint, through included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:  # an included router: its own prefix, its own routes
            context = getattr(route, "include_context", None)
            yield from _routes(inner.routes, prefix + str(getattr(context, "prefix", "") or ""))
        elif methods := getattr(route, "methods", None):
            for method in sorted(methods - {"HEAD"}):
                yield method, prefix + str(getattr(route, "path", ""))


def _pattern(template: str) -> re.Pattern[str]:
    """A path template as a regular expression; each ``{name}`` stands for some characters."""
    parts = PLACEHOLDER.split(template)
    fixed = [re.escape(part) for part in parts]
    return re.compile(".+?".join(fixed))


def _asked() -> list[tuple[str, str]]:
    """(method, path without query) of every matrix row, placeholders written as ``{x}``."""
    rows = [*researcher_matrix.ROUTES, *facilitator_matrix.ROUTES]
    return [(method, path.split("?", 1)[0]) for method, path, _form, _expected in rows]


def staff_routes(folder: Path) -> list[tuple[str, str]]:
    """The staff routes of an app made the way ``qsort serve`` makes it."""
    settings = Settings(
        data_dir=folder, database_url=f"sqlite:///{folder}/q.db", secret_key="k" * 32
    )
    app = create_app(settings)
    return [(m, p) for m, p in _routes(app.routes) if p.startswith(STAFF_PREFIXES)]


def test_every_staff_route_has_a_row_in_an_access_matrix(tmp_path: Path) -> None:
    asked = _asked()
    missing = [
        f"{method} {template}"
        for method, template in staff_routes(tmp_path)
        if not any(m == method and _pattern(template).fullmatch(p) for m, p in asked)
    ]
    assert not missing, "staff routes no access-control matrix asks: " + ", ".join(missing)


def test_the_route_listing_finds_the_staff_pages(tmp_path: Path) -> None:
    found = staff_routes(tmp_path)
    assert ("GET", "/studies/{study_id}/analysis") in found
    assert ("POST", "/admin/users") in found
    assert ("GET", "/f/sessions/{session_id}/events") in found
