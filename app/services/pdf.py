"""PDF files of the printed material, drawn with fpdf2 (pure Python, no browser, no network).

- :func:`deck_pdf`: the card deck, ten cards to an A4 page (2 x 5, each 93 x 54.6 mm, the
  size of a large playing card, with thin grey cut lines). After each page of fronts comes a page
  of backs carrying each card's number, mirrored left to right, so that a double-sided print
  flipped on the long edge puts every number behind its own card.
- :func:`grid_pdf`: the empty grid at A4 or A3 (landscape) for a sort with paper cards.
- :func:`record_pdf`: the record sheet, column by column as the paper-entry form asks.
- :func:`interview_pdf`: one page per finished participant for the post-sort interview.

Text is set in a Unicode TrueType font found on the machine (DejaVu Sans, Liberation Sans,
Noto Sans, or Arial), embedded as a subset so the PDF reads the same everywhere; without one,
the PDF core font Helvetica is used and characters outside Latin-1 are replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fpdf import FPDF

from app.services.printing import Card, Column, Extreme, InterviewSheet, Sheet

Paper = Literal["A4", "A3"]
PAPER_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
MARGIN = 12.0
PT = 0.3528  # millimetres per point
CARD_COLUMNS, CARD_ROWS = 2, 5
#: (text size, longest comment) tried in turn so an interview sheet's extreme cards fit one page.
EXTREME_LAYOUTS: tuple[tuple[float, int], ...] = (
    (10, 4000),
    (9, 4000),
    (8, 1200),
    (8, 600),
    (7, 300),
    (7, 120),
)
GREY, INK = 150, 0

FONT_FILES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf", "Arial Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "arialbd.ttf"),
)
#: Typographic characters the core font lacks, and what stands in for them.
_LATIN1 = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


@dataclass(frozen=True)
class Box:
    """A rectangle on the page, in millimetres from the top left."""

    x: float
    y: float
    w: float
    h: float


class Printer:
    """An fpdf2 document with the project's font and a few drawing helpers."""

    def __init__(self, paper: Paper = "A4", landscape: bool = False, title: str = "") -> None:
        self.pdf = FPDF(orientation="L" if landscape else "P", unit="mm", format=paper)
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(MARGIN, MARGIN)
        self.pdf.set_creator("qsort")
        self.pdf.set_title(title)
        self.family = self._register_font()
        self.width, self.height = self.pdf.w, self.pdf.h

    def _register_font(self) -> str:
        for regular, bold in FONT_FILES:
            path = Path(regular)
            if path.is_file() and (path.parent / bold).is_file():
                self.pdf.add_font("qsans", "", str(path))
                self.pdf.add_font("qsans", "B", str(path.parent / bold))
                return "qsans"
        return "helvetica"

    def text_of(self, text: str) -> str:
        """``text`` as the font can draw it (only the core font needs Latin-1)."""
        if self.family != "helvetica":
            return text
        return text.translate(_LATIN1).encode("latin-1", "replace").decode("latin-1")

    def font(self, size: float, bold: bool = False, grey: bool = False) -> None:
        """Choose the size (points), weight and colour of what is written next."""
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(GREY if grey else INK)

    def line_mm(self, size: float) -> float:
        """The line height for a font size, in millimetres."""
        return size * PT * 1.25

    def write(
        self, box: Box, text: str, size: float, bold: bool = False, align: str = "L"
    ) -> float:
        """Write ``text`` wrapped in ``box`` from its top; return the height used."""
        self.font(size, bold)
        self.pdf.set_xy(box.x, box.y)
        lh = self.line_mm(size)
        self.pdf.multi_cell(box.w, lh, self.text_of(text), align=align, new_x="LEFT", new_y="NEXT")
        return self.pdf.get_y() - box.y

    def lines_for(self, text: str, width: float, size: float, bold: bool = False) -> int:
        """How many lines ``text`` takes at ``size`` in ``width``."""
        self.font(size, bold)
        lines = self.pdf.multi_cell(
            width, self.line_mm(size), self.text_of(text), dry_run=True, output="LINES"
        )
        assert isinstance(lines, list)
        return len(lines)

    def fit(self, box: Box, text: str, sizes: Sequence[float], align: str = "C") -> None:
        """Write ``text`` centred in ``box`` at the largest size in ``sizes`` that fits."""
        for size in sizes:
            height = self.lines_for(text, box.w, size) * self.line_mm(size)
            if height <= box.h or size == sizes[-1]:
                top = box.y + max(0.0, (box.h - height) / 2)
                self.write(Box(box.x, top, box.w, box.h), text, size, align=align)
                return

    def frame(self, box: Box, grey: bool = True, width: float = 0.2) -> None:
        """A rectangle's outline (grey cut lines by default)."""
        self.pdf.set_draw_color(GREY if grey else INK)
        self.pdf.set_line_width(width)
        self.pdf.rect(box.x, box.y, box.w, box.h)

    def rule(self, x1: float, y: float, x2: float) -> None:
        """A thin grey line to write on."""
        self.pdf.set_draw_color(GREY)
        self.pdf.set_line_width(0.2)
        self.pdf.line(x1, y, x2, y)

    def footer(self, text: str) -> None:
        """A small grey line at the foot of the page."""
        self.font(7, grey=True)
        self.pdf.set_xy(MARGIN, self.height - MARGIN + 3)
        self.pdf.cell(self.width - 2 * MARGIN, 3, self.text_of(text))

    def bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.pdf.output())


def signed(value: int) -> str:
    """A column value as printed: ``-4``, ``0``, ``+4``."""
    return f"{value:+d}" if value else "0"


def _card_box(index: int, printer: Printer, mirrored: bool) -> Box:
    w = (printer.width - 2 * MARGIN) / CARD_COLUMNS
    h = (printer.height - 2 * MARGIN) / CARD_ROWS
    column, row = index % CARD_COLUMNS, index // CARD_COLUMNS
    if mirrored:
        column = CARD_COLUMNS - 1 - column
    return Box(MARGIN + column * w, MARGIN + row * h, w, h)


def deck_pdf(title: str, cards: Sequence[Card]) -> bytes:
    """The card deck: pages of fronts (number and statement), each followed by its backs."""
    printer = Printer("A4", title=f"{title}: card deck")
    per_page = CARD_COLUMNS * CARD_ROWS
    for start in range(0, max(len(cards), 1), per_page):
        chunk = cards[start : start + per_page]
        span = f"cards {chunk[0].number}-{chunk[-1].number}" if chunk else "no cards"
        printer.pdf.add_page()
        for i, card in enumerate(chunk):
            _card_front(printer, _card_box(i, printer, mirrored=False), card)
        printer.footer(f"{title} · {span} · fronts (print double-sided, flip on the long edge)")
        printer.pdf.add_page()
        for i, card in enumerate(chunk):
            _card_back(printer, _card_box(i, printer, mirrored=True), card, title)
        printer.footer(f"{title} · {span} · backs")
    return printer.bytes()


def _card_front(printer: Printer, box: Box, card: Card) -> None:
    printer.frame(box)
    printer.write(Box(box.x + 4, box.y + 3.5, 20, 8), str(card.number), 15, bold=True)
    text = Box(box.x + 7, box.y + 11, box.w - 14, box.h - 16)
    printer.fit(text, card.text, (15, 14, 13, 12, 11, 10, 9, 8))


def _card_back(printer: Printer, box: Box, card: Card, title: str) -> None:
    printer.frame(box)
    number = Box(box.x, box.y + box.h / 2 - 9, box.w, 18)
    printer.write(number, str(card.number), 40, bold=True, align="C")
    printer.font(7, grey=True)
    printer.pdf.set_xy(box.x + 4, box.y + box.h - 7)
    printer.pdf.cell(box.w - 8, 4, printer.text_of(title[:70]), align="C")


def _heading(printer: Printer, sheet: Sheet, heading: str, scale: float = 1.0) -> float:
    """The sheet's heading, title and condition; return where the content may start."""
    width = printer.width - 2 * MARGIN
    y = MARGIN
    y += printer.write(Box(MARGIN, y, width, 10), heading, 16 * scale, bold=True)
    y += printer.write(Box(MARGIN, y, width, 6), sheet.title, 10 * scale)
    y += printer.write(Box(MARGIN, y + 1, width, 12), sheet.condition, 11 * scale, bold=True)
    return y + 4


def grid_pdf(sheet: Sheet, paper: Paper = "A4") -> bytes:
    """The empty grid, landscape, for a participant sorting paper cards."""
    printer = Printer(paper, landscape=True, title=f"{sheet.title}: grid")
    scale = printer.width / PAPER_MM["A4"][1]
    printer.pdf.add_page()
    top = _heading(printer, sheet, "The board", scale)
    bottom = printer.height - MARGIN - 12 * scale
    _draw_grid(printer, sheet.columns, Box(MARGIN, top, printer.width - 2 * MARGIN, bottom - top))
    _end_labels(printer, sheet, bottom + 2, scale)
    printer.footer(f"{sheet.title} · grid sheet ({paper})")
    return printer.bytes()


def _end_labels(printer: Printer, sheet: Sheet, y: float, scale: float) -> None:
    half = (printer.width - 2 * MARGIN) / 2
    printer.write(Box(MARGIN, y, half, 8), f"← {sheet.disagree_label}", 13 * scale, bold=True)
    right = Box(MARGIN + half, y, half, 8)
    printer.write(right, f"{sheet.agree_label} →", 13 * scale, bold=True, align="R")


def _draw_grid(
    printer: Printer, columns: Sequence[Column], area: Box, cell_h: float | None = None
) -> float:
    """Columns side by side, value on top, one box per place (with numbers if placed)."""
    col_w = area.w / max(len(columns), 1)
    deepest = max((c.capacity for c in columns), default=1) or 1
    head = min(12.0, max(7.0, col_w * 0.3))
    height = cell_h or min((area.h - head) / deepest, col_w * 0.8)
    for i, column in enumerate(columns):
        x = area.x + i * col_w
        printer.frame(Box(x, area.y, col_w, head), grey=False, width=0.4)
        printer.fit(Box(x, area.y, col_w, head), signed(column.value), (head * 1.6, 10))
        for row in range(column.capacity):
            cell = Box(x, area.y + head + row * height, col_w, height)
            printer.frame(cell, grey=False, width=0.3)
            if row < len(column.cards):
                printer.fit(cell, str(column.cards[row].number), (min(14.0, height * 1.8), 8))
    return head + deepest * height


def record_pdf(sheet: Sheet) -> bytes:
    """The record sheet: who and when, then each column's card numbers, then the comments."""
    printer = Printer("A4", title=f"{sheet.title}: record sheet")
    printer.pdf.add_page()
    y = _heading(printer, sheet, "Record sheet for a paper sort")
    y = _fields(printer, y, _record_fields(sheet))
    width = printer.width - 2 * MARGIN
    note = "Write the card numbers of each column, from the top of the column down."
    y += printer.write(Box(MARGIN, y, width, 6), note, 10) + 2
    box_w = min(16.0, (width - 34) / max((c.capacity for c in sheet.columns), default=1))
    for column in sheet.columns:
        printer.write(Box(MARGIN, y + 2, 14, 8), signed(column.value), 13, bold=True)
        printer.write(Box(MARGIN + 14, y + 3.5, 20, 6), f"{column.capacity} cards", 8)
        for i in range(column.capacity):
            printer.frame(Box(MARGIN + 34 + i * box_w, y, box_w, 11), grey=False)
        y += 13
    y += 4
    y += printer.write(Box(MARGIN, y, width, 6), "Comments on the cards at the two ends", 11, True)
    while y < printer.height - MARGIN - 8:
        y += 8
        printer.rule(MARGIN, y, printer.width - MARGIN)
    printer.footer(f"{sheet.title} · record sheet · session {sheet.code}")
    return printer.bytes()


def _record_fields(sheet: Sheet) -> list[tuple[str, str]]:
    return [
        ("Session", " · ".join(x for x in (sheet.code, sheet.group_label) if x)),
        ("Participant label", ""),
        ("Seat or tablet", ""),
        ("Date", ""),
        ("Typed in by", ""),
        ("Checked by", ""),
    ]


def _fields(printer: Printer, y: float, fields: Sequence[tuple[str, str]]) -> float:
    """Labelled write-in lines, two to a row; return the y below them."""
    half = (printer.width - 2 * MARGIN) / 2
    label_w = 30.0
    for i, (label, value) in enumerate(fields):
        x = MARGIN + (i % 2) * half
        row_y = y + (i // 2) * 10
        printer.write(Box(x, row_y + 1, label_w, 6), label, 9)
        printer.fit(Box(x + label_w, row_y, half - label_w - 4, 6.5), value, (11, 10, 9, 8), "L")
        printer.rule(x + label_w, row_y + 7, x + half - 4)
    return y + ((len(fields) + 1) // 2) * 10 + 4


def interview_pdf(sheets: Sequence[InterviewSheet], title: str) -> bytes:
    """One page per finished participant: their grid, extreme cards and comments, room to note."""
    printer = Printer("A4", title=f"{title}: post-sort interview sheets")
    if not sheets:
        printer.pdf.add_page()
        printer.write(Box(MARGIN, MARGIN, 180, 10), "Nobody in this session has finished yet.", 14)
    for sheet in sheets:
        printer.pdf.add_page()
        _interview_page(printer, sheet)
    return printer.bytes()


def _interview_page(printer: Printer, sheet: InterviewSheet) -> None:
    width = printer.width - 2 * MARGIN
    y = _heading(printer, sheet.sheet, f"Post-sort interview: {sheet.label}")
    when = sheet.finished_at.strftime("%d %b %Y %H:%M") if sheet.finished_at else ""
    facts = [
        ("Seat", sheet.seat or "none"),
        ("Session", " · ".join(x for x in (sheet.sheet.code, sheet.sheet.group_label) if x)),
        ("Finished", when),
        ("Sorted on", "paper" if sheet.source == "paper" else "tablet"),
    ]
    y = _fields(printer, y, facts)
    y += _draw_grid(printer, sheet.sheet.columns, Box(MARGIN, y, width, 70), cell_h=7.5) + 6
    y += printer.write(Box(MARGIN, y, width, 6), "The cards at the two ends", 12, bold=True) + 1
    y = _extremes(printer, sheet.extremes, y, width) + 3
    if y < printer.height - MARGIN - 24:
        printer.write(Box(MARGIN, y, width, 6), "Interview notes", 12, bold=True)
        y += 6
    while y < printer.height - MARGIN - 8:
        y += 8
        printer.rule(MARGIN, y, printer.width - MARGIN)
    printer.footer(
        f"{sheet.sheet.title} · {sheet.label} · confidential: keep with the consent forms"
    )


def _extreme_texts(extreme: Extreme, limit: int) -> tuple[str, str]:
    """The card line and the comment line of one extreme card (a comment cut to ``limit``)."""
    head = f"{signed(extreme.value)}   card {extreme.card.number}: {extreme.card.text}"
    comment = extreme.comment
    if len(comment) > limit:  # one page per person: the full text is in the data export
        comment = comment[: limit - 1].rstrip() + "… (shortened)"
    return head, f"Said: {comment}" if comment else "No comment given."


def _extremes_fit(
    printer: Printer, extremes: Sequence[Extreme], width: float, room: float
) -> tuple[float, int]:
    """The largest text size and comment length at which every extreme card fits in ``room``."""
    for size, limit in EXTREME_LAYOUTS:
        height = 0.0
        for extreme in extremes:
            head, said = _extreme_texts(extreme, limit)
            lines = printer.lines_for(head, width, size, True) + printer.lines_for(
                said, width - 8, size
            )
            height += lines * printer.line_mm(size) + 2
        if height <= room:
            return size, limit
    return EXTREME_LAYOUTS[-1]


def _extremes(printer: Printer, extremes: Sequence[Extreme], y: float, width: float) -> float:
    """Draw the extreme cards and their comments so that they fit above the page's foot."""
    size, limit = _extremes_fit(printer, extremes, width, printer.height - MARGIN - 4 - y)
    for extreme in extremes:
        head, said = _extreme_texts(extreme, limit)
        y += printer.write(Box(MARGIN, y, width, 6), head, size, bold=True)
        y += printer.write(Box(MARGIN + 8, y, width - 8, 6), said, size) + 2
    return y
