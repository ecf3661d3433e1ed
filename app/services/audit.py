"""The append-only audit record: who did what to which study and participant, and when.

Every staff action calls :func:`record` inside its own transaction, so the line is written if and
only if the action is. A line names the actor, the action (one of :data:`ACTIONS`), the study,
the participant's label and a short detail; it never holds what a participant answered.
"""

from __future__ import annotations

from sqlmodel import Session

from app import store
from app.models import AuditEvent, StaffUser

ACTIONS = frozenset(
    {
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "user_create",
        "user_disable",
        "user_enable",
        "password_reset",
        "study_create",
        "study_edit",
        "study_open",
        "study_close",
        "study_share",
        "study_import",
        "study_export",
        "sorts_import",
        "sort_exclude",
        "sort_include",
        "withdraw",
        "data_export",
        "data_download",
        "analyse",
        "session_open",
        "session_close",
        "session_reopen",
        "paper_entry",
        "tablet_clear",
    }
)


def record(
    db: Session,
    actor: StaffUser | None,
    action: str,
    *,
    study_id: int | None = None,
    participant: str = "",
    detail: str = "",
    address: str = "",
) -> None:
    """Append one line (flushed with the caller's transaction, never on its own)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; expected one of {sorted(ACTIONS)}")
    event = AuditEvent(
        user_id=None if actor is None else actor.id,
        actor="" if actor is None else actor.email,
        action=action,
        study_id=study_id,
        participant=participant[:16],
        detail=detail[:500],
        address=address[:64],
    )
    store.add_audit_event(db, event)
