"""The live board's state: read from the database, so any app process serves it alike."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import create_app
from app.models import SortSession
from app.services import help_requests, join
from app.services.board import STEPS, board_events, board_payload, board_state, board_version
from app.settings import Settings

from .conftest import Device, finish, join_session, save_draft, submit_sort


def _rows(db: Session, session_id: int) -> dict[str, dict[str, Any]]:
    payload = board_payload(board_state(db, session_id))
    json.dumps(payload)  # JSON-ready as it is
    return {row["label"]: row for row in payload["rows"]}


def test_an_empty_session_has_an_empty_board(db: Session, group: SortSession) -> None:
    assert group.id is not None
    payload = board_payload(board_state(db, group.id))
    assert payload["rows"] == []
    assert payload["session"] == {
        "id": group.id,
        "code": group.code,
        "group_label": "Service users",
        "is_open": True,
        "seats": 3,
    }
    assert payload["counts"] == {"joined": 0, "finished": 0, "help": 0}


def test_board_follows_a_participant_step_by_step(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    browser = device()
    config = join_session(browser, group.code)
    label = _only_label(db, group.id)
    row = _rows(db, group.id)[label]
    assert (row["step"], row["cards_placed"], row["cards_total"]) == ("joined", 0, 34)
    revision = save_draft(browser, 0, {"stage": "presort", "changedAt": 1})
    first = _rows(db, group.id)[label]
    assert first["step"] == "presort"
    revision = save_draft(browser, revision, {"stage": "presort", "piles": {"1": "agree"}})
    assert _rows(db, group.id)[label]["since"] == first["since"]  # same step: clock not reset
    grid = {str(n): [4, n - 1] for n in (1, 2)}
    save_draft(browser, revision, {"stage": "sort", "grid": grid})
    row = _rows(db, group.id)[label]
    assert row["step"] == "sort" and row["cards_placed"] == 2
    assert row["since"] >= first["since"]
    submit_sort(browser, config)
    row = _rows(db, group.id)[label]
    assert row["step"] == "postsort" and row["cards_placed"] == 34
    finish(browser)
    row = _rows(db, group.id)[label]
    assert row["step"] == "finished" and row["finished_at"] is not None
    assert board_payload(board_state(db, group.id))["counts"]["finished"] == 1


def _only_label(db: Session, session_id: int) -> str:
    rows = board_state(db, session_id).rows
    assert len(rows) == 1
    return rows[0].label


def test_seats_order_the_board_and_carry_their_names(db: Session, group: SortSession) -> None:
    assert group.id is not None
    third = join.accept_consent(db, group.code, seat=3).participant
    first = join.accept_consent(db, group.code, seat=1).participant
    loose = join.accept_consent(db, group.code).participant
    rows = board_state(db, group.id).rows
    assert [r.label for r in rows] == [first.label, third.label, loose.label]
    assert [r.seat_name for r in rows] == ["Tablet 1", "Tablet 3", ""]


def test_a_help_request_shows_until_answered(db: Session, group: SortSession) -> None:
    assert group.id is not None
    participant = join.accept_consent(db, group.code, seat=2).participant
    asked = help_requests.ask_for_help(db, participant)
    assert help_requests.ask_for_help(db, participant).id == asked.id  # a double tap: one request
    row = board_state(db, group.id).rows[0]
    assert row.help_id == asked.id and row.help_since is not None
    assert board_payload(board_state(db, group.id))["counts"]["help"] == 1
    assert asked.id is not None
    help_requests.answer(db, group.id, asked.id, by=7)
    row = board_state(db, group.id).rows[0]
    assert row.help_id is None and row.help_since is None


def test_the_board_shows_only_its_own_session(
    db: Session, group: SortSession, study_id: int
) -> None:
    assert group.id is not None
    join.accept_consent(db, "DEMO")
    assert board_state(db, group.id).rows == ()


def test_two_app_processes_on_one_database_show_the_same_board(
    settings: Settings, client: TestClient, group: SortSession, device: Device
) -> None:
    """A second app (another process behind the proxy) reads the same state from the database."""
    assert group.id is not None
    browser = device()
    join_session(browser, group.code)
    save_draft(browser, 0, {"stage": "sort", "grid": {"3": [0, 0]}})
    with TestClient(create_app(settings)) as other:
        engine = other.app.state.engine  # type: ignore[attr-defined]
        with Session(engine) as db2:
            theirs = board_payload(board_state(db2, group.id))
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as db1:
        ours = board_payload(board_state(db1, group.id))
    assert board_version(theirs) == board_version(ours)
    assert theirs["rows"][0]["cards_placed"] == 1


def test_every_step_has_a_name_the_board_can_show() -> None:
    assert STEPS == (
        "joined",
        "instructions",
        "presort",
        "sort",
        "postsort",
        "survey",
        "paper_entry",
        "finished",
        "cleared",
    )


def _collect(stream: AsyncIterator[str], count: int) -> list[str]:
    async def run() -> list[str]:
        out = []
        async for message in stream:
            out.append(message)
            if len(out) == count:
                break
        return out

    return _run_apart(run())


def _run_apart(coroutine: Coroutine[Any, Any, list[str]]) -> list[str]:
    """Run in a thread of its own: Playwright's sync API may hold the main thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _loader(payloads: list[dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    seq = iter(payloads)
    last: list[dict[str, Any]] = []

    def load() -> dict[str, Any]:
        last[:] = [next(seq, last[0] if last else {})]
        return last[0]

    return load


def _payload(step: str, minute: int) -> dict[str, Any]:
    return {"rows": [{"label": "P03", "step": step}], "now": f"2026-01-01T10:{minute:02d}:00"}


def test_events_are_sent_on_change_only_and_named_by_their_content() -> None:
    load = _loader([_payload("sort", 0), _payload("sort", 1), _payload("postsort", 2)])
    out = _collect(board_events(load, poll_seconds=0, keepalive_seconds=100), 3)
    assert out[0] == "retry: 3000\n\n"
    first, second = out[1], out[2]
    assert first.startswith(f"id: {board_version(_payload('sort', 0))}\nevent: board\ndata: ")
    assert json.loads(first.split("data: ", 1)[1])["rows"][0]["step"] == "sort"
    assert json.loads(second.split("data: ", 1)[1])["rows"][0]["step"] == "postsort"


def test_a_reconnecting_board_is_not_sent_what_it_has() -> None:
    seen = board_version(_payload("sort", 0))
    load = _loader([_payload("sort", 5)] * 3 + [_payload("survey", 6)])
    out = _collect(board_events(load, last_event_id=seen, poll_seconds=0, keepalive_seconds=100), 2)
    assert '"survey"' in out[1] and out[1].startswith("id: ")


def test_a_quiet_board_sends_keepalive_comments() -> None:
    load = _loader([_payload("sort", 0)])
    out = _collect(board_events(load, poll_seconds=0, keepalive_seconds=0), 3)
    assert out[1].startswith("id: ") and out[2] == ": keepalive\n\n"


def test_the_stream_ends_when_the_client_leaves() -> None:
    calls: list[int] = []

    async def gone() -> bool:
        calls.append(1)
        return len(calls) > 2

    load = _loader([_payload("sort", 0), _payload("survey", 1), _payload("joined", 2)])

    async def run() -> list[str]:
        return [m async for m in board_events(load, poll_seconds=0, disconnected=gone)]

    out = _run_apart(run())
    assert len(out) == 3  # retry, then two polls before the client left


def test_time_on_step_is_measured_from_the_step_start(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    browser = device()
    join_session(browser, group.code)
    save_draft(browser, 0, {"stage": "sort"})
    board = board_state(db, group.id)
    since = board.rows[0].since
    assert since is not None and since.tzinfo is not None
    assert timedelta(0) <= board.now - since < timedelta(minutes=5)


def test_answering_closes_every_open_request_of_that_person(
    db: Session, group: SortSession
) -> None:
    from app.models import HelpRequest

    assert group.id is not None
    participant = join.accept_consent(db, group.code).participant
    assert participant.id is not None
    twice = [HelpRequest(session_id=group.id, participant_id=participant.id) for _ in range(2)]
    db.add_all(twice)  # two taps that raced through two app processes
    db.commit()
    first = board_state(db, group.id).rows[0].help_id
    assert first is not None, "the request is on the board"
    assert first == twice[0].id
    help_requests.answer(db, group.id, first, by=4)
    assert board_state(db, group.id).rows[0].help_id is None
