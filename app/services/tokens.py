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
