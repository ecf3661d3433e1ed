"""The move trace: how a sort was made, stored with it, for researchers to report effort.

The device keeps, in its draft, the time spent on each step (``instructions``, ``presort``,
``sort``, ``postsort``, ``survey``; in milliseconds) and every move of a card::

    {"n": 12, "from": "pile:agree", "to": "grid:3:0", "t": 81234, "by": "drag", "undo": false}

where a place is ``deck`` (not read yet), ``pile:<disagree|neutral|agree>`` (a pre-sort pile,
which is also where a card waits in the tray) or ``grid:<value>:<row>``; ``t`` is milliseconds
since the participant started; ``by`` is ``drag``, ``tap`` or ``keyboard``; ``undo`` marks the
pre-sort's Undo. A swap is two moves. The trace comes with the sort (steps up to the sort) and
with finishing (the post-sort steps), is stored on :class:`~app.models.QSortRecord` next to the
Q-set version the sort was made on, and :func:`move_rows` / :func:`step_rows` give it back as
flat rows for the study's export.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session, col, select

from app.models import Participant, QSetVersion, QSortRecord

STEPS = ("instructions", "presort", "sort", "postsort", "survey")
METHODS = ("drag", "tap", "keyboard")
PLACE = re.compile(r"^(deck|pile:(disagree|neutral|agree)|grid:-?\d{1,3}:\d{1,4})$")
MAX_MOVES = 20_000

Row = dict[str, Any]


def step_seconds(steps: dict[str, float]) -> dict[str, float]:
    """Milliseconds per step as sent by the device -> seconds, known steps only."""
    return {k: round(float(v) / 1000, 3) for k, v in steps.items() if k in STEPS}


def stored_trace(steps: dict[str, float], moves: list[dict[str, Any]]) -> dict[str, Any]:
    """The trace as kept on the sort: step seconds and the moves in order."""
    return {"steps": step_seconds(steps), "moves": moves[:MAX_MOVES]}


def add_steps(record: QSortRecord, steps: dict[str, float]) -> None:
    """Merge the post-sort steps' times (sent when finishing) into a recorded sort's trace."""
    trace = dict(record.trace or {})
    trace["steps"] = {**trace.get("steps", {}), **step_seconds(steps)}
    record.trace = trace


def _sorts(db: Session, study_id: int) -> list[tuple[Participant, QSortRecord, int]]:
    query = (
        select(Participant, QSortRecord, QSetVersion.version)
        .join(QSortRecord, col(QSortRecord.participant_id) == col(Participant.id))
        .join(QSetVersion, col(QSetVersion.id) == col(QSortRecord.qset_id))
        .where(Participant.study_id == study_id)
        .order_by(col(Participant.label), col(QSortRecord.id))
    )
    return [(p, r, int(v)) for p, r, v in db.exec(query).all()]


def move_rows(db: Session, study_id: int) -> list[Row]:
    """Every move of every sort in a study, one row each, in the order made.

    Columns: ``participant`` (label), ``qset_version``, ``seq`` (1, 2, ...), ``card``, ``from``,
    ``to``, ``seconds`` (since the participant started), ``by``, ``undo``.
    """
    rows: list[Row] = []
    for participant, record, version in _sorts(db, study_id):
        for seq, move in enumerate((record.trace or {}).get("moves", []), 1):
            rows.append(
                {
                    "participant": participant.label,
                    "qset_version": version,
                    "seq": seq,
                    "card": move["n"],
                    "from": move["from"],
                    "to": move["to"],
                    "seconds": round(move["t"] / 1000, 3),
                    "by": move["by"],
                    "undo": bool(move.get("undo", False)),
                }
            )
    return rows


def step_rows(db: Session, study_id: int) -> list[Row]:
    """The time each participant spent on each step: ``participant``, ``qset_version``,
    ``step``, ``seconds`` (steps not reached are left out)."""
    rows: list[Row] = []
    for participant, record, version in _sorts(db, study_id):
        steps = (record.trace or {}).get("steps", {})
        rows += [
            {
                "participant": participant.label,
                "qset_version": version,
                "step": s,
                "seconds": steps[s],
            }
            for s in STEPS
            if s in steps
        ]
    return rows
