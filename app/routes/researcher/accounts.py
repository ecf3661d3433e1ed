"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.deps import CurrentUser, DbDep, SettingsDep, csrf_protect
from app.routes.researcher.pages import client_address, page, see_other
from app.security import end_session, issue_session
from app.services import accounts

router = APIRouter(dependencies=[Depends(csrf_protect)])


def _safe_next(target: str) -> str:
    """Only a path on this site (never another host) is followed after signing in."""
    if target.startswith("/") and not target.startswith("//") and "\\\\" not in target:
        return target
    return "/studies"


@router.get("/signin")
def sign_in_page(request: Request, next: str = "/studies") -> Response:
    """The sign-in form; ``next`` is where to go once signed in."""
    return page(request, "researcher/signin.html", None, next=_safe_next(next))


@router.post("/signin")
def sign_in(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/studies",
) -> Response:
    """Check the password; on success set the session cookie and go on to ``next``."""
    user = accounts.sign_in(db, email, password, client_address(request))
    db.commit()
    if user is None or user.id is None:
        message = "That e-mail address and password do not match an active account."
        return page(
            request,
            "researcher/signin.html",
            None,
            401,
            next=_safe_next(next),
            error=message,
            email=email,
        )
    response = see_other(_safe_next(next))
    issue_session(
        response,
        request,
        settings.secret_key,
        settings.secure_cookies,
        user.id,
        user.session_epoch,
    )
    return response


@router.post("/signout")
def sign_out(db: DbDep, user: CurrentUser) -> Response:
    """End the account's sessions and forget the cookie."""
    accounts.sign_out(db, user)
    db.commit()
    response = see_other("/signin")
    end_session(response)
    return response
