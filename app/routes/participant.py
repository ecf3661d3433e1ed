"""Participant pages: join, consent, the sort app, thanks. Server-rendered, thin.

The token lives only in an HttpOnly, SameSite=Lax cookie; no URL ever carries it (there is no
resume link: see docs/participant-flow.md, "Coming back"). Declining consent stores nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from app import STATIC_DIR, store
from app.deps import (
    TOKEN_COOKIE,
    TOKEN_MAX_AGE,
    DbDep,
    SettingsDep,
    TemplatesDep,
    token_participant,
)
from app.errors import CodeNotFoundError, NotFoundError, NotJoinedError
from app.i18n import Catalogue
from app.services import join
from app.views import paragraphs, render, sort_config

router = APIRouter()


@router.get("/")
def join_page(request: Request, db: DbDep, templates: TemplatesDep, code: str = "") -> Response:
    """The start page: type the join code (or arrive with it filled in); offer to resume."""
    participant = token_participant(request, db)
    resumable = participant is not None and participant.finished_at is None
    return render(
        request,
        templates,
        "participant/join.html",
        Catalogue(),
        code=code[:16],
        resumable=resumable,
    )


def _code_not_found(request: Request, templates: TemplatesDep, code: str) -> Response:
    """The join page again, saying the code matches no open session (HTTP 404)."""
    t = Catalogue()
    return render(
        request,
        templates,
        "participant/join.html",
        t,
        status=404,
        code=code[:16],
        error=t("join.code_not_found"),
    )


@router.post("/join")
def join_submit(
    request: Request, db: DbDep, templates: TemplatesDep, code: Annotated[str, Form()] = ""
) -> Response:
    """Check the code and go to its consent page, or say the code was not found."""
    try:
        session, _ = join.find_session(db, code)
    except CodeNotFoundError:
        return _code_not_found(request, templates, code)
    return RedirectResponse(f"/j/{session.code}", status_code=303)


@router.get("/j/{code}")
def consent_page(request: Request, code: str, db: DbDep, templates: TemplatesDep) -> Response:
    """The consent page of the study behind a join code (the link a QR code points to)."""
    try:
        session, study = join.find_session(db, code)
    except CodeNotFoundError:
        return _code_not_found(request, templates, code)
    t = Catalogue(study.language)
    return render(
        request,
        templates,
        "participant/consent.html",
        t,
        study=study,
        code=session.code,
        consent=paragraphs(study.consent_text),
    )


@router.post("/j/{code}/consent")
def consent_submit(
    request: Request,
    code: str,
    db: DbDep,
    templates: TemplatesDep,
    settings: SettingsDep,
    choice: Annotated[str, Form()] = "",
) -> Response:
    """Accept: create the participant and hand over the token. Decline: store nothing."""
    session, study = join.find_session(db, code)
    t = Catalogue(study.language)
    if choice != "accept":
        return render(
            request, templates, "participant/declined.html", t, study=study, code=session.code
        )
    joined = join.accept_consent(db, code)
    response = RedirectResponse("/p", status_code=303)
    _set_token(response, joined.token, settings.secure_cookies)
    return response


def _set_token(response: Response, token: str, secure: bool) -> None:
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        max_age=TOKEN_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


@router.get("/p")
def sort_app(request: Request, db: DbDep, templates: TemplatesDep) -> Response:
    """The sort itself: instructions, pre-sort, grid, post-sort and survey in one page."""
    return _sort_page(request, db, templates, shell=False)


@router.get("/p/shell")
def sort_shell(request: Request, db: DbDep, templates: TemplatesDep) -> Response:
    """The sort page without any participant data in it, for the service worker to keep.

    Offline, the worker answers a reload of ``/p`` with this page, which then restores the
    participant's work from the device's own copy (localStorage).
    """
    return _sort_page(request, db, templates, shell=True)


def _sort_page(request: Request, db: DbDep, templates: TemplatesDep, shell: bool) -> Response:
    participant = token_participant(request, db)
    if shell and (participant is None or participant.finished_at is not None):
        raise NotJoinedError("no participant: no shell to keep")  # never cache a redirect
    if participant is None or participant.finished_at is not None:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(TOKEN_COOKIE, path="/")
        return response
    study = store.get_study(db, participant.study_id)
    if study is None:
        raise NotFoundError("study gone")
    t = Catalogue(study.language)
    return render(
        request,
        templates,
        "participant/sort.html",
        t,
        study=study,
        instructions=paragraphs(study.instructions_text),
        config=sort_config(db, participant, study, t, shell=shell),
    )


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the site root so that its scope covers ``/p``."""
    return FileResponse(
        STATIC_DIR / "js" / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/thanks/{code}")
def thanks_page(request: Request, code: str, db: DbDep, templates: TemplatesDep) -> Response:
    """The thank-you page; it clears the device's copy and leads back to a clean start."""
    session = store.session_by_code(db, code)  # closed since they joined: still theirs
    study = store.get_study(db, session.study_id) if session is not None else None
    t = Catalogue(study.language if study else "en")
    text = paragraphs(study.thanks_text) if study and study.thanks_text else [t("thanks.text")]
    response = render(
        request,
        templates,
        "participant/thanks.html",
        t,
        thanks=text,
        code=session.code if session else "",
    )
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


@router.get("/healthz")
def health() -> dict[str, str]:
    """For a facilitator's laptop or a load balancer: is the app up?"""
    return {"status": "ok"}
