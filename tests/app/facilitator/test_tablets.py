"""Clearing a shared tablet: the next person gets a clean start; nothing saved is touched."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.errors import NotFoundError, NotJoinedError
from app.models import Draft, HelpRequest, Participant, QSortRecord, SortEntry, SortSession
from app.services import help_requests, join
from app.services.board import board_state
from app.services.group_sessions import unfinished
from app.services.tablets import clear_participant, clear_seat

from .conftest import Device, finish, join_session, save_draft, submit_sort


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v or "" for k, v in attrs if k == "href"]


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _participant(db: Session, session_id: int) -> Participant:
    return db.exec(select(Participant).where(Participant.session_id == session_id)).one()


def test_a_cleared_tablet_shows_the_next_person_an_empty_start(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    tablet = device()
    join_session(tablet, group.code)
    state = {"stage": "sort", "grid": {"1": [4, 0], "5": [-4, 0]}, "changedAt": 5}
    save_draft(tablet, 0, state)
    assert "/p" in _links(tablet.get("/").text)  # "Continue where you left off" before clearing
    first = _participant(db, group.id)
    assert first.id is not None
    outcome = clear_participant(db, group.id, first.id, by=3)
    assert outcome.outcome == "cleared" and outcome.label == first.label
    start = tablet.get("/")
    assert start.status_code == 200 and "/p" not in _links(start.text)
    assert "Continue where you left off" not in start.text
    page = tablet.get("/p")
    assert page.status_code == 303 and page.headers["location"] == "/"
    assert tablet.get("/api/draft").status_code == 401
    assert tablet.put("/api/draft", json={"revision": 1, "state": {}}).status_code == 401
    # the draft is kept, untouched, and listed as unfinished and cleared
    draft = db.exec(select(Draft).where(Draft.participant_id == first.id)).one()
    db.refresh(draft)
    assert draft.state == state
    assert [(u.label, u.cleared, u.cards_placed) for u in unfinished(db, group.id)] == [
        (first.label, True, 2)
    ]
    # the next person joins on the same tablet and starts from nothing
    config = join_session(tablet, group.code)
    assert config["draft"] == {"revision": 0, "state": {}}
    assert config["participant"]["storageKey"] != f"demo-relapse-recovery:{first.id}"


def test_clearing_never_touches_a_saved_sort(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    tablet = device()
    config = join_session(tablet, group.code)
    submit_sort(tablet, config)
    participant = _participant(db, group.id)
    assert participant.id is not None
    record = db.exec(select(QSortRecord)).one()
    before = sorted((e.statement_id, e.value, e.row) for e in db.exec(select(SortEntry)))
    clear_participant(db, group.id, participant.id)
    assert db.exec(select(QSortRecord)).one() == record
    after = sorted((e.statement_id, e.value, e.row) for e in db.exec(select(SortEntry)))
    assert after == before and len(after) == 34
    assert board_state(db, group.id).rows[0].step == "cleared"


def test_a_finished_participant_has_nothing_to_clear(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    tablet = device()
    submit_sort(tablet, join_session(tablet, group.code))
    finish(tablet)
    participant = _participant(db, group.id)
    assert participant.id is not None
    assert clear_participant(db, group.id, participant.id).outcome == "already_finished"
    db.refresh(participant)
    assert participant.revoked_at is None and participant.finished_at is not None
    assert board_state(db, group.id).rows[0].step == "finished"


def test_clearing_twice_is_harmless_and_closes_help_requests(
    db: Session, group: SortSession
) -> None:
    assert group.id is not None
    participant = join.accept_consent(db, group.code, seat=1).participant
    help_requests.ask_for_help(db, participant)
    assert participant.id is not None
    assert clear_participant(db, group.id, participant.id).outcome == "cleared"
    assert clear_participant(db, group.id, participant.id).outcome == "already_cleared"
    assert db.exec(select(HelpRequest)).one().answered_at is not None
    with pytest.raises(NotJoinedError):  # a cleared person cannot ask again
        help_requests.ask_for_help(db, participant)


def test_clearing_a_seat_clears_only_that_tablet(db: Session, group: SortSession) -> None:
    assert group.id is not None
    on_two = join.accept_consent(db, group.code, seat=2).participant
    on_three = join.accept_consent(db, group.code, seat=3).participant
    cleared = clear_seat(db, group.id, 2)
    assert [c.label for c in cleared] == [on_two.label]
    db.refresh(on_three)
    assert on_three.revoked_at is None
    assert clear_seat(db, group.id, 2) == []


def test_a_participant_of_another_session_cannot_be_cleared_from_this_one(
    db: Session, group: SortSession
) -> None:
    assert group.id is not None
    elsewhere = join.accept_consent(db, "DEMO").participant
    assert elsewhere.id is not None
    with pytest.raises(NotFoundError):
        clear_participant(db, group.id, elsewhere.id)
