"""The analysis a KADE or Ken-Q Analysis output workbook records: flags and settings.

Published KADE analyses almost always carry flags set by hand, so reproducing one needs the
flags as published. This reader takes them, and the settings it can read, from the output
workbook (``qsort analyze --flags-from OUT.xlsx``):

* **Flags**, from the ``Factor Loadings Table`` sheet, or else the ``Factor Loadings`` sheet: a
  header row with ``Q sort`` (the participant) and, per factor, a loading column (``Factor 1``,
  ``Ftr 1`` or ``F1``) followed by its flag column (``F1`` or ``F1 flag``, or no header at all
  after ``Factor 1``, as in KADE's "Factor Loadings" sheet), whose cells say ``Flagged`` (KADE
  and qsort, or a translation), ``X`` (older qsort workbooks) or are empty (or ``no``,
  ``false``, ``0``). Split bipolar factors are ``Factor 1a`` / ``F1a``. Rows after the sorts
  (KADE's "percent explained variance", qsort's eigenvalues) have no participant and end the
  table.
* **Settings**, from the ``Project Overview`` sheet. KADE's project log: ``Brown Centroid
  Factors Extracted: 7`` (centroid), ``Horst Centroid Factors Extracted: 7`` (Horst 5.5),
  ``Extracted 8 Principal Components`` (PCA), ``Number of factors selected for rotation: 3``,
  ``Varimax rotation applied``, ``Factor 1 and Factor 2 rotation: 10 degrees`` (KADE counts
  clockwise turns as positive, so the step is -10 degrees in qsort's sense), ``Factor 2 was
  inverted``, ``Bipolar Factor 1 was split into ...``, and the auto-flag line
  ``P < 0.05 and a majority of common variance was required``. qsort's own workbook states the
  same in label / value rows (``Extraction``, ``Factors extracted``, ``Rotation``, ...).

Sheet names are matched leniently (case, blanks and punctuation ignored; ``Factor Loadings``
and ``Overview`` too), since workbooks are renamed by hand and by older versions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qsort.errors import FormatError
from qsort.flagging import FLAG_LEVELS
from qsort.formats._cells import blank, cell_text, normalised, sheet_rows, trimmed
from qsort.formats._common import PathArg
from qsort.options import FlagOverride
from qsort.rotation import RotationStep

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

LOADINGS_SHEETS = ("factorloadingstable", "factorloadings", "loadingstable")
OVERVIEW_SHEETS = ("projectoverview", "overview")
_NOT_FLAGGED = frozenset({"", "false", "no", "0", "n"})
_FACTOR = re.compile(r"(?:factor|ftr|fac|f)\s*\.?\s*(\d+)([ab]?)$", re.I)
_FLAG_COLUMN = re.compile(r"(?:f|factor)\s*\.?\s*(\d+)([ab]?)\s*(?:flag|flagged|flg)?$", re.I)
_P_TO_Z = {p: z for z, p in FLAG_LEVELS.items()}


@dataclass(frozen=True)
class PublishedAnalysis:
    """What an output workbook says about its analysis; None where it says nothing.

    ``flags`` has one override per sort and factor of the loadings table (flagged or not), so
    that they fix every flag as published.
    """

    flags: tuple[FlagOverride, ...]
    factors: tuple[str, ...]
    extraction: str | None = None
    n_factors: int | None = None
    rotation: str | None = None
    rotation_steps: tuple[RotationStep, ...] = ()
    inversions: tuple[int, ...] = ()
    bipolar_splits: tuple[int, ...] = ()
    flag_level: float | None = None
    flag_level_read: bool = False
    majority: bool | None = None
    read: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        """One line saying what was taken from the workbook."""
        flagged = sum(1 for f in self.flags if f.flagged)
        parts = [f"{flagged} flags on factors {', '.join(self.factors)}", *self.read]
        return "; ".join(parts)


def read_published_analysis(path: PathArg) -> PublishedAnalysis:
    """Read the flags and the settings of a KADE / Ken-Q (or qsort) output workbook."""
    from qsort.formats.excel import _load, damaged_workbook

    book = _load(path)
    with damaged_workbook(path):
        return _published(book, path)


def _published(book: Workbook, path: PathArg) -> PublishedAnalysis:
    sheets = {normalised(ws.title): ws for ws in book.worksheets}
    loadings = next((sheets[n] for n in LOADINGS_SHEETS if n in sheets), None)
    if loadings is None:
        raise FormatError(
            f"{path}: no 'Factor Loadings Table' sheet; expected a KADE or Ken-Q output workbook "
            f"(found sheets {[ws.title for ws in book.worksheets]})"
        )
    flags, factors = _flags(loadings, path)
    overview = next((sheets[n] for n in OVERVIEW_SHEETS if n in sheets), None)
    settings = _settings(overview) if overview is not None else {}
    splits = tuple(sorted({int(f[1:-1]) for f in factors if f[-1] in "ab"}))
    settings.setdefault("bipolar_splits", splits)
    settings.setdefault("n_factors", len({re.sub(r"[ab]$", "", f) for f in factors}))
    return PublishedAnalysis(flags=flags, factors=factors, **settings)


def _flags(ws: Worksheet, path: PathArg) -> tuple[tuple[FlagOverride, ...], tuple[str, ...]]:
    """One override per sort and factor from the loadings table."""
    rows = sheet_rows(ws)
    found = _header(rows)
    if found is None:
        raise FormatError(
            f"{path}, sheet '{ws.title}': expected a header row with a 'Q sort' column and, for "
            "each factor, a loading column ('Factor 1') followed by its flag column ('F1')"
        )
    at, name_col, pairs = found
    flags: list[FlagOverride] = []
    for row in rows[at + 1 :]:
        cells = list(row) + [None] * (max(c for _, c in pairs) + 2 - len(row))
        name = cell_text(cells[name_col])
        if not name or _is_footer(cells, name_col):
            if flags:
                break
            continue
        for factor, col in pairs:
            mark = cells[col + 1]
            flagged = mark is True or (not blank(mark) and normalised(mark) not in _NOT_FLAGGED)
            flags.append(FlagOverride(name, factor, flagged))
    if not flags:
        raise FormatError(f"{path}, sheet '{ws.title}': the loadings table has no sorts")
    return tuple(flags), tuple(f for f, _ in pairs)


def _header(rows: list[list[Any]]) -> tuple[int, int, list[tuple[str, int]]] | None:
    """The header row's index, the name column, and each factor's (name, loading column)."""
    for at, row in enumerate(rows[:30]):
        labels = [normalised(v) for v in row]
        name_col = next(
            (i for i, v in enumerate(labels) if v in ("qsort", "qsorts", "participant", "sort")),
            None,
        )
        if name_col is None:
            continue
        pairs = _factor_columns(row)
        if pairs:
            return at, name_col, pairs
    return None


def _factor_columns(row: list[Any]) -> list[tuple[str, int]]:
    """(qsort factor name, column) of each loading column that a flag column follows."""
    pairs: list[tuple[str, int]] = []
    for c in range(len(row) - 1):
        head, nxt = cell_text(row[c]), cell_text(row[c + 1])
        load = _FACTOR.match(head.replace(" ", "")) or _FACTOR.match(head)
        flag = _FLAG_COLUMN.match(nxt)
        same = load and flag and (load[1], load[2].lower()) == (flag[1], flag[2].lower())
        unnamed = load and not nxt and head.lower().startswith("factor")
        if (same or unnamed) and load and not head.lower().endswith("flag"):
            pairs.append((f"F{int(load[1])}{load[2].lower()}", c))
    return pairs


def _is_footer(cells: list[Any], name_col: int) -> bool:
    """Footer rows (older qsort workbooks: % expl. Var., Eigenvalue) have no sort number."""
    return name_col > 0 and blank(cells[0]) and not normalised(cells[name_col]).isdigit()


def _settings(ws: Worksheet) -> dict[str, Any]:
    """Extraction, rotation and flagging settings from KADE's log or qsort's option rows."""
    out: dict[str, Any] = {}
    read: list[str] = []
    steps: list[RotationStep] = []
    inversions: list[int] = []
    splits: list[int] = []
    for row in sheet_rows(ws):
        cells = [cell_text(v) for v in trimmed(row)]
        for text in [" ".join(cells), *cells]:
            if _log_line(text, out, read, steps, inversions, splits):
                break
        if len(cells) >= 2:
            _option_row(cells[0], cells[1], out, read)
    if steps and "rotation_steps" not in out:
        out["rotation_steps"] = tuple(steps)
    if out.get("rotation_steps"):
        read.append(f"{len(out['rotation_steps'])} judgmental rotation(s)")
    if inversions and "inversions" not in out:
        out["inversions"] = tuple(dict.fromkeys(inversions))
    if splits and "bipolar_splits" not in out:
        out["bipolar_splits"] = tuple(dict.fromkeys(splits))
    out["read"] = tuple(dict.fromkeys(read))
    return out


_LOG = [
    (re.compile(r"brown centroid factors extracted:\s*(\d+)", re.I), "centroid"),
    (re.compile(r"horst centroid factors extracted:\s*(\d+)", re.I), "horst"),
    (re.compile(r"extracted (\d+) principal components", re.I), "pca"),
]
_KEPT = re.compile(r"number of factors selected for rotation:\s*(\d+)", re.I)
_TURN = re.compile(r"factor (\d+) and factor (\d+) rotation:?\s*(-?\d+(?:\.\d+)?) degrees", re.I)
_INVERT = re.compile(r"factor (\d+) was inverted", re.I)
_SPLIT = re.compile(r"bipolar factor (\d+) was split", re.I)


def _log_line(
    text: str,
    out: dict[str, Any],
    read: list[str],
    steps: list[RotationStep],
    inversions: list[int],
    splits: list[int],
) -> bool:
    """Take one KADE project-log line into ``out``; True when it was one."""
    for pattern, method in _LOG:
        if (m := pattern.search(text)) and "extraction" not in out:
            out["extraction"] = method
            read.append(f"{method} extraction")
            return True
    if m := _KEPT.search(text):
        out["n_factors"] = int(m[1])
        read.append(f"{m[1]} factors")
    elif m := _TURN.search(text):
        steps.append(RotationStep(int(m[1]), int(m[2]), -float(m[3])))
    elif m := _INVERT.search(text):
        inversions.append(int(m[1]))
    elif m := _SPLIT.search(text):
        splits.append(int(m[1]))
    elif "varimax rotation applied" in text.lower():
        out["rotation"] = "varimax"
        read.append("varimax rotation")
    elif "auto-flag" in text.lower() or "common variance was" in text.lower():
        _auto_flag(text, out, read)
    else:
        return False
    return True


def _auto_flag(text: str, out: dict[str, Any], read: list[str]) -> None:
    low = text.lower()
    m = re.search(r"p\s*<\s*(0?\.\d+)", low)
    if m and float(m[1]) in _P_TO_Z:
        out["flag_level"], out["flag_level_read"] = _P_TO_Z[float(m[1])], True
        read.append(f"flag level P < {float(m[1]):g}")
    elif "majority of common variance" in low.split(" and ")[0]:
        out["flag_level"], out["flag_level_read"] = None, True
        read.append("majority-only flagging")
    if "was not required" in low:
        out["majority"] = False
    elif "was required" in low:
        out["majority"] = True


def _option_row(label: str, value: str, out: dict[str, Any], read: list[str]) -> None:
    """qsort's overview rows: ``Extraction``, ``Factors extracted``, ``Rotation`` ..."""
    key, low = normalised(label), value.lower()
    if key == "extraction" and "extraction" not in out:
        method = next((m for m in ("centroid", "horst", "pca") if m in low), None)
        if "principal" in low:
            method = "pca"
        if "horst" in low:
            method = "horst"
        if method is not None:
            out["extraction"] = method
            read.append(f"{method} extraction")
    elif key == "factorsextracted" and value.isdigit() and "n_factors" not in out:
        out["n_factors"] = int(value)
        read.append(f"{value} factors")
    elif key == "rotation" and low in ("varimax", "none") and "rotation" not in out:
        out["rotation"] = low
        read.append(f"{low} rotation")
    elif key.startswith("flaglevel") and "flag_level_read" not in out:
        _qsort_flag_level(value, out, read)
    elif key == "majorityofcommonvariance" and low in ("yes", "no") and "majority" not in out:
        out["majority"] = low == "yes"
    elif key in _QSORT_BY_HAND:
        _by_hand_row(_QSORT_BY_HAND[key], value, out)


_QSORT_BY_HAND = {
    "judgmentalrotations": "rotation_steps",
    "invertedfactors": "inversions",
    "bipolarsplits": "bipolar_splits",
}
_QSORT_STEP = re.compile(r"F(\d+)\s*/\s*F(\d+) by ([-+]?\d+(?:\.\d+)?) degrees", re.I)


def _by_hand_row(field_name: str, value: str, out: dict[str, Any]) -> None:
    """qsort's own rows of choices made by hand, in qsort's sense (they take precedence over
    the project log, whose turns are in KADE's sense): ``F1/F2 by -10 degrees; ...``,
    ``F2, F3`` or ``none``."""
    if field_name == "rotation_steps":
        steps = [
            RotationStep(int(m[1]), int(m[2]), float(m[3])) for m in _QSORT_STEP.finditer(value)
        ]
        if steps or value.strip().lower() == "none":
            out[field_name] = tuple(steps)
        return
    numbers = tuple(int(n) for n in re.findall(r"F(\d+)", value))
    if numbers or value.strip().lower() == "none":
        out[field_name] = numbers


def _qsort_flag_level(value: str, out: dict[str, Any], read: list[str]) -> None:
    if value.lower().startswith("none"):
        out["flag_level"], out["flag_level_read"] = None, True
        read.append("majority-only flagging")
        return
    try:
        z = float(value)
    except ValueError:
        return
    if z in FLAG_LEVELS:
        out["flag_level"], out["flag_level_read"] = z, True
        read.append(f"flag level z = {z:g}")


__all__ = ["PublishedAnalysis", "read_published_analysis"]
