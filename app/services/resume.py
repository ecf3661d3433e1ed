"""Resuming on a shared tablet: after the study's idle limit, the participant's code is asked.

A participant is *active* when their device saves work or they type their resume code
(``Participant.active_at``). Within the study's limit (``Study.idle_minutes``, 10 by default) the
device continues as before; past it, the sort page shows nothing of the sort until the resume
code (shown to the participant at the start and on the sort page) is typed. A wrong code reveals
nothing; from the third wrong code in a row each try must wait longer (5 s, 10 s, 20 s, ... up
to 5 minutes), counted on the participant's row so that no device can try faster.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from sqlmodel import Session

from app.errors import AppError
from app.models import Participant, Study, utcnow
from app.services.tokens import RESUME_DIGITS, hash_resume_code

FREE_TRIES = 2
FIRST_WAIT_S = 5
MAX_WAIT_S = 300


class WrongResumeCodeError(AppError):
    """The code typed is not the participant's."""

    status = 422
    code = "wrong_resume_code"
    message_key = "resume.wrong"


class ResumeWaitError(AppError):
    """Too many wrong codes: the next try must wait (``retry_after`` seconds)."""

    status = 429
    code = "resume_wait"
    message_key = "resume.too_many"


def _aware(when: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=utcnow().tzinfo)


def needs_code(participant: Participant, study: Study, now: datetime | None = None) -> bool:
    """True when the device was idle longer than the study's limit (and a code exists)."""
    if participant.resume_hash is None:
        return False
    idle = (now or utcnow()) - _aware(participant.active_at)
    return idle > timedelta(minutes=max(study.idle_minutes, 1))


def wait_seconds(participant: Participant, now: datetime | None = None) -> int:
    """Seconds before another code may be tried (0 when a try is allowed now)."""
    if participant.resume_wait_until is None:
        return 0
    left = (_aware(participant.resume_wait_until) - (now or utcnow())).total_seconds()
    return max(0, int(left + 0.999))


def clean_code(typed: str) -> str:
    """The digits of what was typed (spaces and dashes as shown on screen are ignored)."""
    return "".join(ch for ch in typed if ch.isdigit())[: RESUME_DIGITS * 2]


def check_code(db: Session, participant: Participant, typed: str) -> None:
    """Accept the right code (the participant is active again) or count a wrong one; commit."""
    now = utcnow()
    wait = wait_seconds(participant, now)
    if wait:
        raise ResumeWaitError("wait before trying again", extra={"retry_after": wait})
    assert participant.resume_hash is not None
    expected = participant.resume_hash
    given = hash_resume_code(participant.public_id, clean_code(typed))
    if hmac.compare_digest(given, expected):
        participant.resume_failures = 0
        participant.resume_wait_until = None
        participant.active_at = now
        db.add(participant)
        db.commit()
        return
    participant.resume_failures += 1
    extra: dict[str, object] = {}
    if participant.resume_failures > FREE_TRIES:
        delay = min(FIRST_WAIT_S * 2 ** (participant.resume_failures - FREE_TRIES - 1), MAX_WAIT_S)
        participant.resume_wait_until = now + timedelta(seconds=delay)
        extra["retry_after"] = delay
    db.add(participant)
    db.commit()
    raise WrongResumeCodeError("wrong resume code", extra=extra)


class ResumeRequiredError(AppError):
    """The device was idle past the study's limit: the resume code must be typed first."""

    status = 423
    code = "resume_required"
    message_key = "resume.required"
