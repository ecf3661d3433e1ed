"""Participant pages: join, consent, the sort app, thanks. Server-rendered, thin.

The token lives only in an HttpOnly, SameSite=Lax cookie; no URL ever carries it (there is no
resume link: see docs/participant-flow.md, "Coming back"). Declining consent stores nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app import store
from app.assets import Assets
from app.db import in_session
from app.deps import (
    TOKEN_COOKIE,
    TOKEN_MAX_AGE,
    DbDep,
    SettingsDep,
    TemplatesDep,
    token_participant,
)
from app.errors import AppError, CodeNotFoundError, NotFoundError, NotJoinedError
from app.i18n import Catalogue
from app.models import Participant, SortSession, Study
from app.services import join, pictures, resume
from app.services.seats import seat_from_text
from app.services.tokens import resume_code
from app.settings import Settings
from app.views import paragraphs, render, sort_config

router = APIRouter()

#: The tablet's seat in a focus group, as ``CODE:N`` (not secret: it names a seat, not a person).
SEAT_COOKIE = "qsort_seat"
SEAT_MAX_AGE = 365 * 24 * 3600


@router.get("/")
def join_page(
    request: Request, db: DbDep, templates: TemplatesDep, code: str = "", cleared: str = ""
) -> Response:
    """The start page: type the join code (or arrive with it filled in); offer to resume."""
    participant = token_participant(request, db)
    resumable = participant is not None and participant.finished_at is None
    study = store.get_study(db, participant.study_id) if resumable and participant else None
    # A token that opens nothing was cleared by the facilitator (or belongs to a gone
    # participant): the server will never take that work, so the device must forget it.
    wipe = participant is None and (bool(request.cookies.get(TOKEN_COOKIE)) or cleared == "1")
    response = render(
        request,
        templates,
        "participant/join.html",
        Catalogue(study.language if study else "en"),
        code=code[:16],
        resumable=resumable,
        wipe=wipe,
    )
    if wipe:
        response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


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
def consent_page(
    request: Request, code: str, db: DbDep, templates: TemplatesDep, seat: str = ""
) -> Response:
    """The consent page of the study behind a join code (the link a QR code points to).

    A seat link (``?seat=N``, from the room's join screen) binds this tablet to its seat: the
    seat is kept in a cookie, so every person who joins on the tablet later sits there too.
    """
    try:
        session, study = join.find_session(db, code)
    except CodeNotFoundError:
        return _code_not_found(request, templates, code)
    t = Catalogue(study.language)
    number = seat_from_text(session, seat)
    response = render(
        request,
        templates,
        "participant/consent.html",
        t,
        study=study,
        code=session.code,
        consent=paragraphs(study.consent_text),
    )
    if number is not None:
        response.set_cookie(
            SEAT_COOKIE, f"{session.code}:{number}", max_age=SEAT_MAX_AGE, samesite="lax", path="/"
        )
    return response


def tablet_seat(request: Request, session: SortSession) -> int | None:
    """The seat this tablet was bound to in ``session`` (its seat cookie), if any."""
    code, _, number = request.cookies.get(SEAT_COOKIE, "").partition(":")
    return seat_from_text(session, number) if code == session.code else None


@router.post("/j/{code}/consent")
async def consent_submit(
    request: Request, code: str, choice: Annotated[str, Form()] = ""
) -> Response:
    """Accept: create the participant and hand over the token. Decline: store nothing.

    A whole room does this at once: it runs in one worker thread (:func:`app.db.in_session`).
    """
    templates: Jinja2Templates = request.app.state.templates
    settings: Settings = request.app.state.settings

    def consent(db: Session) -> Response:
        session, study = join.find_session(db, code)
        if choice != "accept":
            t = Catalogue(study.language)
            return render(
                request, templates, "participant/declined.html", t, study=study, code=session.code
            )
        _, token = join.join_session(db, session, study, seat=tablet_seat(request, session))
        response = RedirectResponse("/p", status_code=303)
        _set_token(response, token, settings.secure_cookies)
        return response

    return await in_session(request.app.state.engine, consent)


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
async def sort_app(request: Request) -> Response:
    """The sort itself: instructions, pre-sort, grid, post-sort and survey in one page.

    Every participant loads it right after joining: it runs in one worker thread.
    """
    templates: Jinja2Templates = request.app.state.templates
    return await in_session(
        request.app.state.engine, lambda db: _sort_page(request, db, templates, shell=False)
    )


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
        # A token sent but refused was cleared: the start page then wipes the device's copy.
        cleared = participant is None and bool(request.cookies.get(TOKEN_COOKIE))
        response = RedirectResponse("/?cleared=1" if cleared else "/", status_code=303)
        response.delete_cookie(TOKEN_COOKIE, path="/")
        return response
    study = _study_of(db, participant)
    t = Catalogue(study.language)
    if not shell and resume.needs_code(participant, study):
        return _resume_page(request, templates, t, study)
    code = None if shell else resume_code(request.cookies.get(TOKEN_COOKIE, ""))
    return render(
        request,
        templates,
        "participant/sort.html",
        t,
        study=study,
        instructions=paragraphs(study.instructions_text),
        config=sort_config(db, participant, study, t, shell=shell, resume_code=code),
    )


def _study_of(db: DbDep, participant: Participant) -> Study:
    study = store.get_study(db, participant.study_id)
    if study is None:
        raise NotFoundError("study gone")
    return study


def _resume_page(
    request: Request,
    templates: TemplatesDep,
    t: Catalogue,
    study: Study,
    error: str = "",
    status: int = 200,
) -> Response:
    """Ask for the resume code: the page shows nothing of the participant's sort."""
    return render(
        request,
        templates,
        "participant/resume.html",
        t,
        status=status,
        study=study,
        minutes=max(study.idle_minutes, 1),
        error=error,
    )


@router.post("/p/resume")
def resume_submit(
    request: Request, db: DbDep, templates: TemplatesDep, code: Annotated[str, Form()] = ""
) -> Response:
    """Check the resume code typed after the idle limit; the right one opens the sort again."""
    participant = token_participant(request, db)
    if participant is None or participant.finished_at is not None:
        return RedirectResponse("/", status_code=303)
    study = _study_of(db, participant)
    t = Catalogue(study.language)
    try:
        resume.check_code(db, participant, code)
    except AppError as exc:
        wait = int(exc.extra.get("retry_after", 0))
        message = t("resume.wait", seconds=wait) if exc.status == 429 else t(exc.message_key)
        if wait and exc.status != 429:
            message += " " + t("resume.wait", seconds=wait)
        response = _resume_page(request, templates, t, study, message, exc.status)
        if wait:
            response.headers["Retry-After"] = str(wait)
        return response
    return RedirectResponse("/p", status_code=303)


@router.get("/media/{name}")
def media(name: str, settings: SettingsDep) -> Response:
    """A picture card's image (content-named, so it may be kept for a year)."""
    path = pictures.image_path(settings.data_dir, name)
    if path is None:
        raise NotFoundError("no such picture")
    return FileResponse(
        path,
        media_type=pictures.TYPES[path.suffix[1:]],
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


@router.get("/sw.js")
def service_worker(request: Request) -> Response:
    """The service worker, served from the site root so that its scope covers ``/p``.

    Its version and list of files come from the static folder (:mod:`app.assets`).
    """
    assets: Assets = request.app.state.assets
    return Response(
        assets.service_worker(),
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
