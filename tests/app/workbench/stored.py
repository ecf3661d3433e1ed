"""Put a reference study's sorts into a migrated store, as if participants had sorted them.

Statements are numbered 1..N in the reference file's order (the engine then names them "1".."N");
sorts are split between two focus-group sessions (two participant groups), and a few
participants leave a comment on a card at an extreme and answer the survey question.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app import store
from app.models import (
    Comment,
    Participant,
    QSortRecord,
    SortEntry,
    SortSession,
    StaffUser,
    Statement,
    SurveyAnswer,
)
from qsort.study import Study

GROUPS = ("service users", "workers")
QUESTION = (
    "role",
    "choice",
    "Your role",
    [{"value": "u", "label": "Service user"}, {"value": "w", "label": "Worker"}],
    False,
)


def design_study(db: Session, study: Study) -> tuple[int, list[SortSession]]:
    """Create the study's Q-set, grid and survey question and one open session per group."""
    stored = store.create_study(
        db,
        slug="ref",
        title=study.title or "Reference",
        condition="How do you see it?",
        statements=[s.text or f"Statement {s.id}" for s in study.statements],
        column_values=list(study.grid.values),
        capacities=list(study.grid.capacities),
        forced=study.grid.forced,
        survey=[QUESTION],
    )
    assert stored.id is not None
    sessions = []
    for k, label in enumerate(GROUPS):
        session = SortSession(study_id=stored.id, code=f"GRP{k}", group_label=label)
        db.add(session)
        sessions.append(session)
    db.commit()
    return stored.id, sessions


def group_of(study: Study, j: int) -> int:
    """Sort j's group: the first half of the sorts are service users, the rest workers."""
    return 0 if j < study.n_sorts // 2 else 1


def store_study(db: Session, study: Study) -> int:
    """Store ``study``'s sorts directly in the tables, as if participants had sorted them."""
    study_id, sessions = design_study(db, study)
    stored = store.get_study(db, study_id)
    assert stored is not None and stored.current_qset_id is not None
    numbers = {s.number: s for s in store.statements(db, stored.current_qset_id)}
    for j, name in enumerate(study.sort_names):
        _store_sort(db, study_id, sessions[group_of(study, j)], name, study, j, numbers)
    db.commit()
    return study_id


def store_study_for(db: Session, study: Study, email: str, right: str) -> int:
    """Store ``study``'s sorts (:func:`store_study`) and give the staff member with ``email``
    the ``right`` on it ("owner", "editor" or "viewer")."""
    study_id = store_study(db, study)
    user = db.exec(select(StaffUser).where(StaffUser.email == email)).one()
    assert user.id is not None
    store.grant(db, study_id, user.id, right)
    db.commit()
    return study_id


def placements(study: Study, j: int) -> list[dict[str, int]]:
    """Sort j as the participant API takes it: statement number, column value, row."""
    rows: dict[int, int] = {}
    out = []
    for i, value in enumerate(study.sorts[:, j].tolist()):
        rows[value] = rows.get(value, -1) + 1
        out.append({"statement": i + 1, "value": value, "row": rows[value]})
    return out


def remarks(study: Study, j: int, name: str) -> dict[int, str]:
    """What sort j's participant writes about the cards at the extremes."""
    extremes = (study.grid.low, study.grid.high)
    return {
        i + 1: f"{name} on {i + 1}: why {v:+d}"
        for i, v in enumerate(study.sorts[:, j].tolist())
        if v in extremes
    }


def _store_sort(
    db: Session,
    study_id: int,
    session: SortSession,
    name: str,
    study: Study,
    j: int,
    numbers: dict[int, Statement],
) -> None:
    assert session.id is not None
    person = Participant(
        session_id=session.id,
        study_id=study_id,
        label=name,
        public_id=f"public-{name}",
        token_hash=f"hash-{name}",
        qset_id=numbers[1].qset_id,
        grid_id=_grid_id(db, study_id),
    )
    db.add(person)
    db.flush()
    assert person.id is not None
    record = QSortRecord(
        participant_id=person.id,
        qset_id=person.qset_id,
        grid_id=person.grid_id,
        submit_key=f"key-{name}",
    )
    db.add(record)
    db.flush()
    assert record.id is not None
    for placed in placements(study, j):
        statement = numbers[placed["statement"]]
        assert statement.id is not None
        db.add(
            SortEntry(
                qsort_id=record.id,
                statement_id=statement.id,
                value=placed["value"],
                row=placed["row"],
            )
        )
    for number, text in remarks(study, j, name).items():
        statement = numbers[number]
        assert statement.id is not None
        value = int(study.sorts[number - 1, j])
        db.add(Comment(participant_id=person.id, statement_id=statement.id, value=value, text=text))
    question = store.questions(db, study_id)[0]
    assert question.id is not None
    db.add(
        SurveyAnswer(
            participant_id=person.id,
            question_id=question.id,
            value="u" if session.group_label == GROUPS[0] else "w",
        )
    )


def _grid_id(db: Session, study_id: int) -> int:
    found = store.get_study(db, study_id)
    assert found is not None and found.current_grid_id is not None
    return found.current_grid_id
