"""pyproject.toml lists every package, so that nothing is left out of the wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
MAPPED = {"app.templates": "templates", "app.migrations": "alembic"}


def _config() -> dict[str, Any]:
    with (REPO / "pyproject.toml").open("rb") as f:
        tool: dict[str, Any] = tomllib.load(f)["tool"]["setuptools"]
    return tool


def test_every_python_package_folder_is_listed() -> None:
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in ("qsort", "app")
        for init in (REPO / top).rglob("__init__.py")
    }
    assert set(_config()["packages"]) == found | set(MAPPED)


def test_templates_and_migrations_ship_inside_the_app_package() -> None:
    assert _config()["package-dir"] == MAPPED
    for folder in MAPPED.values():
        assert (REPO / folder).is_dir()
