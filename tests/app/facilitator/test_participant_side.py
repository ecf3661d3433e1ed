"""The participant's side of a focus group: seat links, the help button, a cleared tablet."""

from __future__ import annotations

from html.parser import HTMLParser

from sqlmodel import Session, select

from app.models import HelpRequest, Participant, SortSession
from app.services import help_requests
from app.services.board import board_state
from app.services.tablets import clear_participant

from .conftest import Device, join_session, save_draft


class _Attrs(HTMLParser):
    """The attributes of every element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.by_id[str(found["id"])] = found


def _ids(html: str) -> dict[str, dict[str, str | None]]:
    parser = _Attrs()
    parser.feed(html)
    return parser.by_id


def _people(db: Session, session_id: int) -> list[Participant]:
    query = select(Participant).where(Participant.session_id == session_id)
    return list(db.exec(query.order_by(Participant.id)))  # type: ignore[arg-type]


def test_a_seat_link_binds_the_tablet_for_everyone_who_joins_on_it(
    db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    tablet, other = device(), device()
    page = tablet.get(f"/j/{group.code}?seat=2")
    assert page.status_code == 200
    assert tablet.cookies.get("qsort_seat") == f"{group.code}:2"
    join_session(tablet, group.code)
    join_session(other, group.code)  # a device without a seat link has no seat
    first, _ = _people(db, group.id)
    assert clear_participant(db, group.id, first.id or 0).outcome == "cleared"
    join_session(tablet, group.code)  # the next person on the same tablet
    assert [(p.seat, p.revoked_at is not None) for p in _people(db, group.id)] == [
        (2, True),
        (None, False),
        (2, False),
    ]
    rows = {row.label: row.seat_name for row in board_state(db, group.id).rows}
    assert sorted(rows.values(), key=str) == ["", "Tablet 2", "Tablet 2"]


def test_a_seat_the_session_lacks_or_another_sessions_seat_is_ignored(
    db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    tablet = device()
    tablet.get(f"/j/{group.code}?seat=9")  # the session has three seats
    assert tablet.cookies.get("qsort_seat") is None
    tablet.cookies.set("qsort_seat", "OTHER1:1")
    join_session(tablet, group.code)
    assert [p.seat for p in _people(db, group.id)] == [None]


def test_the_help_button_asks_once_and_learns_when_answered(
    db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    tablet = device()
    config = join_session(tablet, group.code)
    assert config["participant"] is not None
    page = _ids(tablet.get("/p").text)
    assert page["help-btn"]["data-url"] == "/api/help"
    assert tablet.get("/api/help").json() == {"waiting": False}
    assert tablet.post("/api/help", json={}).json() == {"waiting": True}
    assert tablet.post("/api/help", json={}).json() == {"waiting": True}  # a double tap
    requests = db.exec(select(HelpRequest)).all()
    assert len(requests) == 1
    assert [r.help_id is not None for r in board_state(db, group.id).rows] == [True]
    help_requests.answer(db, group.id, requests[0].id or 0, by=1)
    assert tablet.get("/api/help").json() == {"waiting": False}


def test_help_is_refused_without_a_participant(device: Device) -> None:
    stranger = device()
    assert stranger.post("/api/help", json={}).status_code == 401
    assert stranger.get("/api/help").status_code == 401


def test_a_cleared_tablet_is_told_to_wipe_its_copy_and_a_fresh_one_is_not(
    db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    fresh = device()
    assert "data-wipe" not in _ids(fresh.get("/").text)["start"]
    tablet = device()
    join_session(tablet, group.code)
    save_draft(tablet, 0, {"stage": "sort", "grid": {"1": [4, 0]}, "changedAt": 5})
    assert "data-wipe" not in _ids(tablet.get("/").text)["start"]  # still theirs: keep it
    (person,) = _people(db, group.id)
    clear_participant(db, group.id, person.id or 0)
    assert tablet.post("/api/help", json={}).status_code == 401
    redirect = tablet.get("/p")  # the sort page sends a refused token to a wiping start
    assert redirect.status_code == 303 and redirect.headers["location"] == "/?cleared=1"
    start = tablet.get(redirect.headers["location"])
    assert _ids(start.text)["start"].get("data-wipe") == "1"
    assert "ready for the next person" in start.text


def test_the_start_page_wipes_when_a_refused_token_arrives_after_a_401(
    db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    tablet = device()
    join_session(tablet, group.code)
    (person,) = _people(db, group.id)
    clear_participant(db, group.id, person.id or 0)
    assert tablet.put("/api/draft", json={"revision": 0, "state": {}}).status_code == 401
    start = tablet.get("/")  # where the page goes after a 401, the cookie still sent
    assert _ids(start.text)["start"].get("data-wipe") == "1"
    assert "qsort_token" not in tablet.cookies
