"""Opening, closing and seating a focus group's session; late joins; the join QR code."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.errors import InvalidSubmissionError, NotFoundError, SessionClosedError
from app.main import create_app
from app.models import Draft, Participant, SortSession
from app.services import join
from app.services.group_sessions import (
    CODE_ALPHABET,
    close_session,
    open_group_session,
    qr_svg,
    reopen_session,
    sessions_of,
    unfinished,
)
from app.services.seats import join_link, seat_count, seat_from_text, seat_name
from app.settings import Settings

from .conftest import Device, join_session, save_draft


def test_a_session_gets_a_short_unambiguous_code(db: Session, study_id: int) -> None:
    codes = {open_group_session(db, study_id).code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert re.fullmatch(f"[{CODE_ALPHABET}]{{6}}", code)
        assert not set(code) & set("0O1IL")


def test_group_label_and_named_seats_are_kept(db: Session, group: SortSession) -> None:
    stored = db.get(SortSession, group.id)
    assert stored is not None
    assert stored.group_label == "Service users"
    assert stored.seat_names == ["Tablet 1", "Tablet 2", "Tablet 3"]
    assert seat_count(stored) == 3 and stored.is_open
    assert seat_name(stored, 2) == "Tablet 2" and seat_name(stored, None) == ""


def test_expected_seats_may_exceed_the_named_ones(db: Session, study_id: int) -> None:
    session = open_group_session(db, study_id, seats=8, seat_names=["Window"])
    assert seat_count(session) == 8
    assert seat_name(session, 1) == "Window" and seat_name(session, 5) == ""
    assert seat_from_text(session, "8") == 8
    assert seat_from_text(session, "9") is None
    assert seat_from_text(session, "x") is None and seat_from_text(session, None) is None


def test_bad_seats_are_refused_with_every_problem_named(db: Session, study_id: int) -> None:
    with pytest.raises(InvalidSubmissionError) as caught:
        open_group_session(
            db, study_id, group_label="x" * 81, seats=0, seat_names=["A", " ", "a", "z" * 41]
        )
    codes = [(p["code"], p.get("seat")) for p in caught.value.problems]
    assert codes == [
        ("group_label_too_long", None),
        ("seats_out_of_range", None),
        ("seat_name_blank", 2),
        ("seat_name_repeated", 3),
        ("seat_name_too_long", 4),
    ]
    assert len(sessions_of(db, study_id)) == 1  # only the demo's own session


def test_an_unknown_study_is_refused(db: Session) -> None:
    with pytest.raises(NotFoundError):
        open_group_session(db, 999)


def test_a_closed_session_refuses_late_joins_with_a_clear_message(
    client: TestClient, db: Session, group: SortSession
) -> None:
    assert group.id is not None
    close_session(db, group.id)
    for response in (
        client.get(f"/j/{group.code}"),
        client.post("/join", data={"code": group.code}),
        client.post(f"/j/{group.code}/consent", data={"choice": "accept"}),
    ):
        assert response.status_code == 410
        assert "This session has closed" in response.text
        assert "could not find that code" not in response.text
    assert db.exec(select(Participant).where(Participant.session_id == group.id)).all() == []
    with pytest.raises(SessionClosedError):
        join.accept_consent(db, group.code)


def test_an_unknown_code_is_still_not_found(client: TestClient) -> None:
    response = client.post("/join", data={"code": "ZZZZZZ"})
    assert response.status_code == 404 and "could not find that code" in response.text


def test_closing_keeps_and_lists_unfinished_drafts(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    browser = device()
    config = join_session(browser, group.code)
    state = {"stage": "sort", "grid": {"1": [4, 0], "2": [4, 1]}, "changedAt": 1}
    save_draft(browser, config["draft"]["revision"], state)
    close_session(db, group.id)
    assert close_session(db, group.id).closed_at is not None  # idempotent
    listed = unfinished(db, group.id)
    assert len(listed) == 1
    assert listed[0].stage == "sort" and listed[0].cards_placed == 2
    assert not listed[0].cleared and not listed[0].sorted
    draft = db.exec(select(Draft)).all()
    assert any(d.state == state for d in draft)
    # someone already in the session may carry on after it closed
    assert save_draft(browser, 1, {**state, "changedAt": 2}) == 2


def test_reopening_lets_people_join_again(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    close_session(db, group.id)
    reopen_session(db, group.id)
    join_session(device(), group.code)


def test_a_seat_link_binds_the_participant_to_the_seat(db: Session, group: SortSession) -> None:
    joined = join.accept_consent(db, group.code, seat=2)
    assert joined.participant.seat == 2
    stray = join.accept_consent(db, group.code, seat=7)  # a stale link never blocks a join
    assert stray.participant.seat is None


def test_the_join_link_and_its_qr_code(group: SortSession) -> None:
    link = join_link("http://192.168.1.20:8000/", group.code, seat=3)
    assert link == f"http://192.168.1.20:8000/j/{group.code}?seat=3"
    svg = qr_svg(link, title="Join")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") is not None and root.get("width") is None
    assert "script" not in svg and "style=" not in svg
    side = int(root.get("viewBox", "").split()[2])
    assert side >= 21 + 8  # at least a version 1 symbol and its quiet zone


def test_qr_code_decodes_to_the_link(group: SortSession) -> None:
    """The SVG's dark modules are the same matrix segno encodes for the link."""
    import segno

    link = join_link("http://10.0.0.2:8000", group.code)
    svg = qr_svg(link)
    matrix = segno.make(link, error="m").matrix
    side = len(matrix) + 8
    assert f'viewBox="0 0 {side} {side}"' in svg
    dark = _modules_from_path(svg, side)
    expected = {(x + 4, y + 4) for y, row in enumerate(matrix) for x, v in enumerate(row) if v}
    assert dark == expected


def _modules_from_path(svg: str, side: int) -> set[tuple[int, int]]:
    """Read the dark modules back from segno's run-length path (relative h/m commands)."""
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg)
    assert path is not None
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for cmd, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.group(1)):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:
            dark |= {(int(x) + i, int(y)) for i in range(int(a))}
            x += float(a)
    assert all(0 <= px < side and 0 <= py < side for px, py in dark)
    return dark


def test_the_demo_session_stays_closed_across_restarts(settings: Settings) -> None:
    with TestClient(create_app(settings)) as first:
        engine = first.app.state.engine  # type: ignore[attr-defined]
        with Session(engine) as db:
            demo = db.exec(select(SortSession).where(SortSession.code == "DEMO")).one()
            assert demo.id is not None
            close_session(db, demo.id)
    with TestClient(create_app(settings), follow_redirects=False) as second:
        assert second.get("/j/DEMO").status_code == 410
