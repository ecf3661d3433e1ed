"""The facilitator's pages in Chromium: the discussion view at a room screen's size, the
paper-entry form checking as numbers are typed, and the print pages printed to PDF.

The pages are served by preview routes (``facilitator_preview.py``) until the staff routes land.
Screenshots go to ``$QSORT_SCREENSHOTS`` when set (to look at them), else to a temporary folder.
"""

from __future__ import annotations

import io
import os
import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlmodel import Session, select

from app.demo import DEMO_SLUG
from app.models import Participant, Study
from app.services import finish, join, paper_entry, submit
from app.services.group_sessions import open_group_session
from app.services.paper_entry import Columns

from .conftest import LiveServer
from .facilitator_preview import add_preview_routes
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser

VALUES = list(range(-4, 5))
CAPACITIES = [2, 3, 4, 5, 6, 5, 4, 3, 2]


@dataclass(frozen=True)
class Room:
    """A study with a group session of five finished sorts and a session with two."""

    study_id: int
    session_id: int
    small_session_id: int
    labels: tuple[str, ...]


def laid(order: list[int]) -> Columns:
    columns: Columns = {}
    for value, cap in zip(VALUES, CAPACITIES, strict=True):
        columns[value], order = order[:cap], order[cap:]
    return columns


def _web_sort(db: Session, code: str, order: list[int]) -> str:
    """A participant who sorted on a tablet and commented on one extreme card."""
    joined = join.accept_consent(db, code, seat=1)
    participant = joined.participant
    columns = laid(order)
    placements = [submit.Placement(n, v, r) for v, ns in columns.items() for r, n in enumerate(ns)]
    submit.submit_sort(
        db,
        participant,
        key="w" * 16,
        qset_id=participant.qset_id,
        grid_id=participant.grid_id,
        placements=placements,
    )
    study = db.get(Study, participant.study_id)
    assert study is not None
    top = columns[4][0]
    finish.finish(
        db,
        participant,
        study,
        key="f" * 16,
        comments={top: "This is my life right now."},
        answers={"group": "service_user"},
    )
    return participant.label


@pytest.fixture(scope="module")
def room(live_server: LiveServer) -> Room:
    add_preview_routes(live_server.app)
    rng = random.Random(11)
    with Session(live_server.app.state.engine, expire_on_commit=False) as db:
        study = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).one()
        assert study.id is not None
        group = open_group_session(
            db, study.id, group_label="Service users", seat_names=["Tablet 1", "Tablet 2"]
        )
        small = open_group_session(db, study.id, group_label="Workers")
        assert group.id is not None and small.id is not None
        base = list(range(1, 35))
        for _ in range(4):
            order = base[:]
            for _ in range(12):  # a shared view with some disagreement
                i, j = rng.randrange(34), rng.randrange(34)
                order[i], order[j] = order[j], order[i]
            paper_entry.start_entry(db, group.id, laid(order))
        _web_sort(db, group.code, base[::-1][:17] + base[:17][::-1])
        for _ in range(2):
            paper_entry.start_entry(db, small.id, laid(base))
        labels = tuple(p.label for p in db.exec(select(Participant)))
        return Room(study.id, group.id, small.id, labels)


@pytest.fixture()
def screen(browser: Browser) -> Iterator[Page]:
    """A room's screen: 1920x1080."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("QSORT_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_the_discussion_view_fills_a_room_screen(
    screen: Page, live_server: LiveServer, room: Room, shots: Path
) -> None:
    screen.goto(f"{live_server.url}/_preview/discussion/{room.session_id}")
    expect(screen.locator(".room-list")).to_have_count(4)
    for kind in ("agree", "disagree", "contested", "agreed"):
        expect(screen.locator(f".{kind}-list li")).to_have_count(5)
    screen.screenshot(path=str(shots / "discussion-1920x1080.png"), full_page=True)
    size = screen.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 1920 and size[1] <= 1080, size  # the whole view on one screen
    text = screen.inner_text("body")
    assert "From 5 finished sorts (Service users)" in text
    for label in room.labels:
        assert label not in text  # nobody identifiable
    assert "This is my life right now." not in text
    assert serious_violations(screen) == []


def test_the_discussion_view_waits_for_three_sorts(
    screen: Page, live_server: LiveServer, room: Room, shots: Path
) -> None:
    screen.goto(f"{live_server.url}/_preview/discussion/{room.small_session_id}")
    expect(screen.locator(".not-enough")).to_contain_text("Not enough sorts yet")
    expect(screen.locator(".not-enough")).to_contain_text("2 are finished so far")
    expect(screen.locator(".room-list")).to_have_count(0)
    screen.screenshot(path=str(shots / "discussion-not-enough.png"))


def _type_columns(page: Page, columns: Columns) -> None:
    for value, numbers in columns.items():
        page.fill(f"#col_{value}", " ".join(str(n) for n in numbers))


def test_the_paper_form_names_a_duplicate_as_it_is_typed_and_refuses_it(
    page: Page, live_server: LiveServer, room: Room, shots: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/_preview/paper/{room.small_session_id}")
    expect(page.locator("#paper-progress")).to_have_text(
        "0 of 34 cards typed. Still to type: " + ", ".join(str(n) for n in range(1, 35)) + "."
    )
    columns = laid(list(range(1, 35)))
    columns[-3][0] = 1  # statement 1 again, where statement 3 belongs
    _type_columns(page, columns)
    problems = page.locator("#paper-problems li")
    expect(problems).to_have_text(["Statement 1 is typed 2 times (columns -4, -3)."])
    expect(page.locator("#paper-progress")).to_have_text("33 of 34 cards typed. Still to type: 3.")
    expect(page.locator("#col_-3")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#cells_-3 .paper-cell.bad")).to_have_count(1)
    page.fill("#col_4", "33 34 35")
    expect(problems).to_contain_text(
        [
            "Column +4 has 3 numbers but only 2 places.",
            "Column +4, place 3: there is no statement 35",
        ]
    )
    assert serious_violations(page) == []
    page.screenshot(path=str(shots / "paper-entry-problems.png"), full_page=True)
    page.fill("#col_4", "33 34")
    page.click("button[type=submit]")
    expect(page.locator("#server-problems")).to_contain_text(
        "Statement 1 is typed 2 times (columns -4, -3)."
    )
    expect(page.locator("#server-problems")).to_contain_text("Statement 3 is not typed")
    expect(page.locator("#col_-3")).to_have_value("1 4 5")  # what was typed is kept
    page.fill("#col_-3", "3 4 5")
    page.fill("#label", "P77")
    page.click("button[type=submit]")
    expect(page.locator(".notice.ok")).to_contain_text("The sort of P77 is recorded")


def _print_pdf(page: Page, name: str = "") -> PdfReader:
    data = page.pdf(prefer_css_page_size=True, print_background=True)
    if name and os.environ.get("QSORT_SCREENSHOTS"):
        (Path(os.environ["QSORT_SCREENSHOTS"]) / name).write_bytes(data)
    return PdfReader(io.BytesIO(data))


def test_the_printed_deck_page_holds_each_card_front_and_back(
    page: Page, live_server: LiveServer, room: Room, shots: Path
) -> None:
    page.goto(f"{live_server.url}/_preview/deck/{room.study_id}")
    expect(page.locator(".deck-card:not(.back):not(.blank)")).to_have_count(34)
    expect(page.locator(".deck-card.back")).to_have_count(34)
    assert serious_violations(page) == []
    page.screenshot(path=str(shots / "print-deck.png"))
    reader = _print_pdf(page, "print-deck.pdf")
    assert len(reader.pages) == 8
    page_one = reader.pages[0]
    assert round(float(page_one.mediabox.width)) == 595  # A4 portrait, in points
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages[0::2])
    fronts = unicodedata.normalize("NFKC", text)  # Chromium sets ligatures such as "ff"
    assert "Things that happened in childhood still affect drug use years later." in fronts
    assert "Pregnancy can be a turning point for stopping drugs." in fronts


@pytest.mark.parametrize(("paper", "points"), [("A4", (842, 595)), ("A3", (1191, 842))])
def test_the_printed_grid_sheet_is_landscape_at_its_size(
    page: Page,
    live_server: LiveServer,
    room: Room,
    shots: Path,
    paper: str,
    points: tuple[int, int],
) -> None:
    page.goto(f"{live_server.url}/_preview/grid/{room.study_id}/{paper}")
    expect(page.locator(".grid-print .gcell")).to_have_count(34)
    reader = _print_pdf(page, f"print-grid-{paper}.pdf")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == points
    page.screenshot(path=str(shots / f"print-grid-{paper}.png"), full_page=True)


def test_the_record_and_interview_sheets_print_one_page_each(
    page: Page, live_server: LiveServer, room: Room, shots: Path
) -> None:
    page.goto(f"{live_server.url}/_preview/record/{room.session_id}")
    expect(page.locator(".record-row")).to_have_count(9)
    assert serious_violations(page) == []
    assert len(_print_pdf(page, "print-record.pdf").pages) == 1
    page.screenshot(path=str(shots / "print-record.png"), full_page=True)
    page.goto(f"{live_server.url}/_preview/interview/{room.session_id}")
    expect(page.locator(".sheet")).to_have_count(5)
    assert serious_violations(page) == []
    tablet_sheet = page.locator(".sheet", has_text="Tablet 1")  # the one sorted on a tablet
    expect(tablet_sheet).to_have_count(1)
    expect(tablet_sheet).to_contain_text("Said: This is my life right now.")
    expect(page.locator(".sheet", has_text="This is my life")).to_have_count(1)
    assert len(_print_pdf(page, "print-interview.pdf").pages) == 5
    page.screenshot(path=str(shots / "print-interview.png"), full_page=True)


def test_a_double_entry_disagreement_is_shown_cell_by_cell_until_corrected(
    page: Page, live_server: LiveServer, room: Room, shots: Path
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/_preview/paper/{room.small_session_id}")
    right = laid(list(range(1, 35)))
    _type_columns(page, right)
    page.fill("#label", "P61")
    page.check("#double_entry")
    expect(page.locator("#paper-progress")).to_have_text("All 34 cards typed.")
    page.click("button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("The first typing of P61 is kept")
    expect(page.locator("#col_0")).to_have_value("")  # the second person starts blank
    wrong = {**right, 4: [34, 33]}
    _type_columns(page, wrong)
    page.click("button[type=submit]")
    table = page.locator("table.differences tbody tr")
    expect(page.locator(".notice.warn h2")).to_have_text("The two typings of P61 differ in 2 cells")
    expect(table).to_have_count(2)
    expect(table.nth(0).locator("td")).to_have_text(["+4", "1", "33", "34"])
    expect(table.nth(1).locator("td")).to_have_text(["+4", "2", "34", "33"])
    expect(page.locator(".paper-pending")).to_contain_text("P61: 2 cells differ")
    assert serious_violations(page) == []
    page.screenshot(path=str(shots / "paper-double-entry.png"), full_page=True)
    expect(page.locator("#col_4")).to_have_value("34 33")  # the second typing, to correct
    page.check("input[name=which][value=first]")
    expect(page.locator("#col_4")).to_have_value("33 34")
    page.check("input[name=which][value=second]")
    page.fill("#col_4", "33 34")
    page.click("button[type=submit]")
    expect(page.locator(".notice.ok")).to_contain_text(
        "The sort of P61 is recorded: both typings agree"
    )
    expect(page.locator(".paper-pending")).to_have_count(0)
