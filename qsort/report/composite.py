"""The composite Q-sort of a factor drawn on the study's grid, as SVG.

One column per grid value (with its header), one card per statement in the column of its factor
array value, highest z-score at the top. Each card shows the statement number and its wrapped
text. Distinguishing statements carry their significance (``*`` p < .05, ``**`` p < .01) and
direction (▲ the factor ranks it higher, ▼ lower than every other factor); consensus statements
carry ◆ (◇ when they are non-significant only at p > .01). Symbols and border styles carry every
meaning, so the figure reads without colour.
"""

from __future__ import annotations

from dataclasses import dataclass

from qsort.report import derived
from qsort.report.svg import PALETTE, SIZES, document, tag, text, tooltip, wrap
from qsort.result import AnalysisResult, Factor

#: A card's size, the gap between cards and the figure's outer margin, in pixels.
CELL_W = 132
CELL_H = 92
GAP = 6
MARGIN = 24
#: Height of the column headers and of the title block above them.
HEADER_H = 40
TITLE_H = 56
#: Statement text on a card: font size, line height, most lines, inner padding.
FONT_SIZE = 10.5
LINE_H = 13
MAX_LINES = 4
PADDING = 7
#: Baselines inside a card: the number and marks row, and the first line of text.
NUMBER_BASELINE = 16
TEXT_BASELINE = 34
CORNER = 5
#: Font sizes of the title, a card's number and a column's value and card count.
TITLE_SIZE = 20
NUMBER_SIZE = 13
VALUE_SIZE = 18
COUNT_SIZE = 9
LEGEND_LINE = 16


@dataclass(frozen=True)
class CardStyle:
    """How a kind of card is drawn: fill, border colour, border width and dash pattern."""

    fill: str
    stroke: str
    width: float
    dash: str | None = None


#: Card styles by kind; the border's width and dashes carry the meaning without colour.
CARD_STYLES: dict[str, CardStyle] = {
    "higher": CardStyle("#fde3c4", "#7a3e00", 2.4),
    "lower": CardStyle("#d6e6f7", "#0b3d6e", 2.4),
    "mixed": CardStyle("#ece3f5", "#4b2a6e", 2.4),
    "consensus": CardStyle("#eeeeee", "#555555", 1.4, "5 3"),
    "plain": CardStyle("#ffffff", "#777777", 1.0),
}

CONSENSUS = "\u25c6"
CONSENSUS_01 = "\u25c7"


@dataclass(frozen=True)
class Card:
    """One statement placed on the grid."""

    index: int
    column: int
    slot: int
    marks: str
    kind: str  # "higher", "lower", "mixed", "consensus" or "plain"


def _marks(result: AnalysisResult, factor: Factor) -> dict[int, tuple[str, str]]:
    """Symbol text and card kind of each marked statement."""
    out: dict[int, tuple[str, str]] = {}
    for i, p in derived.consensus_levels(result).items():
        pqm = result.profile.consensus_level <= 0.01
        out[i] = (CONSENSUS if p >= 0.05 or not pqm else CONSENSUS_01, "consensus")
    for i, mark in derived.distinctions(result, factor).items():
        out[i] = (f"{mark.stars}{mark.arrow}", mark.direction)
    return out


def place(result: AnalysisResult, factor: Factor) -> list[Card]:
    """Cards of a defined factor: column index by array value, slots by z-score descending."""
    values = result.study.grid.values
    array = derived.array_of(factor)
    marks = _marks(result, factor)
    filled = [0] * len(values)
    cards = []
    for i in derived.sorted_by_z(factor):
        column = values.index(int(array[i]))
        symbol, kind = marks.get(i, ("", "plain"))
        cards.append(Card(i, column, filled[column], symbol, kind))
        filled[column] += 1
    return cards


def _card_frame(card: Card, x: float, y: float) -> list[str]:
    """The card's box in its kind's style, its statement number and its marks."""
    style = CARD_STYLES[card.kind]
    parts = [
        tag(
            "rect",
            x=x,
            y=y,
            width=CELL_W,
            height=CELL_H,
            rx=CORNER,
            fill=style.fill,
            stroke=style.stroke,
            stroke_width=style.width,
            stroke_dasharray=style.dash,
        ),
        text(
            x + PADDING,
            y + NUMBER_BASELINE,
            str(card.index + 1),
            font_size=NUMBER_SIZE,
            font_weight="bold",
            fill=PALETTE.ink,
        ),
    ]
    if card.marks:
        parts.append(
            text(
                x + CELL_W - PADDING,
                y + NUMBER_BASELINE,
                card.marks,
                font_size=NUMBER_SIZE,
                font_weight="bold",
                text_anchor="end",
                fill=PALETTE.ink,
                class_="marks",
            )
        )
    return parts


def _card_svg(result: AnalysisResult, card: Card, x: float, y: float) -> str:
    """One statement's card: box, number, marks and wrapped text, with a tooltip."""
    statement = result.study.statements[card.index]
    wording = statement.text or statement.id
    lines = wrap(wording, CELL_W - 2 * PADDING + 2, FONT_SIZE, MAX_LINES)
    parts = _card_frame(card, x, y) + [
        text(
            x + PADDING,
            y + TEXT_BASELINE + n * LINE_H,
            line,
            font_size=FONT_SIZE,
            fill=PALETTE.text,
        )
        for n, line in enumerate(lines)
    ]
    hover = tooltip(f"{card.index + 1}. {wording} {card.marks}".strip())
    return tag(
        "g",
        hover + "".join(parts),
        class_="card",
        data_statement=statement.id,
        data_number=card.index + 1,
        data_value=result.study.grid.values[card.column],
        data_marks=card.marks or None,
    )


def _column_x(column: int) -> float:
    return MARGIN + column * (CELL_W + GAP)


def _headers(result: AnalysisResult, top: float, height: float) -> list[str]:
    grid = result.study.grid
    out = []
    for c, (value, capacity) in enumerate(zip(grid.values, grid.capacities, strict=True)):
        x = _column_x(c)
        label = f"{value:+d}" if value else "0"
        body = (
            tag(
                "rect",
                x=x,
                y=top,
                width=CELL_W,
                height=height,
                fill=PALETTE.header_fill,
                stroke=PALETTE.header_line,
            )
            + text(
                x + CELL_W / 2,
                top + 24,
                label,
                font_size=VALUE_SIZE,
                font_weight="bold",
                text_anchor="middle",
            )
            + text(
                x + CELL_W / 2,
                top + 36,
                f"{capacity} card{'' if capacity == 1 else 's'}",
                font_size=COUNT_SIZE,
                text_anchor="middle",
                fill=PALETTE.muted,
            )
        )
        out.append(tag("g", body, class_="column", data_value=value, data_x=x, data_width=CELL_W))
    return out


def _legend(result: AnalysisResult, factor: Factor, top: float) -> tuple[list[str], float]:
    pqm = result.profile.consensus_level <= 0.01
    lines = [
        f"Statements distinguishing {factor.name} from every other factor: "
        "** p < .01, * p < .05;  \u25b2 ranked higher, \u25bc lower than in every other factor "
        "(thick border).",
        f"{CONSENSUS} consensus: no pair of factors differs at p < .05"
        + (
            f";  {CONSENSUS_01} no pair differs at p < .01 (dashed border)."
            if pqm
            else " (dashed border)."
        ),
        "Within a column, statements run from the highest z-score (top) to the lowest.",
    ]
    if len(result.defined) < 2:
        lines = lines[2:]
    out = [
        text(
            MARGIN,
            top + LEGEND_LINE * (n + 1),
            line,
            font_size=SIZES.tick,
            fill=PALETTE.text,
            class_="legend",
        )
        for n, line in enumerate(lines)
    ]
    return out, LEGEND_LINE * len(lines) + SIZES.tick


def composite_sort_svg(result: AnalysisResult, factor: Factor | str) -> str:
    """SVG of a defined factor's composite Q-sort on the study's grid.

    Parameters
    ----------
    result : AnalysisResult
    factor : Factor or str
        The factor, or its name (``"F1"``).

    Raises
    ------
    ValueError
        For an undefined factor (it has no array to draw) or an unknown name.
    """
    chosen = _factor(result, factor)
    cards = place(result, chosen)
    grid = result.study.grid
    rows = max([*grid.capacities, *[c.slot + 1 for c in cards]])
    width = 2 * MARGIN + len(grid.values) * (CELL_W + GAP) - GAP
    top = TITLE_H + HEADER_H + GAP
    legend, legend_h = _legend(result, chosen, top + rows * (CELL_H + GAP))
    height = top + rows * (CELL_H + GAP) + legend_h + MARGIN
    title = f"{result.study.title or 'Q study'}: composite Q-sort of factor {chosen.name}"
    n_def = chosen.characteristics.n_defining
    body = [
        text(MARGIN, 30, title, font_size=TITLE_SIZE, font_weight="bold"),
        text(
            MARGIN,
            48,
            f"{n_def:,} defining Q-sort{'s' if n_def != 1 else ''}; "
            f"{result.study.n_statements} statements",
            font_size=SIZES.tick,
            fill=PALETTE.muted,
        ),
        *_headers(result, TITLE_H, HEADER_H),
        *[_card_svg(result, c, _column_x(c.column), top + c.slot * (CELL_H + GAP)) for c in cards],
        *legend,
    ]
    return document(width, height, title, body)


def _factor(result: AnalysisResult, factor: Factor | str) -> Factor:
    chosen = derived.find_factor(result, factor)
    if not chosen.defined:
        raise ValueError(
            f"factor {chosen.name} is undefined (no defining sort): it has no composite Q-sort"
        )
    return chosen
