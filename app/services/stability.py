"""How stable each viewpoint is, and how two participant groups' viewpoints compare.

Both are views over the engine: :func:`bootstrap_page` runs :func:`qsort.bootstrap.bootstrap`
(resampling the analysed sorts, seeded, after qmethod's qmboots) and :func:`groups_page` runs
the same analysis on two participant groups and :func:`qsort.compare.compare` on the results.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.errors import AnalysisError
from app.models import Study as StoredStudy
from app.services import analysis, result_cache
from app.services.analysis import Selection
from qsort.errors import QsortError
from qsort.options import Options

#: Most resamples the workbench runs in one request.
MAX_RESAMPLES = 2000
#: Statements listed per matched pair of viewpoints.
TOP_DIFFERENCES = 10


def bootstrap_page(
    db: Any, stored: StoredStudy, selection: Selection, options: Options, resamples: int, seed: int
) -> dict[str, Any]:
    """The bootstrap of the analysis: loading means and errors, flag and array frequencies."""
    from qsort.bootstrap import bootstrap

    if not 10 <= resamples <= MAX_RESAMPLES:
        raise AnalysisError(f"Resamples: expected 10 to {MAX_RESAMPLES}, found {resamples}")
    result = result_cache.analysed(db, stored, selection, options).result
    try:
        boot = bootstrap(result, resamples=resamples, seed=seed)
    except QsortError as exc:
        raise analysis.refusal(exc) from None
    return {
        "title": stored.title,
        "boot": boot,
        "result": result,
        "texts": [s.text for s in result.study.statements],
    }


def groups_page(
    db: Any, stored: StoredStudy, groups: tuple[str, str], options: Options
) -> dict[str, Any]:
    """Two participant groups analysed alike, their viewpoints matched and compared."""
    from qsort.compare import compare

    if groups[0] == groups[1]:
        raise AnalysisError("Choose two different groups to compare")
    # Each group's automatic analysis: the whole study's hand steps and flags do not carry over.
    plain = replace(options, manual_flags=(), rotation_steps=())
    results = [
        result_cache.analysed(db, stored, Selection("group", name), plain).result for name in groups
    ]
    try:
        comparison = compare(results[0], results[1], labels=groups)
    except QsortError as exc:
        raise analysis.refusal(exc) from None
    texts = {s.id: s.text for s in results[0].study.statements}
    return {
        "title": stored.title,
        "comparison": comparison,
        "texts": texts,
        "top": TOP_DIFFERENCES,
        "options": plain,
    }
