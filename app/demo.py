"""The demo study on relapse and recovery, so that a newcomer has something to sort at once.

The 34 statements were written for this project from the themes in ``shared/DOMAIN.md``
(childhood, mental health, relationships, what helps, services, hopes), in plain, short language.
The grid is the usual quasi-normal -4..+4 shape holding 34 cards.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlmodel import Session, select

from app import store
from app.models import SortSession, Study
from app.security import hash_password

DEMO_SLUG = "demo-relapse-recovery"
DEMO_CODE = "DEMO"
DEMO_CAPACITIES = (2, 3, 4, 5, 6, 5, 4, 3, 2)
DEMO_EMAIL = "demo@example.org"
"""The demo researcher account: it owns the demo study and nothing else."""
DEMO_PASSWORD_FILE = "demo_password"

STATEMENTS: tuple[str, ...] = (
    "Things that happened in childhood still affect drug use years later.",
    "Trauma you thought you had dealt with can come back and lead to relapse.",
    "Losing someone close can push a person back into using.",
    "People often use drugs to numb emotional pain.",
    "Physical pain is a big reason people find it hard to stop.",
    "Feeling low or depressed makes relapse more likely.",
    "Many people do not know how to ask for help.",
    "Mental health and drug problems need to be treated together.",
    "Being around friends who use makes it very hard to stay clean.",
    "Feeling lonely is a big risk for relapse.",
    "Trouble with family or a partner can lead back to using.",
    "Violence at home makes it much harder to stay in recovery.",
    "Starting to use young makes it harder to stop later.",
    "Having a routine and structure to the day helps people stay well.",
    "Being honest with yourself and others keeps you in recovery.",
    "Noticing risky thoughts early can stop a relapse.",
    "A key worker you trust makes a real difference.",
    "A mentor after treatment ends would help people stay well.",
    "Treatment should end in a planned way, not suddenly.",
    "One person to contact for all your needs would make things easier.",
    "Substitute prescribing, like methadone, helps people get their lives back.",
    "Drug services are mostly set up with men in mind.",
    "Women-only groups help women speak openly.",
    "Childcare would help more parents get support.",
    "Fear that children will be taken away stops parents asking for help.",
    "People worry about being seen going into a drug service.",
    "Being treated like a 'junkie' makes people give up.",
    "Services make people jump through too many hoops.",
    "Some support feels more like being watched than being helped.",
    "Having a job gives a reason to stay in recovery.",
    "A safe home is needed before recovery can really start.",
    "Caring for your children gives you a reason to stay well.",
    "Feeling normal again is one of the biggest hopes in recovery.",
    "Pregnancy can be a turning point for stopping drugs.",
)

CONDITION = "What might cause someone to relapse, and what helps them stay in recovery?"

CONSENT = (
    "This is a study about relapse and recovery. You will sort 34 cards with statements on them, "
    "from the ones you disagree with most to the ones you agree with most. It takes about "
    "20 minutes.\n"
    "We do not ask your name. Your sort is saved under a random number such as P07. "
    "Nobody can tell which sort is yours.\n"
    "Taking part is your choice. You can stop at any time, and you do not have to say why. "
    "Stopping will not affect any support or treatment you get.\n"
    "Your sorts are used for research about how people see relapse and recovery."
)

INSTRUCTIONS = (
    "First, read each card and put it in one of three piles: disagree, not sure, or agree.\n"
    "Then place the cards on the board. Put the cards you agree with most on the right (+4) and "
    "the ones you disagree with most on the left (-4). Each column holds a set number of cards.\n"
    "There are no right or wrong answers. You can move cards as often as you like. "
    "Your work is saved as you go."
)

THANKS = "Thank you for taking part. Your sort has been saved. Please hand the tablet back."

SURVEY: tuple[tuple[str, str, str, list[dict[str, str]], bool], ...] = (
    (
        "group",
        "choice",
        "Which fits you best?",
        [
            {"value": "service_user", "label": "I use or have used drugs or drug services"},
            {"value": "worker", "label": "I work in a drug or support service"},
            {"value": "both", "label": "Both of these"},
            {"value": "not_say", "label": "I'd rather not say"},
        ],
        True,
    ),
    (
        "recovery_time",
        "choice",
        "If you are in recovery, for how long?",
        [
            {"value": "lt_6m", "label": "Less than 6 months"},
            {"value": "6m_2y", "label": "6 months to 2 years"},
            {"value": "gt_2y", "label": "More than 2 years"},
            {"value": "na", "label": "Does not apply to me"},
        ],
        False,
    ),
    ("anything_else", "text", "Is there anything else you would like to tell us?", [], False),
)


def demo_password(data_dir: Path) -> str:
    """The demo account's password, kept in ``data_dir/demo_password`` (mode 600), made once."""
    path = data_dir / DEMO_PASSWORD_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return password


def ensure_demo(db: Session, data_dir: Path | None = None) -> SortSession:
    """Create the demo study, its open session (code ``DEMO``) and, given the data folder, the
    demo researcher account owning it, each unless it exists already."""
    session = _ensure_demo_study(db)
    if data_dir is not None:
        _ensure_demo_account(db, session.study_id, data_dir)
    return session


def _ensure_demo_account(db: Session, study_id: int, data_dir: Path) -> None:
    """The demo researcher, owner of the demo study only (its password in the data folder)."""
    if store.user_by_email(db, DEMO_EMAIL) is not None:
        return
    user = store.add_user(db, DEMO_EMAIL, hash_password(demo_password(data_dir)), "researcher")
    assert user.id is not None
    store.grant(db, study_id, user.id, "owner")


def _ensure_demo_study(db: Session) -> SortSession:
    existing = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).first()
    if existing is not None and existing.id is not None:
        # The demo's own session, even if a facilitator closed it (it stays closed).
        session = store.session_by_code(db, DEMO_CODE)
        if session is None:
            session = store.open_session(db, existing.id, DEMO_CODE, name="Demo")
        return session
    study = store.create_study(
        db,
        slug=DEMO_SLUG,
        title="Relapse and recovery (demo)",
        condition=CONDITION,
        consent_text=CONSENT,
        instructions_text=INSTRUCTIONS,
        thanks_text=THANKS,
        disagree_label="Most disagree",
        agree_label="Most agree",
        statements=STATEMENTS,
        column_values=tuple(range(-4, 5)),
        capacities=DEMO_CAPACITIES,
        survey=SURVEY,
    )
    assert study.id is not None  # set by the flush in create_study
    return store.open_session(db, study.id, DEMO_CODE, name="Demo")
