"""The one place that turns exceptions into error pages (for people) or JSON (for the sort UI).

API paths (``/api/...``) get ``{"error", "message", "problems": [{..., "message"}], ...}``, with
each problem's message taken from the catalogue so the device can show exactly what is wrong in
the participant's language. Pages get ``templates/errors/error.html`` with a way back to the start.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from app.errors import (
    AppError,
    InvalidInputError,
    RunChangedError,
    RunNotDoneError,
    SignInRequiredError,
)
from app.i18n import Catalogue

log = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _catalogue(request: Request) -> Catalogue:
    return Catalogue(getattr(request.state, "language", "en"))


def problem_message(t: Catalogue, problem: dict[str, Any]) -> str:
    """The sentence for one problem, e.g. 'Card 12 is missing from the grid.'"""
    params = {k: v for k, v in problem.items() if k != "code"}
    try:
        return t(f"problem.{problem['code']}", **params)
    except (KeyError, ValueError, IndexError):
        return t(f"problem.{problem['code']}")


def render_error(request: Request, status: int, message: str, body: dict[str, Any]) -> Response:
    """A JSON error for the API, an HTML page otherwise."""
    if _wants_json(request):
        return JSONResponse({**body, "message": message}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    t = _catalogue(request)
    context = {"t": t, "status": status, "message": message, "lang": t.language}
    return templates.TemplateResponse(request, "errors/error.html", context, status_code=status)


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    if isinstance(exc, SignInRequiredError) and not _wants_json(request):
        return sign_in_redirect(request)
    t = _catalogue(request)
    problems = [{**p, "message": problem_message(t, p)} for p in exc.problems]
    body = {"error": exc.code, "problems": problems, **exc.extra}
    # A staff form's bad input carries its own sentence saying what was expected, and so does
    # a background run's file that cannot be had yet or any more.
    shown = isinstance(exc, InvalidInputError | RunNotDoneError | RunChangedError)
    message = exc.detail if shown and exc.detail else None
    return render_error(request, exc.status, message or t(exc.message_key), body)


def sign_in_redirect(request: Request) -> Response:
    """Send a browser without a staff session to the sign-in page, coming back here after."""
    target = request.url.path if request.method == "GET" else "/studies"
    response = RedirectResponse(f"/signin?next={quote(target)}", status_code=303)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    t = _catalogue(request)
    key = "error.not_found" if exc.status_code == 404 else "error.bad_request"
    return render_error(request, exc.status_code, t(key), {"error": str(exc.detail)})


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    t = _catalogue(request)
    problems = [
        {
            "code": "malformed",
            "where": ".".join(str(x) for x in e.get("loc", ())),
            "message": str(e.get("msg", "")),
        }
        for e in exc.errors()
    ]
    body = {"error": "malformed", "problems": problems}
    return render_error(request, 422, t("error.invalid"), body)


#: Seconds a participant's page is told to wait when the database cannot be reached.
RETRY_AFTER_UNAVAILABLE = 5


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """503 when the database is down, full, locked too long or out of connections.

    The request's transaction was rolled back whole, so nothing half-written is kept; the page
    keeps the participant's work on the device and sends it again after ``Retry-After``.
    """
    log.warning("database unavailable on %s: %s", request.url.path, exc)
    t = _catalogue(request)
    response = render_error(request, 503, t("error.unavailable"), {"error": "unavailable"})
    response.headers["Retry-After"] = str(RETRY_AFTER_UNAVAILABLE)
    return response


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    t = _catalogue(request)
    return render_error(request, 500, t("error.server"), {"error": "server_error"})


def register_error_handlers(app: FastAPI) -> None:
    """Install the handlers on ``app``."""
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for unavailable in (OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)
