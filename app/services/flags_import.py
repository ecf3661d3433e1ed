"""Flags and settings from a KADE or Ken-Q output workbook, as ``qsort analyze --flags-from``.

Published KADE analyses carry flags set by hand; to reproduce one in the workbench, the
researcher uploads its output workbook. :func:`imported` reads it with the engine's reader
(:func:`qsort.formats.kade_output.read_published_analysis`), puts every setting it records
(extraction, factors, rotation, judgmental turns, inversions, splits, flag level, majority) in
place of the page's, and keeps as manual flags those of its flags that differ from the automatic
ones (:func:`qsort.cli.arguments.changed_flags`, as the command line does). A workbook whose
sorts are not among the analysed sorts is refused with a message naming them, so that flags are
never set on other people's sorts by mistake.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.errors import AnalysisError
from app.models import Study as StoredStudy
from app.services import analysis, result_cache
from app.services.analysis import Selection
from qsort.errors import QsortError
from qsort.formats.kade_output import PublishedAnalysis
from qsort.options import FlagOverride, Options

#: Sort names quoted in a mismatch message.
NAMED = 5


@dataclass(frozen=True)
class Imported:
    """The options the workbook gives, its flags that differ from the automatic ones (marked in
    the flag grid as imported), and a line saying what was taken."""

    options: Options
    flags: tuple[FlagOverride, ...]
    note: str


def read_workbook(content: bytes, filename: str) -> PublishedAnalysis:
    """The analysis an uploaded output workbook records; refused in plain words when it is not
    one (the engine's reader says what it expected)."""
    from qsort.formats.kade_output import read_published_analysis

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "output.xlsx"
        path.write_bytes(content)
        try:
            return read_published_analysis(path)
        except QsortError as exc:
            detail = str(exc).replace(str(path), filename or "the workbook")
            raise AnalysisError(f"Flags from a workbook: {detail}") from None


def settings_of(book: PublishedAnalysis, options: Options) -> Options:
    """``options`` with every setting the workbook records in their place, no manual flags."""
    data: dict[str, Any] = options.to_dict()
    found = {
        "extraction": book.extraction,
        "n_factors": book.n_factors,
        "rotation": book.rotation,
        "majority": book.majority,
    }
    data.update({key: value for key, value in found.items() if value is not None})
    if book.flag_level_read:
        data["flag_level"] = book.flag_level
    data["rotation_steps"] = [asdict(step) for step in book.rotation_steps]
    data["inversions"] = list(book.inversions)
    data["bipolar_splits"] = list(book.bipolar_splits)
    data["manual_flags"] = []
    return analysis.options_from(data)


def check_sorts(book: PublishedAnalysis, analysed: tuple[str, ...]) -> int:
    """How many analysed sorts the workbook does not name; refuses a workbook naming sorts
    that are not analysed here."""
    named = list(dict.fromkeys(f.sort for f in book.flags))
    unknown = [name for name in named if name not in analysed]
    if unknown:
        shown = ", ".join(unknown[:NAMED]) + (", ..." if len(unknown) > NAMED else "")
        raise AnalysisError(
            f"The workbook's sorts do not match this analysis: {len(unknown)} of its "
            f"{len(named)} sorts are not among the {len(analysed)} sorts analysed here "
            f"({shown}). Choose the same sorts, or upload this study's workbook."
        )
    return len(set(analysed) - set(named))


def imported(
    db: Any, stored: StoredStudy, selection: Selection, options: Options, book: PublishedAnalysis
) -> Imported:
    """The page's analysis with the workbook's settings and flags."""
    from qsort.cli.arguments import changed_flags

    plain = settings_of(book, options)
    automatic = result_cache.analysed(db, stored, selection, plain).result
    left = check_sorts(book, automatic.study.sort_names)
    flags = tuple(changed_flags(automatic, book.flags))
    data = plain.to_dict()
    data["manual_flags"] = [asdict(f) for f in flags]
    note = f"From the workbook: {book.describe()}"
    if left:
        note += f". {left} sorts analysed here are not in it and keep their automatic flags"
    return Imported(analysis.options_from(data), flags, note + ".")
