"""qsort's web front end and study store: participants sort cards here.

The package depends on :mod:`qsort` (never the other way round) and keeps everything about the web
stack (FastAPI, SQLModel, Alembic, Jinja2) out of the analysis engine.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
"""The ``app`` package folder (static files and translation catalogues live inside it)."""

REPO_DIR = PACKAGE_DIR.parent
"""The folder holding ``app/``, ``templates/`` and ``alembic/`` (the repository or install root)."""

TEMPLATES_DIR = REPO_DIR / "templates"
ALEMBIC_DIR = REPO_DIR / "alembic"
STATIC_DIR = PACKAGE_DIR / "static"
I18N_DIR = PACKAGE_DIR / "i18n"
