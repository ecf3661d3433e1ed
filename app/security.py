"""Web security in one place: headers, session cookies, CSRF, passwords, sign-in rate limits.

- Every response (participant pages, staff pages, static files, errors) carries a
  Content-Security-Policy that allows only the app's own scripts and style sheets (no inline
  script, no ``style="..."`` attributes), ``frame-ancestors 'none'``, ``nosniff`` and a
  same-origin Referrer-Policy (:class:`SecurityHeaders`).
- A staff session is a cookie signed with the app's secret key (itsdangerous), HttpOnly,
  SameSite=Lax, and Secure when ``QSORT_SECURE_COOKIES=1`` or the request came over HTTPS. It
  holds the user id and the account's ``session_epoch``, so raising the epoch ends every session.
- CSRF: a random value in its own signed cookie; forms carry an HMAC of it (``csrf_token``) and
  every state-changing staff request must bring it back, and come from this site's own origin.
- Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second recommendation).
- Failed sign-ins are rows in the database, counted per account and per address over a window,
  so that several app processes enforce one limit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import store
from app.errors import CsrfError, TooManyAttemptsError
from app.models import utcnow

SESSION_COOKIE = "qsort_staff"
SESSION_MAX_AGE = 12 * 3600
CSRF_COOKIE = "qsort_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)

FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20

_hasher = PasswordHasher()


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response's start message."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ---- passwords -------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted; the parameters are stored in the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash`` (False for a malformed hash too)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


@cache
def dummy_hash() -> str:
    """A hash to verify against when the account does not exist, so that both cases take the
    same time (made on first use, not at import)."""
    return hash_password(secrets.token_urlsafe(16))


# ---- session cookie --------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSession:
    """What a valid session cookie says: whose it is and under which epoch it was issued."""

    user_id: int
    epoch: int


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def secure_request(request: Request, secure_cookies: bool) -> bool:
    """Whether cookies must be Secure: forced by the setting, or the request came over HTTPS."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return secure_cookies or request.url.scheme == "https" or forwarded == "https"


def issue_session(
    response: Response, request: Request, secret_key: str, secure: bool, user_id: int, epoch: int
) -> None:
    """Set the signed session cookie for ``user_id`` on ``response``."""
    value = _serializer(secret_key, "staff-session").dumps({"u": user_id, "e": epoch})
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=secure_request(request, secure),
        path="/",
    )


def read_session(request: Request, secret_key: str) -> StaffSession | None:
    """The session the request's cookie carries, or None when absent, forged or expired."""
    raw = request.cookies.get(SESSION_COOKIE, "")
    if not raw:
        return None
    try:
        data: Any = _serializer(secret_key, "staff-session").loads(raw, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    epoch = data.get("e")
    return StaffSession(user_id=data["u"], epoch=epoch if isinstance(epoch, int) else -1)


def end_session(response: Response) -> None:
    """Remove the session cookie from the browser."""
    response.delete_cookie(SESSION_COOKIE, path="/")


# ---- CSRF ------------------------------------------------------------------------------------


def csrf_seed(request: Request) -> str:
    """The request's CSRF seed: from its cookie, or a fresh one (set by :func:`keep_csrf_seed`)."""
    seed = getattr(request.state, "csrf_seed", None)
    if isinstance(seed, str):
        return seed
    seed = request.cookies.get(CSRF_COOKIE, "")
    if len(seed) < 32:
        seed = secrets.token_urlsafe(32)
        request.state.csrf_new = True
    request.state.csrf_seed = seed
    return seed


def csrf_token(request: Request, secret_key: str) -> str:
    """The token forms carry: an HMAC of the seed under the secret key."""
    seed = csrf_seed(request)
    return hmac.new(secret_key.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def keep_csrf_seed(request: Request, response: Response, secure: bool) -> None:
    """Store a newly made seed in its cookie so the next request can be checked against it."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(
            CSRF_COOKIE,
            csrf_seed(request),
            httponly=True,
            samesite="strict",
            secure=secure_request(request, secure),
            path="/",
        )


def same_origin(request: Request, allow_missing: bool = True) -> bool:
    """Whether the request's Origin (or Referer) names this very host.

    Browsers send Origin on every state-changing request; a client without one (a script, a
    test) passes when ``allow_missing``. The ``null`` origin never passes.
    """
    origin = request.headers.get("origin") or request.headers.get("referer") or ""
    if not origin:
        return allow_missing
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


async def check_csrf(request: Request, secret_key: str) -> None:
    """Refuse a state-changing request without this browser's token or from another origin."""
    if request.method not in UNSAFE_METHODS:
        return
    if not same_origin(request):
        raise CsrfError("the request did not come from this site")
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    if not request.cookies.get(CSRF_COOKIE) or not hmac.compare_digest(
        sent, csrf_token(request, secret_key)
    ):
        raise CsrfError("the form's security token is missing or out of date")


# ---- sign-in rate limit ----------------------------------------------------------------------


def failure_keys(email: str, address: str) -> tuple[str, str]:
    """The rate limit's two keys for a sign-in: the account and the client's address."""
    return f"account:{email.strip().lower()}", f"address:{address}"


def check_sign_in_allowed(db: Session, email: str, address: str) -> None:
    """Refuse a sign-in when the account or the address failed too often within the window."""
    since = utcnow() - FAILURE_WINDOW
    account, place = failure_keys(email, address)
    if store.count_failures(db, account, since) >= MAX_FAILURES_PER_ACCOUNT:
        raise TooManyAttemptsError("too many failed sign-ins for this account")
    if store.count_failures(db, place, since) >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttemptsError("too many failed sign-ins from this address")


def record_failure(db: Session, email: str, address: str) -> None:
    """Count one failed sign-in against the account and the address (old rows are dropped)."""
    store.forget_failures_before(db, utcnow() - FAILURE_WINDOW)
    for key in failure_keys(email, address):
        store.add_failure(db, key)
