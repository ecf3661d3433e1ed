"""Analysis results kept in memory, so that viewing the same analysis again runs no engine.

Every workbench view, download, bootstrap and comparison asks :func:`analysed` for the result of
a selection and options. The key is the background runs' options hash
(:func:`~app.services.analysis_runs.run_key`: the options and the exact sorts chosen) with the
database, the study, its current Q-set version, grid and title. So a sort recorded, excluded,
included again or withdrawn changes the key and the next view runs the engine afresh: the cache
never serves a result of sorts the study no longer includes. The newest :data:`MAX_ENTRIES`
results of each process, :data:`MAX_SORTS` sorts at most in all, are kept (least recently used
dropped first); the factor guidance (its parallel analysis) and the page's figures are kept
beside their result.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from app.models import Study as StoredStudy
from app.services import analysis
from app.services.analysis import Loaded, Selection
from app.services.analysis_runs import chosen_ids, run_key
from qsort.guidance import FactorGuidance
from qsort.options import Options
from qsort.result import AnalysisResult

#: Results kept per process.
MAX_ENTRIES = 32
#: Sorts kept per process over all results (so memory stays bounded for large studies).
MAX_SORTS = 50_000

Key = tuple[str, int, str, int | None, int | None, str]


@dataclass
class Analysed:
    """A selection's sorts as the engine's input, the engine's result, its guidance
    (``qsort factors``'s) and the page's figures (SVG text), each made on first use."""

    loaded: Loaded
    result: AnalysisResult
    guidance: FactorGuidance | None = field(default=None)
    figures: dict[str, str] | None = field(default=None)


_entries: OrderedDict[Key, Analysed] = OrderedDict()
_lock = threading.Lock()


def key_of(db: Any, stored: StoredStudy, selection: Selection, options: Options) -> Key:
    """The cache key of an analysis of the study's sorts as they are now."""
    assert stored.id is not None
    ids = chosen_ids(db, stored.id, selection)
    where = str(db.get_bind().url)
    version = (stored.current_qset_id, stored.current_grid_id)
    return (where, stored.id, run_key(options, ids), *version, stored.title)


def analysed(db: Any, stored: StoredStudy, selection: Selection, options: Options) -> Analysed:
    """The analysis of the chosen sorts with these options: from the cache, else the engine's.

    Raises
    ------
    AnalysisError
        When the sorts cannot be loaded or the engine refuses them (never cached).
    """
    key = key_of(db, stored, selection, options)
    with _lock:
        found = _entries.get(key)
        if found is not None:
            _entries.move_to_end(key)
            return found
    loaded = analysis.load_study(db, stored, selection)
    made = Analysed(loaded, analysis.run(loaded, options))
    with _lock:
        _entries[key] = made
        while len(_entries) > 1 and (len(_entries) > MAX_ENTRIES or _sorts() > MAX_SORTS):
            _entries.popitem(last=False)
    return made


def _sorts() -> int:
    return sum(entry.result.study.n_sorts for entry in _entries.values())


def guidance(entry: Analysed) -> FactorGuidance:
    """``qsort factors``'s guidance for the analysed sorts (seeded), computed once per entry."""
    if entry.guidance is None:
        from qsort.guidance import factor_guidance

        result = entry.result
        entry.guidance = factor_guidance(
            result.study,
            correlation=result.options.correlation,
            extraction=result.options.extraction,
            profile=result.profile,
            seed=0,
        )
    return entry.guidance


def clear() -> None:
    """Forget every kept result (tests; a process that must free memory)."""
    with _lock:
        _entries.clear()
