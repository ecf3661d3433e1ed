"""qsort's web front end and study store: participants sort cards here.

The package depends on :mod:`qsort` (never the other way round) and keeps everything about the web
stack (FastAPI, SQLModel, Alembic, Jinja2) out of the analysis engine.

The pages (``templates/``) and migrations (``alembic/``) sit at the top of the repository; an
installed release carries them inside this package as ``app/templates`` and ``app/migrations``
(pyproject.toml maps them there), so each folder is looked up in the package first.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
"""The ``app`` package folder (static files and translation catalogues live inside it)."""

REPO_DIR = PACKAGE_DIR.parent
"""The folder holding ``app/``, ``templates/`` and ``alembic/`` in a checkout."""


def _shipped(installed: str, checkout: str) -> Path:
    """The folder as an installed release holds it, else as the repository does."""
    inside = PACKAGE_DIR / installed
    return inside if inside.is_dir() else REPO_DIR / checkout


TEMPLATES_DIR = _shipped("templates", "templates")
ALEMBIC_DIR = _shipped("migrations", "alembic")
STATIC_DIR = PACKAGE_DIR / "static"
I18N_DIR = PACKAGE_DIR / "i18n"
