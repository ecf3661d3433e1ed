"""The app's own exceptions: each carries an HTTP status, a stable code and a message key.

Routes and services raise these; :mod:`app.errorpages` turns them into a page or a JSON body in
one place. ``problems`` lists, for a refused sort, exactly what is wrong.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base class: ``status`` for HTTP, ``code`` for programs, ``message_key`` for people."""

    status = 400
    code = "bad_request"
    message_key = "error.bad_request"

    def __init__(
        self,
        detail: str = "",
        *,
        problems: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.problems = problems or []
        self.extra = extra or {}


class NotFoundError(AppError):
    """No such page, study or join code."""

    status = 404
    code = "not_found"
    message_key = "error.not_found"


class CodeNotFoundError(NotFoundError):
    """The join code matches no open session."""

    code = "code_not_found"
    message_key = "join.code_not_found"


class SessionClosedError(AppError):
    """The join code belongs to a session the facilitator has closed: late joins are refused."""

    status = 410
    code = "session_closed"
    message_key = "join.session_closed"


class NotJoinedError(AppError):
    """No valid participant token (never joined, or already finished)."""

    status = 401
    code = "not_joined"
    message_key = "error.not_joined"


class RevisionConflictError(AppError):
    """The draft changed since the client last saw it (``extra`` holds the current one)."""

    status = 409
    code = "revision_conflict"
    message_key = "error.revision_conflict"


class AlreadySubmittedError(AppError):
    """A different sort was already recorded for this participant."""

    status = 409
    code = "already_submitted"
    message_key = "error.already_submitted"


class KeyInUseError(AppError):
    """The submit key already names another participant's sort: the device must make a new key."""

    status = 409
    code = "key_in_use"
    message_key = "error.key_in_use"


class InvalidSubmissionError(AppError):
    """The submitted sort or answers do not fit the study: ``problems`` says what is wrong."""

    status = 422
    code = "invalid"
    message_key = "error.invalid"


class AnalysisError(AppError):
    """The chosen sorts or options cannot be analysed; ``detail`` says why, in plain words."""

    status = 422
    code = "analysis_refused"
    message_key = "error.analysis"


class RunNotDoneError(NotFoundError):
    """A file of a background run asked for before the run has finished; ``detail`` says so."""

    code = "run_not_done"


class RunChangedError(AppError):
    """A background run's file that needs the sorts or statements, which changed since the run;
    ``detail`` says what to do."""

    status = 409
    code = "run_changed"
    message_key = "error.bad_request"


class SignInRequiredError(AppError):
    """A staff page was asked for without a valid session (pages redirect to the sign-in)."""

    status = 401
    code = "sign_in_required"
    message_key = "error.sign_in_required"


class ForbiddenError(AppError):
    """The signed-in user has no right to this page or action."""

    status = 403
    code = "forbidden"
    message_key = "error.forbidden"


class CsrfError(AppError):
    """A state-changing request without this browser's token, or from another site."""

    status = 403
    code = "csrf"
    message_key = "error.csrf"


class TooManyAttemptsError(AppError):
    """Too many failed sign-ins for the account or from the address: wait and try again."""

    status = 429
    code = "too_many_attempts"
    message_key = "error.too_many_attempts"


class InvalidInputError(AppError):
    """A staff form or file that cannot be used as given: ``detail`` says what was expected."""

    status = 422
    code = "invalid_input"
    message_key = "error.invalid"
