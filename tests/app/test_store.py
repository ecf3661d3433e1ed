"""The store's queries: what they return, and that a conditional update has one winner."""

from __future__ import annotations

from sqlmodel import Session

from app import store
from app.models import Draft
from app.services import join
from tests.app.services_fixtures import (
    CAPACITIES,
    CODE,
    COLUMNS,
    STATEMENTS,
    the_study,
)


def test_a_created_study_has_version_1_its_grid_statements_and_questions(
    small_study: Session,
) -> None:
    study = the_study(small_study)
    assert study.current_qset_id is not None and study.current_grid_id is not None
    grid = store.get_grid(small_study, study.current_grid_id)
    assert grid is not None
    assert (grid.column_values, grid.capacities, grid.forced) == (COLUMNS, CAPACITIES, True)
    texts = [s.text for s in store.statements(small_study, study.current_qset_id)]
    assert texts == STATEMENTS
    assert [s.number for s in store.statements(small_study, study.current_qset_id)] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert study.id is not None
    assert [(q.key, q.required) for q in store.questions(small_study, study.id)] == [("age", True)]


def test_session_lookup_ignores_case_and_spaces_and_closed_sessions(small_study: Session) -> None:
    assert store.open_session_by_code(small_study, " t i n y ") is not None
    assert store.open_session_by_code(small_study, "") is None
    found = store.open_session_by_code(small_study, CODE)
    assert found is not None
    found.is_open = False
    small_study.add(found)
    small_study.commit()
    assert store.open_session_by_code(small_study, CODE) is None
    assert store.session_for_study(small_study, 1) is None


def test_conditional_draft_update_has_exactly_one_winner(small_study: Session) -> None:
    participant = join.accept_consent(small_study, CODE).participant
    assert participant.id is not None
    assert store.update_draft_if_revision(small_study, participant.id, 0, {"a": 1})
    assert not store.update_draft_if_revision(small_study, participant.id, 0, {"b": 2})
    small_study.commit()
    draft = small_study.get(Draft, store.get_draft(small_study, participant.id).id)  # type: ignore[union-attr]
    assert draft is not None
    small_study.refresh(draft)
    assert (draft.revision, draft.state) == (1, {"a": 1})


def test_labels_of_a_session_are_the_participants_labels(small_study: Session) -> None:
    labels = {join.accept_consent(small_study, CODE).participant.label for _ in range(5)}
    found = store.open_session_by_code(small_study, CODE)
    assert found is not None and found.id is not None
    assert store.participant_labels(small_study, found.id) == labels
    assert len(labels) == 5


def test_a_large_session_keeps_giving_distinct_labels(small_study: Session) -> None:
    """Labels come from indexed look-ups, not from reading every label: still all distinct."""
    joined = [join.accept_consent(small_study, CODE).participant for _ in range(150)]
    labels = [p.label for p in joined]
    assert len(set(labels)) == 150
    found = store.open_session_by_code(small_study, CODE)
    assert found is not None and found.id is not None
    assert store.participant_count(small_study, found.id) == 150
    assert all(store.label_taken(small_study, found.id, label) for label in labels)
    assert any(int(label[1:]) > 99 for label in labels)  # the pool grew past P99
