"""Admins' pages: the accounts (make, disable, enable, reset a password) and the audit record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app import store
from app.deps import AdminUser, DbDep, csrf_protect
from app.errors import InvalidInputError, NotFoundError
from app.models import ROLES, StaffUser
from app.routes.researcher.pages import page, see_other
from app.services import accounts

router = APIRouter(prefix="/admin", dependencies=[Depends(csrf_protect)])


def _users_page(
    request: Request, db: DbDep, admin: StaffUser, status: int = 200, **context: object
) -> Response:
    users = store.all_users(db)
    return page(request, "admin/users.html", admin, status, users=users, roles=ROLES, **context)


def _user(db: DbDep, user_id: int) -> StaffUser:
    user = store.get_user(db, user_id)
    if user is None:
        raise NotFoundError(f"no account {user_id}")
    return user


@router.get("/users")
def users(request: Request, db: DbDep, admin: AdminUser) -> Response:
    """Every account with its role and state, and the form to make one."""
    return _users_page(request, db, admin)


@router.post("/users")
def create_user(
    request: Request,
    db: DbDep,
    admin: AdminUser,
    email: Annotated[str, Form(max_length=254)],
    role: Annotated[str, Form(max_length=16)],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Make an account; the page says what to fix when the form cannot be used."""
    try:
        accounts.create_user(db, admin, email, role, password)
    except InvalidInputError as exc:
        db.rollback()
        return _users_page(request, db, admin, 422, error=exc.detail, email=email, role=role)
    db.commit()
    return see_other("/admin/users")


@router.post("/users/{user_id}/disable")
def disable_user(db: DbDep, admin: AdminUser, user_id: int) -> Response:
    """Disable an account: its sessions end at once."""
    accounts.set_disabled(db, admin, _user(db, user_id), True)
    db.commit()
    return see_other("/admin/users")


@router.post("/users/{user_id}/enable")
def enable_user(db: DbDep, admin: AdminUser, user_id: int) -> Response:
    """Enable a disabled account again."""
    accounts.set_disabled(db, admin, _user(db, user_id), False)
    db.commit()
    return see_other("/admin/users")


@router.post("/users/{user_id}/password")
def reset_password(
    request: Request,
    db: DbDep,
    admin: AdminUser,
    user_id: int,
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Set a new password for an account (tell its owner by another channel)."""
    try:
        accounts.reset_password(db, admin, _user(db, user_id), password)
    except InvalidInputError as exc:
        db.rollback()
        return _users_page(request, db, admin, 422, error=exc.detail)
    db.commit()
    return see_other("/admin/users")


@router.get("/audit")
def audit_record(request: Request, db: DbDep, admin: AdminUser) -> Response:
    """The newest lines of the whole audit record."""
    events = store.audit_events(db)
    return page(request, "researcher/audit.html", admin, events=events, study=None)
