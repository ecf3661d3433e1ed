"""The application factory: ``create_app(settings)`` builds a FastAPI app on its own database.

Nothing happens at import time. Start-up (the lifespan) upgrades the database to the newest schema
and, when ``settings.seed_demo`` is on, creates the demo study, so ``qsort serve`` on an empty
folder is ready to sort.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app import STATIC_DIR, TEMPLATES_DIR, db
from app.assets import install_assets
from app.demo import ensure_demo
from app.errorpages import register_error_handlers
from app.routes import api, participant
from app.routes.researcher import ROUTERS as STAFF_ROUTERS
from app.security import SecurityHeaders
from app.settings import Settings


def prepare_database(app: FastAPI) -> None:
    """Upgrade the schema and seed the demo study (idempotent; safe on every start)."""
    settings: Settings = app.state.settings
    db.upgrade(app.state.engine, settings)
    if settings.seed_demo:
        with Session(app.state.engine) as session:
            ensure_demo(session, settings.data_dir)
            session.commit()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Prepare the database on start; release the connections on stop."""
    prepare_database(app)
    yield
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: read from the environment)."""
    settings = settings or Settings.from_env()
    app = FastAPI(title="qsort", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = db.make_engine(settings)
    app.state.templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    version = install_assets(app, STATIC_DIR)
    app.state.templates.env.globals["static_url"] = lambda path: f"/static/{version}/{path}"
    app.include_router(participant.router)
    app.include_router(api.router)
    for router in STAFF_ROUTERS:
        app.include_router(router)
    app.add_middleware(SecurityHeaders)
    register_error_handlers(app)
    return app
