"""Seats of a focus group's session: how many, their names, and binding a tablet to one.

A session may expect a number of seats and name some of them ("Tablet 1", "Tablet 2"). A
tablet is bound to its seat by opening the seat's join link once (``/j/CODE?seat=2``); the
participant who then joins on it is recorded with that seat, so the facilitator's board shows
who sits where and can clear that tablet for the next person. Seats are numbered from 1.
"""

from __future__ import annotations

from app.models import SortSession

#: The most seats one session may have (a large group room; the board stays readable).
MAX_SEATS = 60
MAX_SEAT_NAME = 40


def seat_count(session: SortSession) -> int:
    """How many seats the session has: the expected number, or more if more are named."""
    return max(session.seats or 0, len(session.seat_names))


def seat_name(session: SortSession, seat: int | None) -> str:
    """The seat's own name, or ``""`` when it has none (pages then say "Seat N")."""
    if seat is None or not 1 <= seat <= len(session.seat_names):
        return ""
    return session.seat_names[seat - 1]


def seat_from_text(session: SortSession, text: str | None) -> int | None:
    """The seat number in ``text`` (a query value or a tablet's seat cookie), if the session has it.

    Anything else (empty, not a number, out of range) is ``None``: a wrong seat link must not
    stop anyone from joining; the board then shows the participant without a seat.
    """
    if not text or not text.strip().isdigit():
        return None
    seat = int(text.strip())
    return seat if 1 <= seat <= seat_count(session) else None


def join_link(base_url: str, code: str, seat: int | None = None) -> str:
    """The link a QR code carries: the session's consent page, with the seat for a tablet."""
    link = f"{base_url.rstrip('/')}/j/{code}"
    return link if seat is None else f"{link}?seat={seat}"
