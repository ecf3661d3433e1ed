"""From the study store to the engine: chosen sorts become a ``qsort.Study``, run with ``Options``.

The workbench never computes a number itself: :func:`load_study` turns stored sorts into the
engine's input, :func:`run` calls :func:`qsort.run` and turns the engine's refusals
(:class:`qsort.QsortError`) into an :class:`~app.errors.AnalysisError` whose message says, in
plain words, what to change. Sorts are chosen by a :class:`Selection`: every completed sort of
the study, the sorts of one participant group (a focus group's label), or a hand-picked set.

Sort names are those of ``qsort data export``: the participant's label (``P07``), and a label
already given in an earlier session of the study followed by its session's join code
(``P07-ABCD``), so that every name is unique, the same whichever sorts are chosen (manual flags
name sorts) and the same as in the exported file. Excluded sorts are never analysed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from app import analysis_store
from app.analysis_store import SortRow
from app.errors import AnalysisError, NotFoundError
from app.models import GridShape
from app.models import Study as StoredStudy
from qsort.errors import (
    ExtractionError,
    OptionError,
    QsortError,
    SizeLimitError,
    StudyError,
    TooFewError,
    TooManyFactorsError,
)
from qsort.options import Options
from qsort.result import AnalysisResult
from qsort.study import Grid, Statement, Study

SelectionKind = Literal["all", "group", "sorts"]
Progress = Callable[[float, str], None]
"""Called with a fraction done (0..1) and the step under way, e.g. while cards are read."""

#: What each kind of engine refusal means for the researcher, most specific first.
_REFUSALS: tuple[tuple[type[QsortError], str], ...] = (
    (TooFewError, "Too few sorts or statements to analyse"),
    (StudyError, "These sorts cannot be analysed together"),
    (TooManyFactorsError, "Too many factors for these sorts; choose fewer"),
    (OptionError, "An option is not valid"),
    (ExtractionError, "The extraction did not work on these sorts"),
    (SizeLimitError, "This selection is too large for one analysis"),
)


@dataclass(frozen=True)
class Selection:
    """Which of a study's completed sorts to analyse.

    Attributes
    ----------
    kind : {"all", "group", "sorts"}
        Every completed sort, one participant group's, or the hand-picked ``sorts``.
    group : str
        The group label (``kind == "group"``).
    sorts : tuple of int
        Sort record ids (``kind == "sorts"``).
    """

    kind: SelectionKind = "all"
    group: str = ""
    sorts: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The selection as JSON-ready values (saved with an analysis)."""
        return {"kind": self.kind, "group": self.group, "sorts": list(self.sorts)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Selection:
        """A selection from :meth:`to_dict`'s form; refuses an unknown kind."""
        kind = data.get("kind", "all")
        if kind not in ("all", "group", "sorts"):
            raise AnalysisError(f"Sorts to analyse: expected all, group or sorts, found {kind!r}")
        try:
            sorts = tuple(int(s) for s in data.get("sorts", ()))
        except (TypeError, ValueError):
            raise AnalysisError("Sorts to analyse: expected sort numbers") from None
        return cls(kind, str(data.get("group", "")), sorts)


@dataclass(frozen=True)
class Loaded:
    """A stored selection as the engine's input, with where each sort came from.

    ``rows[j]`` is the stored sort behind ``study.sort_names[j]``; ``left_out`` counts chosen
    sorts made on another Q-set version or grid than the one analysed.
    """

    study: Study
    rows: tuple[SortRow, ...]
    statement_texts: dict[int, str] = field(default_factory=dict)
    left_out: int = 0


def sort_names(rows: Sequence[SortRow]) -> dict[int, str]:
    """Each sort's name by record id, as ``qsort data export`` names it: the label, and for a
    label already used by an earlier sort, the label and the session's join code."""
    names: dict[int, str] = {}
    used: set[str] = set()
    for row in rows:
        name = row.label if row.label not in used else f"{row.label}-{row.session_code}"
        used.add(name)
        names[row.record_id] = name
    return names


def groups(rows: Sequence[SortRow]) -> dict[str, int]:
    """The participant groups (session group labels) and how many completed sorts each has."""
    return dict(sorted(Counter(row.group for row in rows if row.group).items()))


def chosen_rows(rows: Sequence[SortRow], selection: Selection) -> list[SortRow]:
    """The completed sorts a selection picks, in recorded order."""
    if selection.kind == "group":
        return [row for row in rows if row.group == selection.group]
    if selection.kind == "sorts":
        wanted = set(selection.sorts)
        unknown = wanted - {row.record_id for row in rows}
        if unknown:
            raise AnalysisError(f"Sorts to analyse: {len(unknown)} chosen sort(s) are not here")
        return [row for row in rows if row.record_id in wanted]
    return list(rows)


def analysed_version(study: StoredStudy, rows: Sequence[SortRow]) -> tuple[int, int]:
    """The Q-set version and grid the chosen sorts are analysed on: the study's current ones if
    any sort uses them, else the most used; no sort chosen is refused."""
    if not rows:
        raise AnalysisError("No completed sorts are chosen: choose at least two sorts")
    pairs = Counter((row.qset_id, row.grid_id) for row in rows)
    current = (study.current_qset_id, study.current_grid_id)
    if current in pairs:
        return current  # type: ignore[return-value]
    return pairs.most_common(1)[0][0]


def load_study(
    db: Any, study: StoredStudy, selection: Selection, progress: Progress | None = None
) -> Loaded:
    """The chosen sorts of a stored study as a validated ``qsort.Study``.

    Raises
    ------
    AnalysisError
        When no sort is chosen, or the engine refuses the sorts (the message says why).
    """
    assert study.id is not None
    every = analysis_store.completed_sorts(db, study.id)
    names = sort_names(every)
    rows = chosen_rows(every, selection)
    qset_id, grid_id = analysed_version(study, rows)
    used = [row for row in rows if (row.qset_id, row.grid_id) == (qset_id, grid_id)]
    statements = analysis_store.statements_of(db, qset_id)
    matrix = _card_matrix(db, used, [s.number for s in statements], progress)
    grid_row = db.get(GridShape, grid_id)
    assert grid_row is not None
    try:
        engine_study = Study(
            statements=tuple(Statement(str(s.number), s.text) for s in statements),
            sort_names=tuple(names[row.record_id] for row in used),
            sorts=matrix,
            grid=_grid(grid_row),
            title=study.title,
        )
    except QsortError as exc:
        raise refusal(exc) from None
    texts = {s.number: s.text for s in statements}
    return Loaded(engine_study, tuple(used), texts, len(rows) - len(used))


def _grid(row: GridShape) -> Grid:
    return Grid(tuple(row.column_values), tuple(row.capacities), row.forced)


def _card_matrix(
    db: Any, rows: Sequence[SortRow], numbers: Sequence[int], progress: Progress | None
) -> np.ndarray[Any, np.dtype[np.int16]]:
    """Statements x sorts values; a card missing from a stored sort is refused by name."""
    column = {row.record_id: j for j, row in enumerate(rows)}
    line = {number: i for i, number in enumerate(numbers)}
    matrix = np.zeros((len(numbers), len(rows)), dtype=np.int16)
    seen = np.zeros(matrix.shape, dtype=bool)
    for count, (record_id, number, value) in enumerate(
        analysis_store.card_values(db, [row.record_id for row in rows]), 1
    ):
        matrix[line[number], column[record_id]] = value
        seen[line[number], column[record_id]] = True
        if progress is not None and count % (analysis_store.CHUNK * len(numbers)) == 0:
            progress(count / matrix.size, "Reading the sorts")
    missing = np.flatnonzero(~seen.all(axis=0))
    if missing.size:
        labels = ", ".join(rows[j].label for j in missing[:10])
        raise AnalysisError(f"These sorts are incomplete (a card has no place): {labels}")
    return matrix


def refusal(exc: QsortError) -> AnalysisError:
    """The engine's refusal as a message for researchers: what it means, then the engine's words."""
    for kind, meaning in _REFUSALS:
        if isinstance(exc, kind):
            return AnalysisError(f"{meaning}: {exc}")
    return AnalysisError(f"The analysis could not be run: {exc}")


def options_from(data: dict[str, Any]) -> Options:
    """qsort's options from their JSON form, refused with a plain message when malformed."""
    try:
        return Options.from_dict(data)
    except QsortError as exc:
        raise refusal(exc) from None
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"An option is not valid: {exc}") from None


def run(loaded: Loaded, options: Options) -> AnalysisResult:
    """Run the engine on loaded sorts; its refusals become :class:`AnalysisError`."""
    from qsort.pipeline import run as run_engine

    try:
        return run_engine(loaded.study, options)
    except QsortError as exc:
        raise refusal(exc) from None


def stored_study(db: Any, study_id: int) -> StoredStudy:
    """The stored study, or :class:`NotFoundError`."""
    found: StoredStudy | None = db.get(StoredStudy, study_id)
    if found is None:
        raise NotFoundError(f"no study {study_id}")
    return found
