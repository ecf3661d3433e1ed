"""The application factory: ``create_app(settings)`` builds a FastAPI app on its own database.

The OpenAPI schema of every form and JSON endpoint is served at ``/openapi.json`` to signed-in
staff only (participants and anonymous visitors are refused like on any staff page); there is no
documentation UI, which would load scripts from outside the app.

Nothing happens at import time. Start-up (the lifespan) upgrades the database to the newest schema
and, when ``settings.seed_demo`` is on, creates the demo study, so ``qsort serve`` on an empty
folder is ready to sort.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app import STATIC_DIR, TEMPLATES_DIR, db
from app.assets import install_assets
from app.demo import ensure_demo
from app.deps import CurrentUser
from app.errorpages import register_error_handlers
from app.limits import install_limits
from app.routes import api, facilitator, participant
from app.routes.researcher import ROUTERS as STAFF_ROUTERS
from app.security import SecurityHeaders
from app.settings import Settings


def prepare_store(engine: Engine, settings: Settings) -> None:
    """Upgrade the schema and seed the demo study (idempotent; safe on every start)."""
    db.upgrade(engine, settings)
    if settings.seed_demo:
        with Session(engine) as session:
            ensure_demo(session, settings.data_dir)
            session.commit()


def prepare_database(app: FastAPI) -> None:
    """Prepare the app's store at start-up, unless ``settings.migrate_on_start`` is off.

    ``qsort serve --workers N`` prepares the store once before starting its processes, so that
    they never race to migrate it, and turns it off for them.
    """
    settings: Settings = app.state.settings
    if settings.migrate_on_start:
        prepare_store(app.state.engine, settings)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Prepare the database on start; release the connections on stop."""
    prepare_database(app)
    yield
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for ``settings`` (default: read from the environment).

    Called without arguments it is the factory that ``qsort serve --workers N`` names to uvicorn
    (``app.main:create_app``): each worker process builds its own app, engine and pool from the
    environment.
    """
    settings = settings or Settings.from_env()
    app = FastAPI(title="qsort", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.engine = db.make_engine(settings)
    app.state.templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    app.state.assets = install_assets(app, STATIC_DIR)
    app.state.templates.env.globals["static_url"] = app.state.assets.url
    app.include_router(participant.router)
    app.include_router(api.router)
    for router in STAFF_ROUTERS:
        app.include_router(router)
    app.include_router(facilitator.router)
    install_schema(app)
    register_error_handlers(app)
    install_limits(app, settings)
    app.add_middleware(SecurityHeaders)  # outermost: the limits' 413/429/503 get the headers too
    return app


def install_schema(app: FastAPI) -> None:
    """Serve ``app.openapi()`` at ``/openapi.json`` to signed-in staff (any role)."""

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_schema(user: CurrentUser) -> JSONResponse:
        """The OpenAPI schema (for staff integrating with qsort, and the fuzz tests)."""
        response = JSONResponse(app.openapi())
        response.headers["Cache-Control"] = "no-store"
        return response
