"""The access-control matrix for the facilitator's routes (``/f/...``), every visitor in turn.

The same rules as ``test_access_matrix.py``, with one more visitor: a facilitator the study is
not shared with (``fac-none``). Running a study's sessions is the ``run`` right: a facilitator
it is shared with, its owner and co-owners, any admin. A viewer may look at the study's data
but not run its sessions (403); anyone with no right on the study is told it was not found
(404), so study and session ids cannot be probed. ``{study}`` is the demo study, ``{session}``
a group session of it with one participant (``{participant}``) waiting for help
(``{help}``). Each row runs on a fresh app.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import HelpRequest, Participant
from app.services import accounts, help_requests
from app.services.group_sessions import open_group_session
from tests.app.staff.conftest import PASSWORD, StaffWorld, csrf_of, sign_in

VISITORS = (
    "anonymous",
    "participant",
    "facilitator",
    "fac-none",
    "other",
    "viewer",
    "co-owner",
    "owner",
    "admin",
)
RUN = ("signin", "signin", 200, 404, 404, 403, 200, 200, 200)
ACT = ("signin", "signin", "done", 404, 404, 403, "done", "done", "done")
PAPER = {"typing": "first", "label": "", "col_0": "1"}  # refused (incomplete): 422, stores nothing
S = "/f/sessions/{session}"
P = "/f/studies/{study}/print"

Row = tuple[str, str, dict[str, str], tuple[object, ...]]
ROUTES: tuple[Row, ...] = (
    ("GET", "/f", {}, ("signin", "signin", 200, 200, 200, 200, 200, 200, 200)),
    ("GET", "/f/studies/{study}", {}, RUN),
    ("POST", "/f/studies/{study}/sessions", {"group_label": "Workers", "seats": "2"}, ACT),
    ("GET", S, {}, RUN),
    ("GET", f"{S}/join", {}, RUN),
    ("GET", f"{S}/qr.svg", {}, RUN),
    ("GET", f"{S}/unfinished", {}, RUN),
    ("GET", f"{S}/discussion", {}, RUN),
    ("GET", f"{S}/paper", {}, RUN),
    ("POST", f"{S}/paper", PAPER, ("signin", "signin", 422, 404, 404, 403, 422, 422, 422)),
    ("POST", f"{S}/close", {}, ACT),
    ("POST", f"{S}/reopen", {}, ACT),
    ("POST", f"{S}/help/{{help}}/answer", {}, ACT),
    ("POST", f"{S}/participants/{{participant}}/clear", {}, ACT),
    ("GET", f"{S}/print/record", {}, RUN),
    ("GET", f"{S}/print/record.pdf", {}, RUN),
    ("GET", f"{S}/print/interviews", {}, RUN),
    ("GET", f"{S}/print/interviews.pdf", {}, RUN),
    ("GET", f"{P}/deck", {}, RUN),
    ("GET", f"{P}/deck.pdf", {}, RUN),
    ("GET", f"{P}/grid-A4", {}, RUN),
    ("GET", f"{P}/grid-A3.pdf", {}, RUN),
)


def _outcome(response: object) -> object:
    status = int(response.status_code)  # type: ignore[attr-defined]
    if status == 303:
        location = str(response.headers["location"])  # type: ignore[attr-defined]
        return "signin" if location.startswith("/signin") else "done"
    return status


def _ask(client: TestClient, method: str, path: str, form: dict[str, str]) -> object:
    if method == "GET":
        return _outcome(client.get(path))
    token = csrf_of(client)
    return _outcome(client.post(path, data={**form, "csrf_token": token}))


def _session_with_help(db: Session, study_id: int, tablet: TestClient) -> dict[str, int]:
    """A group session with one participant (joined on ``tablet``) who asked for help."""
    session = open_group_session(db, study_id, group_label="Service users", seats=2)
    assert tablet.post(f"/j/{session.code}/consent", data={"choice": "accept"}).status_code == 303
    person = db.exec(select(Participant).where(Participant.session_id == session.id)).one()
    asked = help_requests.ask_for_help(db, person)
    assert session.id is not None and person.id is not None and asked.id is not None
    return {"session": session.id, "participant": person.id, "help": asked.id}


@pytest.mark.parametrize(("method", "path", "form", "expected"), ROUTES, ids=lambda v: str(v))
def test_every_visitor_gets_the_answer_their_right_allows(
    world: StaffWorld, method: str, path: str, form: dict[str, str], expected: tuple[object, ...]
) -> None:
    with world.db() as db:
        accounts.create_user(db, None, "fac-none@example.org", "facilitator", PASSWORD)
        db.commit()
        ids = _session_with_help(db, world.study_id, TestClient(world.app, follow_redirects=False))
    world.clients["fac-none"] = _signed_in(world, "fac-none@example.org")
    url = path.format(study=world.study_id, **ids)
    answers = {visitor: _ask(world.clients[visitor], method, url, form) for visitor in VISITORS}
    assert answers == dict(zip(VISITORS, expected, strict=True))


def _signed_in(world: StaffWorld, email: str) -> TestClient:
    client = TestClient(world.app, follow_redirects=False)
    world.clients[email] = client  # closed with the world's clients
    assert sign_in(client, email) == 303
    return client


def test_a_facilitator_lists_only_the_studies_shared_with_them(world: StaffWorld) -> None:
    with world.db() as db:
        accounts.create_user(db, None, "fac-none@example.org", "facilitator", PASSWORD)
        db.commit()
    lonely = _signed_in(world, "fac-none@example.org")
    link = f'href="/f/studies/{world.study_id}"'
    assert link in world.clients["facilitator"].get("/f").text
    assert link not in lonely.get("/f").text
    assert link not in world.clients["viewer"].get("/f").text  # may view, not run
    assert "No study has been shared with you yet" in lonely.get("/f").text
    assert 'id="to-focus-groups"' in world.clients["facilitator"].get("/studies").text
    assert 'id="to-focus-groups"' not in world.clients["owner"].get("/studies").text
    # Both lists come from one macro: each links its own page of the study.
    assert f'href="/studies/{world.study_id}"' in world.clients["owner"].get("/studies").text


def test_a_post_without_the_form_token_is_refused_and_changes_nothing(world: StaffWorld) -> None:
    with world.db() as db:
        ids = _session_with_help(db, world.study_id, TestClient(world.app, follow_redirects=False))
    owner = world.clients["owner"]
    url = f"/f/sessions/{ids['session']}/help/{ids['help']}/answer"
    assert owner.post(url, data={"csrf_token": "forged"}).status_code == 403
    assert owner.post(url).status_code == 403
    with world.db() as db:
        request = db.get(HelpRequest, ids["help"])
        assert request is not None and request.answered_at is None
