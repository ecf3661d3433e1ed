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
from qsort.report.svg import document, tag, text, wrap
from qsort.result import AnalysisResult, Factor

CELL_W = 132
CELL_H = 92
GAP = 6
MARGIN = 24
HEADER_H = 40
TITLE_H = 56
FONT_SIZE = 10.5
LINE_H = 13
MAX_LINES = 4

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


def _card_svg(result: AnalysisResult, card: Card, x: float, y: float) -> str:
    statement = result.study.statements[card.index]
    style = {
        "higher": ("#fde3c4", "#7a3e00", 2.4, None),
        "lower": ("#d6e6f7", "#0b3d6e", 2.4, None),
        "mixed": ("#ece3f5", "#4b2a6e", 2.4, None),
        "consensus": ("#eeeeee", "#555555", 1.4, "5 3"),
        "plain": ("#ffffff", "#777777", 1.0, None),
    }[card.kind]
    fill, stroke, width, dash = style
    parts = [
        tag(
            "rect",
            x=x,
            y=y,
            width=CELL_W,
            height=CELL_H,
            rx=5,
            fill=fill,
            stroke=stroke,
            stroke_width=width,
            stroke_dasharray=dash,
        ),
        text(x + 7, y + 16, str(card.index + 1), font_size=13, font_weight="bold", fill="#000"),
    ]
    if card.marks:
        parts.append(
            text(
                x + CELL_W - 7,
                y + 16,
                card.marks,
                font_size=13,
                font_weight="bold",
                text_anchor="end",
                fill="#000",
                class_="marks",
            )
        )
    lines = wrap(statement.text or statement.id, CELL_W - 12, FONT_SIZE, MAX_LINES)
    for n, line in enumerate(lines):
        parts.append(text(x + 7, y + 34 + n * LINE_H, line, font_size=FONT_SIZE, fill="#111"))
    body = f"<title>{_escape_title(result, card)}</title>" + "".join(parts)
    return tag(
        "g",
        body,
        class_="card",
        data_statement=statement.id,
        data_number=card.index + 1,
        data_value=result.study.grid.values[card.column],
        data_marks=card.marks or None,
    )


def _escape_title(result: AnalysisResult, card: Card) -> str:
    from xml.sax.saxutils import escape

    statement = result.study.statements[card.index]
    return escape(f"{card.index + 1}. {statement.text or statement.id} {card.marks}".strip())


def _column_x(column: int) -> float:
    return MARGIN + column * (CELL_W + GAP)


def _headers(result: AnalysisResult, top: float, height: float) -> list[str]:
    grid = result.study.grid
    out = []
    for c, (value, capacity) in enumerate(zip(grid.values, grid.capacities, strict=True)):
        x = _column_x(c)
        label = f"{value:+d}" if value else "0"
        body = (
            tag("rect", x=x, y=top, width=CELL_W, height=height, fill="#f6f6f6", stroke="#bbb")
            + text(
                x + CELL_W / 2,
                top + 24,
                label,
                font_size=18,
                font_weight="bold",
                text_anchor="middle",
            )
            + text(
                x + CELL_W / 2,
                top + 36,
                f"{capacity} card{'' if capacity == 1 else 's'}",
                font_size=9,
                text_anchor="middle",
                fill="#444",
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
        text(MARGIN, top + 16 + 16 * n, line, font_size=12, fill="#222", class_="legend")
        for n, line in enumerate(lines)
    ]
    return out, 16 * len(lines) + 12


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
        text(MARGIN, 30, title, font_size=20, font_weight="bold"),
        text(
            MARGIN,
            48,
            f"{n_def} defining Q-sort{'s' if n_def != 1 else ''}; "
            f"{result.study.n_statements} statements",
            font_size=12,
            fill="#333",
        ),
        *_headers(result, TITLE_H, HEADER_H),
        *[_card_svg(result, c, _column_x(c.column), top + c.slot * (CELL_H + GAP)) for c in cards],
        *legend,
    ]
    return document(width, height, title, body)


def _factor(result: AnalysisResult, factor: Factor | str) -> Factor:
    if isinstance(factor, Factor):
        chosen = factor
    else:
        found = [f for f in result.factors if f.name == factor]
        if not found:
            raise ValueError(
                f"factor: expected one of {list(result.factor_names)}, found {factor!r}"
            )
        chosen = found[0]
    if not chosen.defined:
        raise ValueError(
            f"factor {chosen.name} is undefined (no defining sort): it has no composite Q-sort"
        )
    return chosen
