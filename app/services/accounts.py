"""Staff accounts: create, sign in, sign out, disable, reset a password.

Every operation writes its line in the audit record in the same transaction. E-mail addresses
are kept in lower case; passwords only as Argon2id hashes (:mod:`app.security`).
"""

from __future__ import annotations

import re

from sqlmodel import Session

from app import store
from app.errors import ForbiddenError, InvalidInputError
from app.models import ROLES, StaffUser, utcnow
from app.security import (
    check_sign_in_allowed,
    dummy_hash,
    failure_keys,
    hash_password,
    needs_rehash,
    record_failure,
    verify_password,
)
from app.services import audit

MIN_PASSWORD_LENGTH = 10
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+$")


def check_password_rules(password: str) -> None:
    """Refuse a password that is too short to be safe."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters; "
            f"this one has {len(password)}"
        )


def create_user(
    db: Session, actor: StaffUser | None, email: str, role: str, password: str
) -> StaffUser:
    """Make an account (``actor`` None when made from the command line)."""
    email = email.strip().lower()
    if not EMAIL_PATTERN.match(email):
        raise InvalidInputError(f"expected an e-mail address such as name@example.org: {email!r}")
    if role not in ROLES:
        raise InvalidInputError(f"expected a role among {', '.join(ROLES)}, found {role!r}")
    if store.user_by_email(db, email) is not None:
        raise InvalidInputError(f"an account for {email} exists already")
    check_password_rules(password)
    user = store.add_user(db, email, hash_password(password), role)
    audit.record(db, actor, "user_create", detail=f"{email} as {role}")
    return user


def sign_in(db: Session, email: str, password: str, address: str) -> StaffUser | None:
    """The account if ``password`` is right and it is enabled; None otherwise.

    Refused outright (:class:`app.errors.TooManyAttemptsError`) while the account or the address
    is over the rate limit. A failure counts against both; the same hashing work is done
    whether or not the account exists.
    """
    email = email.strip().lower()
    check_sign_in_allowed(db, email, address)
    user = store.user_by_email(db, email)
    valid = verify_password(user.password_hash if user else dummy_hash(), password)
    if user is None or not valid or user.disabled_at is not None:
        record_failure(db, email, address)
        audit.record(db, user, "sign_in_failed", detail=email, address=address)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    store.forget_failures(db, failure_keys(email, address)[0])
    audit.record(db, user, "sign_in", address=address)
    return user


def sign_out(db: Session, user: StaffUser) -> None:
    """End every session of the account (its cookies stop working everywhere)."""
    user.session_epoch += 1
    db.add(user)
    audit.record(db, user, "sign_out")


def set_disabled(db: Session, actor: StaffUser | None, user: StaffUser, disabled: bool) -> None:
    """Disable an account (its sessions end at once) or enable it again."""
    if actor is not None and actor.id == user.id and disabled:
        raise ForbiddenError("an admin cannot disable their own account")
    user.disabled_at = utcnow() if disabled else None
    user.session_epoch += 1
    db.add(user)
    action = "user_disable" if disabled else "user_enable"
    audit.record(db, actor, action, detail=user.email)


def reset_password(db: Session, actor: StaffUser | None, user: StaffUser, password: str) -> None:
    """Give the account a new password; every session it had ends."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    db.add(user)
    audit.record(db, actor, "password_reset", detail=user.email)


def find_user(db: Session, email: str) -> StaffUser:
    """The account with this address, or a message saying there is none."""
    user = store.user_by_email(db, email)
    if user is None:
        raise InvalidInputError(f"no account for {email.strip().lower()}")
    return user
