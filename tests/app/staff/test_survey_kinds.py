"""Survey questions of the four kinds, from the designer form to the responses CSV.

The designer takes free text, one choice, several choices and a scale (required or optional);
the participant page is given each with its options; finishing refuses a skipped required
question by its text and any value outside the options or the scale; the answers are stored,
shown on the collected sort and exported by the question's text and the answers' labels; the
study file carries every kind out and back in.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import store
from app.errors import InvalidInputError
from app.models import Question
from app.services import survey
from qsort.errors import FormatError
from qsort.formats.studyfile import check_questions
from tests.app.conftest import full_sort, joined
from tests.app.staff.conftest import StaffWorld, csrf_of, open_study

STATEMENTS = [f"Statement {n} about what helps." for n in range(1, 10)]
MULTIPLE = "Which of these have you used?"


def _design() -> dict[str, str]:
    return {
        "title": "Kinds",
        "condition": "What helps?",
        "statements": "\n".join(STATEMENTS),
        "low": "-2",
        "high": "2",
        "capacities": "1 2 3 2 1",
        "forced": "1",
        "language": "en",
        "question_count": "5",
        "q0_key": "story",
        "q0_kind": "text",
        "q0_prompt": "Anything else?",
        "q1_key": "role",
        "q1_kind": "choice",
        "q1_prompt": "Which fits you best?",
        "q1_options": "Client\nWorker\n",
        "q2_key": "services",
        "q2_kind": "multiple",
        "q2_prompt": MULTIPLE,
        "q2_options": "A key worker\nA group\nA helpline",
        "q2_required": "1",
        "q3_key": "hope",
        "q3_kind": "scale",
        "q3_prompt": "How hopeful are you?",
        "q3_low": "0",
        "q3_high": "10",
        "q3_low_label": "Not at all",
        "q3_high_label": "Very",
        "q3_options": "ignored for a scale",
        "q4_key": "",
        "q4_prompt": "",
    }


def _open_study(world: StaffWorld, form: dict[str, str]) -> tuple[TestClient, int, str]:
    """A new study saved from ``form`` and opened; the owner's client, its id, its code."""
    owner = world.clients["other"]
    token = csrf_of(owner, "/studies")
    made = owner.post("/studies/new", data={"title": "Kinds", "csrf_token": token})
    study_id = int(made.headers["location"].split("/")[2])
    url = f"/studies/{study_id}/design"
    saved = owner.post(url, data={**form, "csrf_token": token})
    assert saved.status_code == 303, saved.text
    code = open_study(owner, study_id)
    return owner, study_id, code


def _sorted(world: StaffWorld, code: str) -> tuple[TestClient, dict[str, Any]]:
    participant = TestClient(world.app, follow_redirects=False)
    config = joined(participant, code)
    body = {
        "key": "k" * 16,
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
    }
    assert participant.post("/api/sort", json=body).status_code == 200
    return participant, config


def _finish(participant: TestClient, answers: Mapping[str, object]) -> Any:
    return participant.post("/api/finish", json={"key": "f" * 16, "answers": answers})


def test_the_designer_stores_every_kind_and_the_page_asks_them(world: StaffWorld) -> None:
    owner, study_id, code = _open_study(world, _design())
    _, config = _sorted(world, code)
    kinds = {q["key"]: (q["kind"], q["required"]) for q in config["questions"]}
    assert kinds == {
        "story": ("text", False),
        "role": ("choice", False),
        "services": ("multiple", True),
        "hope": ("scale", False),
    }
    by_key = {q["key"]: q for q in config["questions"]}
    assert [o["label"] for o in by_key["services"]["options"]] == [
        "A key worker",
        "A group",
        "A helpline",
    ]
    assert [o["value"] for o in by_key["hope"]["options"]] == [str(v) for v in range(11)]
    assert survey.scale_ends(by_key["hope"]["options"]) == (0, 10, "Not at all", "Very")
    page = owner.get(f"/studies/{study_id}/design").text
    assert 'name="q3_low_label" type="text" maxlength="80" value="Not at all"' in page
    assert '<option value="multiple" selected>several choices</option>' in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"q3_high": "20"}, "a scale has at most 11 points (such as 0 to 10); found 21 (0 to 20)"),
        ({"q3_high": "0"}, "a scale runs from a lower to a higher whole number"),
        ({"q3_high": "ten"}, "needs whole numbers for its ends, such as 1 and 5"),
        ({"q2_options": "Only one"}, "the several choices question 'Which of these have you"),
        ({"q2_kind": "ranking"}, "expected a question kind among"),
    ],
)
def test_a_question_that_cannot_be_asked_is_refused_with_what_to_fix(
    world: StaffWorld, changes: dict[str, str], message: str
) -> None:
    owner = world.clients["co-owner"]
    url = f"/studies/{world.study_id}/design"
    token = csrf_of(owner, url)
    before = _question_rows(world, world.study_id)
    refused = owner.post(url, data={**_design(), **changes, "csrf_token": token})
    assert refused.status_code == 422
    assert message in refused.text.replace("&#39;", "'")
    for name, value in changes.items():  # the form comes back as it was typed
        if name.endswith("_kind"):
            continue  # a kind the select does not offer cannot be shown again
        assert f'value="{value}"' in refused.text or f">{value}<" in refused.text
    assert _question_rows(world, world.study_id) == before


def _question_rows(world: StaffWorld, study_id: int) -> list[tuple[str, str]]:
    with world.db() as db:
        return [(q.key, q.kind) for q in store.questions(db, study_id)]


def test_a_skipped_required_question_is_named_by_its_text(world: StaffWorld) -> None:
    _, _, code = _open_study(world, _design())
    participant, _ = _sorted(world, code)
    refused = _finish(participant, {"role": "o1", "services": []})
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert [p["message"] for p in problems] == [f"Please answer this question: {MULTIPLE}"]
    assert all("services" not in p["message"] for p in problems)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"services": ["o1", "o9"]}, f"Please choose one of the answers given for: {MULTIPLE}"),
        (
            {"services": ["o1"], "role": "o3"},
            "Please choose one of the answers given for: Which fits",
        ),
        ({"services": ["o1"], "role": ["o1", "o2"]}, "Please choose one of the answers given for"),
        (
            {"services": ["o1"], "hope": "11"},
            "Please choose a number from 0 to 10 for: How hopeful",
        ),
        (
            {"services": ["o1"], "hope": "-1"},
            "Please choose a number from 0 to 10 for: How hopeful",
        ),
        (
            {"services": ["o1"], "hope": "7.5"},
            "Please choose a number from 0 to 10 for: How hopeful",
        ),
    ],
)
def test_answers_outside_the_options_or_the_scale_are_refused(
    world: StaffWorld, answers: dict[str, object], message: str
) -> None:
    _, _, code = _open_study(world, _design())
    participant, _ = _sorted(world, code)
    refused = _finish(participant, answers)
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["message"].startswith(message)
    with world.db() as db:
        assert not store.answered_question_keys(db, _study_of(world, code))


def _study_of(world: StaffWorld, code: str) -> int:
    with world.db() as db:
        session = store.session_by_code(db, code)
        assert session is not None
        return session.study_id


def test_answers_are_stored_shown_and_exported_by_their_labels(world: StaffWorld) -> None:
    owner, study_id, code = _open_study(world, _design())
    participant, _ = _sorted(world, code)
    answers = {"story": "It helped.", "role": "o2", "services": ["o3", "o1", "o3"], "hope": "10"}
    done = _finish(participant, answers)
    assert done.status_code == 200, done.text
    with world.db() as db:
        stored = {
            q.key: a.value
            for q in store.questions(db, study_id)
            for p in store.study_participants(db, study_id)
            for a in store.answers_of(db, p[0].id or 0)
            if a.question_id == q.id
        }
        label = store.study_participants(db, study_id)[0][0].label
        participant_id = store.study_participants(db, study_id)[0][0].id
    assert stored == {"story": "It helped.", "role": "o2", "services": "o1|o3", "hope": "10"}
    page = owner.get(f"/studies/{study_id}/participants/{participant_id}").text
    assert "<dd>A key worker; A helpline</dd>" in page and "<dd>10 (Very)</dd>" in page
    csv_text = owner.get(f"/studies/{study_id}/responses.csv").text
    rows = {
        r["question"]: r for r in csv.DictReader(io.StringIO(csv_text)) if r["kind"] == "answer"
    }
    assert {q: r["answer"] for q, r in rows.items()} == {  # free text only with ?full
        "Which fits you best?": "Worker",
        MULTIPLE: "A key worker; A helpline",
        "How hopeful are you?": "10 (Very)",
    }
    assert {r["participant"] for r in rows.values()} == {label}


def test_an_optional_several_choices_question_may_be_left_empty(world: StaffWorld) -> None:
    form = {**_design(), "q2_required": ""}
    _, study_id, code = _open_study(world, form)
    participant, _ = _sorted(world, code)
    assert _finish(participant, {"services": []}).status_code == 200
    with world.db() as db:
        assert store.answered_question_keys(db, study_id) == set()


def test_the_study_file_carries_every_kind_out_and_back(world: StaffWorld, tmp_path: Path) -> None:
    owner, study_id, code = _open_study(world, _design())
    for n in range(2):
        participant = TestClient(world.app, follow_redirects=False)
        config = joined(participant, code)
        placements = full_sort(config)
        if n:  # a second, different sort: swap the two ends
            placements[0]["statement"], placements[-1]["statement"] = (
                placements[-1]["statement"],
                placements[0]["statement"],
            )
        body = {"key": f"{n}" * 16, "qset_id": config["qsetId"], "grid_id": config["gridId"]}
        assert participant.post("/api/sort", json={**body, "placements": placements}).is_success
    exported = owner.get(f"/studies/{study_id}/study.json")
    assert exported.status_code == 200, exported.text
    questions = json.loads(exported.text)["questions"]
    assert questions == [
        {"id": "story", "text": "Anything else?", "kind": "text", "required": False},
        {
            "id": "role",
            "text": "Which fits you best?",
            "kind": "choice",
            "options": ["Client", "Worker"],
            "required": False,
        },
        {
            "id": "services",
            "text": MULTIPLE,
            "kind": "multiple",
            "options": ["A key worker", "A group", "A helpline"],
            "required": True,
        },
        {
            "id": "hope",
            "text": "How hopeful are you?",
            "kind": "scale",
            "low": 0,
            "high": 10,
            "low_label": "Not at all",
            "high_label": "Very",
            "required": False,
        },
    ]
    token = csrf_of(owner, "/studies")
    files = {"file": ("kinds.json", exported.content)}
    imported = owner.post("/studies/import", data={"csrf_token": token}, files=files)
    assert imported.status_code == 303, imported.text
    new_id = int(imported.headers["location"].split("/")[2])
    with world.db() as db:
        before, after = store.questions(db, study_id), store.questions(db, new_id)
    assert [_spec(q) for q in after] == [_spec(q) for q in before]


def _spec(q: Question) -> tuple[object, ...]:
    return (q.key, q.kind, q.prompt, q.options, q.required)


def test_old_study_files_stay_readable_and_bad_kinds_are_named() -> None:
    old: list[dict[str, Any]] = [
        {"id": "age", "text": "How old are you?", "kind": "number"},
        {"id": "role", "text": "Your role", "kind": "choice", "options": ["client", "worker"]},
    ]
    assert check_questions(old) == old
    assert survey.from_file(old[0]) == ("age", "text", "How old are you?", [], False)
    bad: list[tuple[dict[str, Any], str]] = [
        ({"kind": "scale", "low": 5, "high": 1}, "expected low below high, found low 5 and high 1"),
        ({"kind": "scale", "low": 1}, '"questions"[0].high: expected an integer, found null'),
        ({"kind": "multiple", "options": "a, b"}, ".options: expected a list"),
        ({"kind": "choice", "options": ["a", 2]}, ".options[1]: expected a string, found 2"),
        ({"kind": "text", "required": "yes"}, '.required: expected true or false, found "yes"'),
    ]
    for fields, message in bad:
        with pytest.raises(FormatError, match=re.escape(message)):
            check_questions([{"id": "q", "text": "Q", **fields}])


def test_stored_answers_and_their_text_for_each_kind() -> None:
    def question(kind: str, options: list[dict[str, str]]) -> Question:
        return Question(study_id=1, position=1, key="q", kind=kind, prompt="Q", options=options)

    several = question("multiple", survey.choice_options(["Red", "Green", "Blue"]))
    assert survey.stored_answer(several, ["o3", "o1"]) == ("o1|o3", None)
    assert survey.stored_answer(several, "o2") == ("o2", None)
    assert survey.stored_answer(several, []) == ("", None)
    assert survey.stored_answer(several, ["o4"]) == ("", "answer_not_option")
    assert survey.answer_text("multiple", several.options, "o1|o3") == "Red; Blue"
    scale = question("scale", survey.scale_options(1, 5, "", "Always"))
    assert survey.stored_answer(scale, " 5 ") == ("5", None)
    assert survey.stored_answer(scale, "6") == ("", "answer_off_scale")
    assert survey.answer_text("scale", scale.options, "5") == "5 (Always)"
    assert survey.answer_text("scale", scale.options, "3") == "3"
    text = question("text", [])
    assert survey.stored_answer(text, ["a"]) == ("", "answer_not_option")
    assert survey.stored_answer(text, "x" * 5000)[0] == "x" * survey.MAX_TEXT
    with pytest.raises(InvalidInputError, match="at most 11 points"):
        survey.scale_options(0, 11)
    with pytest.raises(InvalidInputError, match="distinct values"):
        survey.check_spec(("k", "choice", "Q", [{"value": "a|b", "label": "A"}] * 2, False))


def test_an_answered_question_keeps_its_kind(world: StaffWorld) -> None:
    owner, study_id, code = _open_study(world, _design())
    participant, _ = _sorted(world, code)
    assert _finish(participant, {"role": "o1", "services": ["o2"]}).status_code == 200
    url = f"/studies/{study_id}/design"
    token = csrf_of(owner, url)
    changed = {**_design(), "q1_kind": "scale", "csrf_token": token}
    refused = owner.post(url, data=changed)
    assert refused.status_code == 422
    assert "has answers as one choice: its kind cannot change" in refused.text
    assert _question_rows(world, study_id)[1] == ("role", "choice")
    unanswered = {**_design(), "q0_kind": "scale", "csrf_token": token}  # nobody wrote a story
    assert owner.post(url, data=unanswered).status_code == 303
