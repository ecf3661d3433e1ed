"""The facilitator's live board: the state of a session, read from the database.

For each participant of a session: their label and seat, the step they are on, how many cards
they have placed, since when they are on that step, whether they are waiting for help, and when
they finished. Everything comes from the database (drafts, help requests, timestamps), so any
app process answers alike and a board that reconnects to another process sees the same state.

:func:`board_state` gathers it, :func:`board_payload` makes it JSON-ready, and
:func:`board_events` streams it as server-sent events: it polls the database, sends an event only
when something changed, names each event by a digest of its content (so a browser that
reconnects with ``Last-Event-ID`` is sent nothing it already has) and keeps idle connections
alive with comments. Time on the step is not in the digest: the page counts it up from
``since`` and the server's ``now``, so a quiet board sends nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Draft, HelpRequest, PaperEntry, Participant, SortSession, Statement, utcnow
from app.services.group_sessions import cards_placed, get_session
from app.services.seats import seat_count, seat_name

#: The steps a device reports (``state["stage"]``), in the order a participant meets them.
DEVICE_STEPS = ("instructions", "presort", "sort", "postsort", "survey")
#: Every step the board shows: before the first save, the device's steps, and the end states.
STEPS = ("joined", *DEVICE_STEPS, "paper_entry", "finished", "cleared")

RETRY_MS = 3000
POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Row:
    """One participant on the board (no name: a label, and the seat they joined at)."""

    participant_id: int
    label: str
    seat: int | None
    seat_name: str
    step: str
    cards_placed: int
    cards_total: int
    since: datetime | None
    finished_at: datetime | None
    help_id: int | None
    help_since: datetime | None


@dataclass(frozen=True)
class Board:
    """A session's board: the session's facts and one row per participant."""

    session_id: int
    code: str
    group_label: str
    is_open: bool
    seats: int
    rows: tuple[Row, ...]
    now: datetime

    @property
    def finished(self) -> int:
        """How many have finished."""
        return sum(r.step == "finished" for r in self.rows)

    @property
    def waiting_for_help(self) -> int:
        """How many are waiting for help."""
        return sum(r.help_id is not None for r in self.rows)


def as_utc(when: datetime | None) -> datetime | None:
    """A stored time as timezone-aware UTC (SQLite hands back naive UTC times)."""
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def board_state(db: Session, session_id: int) -> Board:
    """The board of one session, read in a few queries (no per-participant round trips)."""
    session = get_session(db, session_id)
    query = (
        select(Participant, Draft)
        .join(Draft, col(Draft.participant_id) == col(Participant.id), isouter=True)
        .where(Participant.session_id == session_id)
    )
    pairs = list(db.exec(query))
    totals = _card_totals(db, {p.qset_id for p, _ in pairs})
    helps = _open_help(db, session_id)
    paper = _paper_pending(db, session_id)
    rows = [
        _row(session, p, d, totals.get(p.qset_id, 0), helps.get(_pid(p)), _pid(p) in paper)
        for p, d in pairs
    ]
    rows.sort(key=lambda r: (r.seat is None, r.seat or 0, r.label))
    return Board(
        session_id=session_id,
        code=session.code,
        group_label=session.group_label,
        is_open=session.is_open,
        seats=seat_count(session),
        rows=tuple(rows),
        now=utcnow(),
    )


def _pid(participant: Participant) -> int:
    assert participant.id is not None
    return participant.id


def _card_totals(db: Session, qset_ids: set[int]) -> dict[int, int]:
    if not qset_ids:
        return {}
    query = (
        select(Statement.qset_id, func.count())
        .where(col(Statement.qset_id).in_(qset_ids))
        .group_by(col(Statement.qset_id))
    )
    return {qset_id: count for qset_id, count in db.exec(query)}


def _open_help(db: Session, session_id: int) -> dict[int, HelpRequest]:
    """The oldest unanswered request of each participant in the session."""
    query = select(HelpRequest).where(
        HelpRequest.session_id == session_id, col(HelpRequest.answered_at).is_(None)
    )
    found: dict[int, HelpRequest] = {}
    for request in db.exec(query.order_by(col(HelpRequest.id).desc())):
        found[request.participant_id] = request
    return found


def _paper_pending(db: Session, session_id: int) -> set[int]:
    """Participants whose paper sort is being typed in and not yet recorded."""
    query = select(PaperEntry.participant_id).where(
        PaperEntry.session_id == session_id, col(PaperEntry.qsort_id).is_(None)
    )
    return set(db.exec(query))


def _row(
    session: SortSession,
    participant: Participant,
    draft: Draft | None,
    total: int,
    help_request: HelpRequest | None,
    paper_pending: bool,
) -> Row:
    step, since = _step(participant, draft, paper_pending)
    done = participant.sorted_at is not None
    placed = total if done else cards_placed(draft.state if draft is not None else {})
    return Row(
        participant_id=_pid(participant),
        label=participant.label,
        seat=participant.seat,
        seat_name=seat_name(session, participant.seat),
        step=step,
        cards_placed=placed,
        cards_total=total,
        since=as_utc(since),
        finished_at=as_utc(participant.finished_at),
        help_id=help_request.id if help_request is not None and step not in _ENDED else None,
        help_since=as_utc(help_request.created_at) if help_request and step not in _ENDED else None,
    )


_ENDED = ("finished", "cleared")


def _step(
    participant: Participant, draft: Draft | None, paper_pending: bool
) -> tuple[str, datetime | None]:
    """The step a participant is on and since when."""
    if participant.finished_at is not None:
        return "finished", participant.finished_at
    if participant.revoked_at is not None:
        return "cleared", participant.revoked_at
    if paper_pending:
        return "paper_entry", participant.consented_at
    stage = draft.stage if draft is not None else ""
    since = draft.stage_since if draft is not None else None
    if participant.sorted_at is not None and stage not in ("postsort", "survey"):
        return "postsort", participant.sorted_at
    if stage in DEVICE_STEPS:
        return stage, since or participant.consented_at
    return "joined", participant.consented_at


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def board_payload(board: Board) -> dict[str, Any]:
    """The board as JSON-ready data (times as ISO 8601 UTC strings)."""
    rows = []
    for row in board.rows:
        item = asdict(row)
        for key in ("since", "finished_at", "help_since"):
            item[key] = _iso(item[key])
        rows.append(item)
    return {
        "session": {
            "id": board.session_id,
            "code": board.code,
            "group_label": board.group_label,
            "is_open": board.is_open,
            "seats": board.seats,
        },
        "counts": {
            "joined": len(board.rows),
            "finished": board.finished,
            "help": board.waiting_for_help,
        },
        "rows": rows,
        "now": _iso(board.now),
    }


def board_version(payload: dict[str, Any]) -> str:
    """A short digest of the payload without ``now``: the same board gives the same id."""
    content = {k: v for k, v in payload.items() if k != "now"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def sse_event(payload: dict[str, Any], event_id: str) -> str:
    """One server-sent event named ``board`` carrying the payload."""
    data = json.dumps(payload, separators=(",", ":"))
    return f"id: {event_id}\nevent: board\ndata: {data}\n\n"


async def board_events(
    load: Callable[[], dict[str, Any]],
    *,
    last_event_id: str | None = None,
    poll_seconds: float = POLL_SECONDS,
    keepalive_seconds: float = KEEPALIVE_SECONDS,
    disconnected: Callable[[], Awaitable[bool]] | None = None,
) -> AsyncIterator[str]:
    """Server-sent events of a board: a ``retry`` hint, then an event whenever it changes.

    ``load`` reads the payload (for example ``board_payload(board_state(db, id))`` on a fresh
    database session); it runs in a worker thread so the event loop never waits on the
    database. ``last_event_id`` is the browser's ``Last-Event-ID`` after a reconnection: if the
    board has not changed since, nothing is resent. Between changes a comment line is sent
    every ``keepalive_seconds`` so proxies keep the connection open. The stream ends when
    ``disconnected`` says the client has gone.
    """
    yield f"retry: {RETRY_MS}\n\n"
    sent = last_event_id
    idle = 0.0
    while disconnected is None or not await disconnected():
        payload = await anyio.to_thread.run_sync(load)
        version = board_version(payload)
        if version != sent:
            yield sse_event(payload, version)
            sent, idle = version, 0.0
        elif idle >= keepalive_seconds:
            yield ": keepalive\n\n"
            idle = 0.0
        await anyio.sleep(poll_seconds)
        idle += poll_seconds
