"""Saved analyses: named, reopened exactly, compared side by side, deleted.

A saved analysis is the selection of sorts and ``qsort.Options.to_dict()``; reopening it rebuilds
the same :class:`~qsort.options.Options` (``Options.from_dict``) and so the same engine call.
:func:`compare` runs two analyses and sets their factor arrays (by statement) and loadings (by
sort, for the sorts both analysed) next to each other; :func:`command` is the ``qsort analyze``
line that reproduces an analysis from the study's exported sorts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import analysis_store
from app.errors import AnalysisError, NotFoundError
from app.models import SavedAnalysis, utcnow
from app.services import analysis, result_cache
from app.services.analysis import Loaded, Selection
from qsort.cli.reproduce import analyze_command
from qsort.options import Options
from qsort.result import AnalysisResult

#: Longest name of a saved analysis.
MAX_NAME = 200


def _clean_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean or len(clean) > MAX_NAME:
        raise AnalysisError(f"Name of the analysis: expected 1 to {MAX_NAME} characters")
    return clean


def save(
    db: Session,
    study_id: int,
    name: str,
    selection: Selection,
    options: Options,
    user_id: int | None = None,
) -> SavedAnalysis:
    """Save a named analysis of a study; a name already used replaces that analysis's sorts and
    options (names are unique within the study)."""
    clean = _clean_name(name)
    existing = analysis_store.saved_analysis_named(db, study_id, clean)
    if existing is not None:
        update(db, existing, selection, options)
        return existing
    saved = SavedAnalysis(
        study_id=study_id,
        name=clean,
        selection=selection.to_dict(),
        options=options.to_dict(),
        created_by=user_id,
    )
    db.add(saved)
    try:
        db.commit()
    except IntegrityError:  # saved under the same name by someone else a moment ago
        db.rollback()
        raise AnalysisError(f"This study already has an analysis called {clean!r}") from None
    db.refresh(saved)
    return saved


def update(db: Session, saved: SavedAnalysis, selection: Selection, options: Options) -> None:
    """Replace a saved analysis's sorts and options (its name stays)."""
    saved.selection, saved.options = selection.to_dict(), options.to_dict()
    saved.updated_at = utcnow()
    db.add(saved)
    db.commit()
    db.refresh(saved)


def get(db: Session, study_id: int, analysis_id: int) -> SavedAnalysis:
    """A saved analysis of this study, or :class:`NotFoundError` (also for another study's)."""
    found = analysis_store.saved_analysis(db, study_id, analysis_id)
    if found is None:
        raise NotFoundError(f"no analysis {analysis_id} in study {study_id}")
    return found


def reopen(saved: SavedAnalysis) -> tuple[Selection, Options]:
    """The selection and options exactly as saved."""
    return Selection.from_dict(saved.selection), analysis.options_from(saved.options)


def delete(db: Session, saved: SavedAnalysis) -> None:
    """Delete a saved analysis (the study's sorts are untouched)."""
    db.delete(saved)
    db.commit()


def command(loaded: Loaded, options: Options, exported: str) -> str:
    """The ``qsort analyze`` line that reproduces the analysis from the exported sorts file."""
    return analyze_command(options, exported, loaded.study.grid)


@dataclass(frozen=True)
class Comparison:
    """Two analyses side by side.

    ``arrays[i]`` is statement ``statements[i]``'s array value in each of ``a``'s factors then
    each of ``b``'s (None for a factor without defining sorts); ``loadings[j]`` is sort
    ``sorts[j]``'s loadings in ``a`` then ``b``.
    """

    a: AnalysisResult
    b: AnalysisResult
    statements: tuple[str, ...]
    arrays: tuple[tuple[int | None, ...], ...]
    sorts: tuple[str, ...]
    loadings: tuple[tuple[float, ...], ...]


def _array_row(result: AnalysisResult, i: int) -> tuple[int | None, ...]:
    return tuple(None if f.array is None else int(f.array[i]) for f in result.factors)


def side_by_side(a: AnalysisResult, b: AnalysisResult) -> Comparison:
    """Arrays by statement and loadings by shared sort of two results on the same Q-set."""
    if a.study.statement_ids != b.study.statement_ids:
        raise AnalysisError("These analyses use different Q-sets and cannot be set side by side")
    b_index = {name: j for j, name in enumerate(b.study.sort_names)}
    shared = [name for name in a.study.sort_names if name in b_index]
    a_index = {name: j for j, name in enumerate(a.study.sort_names)}
    loadings = tuple(
        tuple(np.concatenate([a.loadings[a_index[n]], b.loadings[b_index[n]]]).tolist())
        for n in shared
    )
    arrays = tuple(_array_row(a, i) + _array_row(b, i) for i in range(a.study.n_statements))
    return Comparison(a, b, a.study.statement_ids, arrays, tuple(shared), loadings)


def compare(db: Session, study_id: int, first: int, second: int) -> Comparison:
    """Run two saved analyses of a study and set them side by side."""
    stored = analysis.stored_study(db, study_id)
    results = []
    for analysis_id in (first, second):
        selection, options = reopen(get(db, study_id, analysis_id))
        results.append(result_cache.analysed(db, stored, selection, options).result)
    return side_by_side(results[0], results[1])


def list_saved(db: Session, study_id: int) -> list[SavedAnalysis]:
    """A study's saved analyses, newest first."""
    return analysis_store.saved_analyses(db, study_id)


def compare_page(db: Session, study_id: int, first: int, second: int) -> dict[str, Any]:
    """The side-by-side page's context: both analyses, named A and B, and their tables."""
    comparison = compare(db, study_id, first, second)
    labels = []
    for short, analysis_id, result in (("A", first, comparison.a), ("B", second, comparison.b)):
        saved = get(db, study_id, analysis_id)
        labels.append({"name": saved.name, "short": short, "describe": describe(result)})
    return {
        "title": analysis.stored_study(db, study_id).title,
        "comparison": comparison,
        "first": labels[0],
        "second": labels[1],
        "texts": [s.text for s in comparison.a.study.statements],
    }


def describe(result: AnalysisResult) -> str:
    """One line naming an analysis's sorts and method (``9 sorts, centroid, 3 factors, ...``)."""
    o = result.options
    steps = f", {len(o.rotation_steps)} judgmental step(s)" if o.rotation_steps else ""
    flags = f", {len(o.manual_flags)} manual flag(s)" if o.manual_flags else ""
    return (
        f"{result.study.n_sorts} sorts, {o.extraction}, {o.n_factors} factors, {o.rotation}"
        f"{steps}{flags}"
    )
