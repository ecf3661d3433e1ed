"""A researcher's studies: the list with each one's state, sharing, opening and closing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app import store
from app.errors import InvalidInputError
from app.models import StaffUser, Study, utcnow
from app.services import access, audit, designer

STATUSES = ("draft", "open", "closed")
SHARE_RIGHTS = {
    "co-owner": ("researcher", "admin"),
    "viewer": ("researcher", "admin"),
    "facilitator": ("facilitator", "researcher", "admin"),
}


@dataclass(frozen=True)
class StudyRow:
    """One line of the studies list."""

    id: int
    title: str
    status: str
    sorts: int
    right: str


def rows_for(db: Session, user: StaffUser) -> list[StudyRow]:
    """The studies ``user`` has a right on (every study for an admin), with their sort counts."""
    counts = store.sort_counts(db)
    pairs = store.studies_of(db, None if user.role == "admin" else user.id)
    return [
        StudyRow(s.id, s.title, s.status, counts.get(s.id, 0), right)
        for s, right in pairs
        if s.id is not None
    ]


def set_status(db: Session, user: StaffUser, study_id: int, status: str) -> Study:
    """Open or close the study to participants (the editors' right)."""
    study = access.study_for(db, user, study_id, "edit")
    if status not in ("open", "closed"):
        raise InvalidInputError(f"expected open or closed, found {status!r}")
    problems = designer.open_problems(db, study) if status == "open" else []
    if problems:
        raise InvalidInputError("the study cannot open yet: " + "; ".join(problems))
    designer.set_open(db, study, status == "open")
    study.status = status
    study.updated_at = utcnow()
    db.add(study)
    audit.record(db, user, f"study_{'open' if status == 'open' else 'close'}", study_id=study_id)
    return study


def share(db: Session, user: StaffUser, study_id: int, email: str, right: str) -> None:
    """Give another account a right on the study (the owner's right)."""
    access.study_for(db, user, study_id, "own")
    if right not in SHARE_RIGHTS:
        raise InvalidInputError(f"expected one of {', '.join(SHARE_RIGHTS)}, found {right!r}")
    other = store.user_by_email(db, email)
    if other is None or other.id is None:
        raise InvalidInputError(f"no account for {email.strip().lower()}")
    if other.role not in SHARE_RIGHTS[right]:
        raise InvalidInputError(f"a {other.role} account cannot be given the {right} right")
    if other.id == user.id:
        raise InvalidInputError("you cannot change your own right on a study")
    store.grant(db, study_id, other.id, right)
    audit.record(db, user, "study_share", study_id=study_id, detail=f"{other.email} as {right}")
