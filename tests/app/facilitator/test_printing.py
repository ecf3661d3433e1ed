"""Printed material: the deck holds one card per statement, backs sit behind their fronts."""

from __future__ import annotations

import io
import math
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from app.models import SortSession
from app.services import paper_entry, pdf, printing
from app.services.paper_entry import Columns

from .conftest import Device, finish, join_session, submit_sort

VALUES = list(range(-4, 5))
CAPACITIES = [2, 3, 4, 5, 6, 5, 4, 3, 2]


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _numbers_with_x(data: bytes, page: int) -> list[tuple[int, float]]:
    """The whole numbers written on a page and where (x, in points) each starts."""
    found: list[tuple[int, float]] = []

    def visit(text: str, cm: object, tm: list[float], *_: object) -> None:
        if text.strip().isdigit():
            found.append((int(text.strip()), tm[4]))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    return found


def test_the_deck_holds_one_card_per_statement(db: Session, study_id: int) -> None:
    study, cards = printing.deck(db, study_id)
    assert len(cards) == 34
    data = pdf.deck_pdf(study.title, cards)
    pages = _pages(data)
    assert len(pages) == 2 * math.ceil(34 / 10)
    fronts = _flat(" ".join(pages[0::2]))
    for card in cards:
        assert fronts.count(_flat(card.text)) == 1, card.text
    for front_no in range(0, len(pages), 2):
        front = {n for n, _ in _numbers_with_x(data, front_no)}
        back = {n for n, _ in _numbers_with_x(data, front_no + 1)}
        assert back == front  # every number on the back of its page of fronts
    assert sorted(n for p in range(0, len(pages), 2) for n, _ in _numbers_with_x(data, p)) == list(
        range(1, 35)
    )


def test_each_back_is_behind_its_front_when_flipped_on_the_long_edge(
    db: Session, study_id: int
) -> None:
    study, cards = printing.deck(db, study_id)
    data = pdf.deck_pdf(study.title, cards)
    width = float(PdfReader(io.BytesIO(data)).pages[0].mediabox.width)
    front = dict(_numbers_with_x(data, 0))
    back = dict(_numbers_with_x(data, 1))
    for number, x in front.items():
        front_left = x < width / 2
        back_left = back[number] < width / 2
        assert front_left != back_left, number  # mirrored left to right


def test_unicode_statements_survive(db: Session) -> None:
    quoted = "\u2018junkie\u2019 \u2013 stigma\u2026"
    cards = [printing.Card(1, f"Being treated like a {quoted}"), printing.Card(2, "\u00c7a va")]
    text = _flat(_pages(pdf.deck_pdf("\u00c9tude", cards))[0])
    assert quoted in text and "\u00c7a va" in text


@pytest.mark.parametrize(("paper", "size"), [("A4", (842, 595)), ("A3", (1191, 842))])
def test_the_grid_sheet_is_landscape_at_its_paper_size(
    db: Session, study_id: int, paper: str, size: tuple[int, int]
) -> None:
    sheet = printing.grid_sheet(db, study_id)
    data = pdf.grid_pdf(sheet, paper)  # type: ignore[arg-type]
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size
    text = _pages(data)[0]
    assert re.findall(r"[-+]\d|\b0\b", text)[:9] == [
        "-4",
        "-3",
        "-2",
        "-1",
        "0",
        "+1",
        "+2",
        "+3",
        "+4",
    ]
    assert "Most disagree" in text and "Most agree" in text
    assert _flat(sheet.condition) in _flat(text)


def test_the_record_sheet_follows_the_entry_form(db: Session, group: SortSession) -> None:
    assert group.id is not None
    sheet = printing.record_sheet(db, group.id)
    text = _pages(pdf.record_pdf(sheet))[0]
    assert group.code in text and "Service users" in text
    for value, cap in zip(VALUES, CAPACITIES, strict=True):
        assert f"{pdf.signed(value)} {cap} cards" in _flat(text)
    assert "Participant label" in text and "Typed in by" in text


def _laid(order: list[int]) -> Columns:
    columns: Columns = {}
    for value, cap in zip(VALUES, CAPACITIES, strict=True):
        columns[value], order = order[:cap], order[cap:]
    return columns


def test_an_interview_sheet_per_finished_participant(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    paper_entry.start_entry(db, group.id, _laid(list(range(1, 35))), label="P40")
    tablet = device()
    config = join_session(tablet, group.code)
    submit_sort(tablet, config)  # statement 1 at -4 ... 34 at +4, in number order
    finish(tablet, comments={"34": "It was for me"})
    unfinished = device()
    join_session(unfinished, group.code)
    sheets = printing.interview_sheets(db, group.id)
    assert len(sheets) == 2
    data = pdf.interview_pdf(sheets, "Relapse and recovery (demo)")
    pages = _pages(data)
    assert len(pages) == 2
    by_label = {s.label: (s, p) for s, p in zip(sheets, pages, strict=True)}
    web, page = next(v for k, v in by_label.items() if k != "P40")
    assert [(e.value, e.card.number) for e in web.extremes] == [(4, 33), (4, 34), (-4, 1), (-4, 2)]
    assert [e.comment for e in web.extremes if e.card.number == 34] == ["It was for me"]
    flat = _flat(page)
    assert "Said: It was for me" in flat and "Post-sort interview" in flat
    assert "P40" not in flat  # nobody else's label on someone's sheet
    for extreme in web.extremes:
        assert _flat(extreme.card.text) in flat
    assert "tablet" in flat and "paper" in _flat(by_label["P40"][1])


def test_an_interview_sheet_stays_one_page_with_long_comments(db: Session) -> None:
    columns = tuple(
        printing.Column(v, c, tuple(printing.Card(n, f"Statement {n} " * 6) for n in range(c)))
        for v, c in zip(VALUES, CAPACITIES, strict=True)
    )
    base = printing.Sheet("Title", "Condition?", "Disagree", "Agree", columns, "CODE", "Workers")
    extremes = tuple(
        printing.Extreme(printing.Card(n, "A long statement " * 8), v, "Because " * 700)
        for n, v in ((1, 4), (2, 4), (3, 4), (4, -4), (5, -4), (6, -4))
    )
    interview = printing.InterviewSheet(base, "P09", "Tablet 2", None, "web", extremes)
    data = pdf.interview_pdf([interview], "Title")
    pages = _pages(data)
    assert len(pages) == 1
    assert _flat(pages[0]).count("(shortened)") == 6
    placed = _text_positions(data, 0)
    foot = min(y for text, y in placed if "confidential" in text)
    assert foot > 0  # the footer itself is on the page
    assert min(y for text, y in placed if "confidential" not in text) > foot  # all above it


def _text_positions(data: bytes, page: int) -> list[tuple[str, float]]:
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            found.append((text, cm[5] + tm[5] * cm[3]))

    PdfReader(io.BytesIO(data)).pages[page].extract_text(visitor_text=visit)
    return found
