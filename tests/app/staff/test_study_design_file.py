"""A designed study moves as a study file before any data is in, with every designer field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from app import store
from app.main import create_app
from app.models import Study
from app.settings import Settings
from qsort.cli import main as qsort_main
from tests.app.staff.conftest import StaffWorld, csrf_of
from tests.app.staff.test_designer import _new_study

STATEMENTS = [f"Statement number {n}" for n in range(1, 7)]
DESIGN = {
    "title": "Everything set",
    "condition": "What keeps you going?",
    "statements": "\n".join(STATEMENTS),
    "low": "-1",
    "high": "2",
    "capacities": "1 2 2 1",
    "forced": "1",
    "language": "es",
    "consent_text": "You may stop at any time.",
    "instructions_text": "Read every card first.",
    "thanks_text": "Thank you for your time.",
    "disagree_label": "Least like my view",
    "agree_label": "Most like my view",
    "extremes_required": "1",
    "idle_minutes": "25",
    "tray_start": "disagree",
    "text_size": "4",
    "question_count": "3",
    "q0_key": "role",
    "q0_kind": "multiple",
    "q0_prompt": "Which fit you?",
    "q0_options": "I use services\nI work in a service\nNeither",
    "q0_required": "1",
    "q1_key": "hope",
    "q1_kind": "scale",
    "q1_prompt": "How hopeful are you?",
    "q1_low": "0",
    "q1_high": "4",
    "q1_low_label": "Not at all",
    "q1_high_label": "Very",
    "q2_key": "else",
    "q2_kind": "text",
    "q2_prompt": "Anything else?",
}
"""Every field of the designer form, none at its default (read-aloud is left off)."""
FIELDS = [
    "title",
    "condition",
    "language",
    "consent_text",
    "instructions_text",
    "thanks_text",
    "disagree_label",
    "agree_label",
    "extremes_required",
    "read_aloud",
    "idle_minutes",
    "tray_start",
    "text_size",
    "status",
]


def _designed(world: StaffWorld) -> int:
    owner = world.clients["other"]
    study_id = _new_study(owner)
    url = f"/studies/{study_id}/design"
    saved = owner.post(url, data={**DESIGN, "csrf_token": csrf_of(owner, url)})
    assert saved.status_code == 303, re.findall(r'class="error[^>]*>([^<]*)', saved.text)
    return study_id


def _everything(db: Session, study_id: int) -> dict[str, Any]:
    """What the designer stores for a study: its fields, Q-set, grid and survey."""
    study = db.get(Study, study_id)
    assert study is not None and study.current_qset_id and study.current_grid_id
    grid = store.get_grid(db, study.current_grid_id)
    assert grid is not None
    questions = [
        (q.position, q.key, q.kind, q.prompt, q.options, q.required)
        for q in store.questions(db, study_id)
    ]
    return {
        **{name: getattr(study, name) for name in FIELDS},
        "statements": [(s.number, s.text) for s in store.statements(db, study.current_qset_id)],
        "grid": (grid.column_values, grid.capacities, grid.forced),
        "questions": questions,
        "sorts": store.sort_counts(db).get(study_id, 0),
    }


def test_a_design_without_sorts_moves_to_a_fresh_store_whole(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study_id = _designed(world)
    with world.db() as db:
        before = _everything(db, study_id)
    assert before["sorts"] == 0 and before["read_aloud"] is False and before["status"] == "draft"
    out, there = tmp_path / "design.json", tmp_path / "fresh"
    here = str(world.settings.data_dir)
    assert qsort_main(["study", "export", str(study_id), str(out), "--data-dir", here]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["sorts"] == {} and document["language"] == "es"
    capsys.readouterr()
    assert qsort_main(["study", "import", str(out), "--data-dir", str(there)]) == 0
    found = re.search(r"imported study (\d+)", capsys.readouterr().out)
    assert found is not None
    app = create_app(Settings.for_data_dir(there))
    with Session(app.state.engine) as db:
        after = _everything(db, int(found.group(1)))
    assert after == before
    assert qsort_main(["analyze", str(out)]) != 0
    assert "a design with 0 sort(s)" in capsys.readouterr().err


def test_the_browser_downloads_a_design_and_brings_it_in_as_a_draft(world: StaffWorld) -> None:
    study_id = _designed(world)
    owner = world.clients["other"]
    assert f'href="/studies/{study_id}/study.json"' in owner.get(f"/studies/{study_id}").text
    download = owner.get(f"/studies/{study_id}/study.json")
    assert download.status_code == 200
    researcher = world.clients["co-owner"]
    made = researcher.post(
        "/studies/import",
        data={"csrf_token": csrf_of(researcher, "/studies")},
        files={"file": ("design.json", download.content)},
    )
    assert made.status_code == 303
    new_id = int(made.headers["location"].rsplit("/", 1)[1])
    with world.db() as db:
        assert _everything(db, new_id) == _everything(db, study_id)
    assert "What keeps you going?" in researcher.get(f"/studies/{new_id}").text


def test_an_unknown_language_is_refused_and_nothing_is_made(
    world: StaffWorld, tmp_path: Path
) -> None:
    study_id = _designed(world)
    owner = world.clients["other"]
    document = json.loads(owner.get(f"/studies/{study_id}/study.json").content)
    document["language"] = "xx"
    with world.db() as db:
        count = len(list(store.studies_of(db, None)))
    made = owner.post(
        "/studies/import",
        data={"csrf_token": csrf_of(owner, "/studies")},
        files={"file": ("design.json", json.dumps(document).encode())},
    )
    assert made.status_code == 422
    assert "design.json, &#34;language&#34;: expected one of" in made.text
    with world.db() as db:
        assert len(list(store.studies_of(db, None))) == count


def test_an_unfinished_design_moves_and_an_empty_one_says_what_is_missing(
    world: StaffWorld,
) -> None:
    owner = world.clients["other"]
    empty = _new_study(owner)
    refused = owner.get(f"/studies/{empty}/study.json")
    assert refused.status_code == 422 and "the study has no statements yet" in refused.text
    url = f"/studies/{empty}/design"
    short = {**DESIGN, "statements": "\n".join(STATEMENTS[:5])}
    assert owner.post(url, data={**short, "csrf_token": csrf_of(owner, url)}).status_code == 303
    download = owner.get(f"/studies/{empty}/study.json")
    assert download.status_code == 200
    made = owner.post(
        "/studies/import",
        data={"csrf_token": csrf_of(owner, "/studies")},
        files={"file": ("unfinished.json", download.content)},
    )
    assert made.status_code == 303
    new_id = int(made.headers["location"].rsplit("/", 1)[1])
    page = owner.get(f"/studies/{new_id}/design").text
    assert "the grid holds 6 cards but the Q-set has 5 statements" in page
