"""Limits that keep one app process answering clearly under load and under hostile requests.

One ASGI middleware, installed by :func:`install_limits`, applies three rules before any route
runs:

- **Body size.** A body declared larger than the path's limit is refused with 413 before a byte
  of it is read; a body sent without a length is read up to the limit and refused as soon as it
  passes it. Participant paths (``/api/``, ``/j/``, ``/join``) allow
  ``Settings.max_body_bytes``; every other path (staff uploads) ``Settings.max_upload_bytes``.
- **Load shedding.** At most ``Settings.max_concurrent`` requests are worked on at once: the same
  number as the connections in the database pool, so a request never waits for a connection. A
  request that finds every place taken waits up to ``Settings.queue_wait`` seconds, then gets
  503 with ``Retry-After``; the participant's page retries by itself and keeps the work. Pages
  and forms may hold only half of the places, so a burst of joins leaves room for the autosaves
  of those already sorting. Static
  files and the health check are never held back, and a live view's event stream (``Accept:
  text/event-stream``, open for as long as the facilitator watches) takes no place.
- **Join rate.** Checking a join code and accepting a consent are limited per client address
  with a token bucket (``Settings.join_burst`` at once, ``Settings.join_per_minute`` after that),
  answered 429 with ``Retry-After``. The buckets live in the process, not in the database: the
  check costs no database write (so it cannot itself become the load it guards against), and with
  N processes an address gets at most N times the limit, which still stops guessing join codes
  in bulk. Behind a reverse proxy the address is the proxy's ``X-Forwarded-For`` (see
  ``qsort serve --forwarded-allow-ips``).
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI, Request

from app.errorpages import render_error
from app.i18n import Catalogue
from app.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PARTICIPANT_PREFIXES = ("/api/", "/j/", "/join")
UNLIMITED_PREFIXES = ("/static/", "/healthz", "/sw.js")
JOIN_PATH = re.compile(r"^/(join|j/[^/]+/consent)$")
#: Waiting requests beyond this many per place are answered 503 at once rather than queued (a
#: room joining at once queues for up to ``queue_wait`` seconds instead of retrying).
QUEUE_PER_PLACE = 32
#: Seconds a shed request is told to wait before retrying.
RETRY_AFTER_BUSY = 2
#: Addresses remembered by the join limiter (the oldest are forgotten first).
MAX_TRACKED_ADDRESSES = 50_000


class TokenBuckets:
    """Per-key token buckets: ``burst`` tokens at most, refilled at ``per_minute`` a minute."""

    def __init__(self, burst: int, per_minute: int) -> None:
        self.burst = float(burst)
        self.rate = per_minute / 60.0
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, now: float | None = None) -> float:
        """Take one token for ``key``: 0 when allowed, else the seconds until one is free."""
        now = time.monotonic() if now is None else now
        tokens, then = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1 - tokens) / self.rate
        while len(self._buckets) > MAX_TRACKED_ADDRESSES:
            self._buckets.popitem(last=False)
        return wait


class LimitsMiddleware:
    """The three rules of this module, as one ASGI middleware."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.joins = TokenBuckets(settings.join_burst, settings.join_per_minute)
        self.places = asyncio.Semaphore(settings.max_concurrent)
        self.pages = asyncio.Semaphore(max(1, settings.max_concurrent // 2))
        self.waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(UNLIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        refusal = self._join_refusal(scope, path)
        if refusal is None:
            receive, refusal = await self._bounded_body(scope, receive, path)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if is_event_stream(scope):  # a live view holds its connection open: it takes no place
            await self.app(scope, receive, send)
            return
        await self._in_a_place(scope, receive, send)

    def _join_refusal(self, scope: Scope, path: str) -> Any:
        if scope["method"] != "POST" or not JOIN_PATH.match(path):
            return None
        client = scope.get("client") or ("unknown", 0)
        wait = self.joins.take(str(client[0]))
        if wait <= 0:
            return None
        return refusal(
            scope, 429, "error.too_many_joins", {"error": "too_many_joins"}, math.ceil(wait)
        )

    async def _bounded_body(self, scope: Scope, receive: Receive, path: str) -> tuple[Receive, Any]:
        """Refuse a body over the path's limit; buffer one that comes without a length."""
        limit = body_limit(self.settings, path)
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > limit:
                return receive, too_large(scope, limit)
            return receive, None
        if b"chunked" not in headers.get(b"transfer-encoding", b""):
            return receive, None
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return receive, too_large(scope, limit)  # the client went away
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return receive, too_large(scope, limit)
            more = bool(message.get("more_body", False))
        return replay(b"".join(chunks), receive), None

    async def _in_a_place(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request in one of the places, or answer 503 when none frees up in time.

        Pages and forms (everything but ``/api/``) hold at most half of the places, so a room's
        joins and sort pages never keep the autosaves of those already sorting waiting.
        """
        deadline = time.monotonic() + self.settings.queue_wait
        lane = None if scope["path"].startswith("/api/") else self.pages
        if lane is not None and not await self._take(lane, deadline):
            await busy(scope)(scope, receive, send)
            return
        try:
            if not await self._take(self.places, deadline):
                await busy(scope)(scope, receive, send)
                return
            try:
                await self.app(scope, receive, send)
            finally:
                self.places.release()
        finally:
            if lane is not None:
                lane.release()

    async def _take(self, semaphore: asyncio.Semaphore, deadline: float) -> bool:
        """Take a place of ``semaphore``, queueing until ``deadline``; False when refused."""
        if not semaphore.locked():
            await semaphore.acquire()  # a free place: taken at once, no timer needed
            return True
        if self.waiting >= QUEUE_PER_PLACE * self.settings.max_concurrent:
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(semaphore.acquire(), timeout=deadline - time.monotonic())
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1
        return True


def is_event_stream(scope: Scope) -> bool:
    """Whether the request asks for server-sent events (``Accept: text/event-stream``)."""
    accept = dict(scope["headers"]).get(b"accept", b"")
    return b"text/event-stream" in accept


def body_limit(settings: Settings, path: str) -> int:
    """The largest body accepted on ``path``."""
    if path.startswith(PARTICIPANT_PREFIXES):
        return settings.max_body_bytes
    return settings.max_upload_bytes


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app ``body`` once, then listens to the client again."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again


def refusal(scope: Scope, status: int, key: str, body: dict[str, Any], retry_after: int) -> Any:
    """The error page (or JSON on ``/api/``) for a refused request; ``Retry-After`` if above 0."""
    message = Catalogue()(key, **{k: v for k, v in body.items() if k != "error"})
    response = render_error(Request(scope), status, message, body)
    if retry_after > 0:
        response.headers["Retry-After"] = str(retry_after)
    return response


def too_large(scope: Scope, limit: int) -> Any:
    """413: the body is over ``limit`` bytes; the connection is closed, its body never read."""
    response = refusal(scope, 413, "error.too_large", {"error": "too_large", "limit": limit}, 0)
    response.headers["Connection"] = "close"
    return response


def busy(scope: Scope) -> Any:
    """503: every place is taken; come back in a moment."""
    return refusal(scope, 503, "error.busy", {"error": "busy"}, RETRY_AFTER_BUSY)


def install_limits(app: FastAPI, settings: Settings) -> None:
    """Add the middleware to ``app`` (call before any middleware that must see its answers)."""
    app.add_middleware(LimitsMiddleware, settings=settings)
