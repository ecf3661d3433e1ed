"""Who may do what with a study: roles and rights, checked here and nowhere else.

Rights on one study rank ``viewer`` < ``co-owner`` < ``owner``; an admin holds every right on
every study. A facilitator's right on a study lets them run its sessions (the facilitator's
pages) but never read or change its data from the researcher's pages.
"""

from __future__ import annotations

from typing import Literal

from sqlmodel import Session

from app import store
from app.errors import ForbiddenError, NotFoundError
from app.models import StaffUser, Study

Need = Literal["view", "edit", "own", "run"]

GRANTS: dict[str, frozenset[str]] = {
    "owner": frozenset({"view", "edit", "own", "run"}),
    "co-owner": frozenset({"view", "edit", "run"}),
    "viewer": frozenset({"view"}),
    "facilitator": frozenset({"run"}),
}


def right_on(db: Session, user: StaffUser, study_id: int) -> str | None:
    """The user's right on the study: ``"admin"`` for admins, else its access row's, or None."""
    if user.role == "admin":
        return "admin"
    assert user.id is not None
    access = store.access_of(db, study_id, user.id)
    return None if access is None else access.right


def may(db: Session, user: StaffUser, study_id: int, need: Need) -> bool:
    """Whether the user may do ``need`` with the study."""
    right = right_on(db, user, study_id)
    if right == "admin":
        return True
    return right is not None and need in GRANTS.get(right, frozenset())


def study_for(db: Session, user: StaffUser, study_id: int, need: Need) -> Study:
    """The study, if the user may ``need`` it; 404 when it does not exist, 403 when refused.

    A user with no right at all on an existing study is told it was not found, so that study
    ids cannot be probed.
    """
    study = store.get_study(db, study_id)
    if study is None or right_on(db, user, study_id) is None:
        raise NotFoundError(f"no study {study_id}")
    if not may(db, user, study_id, need):
        raise ForbiddenError(f"{need} on study {study_id}")
    return study


def require_role(user: StaffUser, *roles: str) -> None:
    """Refuse unless the user's role is one of ``roles``."""
    if user.role not in roles:
        raise ForbiddenError(f"role {user.role} is not one of {roles}")
