"""Every staff route asked as every kind of visitor, and each answer checked.

One row per route: the method, the path (``{study}`` is the demo study, ``{target}`` a spare
account), the form sent, and the answer expected for each visitor. ``signin`` means "sent to the
sign-in page"; ``done`` means "did it and went on" (a redirect elsewhere); numbers are statuses.
New routes join by adding a row. Each row runs on a fresh app, so one row's action cannot
change another row's answers.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AnalysisRun, Participant
from app.services import accounts, saved_analyses
from app.services.analysis import Selection
from app.services.workbench_page import encode_state
from qsort.options import Options
from tests.app.staff.conftest import PASSWORD, build_world, csrf_of

VISITORS = (
    "anonymous",
    "participant",
    "facilitator",
    "other",
    "viewer",
    "co-owner",
    "owner",
    "admin",
)
S, D = "signin", "done"
FILE = "file"  # a form field sent as an uploaded file (multipart)
ADMIN_ONLY = (S, S, 403, 403, 403, 403, 403, D)

Row = tuple[str, str, dict[str, str], tuple[object, ...]]
# fmt: off
ROUTES: tuple[Row, ...] = (
    #                                            anon part fac  other viewer co  owner admin
    ("GET", "/studies", {},                      (S, S, 200, 200, 200, 200, 200, 200)),
    ("GET", "/studies/{study}", {},              (S, S, 403, 404, 200, 200, 200, 200)),
    ("POST", "/studies/{study}/status", {"status": "closed"},
                                                 (S, S, 403, 404, 403, D, D, D)),
    ("POST", "/studies/{study}/share", {"email": "spare@example.org", "right": "viewer"},
                                                 (S, S, 403, 404, 403, 403, D, D)),
    ("GET", "/studies/{study}/audit", {},        (S, S, 403, 404, 403, 403, 200, 200)),
    ("GET", "/studies/{study}/analysis", {},     (S, S, 403, 404, 200, 200, 200, 200)),
    ("POST", "/studies/{study}/analysis", {"kind": "all", "n_factors": "2"},
                                                 (S, S, 403, 404, 200, 200, 200, 200)),
    # The demo study has too few sorts to analyse: allowed visitors reach the analysis (422).
    ("GET", "/studies/{study}/analysis/download/result.json?a={token}", {},
                                                 (S, S, 403, 404, 422, 422, 422, 422)),
    ("POST", "/studies/{study}/analysis/save", {"name": "Default", "a": "{token}"},
                                                 (S, S, 403, 404, 403, D, D, D)),
    ("POST", "/studies/{study}/analysis/saved/{saved}/delete", {},
                                                 (S, S, 403, 404, 403, D, D, D)),
    ("GET", "/studies/{study}/analysis/compare?a={saved}&b={other}", {},
                                                 (S, S, 403, 404, 422, 422, 422, 422)),
    ("POST", "/studies/{study}/analysis/bootstrap", {"a": "{token}", "resamples": "20"},
                                                 (S, S, 403, 404, 422, 422, 422, 422)),
    ("GET", "/studies/{study}/analysis/groups?a={token}&first=a&second=b", {},
                                                 (S, S, 403, 404, 422, 422, 422, 422)),
    ("POST", "/studies/{study}/analysis/flags-from", {FILE: "not a workbook", "a": "{token}"},
                                                 (S, S, 403, 404, 422, 422, 422, 422)),
    ("GET", "/studies/{study}/analysis?run={run}", {},
                                                 (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/analysis/runs/{run}", {},
                                                 (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/analysis/runs/{run}/result.json", {},
                                                 (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/analysis/runs/{run}/loadings.csv", {},
                                                 (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/analysis/runs/{run}/files/result.json", {},
                                                 (S, S, 403, 404, 200, 200, 200, 200)),
    # The run below holds a bare result, not of the demo study's statements and sorts: the
    # tables and reports drawn from them answer that they changed since the run (409).
    ("GET", "/studies/{study}/analysis/runs/{run}/files/distinguishing.csv", {},
                                                 (S, S, 403, 404, 409, 409, 409, 409)),
    ("GET", "/studies/{study}/analysis/runs/{run}/files/analysis.xlsx", {},
                                                 (S, S, 403, 404, 409, 409, 409, 409)),
    ("POST", "/studies/new", {"title": "Mine"}, (S, S, 403, D, D, D, D, D)),
    ("GET", "/studies/{study}/design", {},       (S, S, 403, 404, 403, 200, 200, 200)),
    ("POST", "/studies/{study}/design", {"low": "x"},
                                                 (S, S, 403, 404, 403, 422, 422, 422)),
    ("GET", "/studies/{study}/preview", {},      (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/preview/sort?choice=accept", {},
                                                 (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/preview/thanks", {}, (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/participants", {}, (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/participants/{participant}", {},
                                                 (S, S, 403, 404, 200, 200, 200, 200)),
    ("POST", "/studies/{study}/participants/{participant}/exclude", {"reason": "x"},
                                                 (S, S, 403, 404, 403, 422, 422, 422)),
    ("POST", "/studies/{study}/participants/{participant}/withdraw", {},
                                                 (S, S, 403, 404, 403, 403, D, D)),
    ("GET", "/studies/{study}/export?format=csv", {},
                                                 (S, S, 403, 404, 422, 422, 422, 422)),
    ("GET", "/studies/{study}/study.json", {},  (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/responses.csv", {}, (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/trace-moves.csv", {}, (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/trace-steps.csv", {}, (S, S, 403, 404, 200, 200, 200, 200)),
    ("GET", "/studies/{study}/responses.csv?full=true", {},
                                                 (S, S, 403, 404, 403, 403, 200, 200)),
    ("POST", "/studies/import", {FILE: "not a study"},
                                                 (S, S, 403, 422, 422, 422, 422, 422)),
    ("POST", "/studies/{study}/statements/file", {FILE: "First card\nSecond card"},
                                                 (S, S, 403, 404, 403, 200, 200, 200)),
    ("GET", "/studies/{study}/statements", {},   (S, S, 403, 404, 403, 200, 200, 200)),
    ("POST", "/studies/{study}/statements/add", {"text": "A new card\nAnother card"},
                                                 (S, S, 403, 404, 403, D, D, D)),
    ("POST", "/studies/{study}/statements/1/edit", {"text": "An edited card"},
                                                 (S, S, 403, 404, 403, D, D, D)),
    ("POST", "/studies/{study}/statements/2/move", {"direction": "down"},
                                                 (S, S, 403, 404, 403, D, D, D)),
    ("POST", "/studies/{study}/statements/1/delete", {},
                                                 (S, S, 403, 404, 403, D, D, D)),
    # The upload is text, not a picture: allowed visitors reach the check (422).
    ("POST", "/studies/{study}/statements/1/picture", {"alt": "A drawing", FILE: "not a picture"},
                                                 (S, S, 403, 404, 403, 422, 422, 422)),
    ("POST", "/studies/{study}/statements/1/picture/remove", {},
                                                 (S, S, 403, 404, 403, D, D, D)),
    ("POST", "/studies/{study}/sorts/import", {FILE: "not sorts"},
                                                 (S, S, 403, 404, 403, 422, 422, 422)),
    ("GET", "/admin/users", {},                  (S, S, 403, 403, 403, 403, 403, 200)),
    ("POST", "/admin/users",
     {"email": "new@example.org", "role": "researcher", "password": "a long new password"},
                                                 ADMIN_ONLY),
    ("POST", "/admin/users/{target}/disable", {}, ADMIN_ONLY),
    ("POST", "/admin/users/{target}/enable", {}, ADMIN_ONLY),
    ("POST", "/admin/users/{target}/password", {"password": "another long password"},
                                                 ADMIN_ONLY),
    ("GET", "/admin/audit", {},                  (S, S, 403, 403, 403, 403, 403, 200)),
    ("GET", "/openapi.json", {},                 (S, S, 200, 200, 200, 200, 200, 200)),
    ("POST", "/signout", {},                     (S, S, D, D, D, D, D, D)),
)
# fmt: on


def _outcome(response: httpx.Response) -> object:
    if response.status_code == 303:
        location = response.headers["location"]
        return S if location.startswith("/signin?next=") else D
    return response.status_code


def _ask(client: TestClient, method: str, path: str, form: dict[str, str]) -> object:
    if method == "GET":
        return _outcome(client.get(path))
    token = csrf_of(client)
    fields = {k: v for k, v in form.items() if k != FILE}
    files = {FILE: ("upload.txt", form[FILE].encode())} if FILE in form else None
    return _outcome(client.post(path, data={**fields, "csrf_token": token}, files=files))


def _finished_run(db: Session, study_id: int) -> int:
    """A finished background run of the study (two sorts, one factor), for the run routes."""
    result = {
        "sorts": ["P1", "P2"],
        "statements": ["1", "2"],
        "factors": ["F1"],
        "loadings": [[0.8], [0.7]],
        "flags": [[True], [False]],
        "arrays": [[1], [-1]],
        "characteristics": {"F1": {"eigenvalue": 1.13, "explained_variance": 56.5}},
    }
    run = AnalysisRun(study_id=study_id, run_key="matrix", status="done", result=result)
    db.add(run)
    db.commit()
    assert run.id is not None
    return run.id


DESTRUCTIVE = ("/withdraw", "/delete")
"""Rows whose success takes away what the next visitor would ask about: each visitor gets an
app of their own."""


def _answer(
    folder: Path, visitors: tuple[str, ...], method: str, path: str, form: dict[str, str]
) -> dict[str, object]:
    world = build_world(folder)
    state = next(world)
    with Session(state.app.state.engine) as db:
        spare = accounts.create_user(db, None, "spare@example.org", "researcher", PASSWORD)
        db.commit()
        target = spare.id
        participant = db.exec(select(Participant.id)).one()
        saved = [
            saved_analyses.save(db, state.study_id, name, Selection(), Options()).id
            for name in ("First", "Second")
        ]
        run = _finished_run(db, state.study_id)
    token = encode_state(Selection(), Options())  # the workbench's default analysis
    url = path.format(
        study=state.study_id,
        target=target,
        participant=participant,
        token=token,
        run=run,
        saved=saved[0],
        other=saved[1],
    )
    form = {key: value.format(token=token) for key, value in form.items()}
    answers = {visitor: _ask(state.clients[visitor], method, url, form) for visitor in visitors}
    world.close()
    return answers


@pytest.mark.parametrize(("method", "path", "form", "expected"), ROUTES, ids=lambda v: str(v))
def test_every_visitor_gets_the_answer_their_role_allows(
    tmp_path: Path, method: str, path: str, form: dict[str, str], expected: tuple[object, ...]
) -> None:
    if path.endswith(DESTRUCTIVE):
        answers: dict[str, object] = {}
        for n, visitor in enumerate(VISITORS):
            answers |= _answer(tmp_path / str(n), (visitor,), method, path, form)
    else:
        # No other row's action changes another visitor's right, so they can ask in turn.
        answers = _answer(tmp_path, VISITORS, method, path, form)
    assert answers == dict(zip(VISITORS, expected, strict=True))
