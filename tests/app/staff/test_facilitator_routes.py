"""The facilitator's routes doing their work: sessions, the join screen, tablets, paper, PDFs.

Who may reach each route is the access matrix's business (test_access_matrix_facilitator.py);
here a signed-in facilitator the demo study is shared with uses them, and the audit record
and the participants' side are checked for what each action did.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app import store
from app.models import Participant, QSortRecord, SortSession
from app.services.room import room_base_url
from tests.app.staff.conftest import StaffWorld, csrf_of

SHEET = {  # the demo grid (-4..+4, 2 3 4 5 6 5 4 3 2) filled with statements 1..34 in order
    "col_-4": "1 2",
    "col_-3": "3 4 5",
    "col_-2": "6 7 8 9",
    "col_-1": "10 11 12 13 14",
    "col_0": "15 16 17 18 19 20",
    "col_1": "21 22 23 24 25",
    "col_2": "26 27 28 29",
    "col_3": "30 31 32",
    "col_4": "33 34",
}


def _post(client: TestClient, path: str, form: dict[str, str]) -> object:
    return client.post(path, data={**form, "csrf_token": csrf_of(client, "/f")})


def _open(world: StaffWorld, **form: str) -> SortSession:
    fac = world.clients["facilitator"]
    response = _post(fac, f"/f/studies/{world.study_id}/sessions", form)
    assert response.status_code == 303  # type: ignore[attr-defined]
    session_id = int(response.headers["location"].rsplit("/", 1)[1])  # type: ignore[attr-defined]
    with world.db() as db:
        session = db.get(SortSession, session_id)
        assert session is not None
        return session


def _audit(world: StaffWorld) -> list[tuple[str, str, str, str]]:
    with world.db() as db:
        events = store.audit_events(db, world.study_id)
    return [(e.action, e.actor, e.participant, e.detail) for e in reversed(events)]


def _tablet(world: StaffWorld) -> TestClient:
    client = TestClient(world.app, follow_redirects=False)
    world.clients[f"tablet{len(world.clients)}"] = client
    return client


def test_opening_a_session_checks_the_form_and_records_who_opened_it(world: StaffWorld) -> None:
    fac = world.clients["facilitator"]
    bad = _post(
        fac,
        f"/f/studies/{world.study_id}/sessions",
        {"group_label": "Workers", "seats": "3", "seat_names": "Tablet 1\ntablet 1"},
    )
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "Tablet 1" in bad.text and "Workers" in bad.text  # type: ignore[attr-defined]
    session = _open(world, group_label="Workers", seats="2", seat_names="Window\nDoor")
    assert (session.group_label, session.seats, session.seat_names) == (
        "Workers",
        2,
        ["Window", "Door"],
    )
    assert session.opened_by == world.user("fac@example.org").id
    assert _audit(world)[-1][:2] == ("session_open", "fac@example.org")
    assert session.code in _audit(world)[-1][3]
    listing = fac.get(f"/f/studies/{world.study_id}").text
    assert f'href="/f/sessions/{session.id}"' in listing


def test_closing_refuses_late_joins_and_reopening_lets_them_in(world: StaffWorld) -> None:
    session = _open(world, group_label="Service users")
    fac = world.clients["facilitator"]
    assert _post(fac, f"/f/sessions/{session.id}/close", {}).status_code == 303  # type: ignore[attr-defined]
    late = _tablet(world)
    refused = late.post(f"/j/{session.code}/consent", data={"choice": "accept"})
    assert refused.status_code == 410 and "has closed" in refused.text
    assert "Reopen for joining" in fac.get(f"/f/sessions/{session.id}").text
    _post(fac, f"/f/sessions/{session.id}/reopen", {})
    joined = late.post(f"/j/{session.code}/consent", data={"choice": "accept"})
    assert joined.status_code == 303
    actions = [a for a, *_ in _audit(world)]
    assert actions[-2:] == ["session_close", "session_reopen"]


def test_clearing_a_tablet_from_the_board_is_audited_with_the_label(world: StaffWorld) -> None:
    session = _open(world, seat_names="Tablet 1")
    tablet = _tablet(world)
    tablet.get(f"/j/{session.code}?seat=1")
    tablet.post(f"/j/{session.code}/consent", data={"choice": "accept"})
    with world.db() as db:
        person = db.exec(select(Participant).where(Participant.session_id == session.id)).one()
    board = world.clients["facilitator"].get(f"/f/sessions/{session.id}").text
    assert "Tablet 1" in board  # the seat, in the board's first state
    clear = f"/f/sessions/{session.id}/participants/{person.id}/clear"
    assert _post(world.clients["facilitator"], clear, {}).status_code == 303  # type: ignore[attr-defined]
    assert tablet.get("/api/draft").status_code == 401
    assert _audit(world)[-1][:3] == ("tablet_clear", "fac@example.org", person.label)
    _post(world.clients["facilitator"], clear, {})  # clearing again records nothing more
    assert [a for a, *_ in _audit(world)].count("tablet_clear") == 1


def test_a_paper_sort_typed_twice_is_recorded_once_both_agree(world: StaffWorld) -> None:
    session = _open(world, group_label="Paper")
    fac, checker = world.clients["facilitator"], world.clients["co-owner"]
    path = f"/f/sessions/{session.id}/paper"
    first = _post(fac, path, {"typing": "first", "label": "SHEET-A", "double_entry": "1", **SHEET})
    assert first.status_code == 200  # type: ignore[attr-defined]
    entry = re.search(r'name="entry" value="(\d+)"', first.text)  # type: ignore[attr-defined]
    assert entry is not None
    swapped = {**SHEET, "col_-4": "2 1"}
    second = _post(checker, path, {"typing": "second", "entry": entry.group(1), **swapped})
    assert "differ" in second.text  # type: ignore[attr-defined]
    with world.db() as db:
        assert db.exec(select(QSortRecord)).all() == []
    fixed = {"typing": "correct", "which": "second", "entry": entry.group(1), **SHEET}
    _post(checker, path, fixed)
    with world.db() as db:
        (record,) = db.exec(select(QSortRecord)).all()
    assert record.source == "paper"
    assert record.entered_by == world.user("fac@example.org").id
    assert record.checked_by == world.user("co@example.org").id
    audited = [(a, actor, label) for a, actor, label, _ in _audit(world) if a == "paper_entry"]
    assert audited == [
        ("paper_entry", "fac@example.org", "SHEET-A"),
        ("paper_entry", "co@example.org", "SHEET-A"),
        ("paper_entry", "co@example.org", "SHEET-A"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/f/studies/{study}/print/deck.pdf",
        "/f/studies/{study}/print/grid-A4.pdf",
        "/f/studies/{study}/print/grid-A3.pdf",
        "/f/sessions/{session}/print/record.pdf",
        "/f/sessions/{session}/print/interviews.pdf",
    ],
)
def test_pdf_downloads_are_attachments_never_cached(world: StaffWorld, path: str) -> None:
    session = _open(world)
    response = world.clients["facilitator"].get(
        path.format(study=world.study_id, session=session.id)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"%PDF")


def test_an_unknown_paper_size_is_not_found(world: StaffWorld) -> None:
    fac = world.clients["facilitator"]
    assert fac.get(f"/f/studies/{world.study_id}/print/grid-A5").status_code == 404


def test_the_join_screen_gives_a_network_address_when_serving_every_interface(
    world: StaffWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.cli.network

    session = _open(world, seats="2")
    monkeypatch.setattr(app.cli.network, "network_addresses", lambda: ["192.168.1.20"])
    fac = world.clients["facilitator"]
    page = fac.get(f"/f/sessions/{session.id}/join").text
    assert f"http://testserver/j/{session.code}" in page  # listening on one address: as asked
    world.app.state.listen_host = "0.0.0.0"
    on_laptop = {"host": "127.0.0.1:8000"}  # the board opened on the laptop serving the room
    page = fac.get(f"/f/sessions/{session.id}/join", headers=on_laptop).text
    assert f"http://192.168.1.20:8000/j/{session.code}?seat=2" in page
    svg = fac.get(f"/f/sessions/{session.id}/qr.svg", headers=on_laptop)
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text


def test_the_room_address_replaces_only_a_loopback_host_on_every_interface() -> None:
    lan = lambda: ["10.0.0.7"]  # noqa: E731
    assert room_base_url("http://127.0.0.1:8000/", "0.0.0.0", lan) == "http://10.0.0.7:8000/"
    assert room_base_url("http://localhost:8000/", "::", lan) == "http://10.0.0.7:8000/"
    assert room_base_url("http://127.0.0.1:8000/", "127.0.0.1", lan) == "http://127.0.0.1:8000/"
    assert room_base_url("http://laptop.local:8000/", "0.0.0.0", lan) == "http://laptop.local:8000/"
    assert room_base_url("http://127.0.0.1:8000/", "0.0.0.0", list) == "http://127.0.0.1:8000/"
    assert room_base_url("http://127.0.0.1/", "0.0.0.0", lambda: ["fd00::1"]) == "http://[fd00::1]/"
