"""Dependency aliases for routes: the database session, the templates, the current participant,
the signed-in staff user (:data:`CurrentUser`), role checks (:func:`require`) and the CSRF check.

Rights on one study are checked in the services (:mod:`app.services.access`), not here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.templating import Jinja2Templates

from app import store
from app.errors import NotJoinedError, SignInRequiredError
from app.models import Participant, StaffUser
from app.security import check_csrf, read_session
from app.services.access import require_role
from app.services.tokens import hash_token
from app.settings import Settings

TOKEN_COOKIE = "qsort_token"
TOKEN_MAX_AGE = 14 * 24 * 3600


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, on the app's engine."""
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as db:
        yield db


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_templates(request: Request) -> Jinja2Templates:
    """The app's Jinja2 environment."""
    templates: Jinja2Templates = request.app.state.templates
    return templates


DbDep = Annotated[Session, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]


def token_participant(request: Request, db: Session) -> Participant | None:
    """The participant whose token the device holds in its cookie, finished or not."""
    token = request.cookies.get(TOKEN_COOKIE, "")
    if not token:
        return None
    return store.participant_by_token_hash(db, hash_token(token))


def any_participant(request: Request, db: DbDep) -> Participant:
    """The token's participant even after finishing (only finishing itself needs that)."""
    participant = token_participant(request, db)
    if participant is None:
        raise NotJoinedError("no valid participant token")
    return participant


def active_participant(request: Request, db: DbDep) -> Participant:
    """The token's participant, refused once they have finished (the token is then spent)."""
    participant = any_participant(request, db)
    if participant.finished_at is not None:
        raise NotJoinedError("this participant has finished")
    return participant


ParticipantDep = Annotated[Participant, Depends(active_participant)]
AnyParticipantDep = Annotated[Participant, Depends(any_participant)]


def current_user(request: Request, db: DbDep, settings: SettingsDep) -> StaffUser:
    """The signed-in staff user; refused when the cookie is missing, forged, expired or revoked."""
    session = read_session(request, settings.secret_key)
    if session is None:
        raise SignInRequiredError("no staff session")
    user = store.get_user(db, session.user_id)
    if user is None or user.disabled_at is not None or user.session_epoch != session.epoch:
        raise SignInRequiredError("the session has ended")
    request.state.user = user
    return user


CurrentUser = Annotated[StaffUser, Depends(current_user)]


async def csrf_protect(request: Request, settings: SettingsDep) -> None:
    """Refuse a state-changing staff request without the form token or from another origin."""
    await check_csrf(request, settings.secret_key)


def require(*roles: str) -> Callable[[StaffUser], StaffUser]:
    """A dependency giving the signed-in user if their role is one of ``roles``."""

    def dependency(user: CurrentUser) -> StaffUser:
        require_role(user, *roles)
        return user

    return dependency


AdminUser = Annotated[StaffUser, Depends(require("admin"))]
ResearcherUser = Annotated[StaffUser, Depends(require("admin", "researcher"))]
