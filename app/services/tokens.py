"""Participant tokens: random secrets handed to the device; only their hash is stored."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh unguessable token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The SHA-256 hex digest stored in place of the token (a leaked table opens nothing)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: Digits in a resume code: short enough to copy from the screen and type back on a tablet.
RESUME_DIGITS = 6


def new_public_id() -> str:
    """A random id for pages and the device's storage (the row id would reveal join order)."""
    return secrets.token_urlsafe(12)


def resume_code(token: str) -> str:
    """The participant's resume code, derived from their token (so it needs no storage).

    Only the device holding the token can show it; knowing it opens nothing without the token.
    """
    digest = hashlib.sha256(b"qsort-resume:" + token.encode("utf-8")).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**RESUME_DIGITS).zfill(RESUME_DIGITS)


def hash_resume_code(public_id: str, code: str) -> str:
    """The stored form of a resume code (salted with the participant's public id)."""
    return hashlib.sha256(f"{public_id}:{code}".encode()).hexdigest()
