"""The designer's preview: the participant's own pages, marked as a preview, storing nothing.

Consent, the sort page and the thank-you page come from the participant templates in the
study's language, for a draft study too; the sort page is told to keep its work in memory
(``preview``: no storage key, no draft, no address that saves), the thank-you page leaves the
device alone (no clean.js), and no request of the walk adds a row anywhere or hands out a
participant's cookie.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from app.deps import TOKEN_COOKIE
from app.models import Comment, Draft, Participant, QSortRecord, Study, SurveyAnswer
from tests.app.staff.conftest import StaffWorld, csrf_of

TABLES = (Participant, Draft, QSortRecord, Comment, SurveyAnswer)


def _rows(world: StaffWorld) -> dict[str, int]:
    with Session(world.app.state.engine) as db:
        return {t.__name__: db.exec(select(func.count()).select_from(t)).one() for t in TABLES}


def _config(page: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="qsort-config">(.*?)</script>', page, re.S
    )
    assert found is not None
    return dict(json.loads(found.group(1)))


def _draft_study(owner: TestClient, language: str) -> int:
    token = csrf_of(owner, "/studies")
    made = owner.post("/studies/new", data={"title": "Not open yet", "csrf_token": token})
    study_id = int(made.headers["location"].split("/")[2])
    form = {
        "title": "Not open yet",
        "condition": "¿Qué te ayuda?",
        "statements": "Uno\nDos\nTres",
        "low": "-1",
        "high": "1",
        "capacities": "1 1 1",
        "forced": "1",
        "language": language,
        "consent_text": "Puedes parar cuando quieras.",
        "thanks_text": "Gracias de verdad.",
        "question_count": "1",
        "q0_key": "grupo",
        "q0_kind": "multiple",
        "q0_prompt": "¿Qué has usado?",
        "q0_options": "Un grupo\nUna línea de ayuda",
        "q0_required": "1",
        "csrf_token": token,
    }
    assert owner.post(f"/studies/{study_id}/design", data=form).status_code == 303
    return study_id


def test_a_draft_study_is_walked_from_consent_to_thanks_storing_nothing(
    world: StaffWorld,
) -> None:
    owner = world.clients["other"]
    study_id = _draft_study(owner, "es")
    with Session(world.app.state.engine) as db:
        study = db.get(Study, study_id)
        assert study is not None and study.status == "draft"
    before = _rows(world)
    base = f"/studies/{study_id}/preview"

    consent = owner.get(base)
    assert consent.status_code == 200
    assert 'id="preview-banner"' in consent.text and "Vista previa" in consent.text
    assert "Puedes parar cuando quieras." in consent.text and '<html lang="es"' in consent.text
    assert f'<form method="get" action="{base}/sort"' in consent.text  # never /j/.../consent

    sort = owner.get(f"{base}/sort", params={"choice": "accept"})
    assert sort.status_code == 200 and 'id="preview-banner"' in sort.text
    config = _config(sort.text)
    assert config["preview"] is True
    assert config["participant"] == {"storageKey": None, "sorted": False, "resumeCode": None}
    assert config["draft"] == {"revision": 0, "state": None}
    assert not any(url.startswith("/api/") for url in config["urls"].values())
    assert config["urls"]["thanks"] == f"{base}/thanks"
    assert [s["text"] for s in config["statements"]] == ["Uno", "Dos", "Tres"]
    assert config["questions"][0]["kind"] == "multiple" and config["questions"][0]["required"]
    assert 'data-preview="' in sort.text  # the help button calls nobody

    declined = owner.get(f"{base}/sort", params={"choice": "decline"})
    assert declined.status_code == 200 and f'href="{base}"' in declined.text

    thanks = owner.get(f"{base}/thanks")
    assert thanks.status_code == 200 and "Gracias de verdad." in thanks.text
    assert "clean.js" not in thanks.text  # a real participant's unsent work stays on the device
    assert f'href="{base}" id="back-to-start"' in thanks.text

    for response in (consent, sort, declined, thanks):
        assert TOKEN_COOKIE not in response.headers.get("set-cookie", "")
        assert response.headers["cache-control"] == "no-store"
    assert _rows(world) == before


def test_a_viewer_may_preview_and_the_study_page_offers_it(world: StaffWorld) -> None:
    viewer = world.clients["viewer"]
    study_page = viewer.get(f"/studies/{world.study_id}")
    assert f'href="/studies/{world.study_id}/preview"' in study_page.text
    assert viewer.get(f"/studies/{world.study_id}/preview").status_code == 200
    design = world.clients["owner"].get(f"/studies/{world.study_id}/design").text
    assert 'data-preview-size="390x844"' in design and 'data-preview-size="1024x768"' in design
