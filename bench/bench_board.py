"""Benchmark the facilitator's live board: reading a session's state from the database.

Run: ``.venv/bin/python bench/bench_board.py [--participants 10 30 60] [--reads 50]``.
For each room size, a temporary SQLite store holds one session of the demo study with that
many participants at mixed steps (drafts with cards on the grid, sorted, finished, help asked);
then the board is read ``--reads`` times as the event stream does (``board_state`` and
``board_payload`` on a fresh database session each time), and the table shows p50/p90 of one
read and the size of one board event. Every open board polls once a second, so a read well
under the poll interval leaves the database free for the tablets' autosaves.

A report, not a test: it never fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session, select

from app import db as appdb
from app.demo import DEMO_SLUG, ensure_demo
from app.models import Participant, Study
from app.services import help_requests, join, submit
from app.services.autosave import save_draft
from app.services.board import board_payload, board_state, sse_event
from app.services.group_sessions import open_group_session
from app.settings import Settings

STEPS = ("instructions", "presort", "sort", "sort", "sort", "postsort")


def fill_room(db: Session, size: int) -> int:
    """A session of ``size`` participants at mixed steps; return its id."""
    study = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).one()
    assert study.id is not None
    session = open_group_session(db, study.id, group_label="bench", seats=min(size, 60))
    assert session.id is not None
    for i in range(size):
        participant = join.accept_consent(db, session.code, seat=i % 60 + 1).participant
        stage = STEPS[i % len(STEPS)]
        grid = {str(n): [0, n] for n in range(1, 1 + (i % 6))} if stage == "sort" else {}
        save_draft(db, participant, 0, {"stage": stage, "grid": grid})
        if i % 5 == 0:
            _submit(db, participant)
        if i % 7 == 0 and participant.sorted_at is None:
            help_requests.ask_for_help(db, participant)
    return session.id


def _submit(db: Session, participant: Participant) -> None:
    """A complete sort in statement order (participant 1 in 5 has sorted)."""
    slots = [
        (v, r)
        for v, c in zip(range(-4, 5), (2, 3, 4, 5, 6, 5, 4, 3, 2), strict=True)
        for r in range(c)
    ]
    placements = [submit.Placement(n, v, r) for n, (v, r) in enumerate(slots, 1)]
    submit.submit_sort(
        db,
        participant,
        key=f"bench-{participant.id:08d}",
        qset_id=participant.qset_id,
        grid_id=participant.grid_id,
        placements=placements,
    )


def measure(size: int, reads: int) -> tuple[float, float, int]:
    """p50 and p90 of one board read in milliseconds, and one event's size in bytes."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings.for_data_dir(Path(folder))
        engine = appdb.make_engine(settings)
        appdb.upgrade(engine, settings)
        with Session(engine, expire_on_commit=False) as db:
            ensure_demo(db)
            db.commit()
            session_id = fill_room(db, size)
        times = []
        payload: dict[str, object] = {}
        for _ in range(reads):
            start = time.perf_counter()
            with Session(engine) as db:
                payload = board_payload(board_state(db, session_id))
            times.append((time.perf_counter() - start) * 1000)
        engine.dispose()
    rows = json.loads(json.dumps(payload))["rows"]
    assert len(rows) == size
    event = sse_event(payload, "0" * 16)
    p90 = statistics.quantiles(times, n=10)[-1]
    return statistics.median(times), p90, len(event.encode("utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print("SQLite (WAL), one board read = board_state + board_payload on a fresh session\n")
    print(f"{'participants':>12} {'p50 ms':>8} {'p90 ms':>8} {'event bytes':>12}")
    for size in args.participants:
        p50, p90, size_bytes = measure(size, args.reads)
        print(f"{size:>12} {p50:>8.2f} {p90:>8.2f} {size_bytes:>12}")


if __name__ == "__main__":
    main()
