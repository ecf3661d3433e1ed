"""The study store's tables (SQLModel), shaped for what later issues add.

- A :class:`Study` owns versioned Q-sets (:class:`QSetVersion` with its :class:`Statement` rows)
  and grids (:class:`GridShape`); every completed :class:`QSortRecord` names the Q-set version and
  grid it was made on, so editing a study never rewrites a sort already given.
- People join through a :class:`SortSession` (a join code), distinct from the study, so that a
  facilitator can later open one session per focus group; a :class:`Participant` belongs to one
  session and carries only a random label (``P07``) and the hash of a secret token: no name.
- A :class:`Draft` holds the participant's work in progress with a ``revision`` number; writers
  update it with ``WHERE revision = :seen`` (optimistic concurrency that works on PostgreSQL and
  several app processes as well as on SQLite).
- Submissions carry an idempotency key, unique per table, so a retried request records one sort.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

# Named constraints, so that later migrations can alter them on SQLite (batch mode) and PostgreSQL.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (stored as such on PostgreSQL)."""
    return datetime.now(UTC)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), nullable=False)


class Study(SQLModel, table=True):
    """A Q study: its texts for participants and which Q-set version and grid are current."""

    __tablename__ = "study"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    title: str = Field(max_length=200)
    language: str = Field(default="en", max_length=16)
    condition: str = Field(description="The condition of instruction (the question sorted on).")
    consent_text: str = ""
    instructions_text: str = ""
    thanks_text: str = ""
    disagree_label: str = Field(default="", max_length=80)
    agree_label: str = Field(default="", max_length=80)
    extremes_required: bool = False
    # Revision 0002: "draft" while being designed, "open" to participants, "closed" afterwards.
    status: str = Field(default="open", max_length=16)
    # Participant options (docs/participant-flow.md): the speaker buttons, the idle limit after
    # which resuming on the device asks for the resume code, and the pile the tray opens on.
    read_aloud: bool = True
    idle_minutes: int = Field(default=10, ge=1)
    tray_start: str = Field(default="agree", max_length=16)
    text_size: int = Field(default=1, ge=1, le=4)  # the card text size the sort page opens at
    # Plain ids, not foreign keys: a key each way between study and Q-set would be a cycle.
    current_qset_id: int | None = None
    current_grid_id: int | None = None
    created_at: datetime = _created()
    updated_at: datetime = _created()


class QSetVersion(SQLModel, table=True):
    """One version of a study's Q-set; statements are never edited in place once sorted."""

    __tablename__ = "qset_version"
    __table_args__ = (sa.UniqueConstraint("study_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    version: int
    created_at: datetime = _created()


class Statement(SQLModel, table=True):
    """A card: its number within the Q-set version, its text and an optional picture.

    ``image`` names a file in the data folder's ``media/`` (served by ``/media/{name}``) and
    ``image_alt`` is its text alternative, read by screen readers and by read-aloud.
    """

    __tablename__ = "statement"
    __table_args__ = (sa.UniqueConstraint("qset_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    qset_id: int = Field(foreign_key="qset_version.id", index=True)
    number: int
    text: str
    image: str | None = Field(default=None, max_length=200)
    image_alt: str = ""


class GridShape(SQLModel, table=True):
    """A distribution: column values (ascending) and capacities, forced or free."""

    __tablename__ = "grid_shape"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    column_values: list[int] = Field(sa_type=JSON)
    capacities: list[int] = Field(sa_type=JSON)
    forced: bool = True
    created_at: datetime = _created()


class Question(SQLModel, table=True):
    """A survey question asked after the sort.

    ``kind`` is ``"text"``, ``"choice"`` (one of ``options``), ``"multiple"`` (any number of
    them) or ``"scale"`` (whose ``options`` are its numbers in order, the first and last labelled
    with its ends); ``key`` names the answer in downloads (e.g. ``"group"``), and ``options`` are
    ``[{"value": ..., "label": ...}]``. See :mod:`app.services.survey`.
    """

    __tablename__ = "question"
    __table_args__ = (sa.UniqueConstraint("study_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    position: int
    key: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    prompt: str
    options: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    required: bool = False


class SortSession(SQLModel, table=True):
    """A way in to a study: a short join code, open or closed (one per focus group later)."""

    __tablename__ = "sort_session"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    code: str = Field(max_length=16, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    is_open: bool = True
    created_at: datetime = _created()
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # A focus group's session (revision 0004): who sorts (e.g. "service users"), how many seats
    # are expected, and optional seat names ("Tablet 1") that a tablet can be bound to.
    group_label: str = Field(default="", max_length=80)
    seats: int | None = None
    seat_names: list[str] = Field(default_factory=list, sa_type=JSON)
    # The staff member who opened it: a plain user id, not yet a foreign key (the users table
    # arrives with staff accounts; a later revision adds the key).
    opened_by: int | None = None


class Participant(SQLModel, table=True):
    """Someone who accepted the consent: a label such as ``P07`` and a token hash, no name.

    ``public_id`` is the random id pages and the device's storage use (the database id would
    reveal join order and count). ``resume_hash`` is the hash of the short resume code asked
    when the device was idle longer than the study's limit since ``active_at``; wrong codes
    count in ``resume_failures`` and make the next try wait until ``resume_wait_until``.
    """

    __tablename__ = "participant"
    __table_args__ = (sa.UniqueConstraint("session_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="sort_session.id", index=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    label: str = Field(max_length=16)
    public_id: str = Field(max_length=32, unique=True, index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    qset_id: int = Field(foreign_key="qset_version.id")
    grid_id: int = Field(foreign_key="grid_shape.id")
    consented_at: datetime = _created()
    sorted_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    finish_key: str | None = Field(default=None, max_length=64)
    # Revision 0004: the seat (1-based) of the tablet they joined on, and when a facilitator
    # cleared that tablet for the next person (the token then opens nothing; the draft is kept).
    seat: int | None = None
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    resume_hash: str | None = Field(default=None, max_length=64)
    active_at: datetime = _created()
    resume_failures: int = 0
    resume_wait_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Draft(SQLModel, table=True):
    """Work in progress (piles, grid, comments, answers) as the client's JSON state."""

    __tablename__ = "draft"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", unique=True, index=True)
    revision: int = 0
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = _created()
    # Revision 0004: the step the device last reported (``state["stage"]``) and since when, so
    # the facilitator's board can show time on the step without reading every state.
    stage: str = Field(default="", max_length=16)
    stage_since: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class QSortRecord(SQLModel, table=True):
    """A completed Q-sort: one per participant, on a named Q-set version and grid.

    ``trace`` is how the sort was made: ``{"steps": {stage: seconds}, "moves": [...]}``, each
    move ``{"n", "from", "to", "t", "by", "undo"}`` (see :mod:`app.services.trace`).
    """

    __tablename__ = "qsort"

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", unique=True, index=True)
    qset_id: int = Field(foreign_key="qset_version.id")
    grid_id: int = Field(foreign_key="grid_shape.id")
    submit_key: str = Field(max_length=64, unique=True)
    source: str = Field(default="web", max_length=16, description="web, or paper when typed in.")
    trace: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = _created()
    # Revision 0004, paper sorts: who typed it in and who typed it again to check it (double
    # entry). Plain user ids, not yet foreign keys (the users table comes with staff accounts).
    entered_by: int | None = None
    checked_by: int | None = None
    # Revision 0002: a sort excluded from analysis keeps its data; the reason and who/when say why.
    excluded_reason: str | None = None
    excluded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    excluded_by: int | None = None  # a staff user id
    source_file: str = Field(default="", max_length=255)


class SortEntry(SQLModel, table=True):
    """Where one card lies in a completed sort: its column value and row (as placed on screen)."""

    __tablename__ = "sort_entry"
    __table_args__ = (
        sa.UniqueConstraint("qsort_id", "statement_id"),
        sa.UniqueConstraint("qsort_id", "value", "row"),
    )

    id: int | None = Field(default=None, primary_key=True)
    qsort_id: int = Field(foreign_key="qsort.id", index=True)
    statement_id: int = Field(foreign_key="statement.id")
    value: int
    row: int


class Comment(SQLModel, table=True):
    """What a participant said about a card at one extreme of the grid (post-sort question)."""

    __tablename__ = "comment"
    __table_args__ = (sa.UniqueConstraint("participant_id", "statement_id"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    statement_id: int = Field(foreign_key="statement.id")
    value: int
    text: str
    created_at: datetime = _created()


class SurveyAnswer(SQLModel, table=True):
    """One answer to one survey question."""

    __tablename__ = "survey_answer"
    __table_args__ = (sa.UniqueConstraint("participant_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    question_id: int = Field(foreign_key="question.id")
    value: str
    created_at: datetime = _created()


class HelpRequest(SQLModel, table=True):
    """A participant asked for help; the facilitator's board shows it until it is answered."""

    __tablename__ = "help_request"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="sort_session.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", index=True)
    created_at: datetime = _created()
    answered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    answered_by: int | None = None  # a user id; a foreign key once the users table exists


class PaperEntry(SQLModel, table=True):
    """A paper sort being typed in: one entry, or two for double data entry.

    The entry belongs to a participant made for it (a label, no device: its token is never
    handed out), which reserves the label written on the paper record sheet and names the
    Q-set version and grid typed against. ``first`` and ``second`` map a column value (as a
    string, JSON's keys) to the statement numbers typed into that column from top to bottom.
    The sort is recorded (``qsort_id``) once the entry is valid and, for double entry, once both
    typings agree cell by cell. ``first_by``/``second_by`` are plain user ids until the users
    table exists.
    """

    __tablename__ = "paper_entry"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="sort_session.id", index=True)
    participant_id: int = Field(foreign_key="participant.id", unique=True, index=True)
    double_entry: bool = False
    first: dict[str, list[int]] = Field(default_factory=dict, sa_type=JSON)
    first_by: int | None = None
    second: dict[str, list[int]] | None = Field(default=None, sa_type=JSON)
    second_by: int | None = None
    qsort_id: int | None = Field(default=None, foreign_key="qsort.id")
    created_at: datetime = _created()
    updated_at: datetime = _created()


class SavedAnalysis(SQLModel, table=True):
    """A named analysis of a study (revision 0005): which sorts, and qsort's options as JSON.

    ``selection`` says which sorts (``{"kind": "all"}``, ``{"kind": "group", "group": ...}`` or
    ``{"kind": "sorts", "sorts": [qsort ids]}``); ``options`` is ``qsort.Options.to_dict()``, so
    reopening the analysis runs exactly the same engine call. ``created_by`` is a staff user id.
    """

    __tablename__ = "saved_analysis"
    __table_args__ = (sa.UniqueConstraint("study_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    name: str = Field(max_length=200)
    selection: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by: int | None = None
    created_at: datetime = _created()
    updated_at: datetime = _created()


class AnalysisRun(SQLModel, table=True):
    """One background run of an analysis (revision 0005), its progress kept here.

    ``run_key`` hashes the selection and the options; with the study it is unique, so a second
    request for the same analysis finds the run already under way instead of starting another.
    Any app process reads ``status``, ``progress`` and ``stage`` to show a progress bar.
    ``result`` is qsort's JSON result once ``status`` is ``"done"``; ``message`` says why a
    failed run failed, in words for people. ``lease_owner`` and ``lease_expires`` (revision 0008)
    say which worker holds the run and until when its heartbeat holds it: a queued or running
    run whose lease expired (its worker died) is taken over by the next process that asks.
    """

    __tablename__ = "analysis_run"
    __table_args__ = (sa.UniqueConstraint("study_id", "run_key"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    run_key: str = Field(max_length=64)
    selection: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="queued", max_length=16)
    progress: float = 0.0
    stage: str = Field(default="", max_length=80)
    message: str = ""
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_by: int | None = None
    created_at: datetime = _created()
    updated_at: datetime = _created()
    finished_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    lease_owner: str = Field(default="", max_length=32)
    lease_expires: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


ROLES = ("admin", "researcher", "facilitator")
"""Staff roles: an admin manages accounts and sees every study; researchers own studies;
facilitators run sessions of the studies shared with them."""

RIGHTS = ("owner", "co-owner", "viewer", "facilitator")
"""What a user may do with one study (:mod:`app.services.access` ranks them)."""


class StaffUser(SQLModel, table=True):
    """A staff account: an e-mail address, an Argon2 password hash and a role.

    ``session_epoch`` is written into every session cookie; raising it (sign-out everywhere,
    password reset, disabling) makes every cookie issued before it worthless.
    """

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=16)
    session_epoch: int = 0
    disabled_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    created_at: datetime = _created()


class StudyAccess(SQLModel, table=True):
    """One user's right on one study (owner, co-owner, viewer or facilitator)."""

    __tablename__ = "study_access"
    __table_args__ = (sa.UniqueConstraint("study_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    right: str = Field(max_length=16)
    created_at: datetime = _created()


class SignInFailure(SQLModel, table=True):
    """A failed sign-in, kept for the rate limit's window (``key`` is an account or address)."""

    __tablename__ = "sign_in_failure"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, index=True)
    at: datetime = _created()


class AuditEvent(SQLModel, table=True):
    """One line of the append-only audit record: who did what to which study and participant.

    ``actor`` keeps the e-mail address as it was, so the line stays readable if the account
    changes; ``detail`` is a short description and never holds a participant's answers.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _created()
    user_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    actor: str = Field(default="", max_length=254)
    action: str = Field(max_length=32)
    study_id: int | None = Field(default=None, index=True)
    participant: str = Field(default="", max_length=16)
    detail: str = Field(default="", max_length=500)
    address: str = Field(default="", max_length=64)
