"""The designer: a study from nothing (pasted Q-set, another grid, a required question),
opened to participants, and frozen into a new version once somebody has sorted."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import select

from app import store
from app.models import Participant, QSetVersion, Study
from tests.app.conftest import full_sort, joined
from tests.app.staff.conftest import StaffWorld, csrf_of, open_study

STATEMENTS = [f"Statement number {n} about recovery." for n in range(1, 13)]


def _design(n: int = 12, capacities: str = "1 2 3 3 2 1") -> dict[str, str]:
    return {
        "title": "Hopes",
        "condition": "What helps you stay well?",
        "statements": "\n".join(STATEMENTS[:n]) + "\n\n",
        "low": "-3",
        "high": "2",
        "capacities": capacities,
        "forced": "1",
        "language": "en",
        "consent_text": "You may stop at any time.",
        "question_count": "2",
        "q0_key": "role",
        "q0_kind": "choice",
        "q0_prompt": "Which fits you best?",
        "q0_options": "I use services\nI work in a service",
        "q0_required": "1",
        "q1_key": "",
        "q1_prompt": "",
    }


def _new_study(owner: TestClient) -> int:
    token = csrf_of(owner, "/studies")
    made = owner.post("/studies/new", data={"title": "Hopes", "csrf_token": token})
    assert made.status_code == 303
    found = re.fullmatch(r"/studies/(\d+)/design", made.headers["location"])
    assert found is not None
    return int(found.group(1))


def test_a_study_from_nothing_opens_and_takes_a_sort(world: StaffWorld) -> None:
    owner = world.clients["other"]  # a researcher with no study yet
    study_id = _new_study(owner)
    url = f"/studies/{study_id}/design"
    token = csrf_of(owner, url)
    short = owner.post(url, data={**_design(11), "csrf_token": token})
    assert short.status_code == 303  # saved, but it cannot open yet
    page = owner.get(url).text
    assert "the grid holds 12 cards but the Q-set has 11 statements" in page
    status = f"/studies/{study_id}/status"
    refused = owner.post(status, data={"status": "open", "csrf_token": token})
    assert refused.status_code == 422 and "cannot open yet" in refused.text
    assert owner.post(url, data={**_design(), "csrf_token": token}).status_code == 303
    code = open_study(owner, study_id)
    participant = TestClient(world.app, follow_redirects=False)
    config = joined(participant, code)
    assert config["grid"] == {
        "values": [-3, -2, -1, 0, 1, 2],
        "capacities": [1, 2, 3, 3, 2, 1],
        "forced": True,
    }
    assert [s["text"] for s in config["statements"]] == STATEMENTS
    question = config["questions"][0]
    assert question["required"] and question["prompt"] == "Which fits you best?"
    body = {
        "key": "k" * 16,
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
    }
    assert participant.post("/api/sort", json=body).status_code == 200
    missing = participant.post("/api/finish", json={"key": "f" * 16, "comments": {}, "answers": {}})
    assert missing.status_code == 422
    assert missing.json()["problems"][0]["code"] == "answer_required"


def test_changing_a_sorted_qset_makes_a_new_version(world: StaffWorld) -> None:
    owner = world.clients["co-owner"]
    participant = TestClient(world.app, follow_redirects=False)
    config = joined(participant)
    with world.db() as db:
        study = db.get(Study, world.study_id)
        assert study is not None
        old_qset = study.current_qset_id
    url = f"/studies/{world.study_id}/design"
    page = owner.get(url).text
    assert "make" in page and "new version" in page
    token = csrf_of(owner, url)
    form = {**_design(), "low": "-4", "high": "4", "capacities": "2 3 4 5 6 5 4 3 2"}
    with world.db() as db:
        texts = [s.text for s in store.statements(db, old_qset or 0)]
    form["statements"] = "\n".join(texts).replace("childhood", "early life")
    assert owner.post(url, data={**form, "csrf_token": token}).status_code == 303
    with world.db() as db:
        study = db.get(Study, world.study_id)
        assert study is not None and study.current_qset_id != old_qset
        versions = db.exec(select(QSetVersion.version).where(QSetVersion.study_id == study.id))
        assert sorted(versions) == [1, 2]
        joined_on = db.exec(select(Participant.qset_id)).all()
    assert set(joined_on) == {old_qset} and config["qsetId"] == old_qset


def test_statements_come_from_a_pqmethod_sta_file(world: StaffWorld) -> None:
    owner = world.clients["other"]
    study_id = _new_study(owner)
    url = f"/studies/{study_id}/statements/file"
    token = csrf_of(owner, f"/studies/{study_id}/design")
    sta = "\r\n".join(STATEMENTS[:5]).encode("cp1252")
    page = owner.post(url, data={"csrf_token": token}, files={"file": ("hopes.sta", sta)})
    assert page.status_code == 200
    assert "5 statements read from hopes.sta" in page.text
    assert STATEMENTS[4] in page.text


def test_participant_options_are_set_in_the_designer_and_reach_the_sort_page(
    world: StaffWorld,
) -> None:
    owner = world.clients["other"]
    study_id = _new_study(owner)
    url = f"/studies/{study_id}/design"
    token = csrf_of(owner, url)
    # read-aloud left unticked
    options = {"idle_minutes": "25", "tray_start": "disagree", "text_size": "3"}
    assert owner.post(url, data={**_design(), **options, "csrf_token": token}).status_code == 303
    code = open_study(owner, study_id)
    config = joined(TestClient(world.app, follow_redirects=False), code)["study"]
    assert isinstance(config, dict)
    got = (config["readAloud"], config["idleMinutes"], config["trayStart"], config["textSize"])
    assert got == (False, 25, "disagree", 3)


def test_an_idle_limit_out_of_range_is_refused_with_the_range(world: StaffWorld) -> None:
    owner = world.clients["other"]
    study_id = _new_study(owner)
    url = f"/studies/{study_id}/design"
    token = csrf_of(owner, url)
    refused = owner.post(url, data={**_design(), "idle_minutes": "0", "csrf_token": token})
    assert refused.status_code == 422
    assert "expected 1 to 1440 minutes, found 0" in refused.text


def test_the_language_menu_names_each_language_in_itself_and_sets_the_pages(
    world: StaffWorld,
) -> None:
    """The designer's menu reads "Español (es)", not "es"; choosing it gives Spanish pages."""
    owner = world.clients["other"]
    study_id = _new_study(owner)
    url = f"/studies/{study_id}/design"
    menu = re.search(r'<select id="language"[^>]*>(.*?)</select>', owner.get(url).text, re.S)
    assert menu is not None
    options = re.findall(r'<option value="(\w+)" lang="\1"[^>]*>([^<]*)</option>', menu.group(1))
    assert options == [("ar", "العربية (ar)"), ("en", "English (en)"), ("es", "Español (es)")]
    token = csrf_of(owner, url)
    saved = owner.post(url, data={**_design(), "language": "es", "csrf_token": token})
    assert saved.status_code == 303
    assert re.search(r'<option value="es" lang="es" selected>', owner.get(url).text)
    code = open_study(owner, study_id)
    participant = TestClient(world.app, follow_redirects=False)
    consent = participant.get(f"/j/{code}")
    assert consent.status_code == 200
    assert '<html lang="es" dir="ltr">' in consent.text
