"""Every query the app makes, as short typed functions over a SQLModel session.

Services compose these inside one transaction; nothing here commits except where noted, so a
service decides what is atomic. Writes that race between app processes (draft revisions, one sort
per participant, participant labels) rely on conditional updates and unique constraints, which
behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.models import (
    AuditEvent,
    Comment,
    Draft,
    GridShape,
    Participant,
    QSetVersion,
    QSortRecord,
    Question,
    SignInFailure,
    SortEntry,
    SortSession,
    StaffUser,
    Statement,
    Study,
    StudyAccess,
    SurveyAnswer,
    utcnow,
)

SurveySpec = tuple[str, str, str, list[dict[str, str]], bool]


@dataclass(frozen=True)
class CardSpec:
    """A statement as the designer keeps it: its text and, for a picture card, the stored
    picture's name (:mod:`app.services.pictures`) and its text alternative."""

    text: str
    image: str | None = None
    image_alt: str = ""


def create_study(
    db: Session,
    *,
    slug: str,
    title: str,
    condition: str,
    statements: Sequence[str],
    column_values: Sequence[int],
    capacities: Sequence[int],
    forced: bool = True,
    survey: Sequence[SurveySpec] = (),
    **texts: Any,
) -> Study:
    """Create a study with Q-set version 1, its grid and survey questions (flushed only)."""
    study = Study(slug=slug, title=title, condition=condition, **texts)
    db.add(study)
    db.flush()
    assert study.id is not None
    qset = QSetVersion(study_id=study.id, version=1)
    grid = GridShape(
        study_id=study.id,
        column_values=list(column_values),
        capacities=list(capacities),
        forced=forced,
    )
    db.add_all([qset, grid])
    db.flush()
    assert qset.id is not None
    db.add_all(
        Statement(qset_id=qset.id, number=i, text=text) for i, text in enumerate(statements, 1)
    )
    for position, (key, kind, prompt, options, required) in enumerate(survey, 1):
        db.add(
            Question(
                study_id=study.id,
                position=position,
                key=key,
                kind=kind,
                prompt=prompt,
                options=options,
                required=required,
            )
        )
    study.current_qset_id, study.current_grid_id = qset.id, grid.id
    db.add(study)
    db.flush()
    return study


def open_session(db: Session, study_id: int, code: str, name: str = "") -> SortSession:
    """Open a join session with ``code`` for a study (flushed, not committed)."""
    session = SortSession(study_id=study_id, code=code.upper(), name=name)
    db.add(session)
    db.flush()
    return session


def session_for_study(db: Session, study_id: int) -> SortSession | None:
    """The first open session of a study."""
    query = select(SortSession).where(
        SortSession.study_id == study_id, col(SortSession.is_open).is_(True)
    )
    return db.exec(query.order_by(col(SortSession.id))).first()


def open_session_by_code(db: Session, code: str) -> SortSession | None:
    """The open session whose join code is ``code`` (case and spaces ignored)."""
    clean = "".join(code.split()).upper()
    if not clean:
        return None
    query = select(SortSession).where(SortSession.code == clean, col(SortSession.is_open).is_(True))
    return db.exec(query).first()


def session_by_code(db: Session, code: str) -> SortSession | None:
    """The session whose join code is ``code``, open or closed (case and spaces ignored)."""
    clean = "".join(code.split()).upper()
    if not clean:
        return None
    return db.exec(select(SortSession).where(SortSession.code == clean)).first()


def get_study(db: Session, study_id: int) -> Study | None:
    """The study with this id."""
    return db.get(Study, study_id)


def get_grid(db: Session, grid_id: int) -> GridShape | None:
    """The grid with this id."""
    return db.get(GridShape, grid_id)


def statements(db: Session, qset_id: int) -> list[Statement]:
    """The statements of one Q-set version, by number."""
    query = select(Statement).where(Statement.qset_id == qset_id).order_by(col(Statement.number))
    return list(db.exec(query))


def statement_ids(db: Session, qset_id: int) -> dict[int, int]:
    """The row id of each statement of one Q-set version, by statement number."""
    query = select(Statement.number, Statement.id).where(Statement.qset_id == qset_id)
    return {number: sid for number, sid in db.exec(query) if sid is not None}


def questions(db: Session, study_id: int) -> list[Question]:
    """The survey questions of a study, in order."""
    query = select(Question).where(Question.study_id == study_id).order_by(col(Question.position))
    return list(db.exec(query))


def participant_labels(db: Session, session_id: int) -> set[str]:
    """The labels already given in a session."""
    query = select(Participant.label).where(Participant.session_id == session_id)
    return set(db.exec(query).all())


def participant_count(db: Session, session_id: int) -> int:
    """How many participants a session has (any state)."""
    query = select(sa.func.count()).select_from(Participant)
    return int(db.exec(query.where(Participant.session_id == session_id)).one())


def label_taken(db: Session, session_id: int, label: str) -> bool:
    """Whether ``label`` is already given in the session."""
    query = select(Participant.id).where(
        Participant.session_id == session_id, Participant.label == label
    )
    return db.exec(query).first() is not None


def add_participant(db: Session, values: dict[str, Any]) -> int:
    """Insert a participant row (``values`` by column) and their empty draft; return the id.

    Two plain INSERTs, not ORM objects: this is every join's write. Not committed.
    """
    now = utcnow()
    row = {"consented_at": now, "active_at": now, "resume_failures": 0, **values}
    connection = db.connection()
    inserted = connection.execute(sa.insert(Participant), row).inserted_primary_key
    assert inserted is not None
    participant_id = int(inserted[0])
    draft = {"participant_id": participant_id, "revision": 0, "state": {}, "updated_at": now}
    connection.execute(sa.insert(Draft), draft)
    return participant_id


#: The participant's hot path (every autosave and page) as statements built once, with bound
#: parameters: building a statement costs more than running it on SQLite.
_BY_TOKEN = select(Participant).where(
    Participant.token_hash == sa.bindparam("token_hash"), col(Participant.revoked_at).is_(None)
)
_DRAFT_OF = select(Draft).where(Draft.participant_id == sa.bindparam("participant_id"))
_STAGE: sa.BindParameter[str] = sa.bindparam("new_stage")
_SAME_STEP = sa.and_(col(Draft.stage) == _STAGE, col(Draft.stage_since).is_not(None))
_NOW = sa.bindparam("now", type_=sa.DateTime(timezone=True))
_UPDATE_DRAFT = (
    update(Draft)
    .where(
        col(Draft.participant_id) == sa.bindparam("pid"),
        col(Draft.revision) == sa.bindparam("seen"),
    )
    .values(
        revision=sa.bindparam("next_revision"),
        state=sa.bindparam("new_state", type_=sa.JSON()),
        updated_at=_NOW,
        stage=_STAGE,
        stage_since=sa.case((_SAME_STEP, col(Draft.stage_since)), else_=_NOW),
    )
    .execution_options(synchronize_session=False)
)
_TOUCH = (
    update(Participant)
    .where(col(Participant.id) == sa.bindparam("pid"))
    .values(active_at=sa.bindparam("stamp", type_=sa.DateTime(timezone=True)))
)


def participant_by_token_hash(db: Session, token_hash: str) -> Participant | None:
    """The participant holding the token whose hash is ``token_hash``.

    A token revoked by a facilitator (the tablet was cleared for the next person) opens nothing:
    the device is then treated as one that never joined, so nothing of the draft can be resumed.
    """
    return db.exec(_BY_TOKEN, params={"token_hash": token_hash}).first()


def get_draft(db: Session, participant_id: int) -> Draft | None:
    """The participant's draft."""
    return db.exec(_DRAFT_OF, params={"participant_id": participant_id}).first()


def update_draft_if_revision(
    db: Session, participant_id: int, seen_revision: int, state: dict[str, Any]
) -> bool:
    """Store ``state`` as revision ``seen_revision + 1`` if the stored one is ``seen_revision``.

    One conditional UPDATE, so two writers (tabs, app processes) cannot both win. The step
    the state reports (``state["stage"]``) is copied to ``stage``, and ``stage_since`` moves
    only when the step changes, so the facilitator's board can show time on the step.
    """
    params = {
        "pid": participant_id,
        "seen": seen_revision,
        "next_revision": seen_revision + 1,
        "new_state": state,
        "now": utcnow(),
        "new_stage": str(state.get("stage", ""))[:16],
    }
    result = db.connection().execute(_UPDATE_DRAFT, params)
    return bool(result.rowcount == 1)


def touch_participant(db: Session, participant_id: int) -> None:
    """Stamp the participant's device as in use now (``active_at``), in one UPDATE."""
    db.connection().execute(_TOUCH, {"pid": participant_id, "stamp": utcnow()})


def sort_of(db: Session, participant_id: int) -> QSortRecord | None:
    """The participant's completed sort, if any."""
    query = select(QSortRecord).where(QSortRecord.participant_id == participant_id)
    return db.exec(query).first()


def sort_by_key(db: Session, key: str) -> QSortRecord | None:
    """The sort recorded with submit key ``key``, whoever sent it."""
    return db.exec(select(QSortRecord).where(QSortRecord.submit_key == key)).first()


def sort_entries(db: Session, qsort_id: int) -> list[SortEntry]:
    """The placements of a completed sort."""
    return list(db.exec(select(SortEntry).where(SortEntry.qsort_id == qsort_id)))


def add_sort(
    db: Session,
    participant: Participant,
    key: str,
    placements: Sequence[tuple[int, int, int]],
    trace: dict[str, Any] | None = None,
) -> QSortRecord:
    """Record a sort: ``placements`` are (statement id, value, row). Flushed, not committed.

    The placements go in as one multi-row INSERT, not as one ORM object each.
    """
    assert participant.id is not None
    record = QSortRecord(
        participant_id=participant.id,
        qset_id=participant.qset_id,
        grid_id=participant.grid_id,
        submit_key=key,
        trace=trace or {},
    )
    db.add(record)
    db.flush()
    assert record.id is not None
    rows = [
        {"qsort_id": record.id, "statement_id": s, "value": v, "row": r} for s, v, r in placements
    ]
    if rows:
        db.connection().execute(sa.insert(SortEntry), rows)
    return record


def comments_of(db: Session, participant_id: int) -> list[Comment]:
    """The participant's post-sort comments."""
    return list(db.exec(select(Comment).where(Comment.participant_id == participant_id)))


def answers_of(db: Session, participant_id: int) -> list[SurveyAnswer]:
    """The participant's survey answers."""
    return list(db.exec(select(SurveyAnswer).where(SurveyAnswer.participant_id == participant_id)))


def mark(participant: Participant, field: str, when: datetime | None = None) -> None:
    """Set a timestamp field (``sorted_at``, ``finished_at``) on a participant."""
    setattr(participant, field, when or utcnow())


# ---- staff accounts and study rights ---------------------------------------------------------


def user_by_email(db: Session, email: str) -> StaffUser | None:
    """The account with this e-mail address (compared in lower case)."""
    query = select(StaffUser).where(StaffUser.email == email.strip().lower())
    return db.exec(query).first()


def get_user(db: Session, user_id: int) -> StaffUser | None:
    """The account with this id."""
    return db.get(StaffUser, user_id)


def all_users(db: Session) -> list[StaffUser]:
    """Every account, by e-mail address."""
    return list(db.exec(select(StaffUser).order_by(col(StaffUser.email))))


def add_user(db: Session, email: str, password_hash: str, role: str) -> StaffUser:
    """Create an account (flushed, not committed)."""
    user = StaffUser(email=email.strip().lower(), password_hash=password_hash, role=role)
    db.add(user)
    db.flush()
    return user


def access_of(db: Session, study_id: int, user_id: int) -> StudyAccess | None:
    """The user's right row on the study, if any."""
    query = select(StudyAccess).where(
        StudyAccess.study_id == study_id, StudyAccess.user_id == user_id
    )
    return db.exec(query).first()


def grant(db: Session, study_id: int, user_id: int, right: str) -> StudyAccess:
    """Give ``user_id`` the ``right`` on the study, replacing any right it had there."""
    access = access_of(db, study_id, user_id)
    if access is None:
        access = StudyAccess(study_id=study_id, user_id=user_id, right=right)
    access.right = right
    db.add(access)
    db.flush()
    return access


def study_members(db: Session, study_id: int) -> list[tuple[StudyAccess, StaffUser]]:
    """Everyone with a right on the study, with their account."""
    query = (
        select(StudyAccess, StaffUser)
        .where(StudyAccess.study_id == study_id, StudyAccess.user_id == StaffUser.id)
        .order_by(col(StaffUser.email))
    )
    return [(a, u) for a, u in db.exec(query)]


def studies_of(db: Session, user_id: int | None) -> list[tuple[Study, str]]:
    """The studies a user has a right on with that right; every study for ``None`` (an admin)."""
    if user_id is None:
        return [(s, "admin") for s in db.exec(select(Study).order_by(col(Study.id)))]
    query = (
        select(Study, StudyAccess.right)
        .where(StudyAccess.study_id == Study.id, StudyAccess.user_id == user_id)
        .order_by(col(Study.id))
    )
    return [(s, r) for s, r in db.exec(query)]


def sort_counts(db: Session) -> dict[int, int]:
    """The number of completed sorts of every study that has one."""
    query = (
        select(Participant.study_id, sa.func.count(col(QSortRecord.id)))
        .where(QSortRecord.participant_id == Participant.id)
        .group_by(col(Participant.study_id))
    )
    return {int(s): int(n) for s, n in db.exec(query)}


# ---- sign-in failures ------------------------------------------------------------------------


def count_failures(db: Session, key: str, since: datetime) -> int:
    """How many failed sign-ins ``key`` has had since ``since``."""
    query = select(sa.func.count(col(SignInFailure.id))).where(
        SignInFailure.key == key, col(SignInFailure.at) >= since
    )
    return int(db.exec(query).one())


def add_failure(db: Session, key: str) -> None:
    """Record one failed sign-in for ``key``."""
    db.add(SignInFailure(key=key))


def forget_failures(db: Session, key: str) -> None:
    """Clear ``key``'s failures (after a successful sign-in to the account)."""
    db.connection().execute(sa.delete(SignInFailure).where(col(SignInFailure.key) == key))


def forget_failures_before(db: Session, when: datetime) -> None:
    """Drop failures older than the rate limit's window."""
    db.connection().execute(sa.delete(SignInFailure).where(col(SignInFailure.at) < when))


# ---- audit record ----------------------------------------------------------------------------


def add_audit_event(db: Session, event: AuditEvent) -> None:
    """Append one line to the audit record (never updated or deleted afterwards)."""
    db.add(event)


def audit_events(db: Session, study_id: int | None = None, limit: int = 500) -> list[AuditEvent]:
    """The newest audit lines, of one study or of all."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if study_id is not None:
        query = query.where(AuditEvent.study_id == study_id)
    return list(db.exec(query))


# ---- collected data --------------------------------------------------------------------------

ParticipantRow = tuple[Participant, SortSession, QSortRecord | None, Draft | None]


def study_participants(db: Session, study_id: int) -> list[ParticipantRow]:
    """Everyone who joined the study, with their session, sort and draft (if any)."""
    query = (
        select(Participant, SortSession, QSortRecord, Draft)
        .join(SortSession, col(SortSession.id) == Participant.session_id)
        .outerjoin(QSortRecord, col(QSortRecord.participant_id) == Participant.id)
        .outerjoin(Draft, col(Draft.participant_id) == Participant.id)
        .where(Participant.study_id == study_id)
        .order_by(col(Participant.consented_at), col(Participant.id))
    )
    return [(p, s, q, d) for p, s, q, d in db.exec(query)]


def picture_names(db: Session) -> set[str]:
    """The names of the stored pictures that statements of any Q-set version of any study use."""
    query = select(Statement.image).where(col(Statement.image).is_not(None)).distinct()
    return {name for name in db.exec(query).all() if name}


def statements_by_id(db: Session, qset_id: int) -> dict[int, Statement]:
    """The Q-set version's statements keyed by their row id."""
    return {s.id: s for s in statements(db, qset_id) if s.id is not None}


def delete_participant_data(db: Session, participant_id: int) -> None:
    """Delete everything a participant gave: sort, placements, comments, answers, draft, help
    requests, paper entry, and the participant row itself (their label is kept nowhere)."""
    from app.models import HelpRequest, PaperEntry

    record = sort_of(db, participant_id)
    conn = db.connection()
    conn.execute(sa.delete(PaperEntry).where(col(PaperEntry.participant_id) == participant_id))
    if record is not None:
        conn.execute(sa.delete(SortEntry).where(col(SortEntry.qsort_id) == record.id))
        conn.execute(sa.delete(QSortRecord).where(col(QSortRecord.id) == record.id))
    for table in (Comment, SurveyAnswer, Draft, HelpRequest):
        conn.execute(sa.delete(table).where(col(table.participant_id) == participant_id))
    conn.execute(sa.delete(Participant).where(col(Participant.id) == participant_id))


def study_sessions(db: Session, study_id: int) -> list[SortSession]:
    """Every join session of a study."""
    return list(db.exec(select(SortSession).where(SortSession.study_id == study_id)))


def has_sorts_on(db: Session, qset_id: int | None, grid_id: int | None) -> bool:
    """Whether any sort (or participant) was made on this Q-set version or grid."""
    query = select(Participant.id).where(
        sa.or_(col(Participant.qset_id) == qset_id, col(Participant.grid_id) == grid_id)
    )
    return db.exec(query.limit(1)).first() is not None


def replace_statements(db: Session, qset_id: int, cards: Sequence[str | CardSpec]) -> None:
    """Make ``cards`` (texts, or texts with pictures) the statements of a Q-set version nobody
    has sorted yet, numbered 1, 2, ... in their order.

    The old rows are deleted through the session (not in bulk), so that a new row given a
    freed id (SQLite reuses them) never meets the old one in the session's identity map."""
    for old in statements(db, qset_id):
        db.delete(old)
    db.flush()
    specs = [CardSpec(c) if isinstance(c, str) else c for c in cards]
    db.add_all(
        Statement(qset_id=qset_id, number=i, text=c.text, image=c.image, image_alt=c.image_alt)
        for i, c in enumerate(specs, 1)
    )
    db.flush()


def new_qset(db: Session, study_id: int, texts: Sequence[str | CardSpec]) -> QSetVersion:
    """A new Q-set version of the study holding ``texts`` (or cards with pictures; flushed)."""
    last = db.exec(
        select(sa.func.max(QSetVersion.version)).where(QSetVersion.study_id == study_id)
    ).one()
    qset = QSetVersion(study_id=study_id, version=int(last or 0) + 1)
    db.add(qset)
    db.flush()
    assert qset.id is not None
    replace_statements(db, qset.id, texts)
    return qset


def answered_question_keys(db: Session, study_id: int) -> set[str]:
    """The keys of the study's questions that somebody has answered."""
    query = (
        select(Question.key)
        .where(Question.study_id == study_id, SurveyAnswer.question_id == Question.id)
        .distinct()
    )
    return set(db.exec(query))


def replace_questions(db: Session, study_id: int, questions: Sequence[SurveySpec]) -> None:
    """Make ``questions`` the study's survey, matched by key (answered ones must stay)."""
    existing = {q.key: q for q in db.exec(select(Question).where(Question.study_id == study_id))}
    keep = {key for key, *_ in questions}
    for key, question in existing.items():
        if key not in keep:
            db.delete(question)
    db.flush()
    for position, (key, kind, prompt, options, required) in enumerate(questions, 1):
        question = existing.get(key) or Question(
            study_id=study_id, key=key, kind=kind, prompt="", position=position
        )
        question.position, question.kind, question.prompt = position, kind, prompt
        question.options, question.required = list(options), required
        db.add(question)
    db.flush()


def add_imported_sort(
    db: Session,
    session: SortSession,
    label: str,
    token_hash: str,
    public_id: str,
    qset_id: int,
    grid_id: int,
    placements: Sequence[tuple[int, int, int]],
    source_file: str,
) -> Participant:
    """Record a sort read from a file: a participant (no device) and its sort, marked imported."""
    assert session.id is not None
    participant = Participant(
        session_id=session.id,
        study_id=session.study_id,
        label=label,
        public_id=public_id,
        token_hash=token_hash,
        qset_id=qset_id,
        grid_id=grid_id,
    )
    db.add(participant)
    db.flush()
    record = add_sort(db, participant, token_hash, placements)
    record.source, record.source_file = "imported", source_file[:255]
    participant.sorted_at = participant.finished_at = utcnow()
    participant.revoked_at = utcnow()  # no device holds its token
    db.add_all([record, participant])
    return participant
