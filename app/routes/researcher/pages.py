"""Rendering staff pages: one layout, the signed-in user, the CSRF token, never cached."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from app.i18n import Catalogue
from app.models import StaffUser
from app.security import csrf_token, keep_csrf_seed
from app.settings import Settings


def client_address(request: Request) -> str:
    """The client's network address, as the rate limit and the audit record name it."""
    return request.client.host if request.client else ""


def page(
    request: Request,
    name: str,
    user: StaffUser | None,
    status: int = 200,
    **context: Any,
) -> Response:
    """Render a staff template with the user, the form token and the shared layout's values."""
    settings: Settings = request.app.state.settings
    templates: Jinja2Templates = request.app.state.templates
    t = Catalogue()
    values = {
        "t": t,
        "lang": t.language,
        "user": user,
        "csrf_token": csrf_token(request, settings.secret_key),
        **context,
    }
    response = templates.TemplateResponse(request, name, values, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    keep_csrf_seed(request, response, settings.secure_cookies)
    return response


def see_other(url: str) -> Response:
    """Redirect after a successful form (POST, then GET)."""
    return RedirectResponse(url, status_code=303)
