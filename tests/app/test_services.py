"""Each participant-side service on its own, against a migrated store (no HTTP in between)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app import store
from app.errors import (
    CodeNotFoundError,
    InvalidSubmissionError,
    NotJoinedError,
    RevisionConflictError,
    SessionClosedError,
)
from app.models import Participant
from app.services import autosave, finish, join, submit, tokens
from tests.app.services_fixtures import (
    CODE,
    VALID,
    placements,
    the_study,
)


def _joined(db: Session) -> Participant:
    return join.accept_consent(db, CODE).participant


def _submitted(db: Session) -> Participant:
    participant = _joined(db)
    submit.submit_sort(
        db,
        participant,
        key="k1",
        qset_id=participant.qset_id,
        grid_id=participant.grid_id,
        placements=placements(),
    )
    return participant


def test_join_makes_a_participant_with_an_empty_draft_and_a_hashed_token(
    small_study: Session,
) -> None:
    joined = join.accept_consent(small_study, " tiny ")
    participant = joined.participant
    assert participant.label.startswith("P")
    assert participant.token_hash == tokens.hash_token(joined.token) != joined.token
    assert participant.id is not None
    draft = store.get_draft(small_study, participant.id)
    assert draft is not None and draft.revision == 0 and draft.state == {}


def test_join_with_an_unknown_or_closed_code_is_refused(small_study: Session) -> None:
    with pytest.raises(CodeNotFoundError):
        join.accept_consent(small_study, "NOPE")
    open_session = store.open_session_by_code(small_study, CODE)
    assert open_session is not None
    open_session.is_open = False
    small_study.add(open_session)
    small_study.commit()
    with pytest.raises(SessionClosedError):
        join.accept_consent(small_study, CODE)


def test_tokens_are_unguessable_and_hash_stably() -> None:
    first, second = tokens.new_token(), tokens.new_token()
    assert first != second and len(first) >= 43
    assert tokens.hash_token(first) == tokens.hash_token(first)
    assert len(tokens.hash_token(first)) == 64


def test_autosave_advances_the_revision_and_refuses_a_stale_one(small_study: Session) -> None:
    participant = _joined(small_study)
    assert autosave.save_draft(small_study, participant, 0, {"step": "presort"}) == 1
    assert autosave.save_draft(small_study, participant, 1, {"step": "sort"}) == 2
    with pytest.raises(RevisionConflictError) as conflict:
        autosave.save_draft(small_study, participant, 1, {"step": "stale"})
    assert conflict.value.extra == {"revision": 2, "state": {"step": "sort"}}


def test_autosave_refuses_an_oversized_draft_and_keeps_the_saved_one(small_study: Session) -> None:
    participant = _joined(small_study)
    autosave.save_draft(small_study, participant, 0, {"step": "sort"})
    with pytest.raises(InvalidSubmissionError):
        autosave.save_draft(small_study, participant, 1, {"big": "x" * autosave.MAX_STATE_BYTES})
    assert participant.id is not None
    draft = store.get_draft(small_study, participant.id)
    assert draft is not None and draft.state == {"step": "sort"}


def test_check_placements_names_every_problem(small_study: Session) -> None:
    grid = store.get_grid(small_study, 1)
    assert grid is not None
    wrong = dict(VALID)
    wrong[1] = (0, 0)  # same place as statement 2, and the +1 column is left empty
    wrong[9] = (1, 0)  # no such statement
    del wrong[5]  # missing
    codes = {p["code"] for p in submit.check_placements(grid, {1, 2, 3, 4, 5}, placements(wrong))}
    assert {"unknown_statement", "missing_statement"} <= codes
    assert codes - {"unknown_statement", "missing_statement"}  # the crowded column is named too
    assert submit.check_placements(grid, {1, 2, 3, 4, 5}, placements()) == []


def test_submit_records_the_sort_once(small_study: Session) -> None:
    participant = _joined(small_study)
    args = dict(key="k1", qset_id=participant.qset_id, grid_id=participant.grid_id)
    first = submit.submit_sort(small_study, participant, placements=placements(), **args)  # type: ignore[arg-type]
    again = submit.submit_sort(small_study, participant, placements=placements(), **args)  # type: ignore[arg-type]
    assert first.created and not again.created
    assert first.record.id == again.record.id
    assert first.record.id is not None
    stored = {(e.value, e.row) for e in store.sort_entries(small_study, first.record.id)}
    assert stored == set(VALID.values())


def test_finish_stores_comments_on_extremes_and_required_answers(small_study: Session) -> None:
    participant = _submitted(small_study)
    study = the_study(small_study)
    with pytest.raises(InvalidSubmissionError):
        finish.finish(small_study, participant, study, key="f", comments={}, answers={})
    extremes = finish.extreme_statements(small_study, participant)
    assert sorted(extremes.values()) == [-1, 1]
    finish.finish(
        small_study,
        participant,
        study,
        key="f",
        comments={1: "it passes"},
        answers={"age": "30-39"},
    )
    assert participant.id is not None
    assert [c.text for c in store.comments_of(small_study, participant.id)] == ["it passes"]
    assert [a.value for a in store.answers_of(small_study, participant.id)] == ["30-39"]
    finish.finish(small_study, participant, study, key="f", comments={}, answers={})  # a retry
    with pytest.raises(NotJoinedError):
        finish.finish(small_study, participant, study, key="other", comments={}, answers={})
