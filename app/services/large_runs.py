"""What the page of a large background run shows: summaries instead of per-sort views.

A run of more sorts than the ``background_sorts`` setting (10,000 by default) is too large for
the workbench's sort-by-sort views: a sorts x sorts heat map of 10,000 rows cannot be read, and
neither can a flag grid or a loadings table of that many lines on one page. Its page shows,
from the run's stored JSON result (``qsort analyze --json``'s form), how many sorts each factor
flags, the strongest loaders of each factor, the loadings a page of :data:`PAGE_SIZE` sorts at a
time, the factor characteristics and arrays; :func:`loadings_csv` gives every loading at once.

Its downloads come through :mod:`app.services.downloads`, the workbench's writers. The
per-statement tables (:data:`TABLE_FILES`: factor arrays, z-scores, distinguishing and consensus
statements, characteristics) need no sorts: :func:`run_tables` reads them back from the JSON and
the statements' texts, at any number of sorts. The reports (:data:`REPORT_FILES`) need the sorts:
:func:`run_result` reads them again from the store, checked to be the run's, and rebuilds the
whole result from the JSON. :data:`LEFT_OUT` says what is not offered and why.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlmodel import Session

from app import analysis_store
from app.errors import NotFoundError, RunChangedError, RunNotDoneError
from app.models import AnalysisRun
from app.services import analysis, analysis_runs, downloads
from app.services.analysis import Selection
from qsort.errors import FormatError
from qsort.result import AnalysisResult, StatementTables
from qsort.result_json import statement_tables_from_dict
from qsort.study import Statement

#: Sorts per page of the loadings table.
PAGE_SIZE = 100
#: Strongest loaders listed per factor.
STRONGEST = 10


def flag_counts(result: dict[str, Any]) -> list[tuple[str, int]]:
    """(factor, number of sorts flagged on it) for every factor."""
    flags = result["flags"]
    return [(name, sum(1 for row in flags if row[k])) for k, name in enumerate(result["factors"])]


def strongest(result: dict[str, Any], count: int = STRONGEST) -> list[dict[str, Any]]:
    """Per factor, the ``count`` sorts loading highest on it (name, loading, flagged)."""
    sorts, loadings, flags = result["sorts"], result["loadings"], result["flags"]
    tables = []
    for k, name in enumerate(result["factors"]):
        order = sorted(range(len(sorts)), key=lambda j: -loadings[j][k])[:count]
        tables.append(
            {
                "factor": name,
                "rows": [(sorts[j], loadings[j][k], bool(flags[j][k])) for j in order],
            }
        )
    return tables


def loadings_page(result: dict[str, Any], number: int) -> dict[str, Any]:
    """One page of the loadings table: its rows (sort, loadings, flags) and where it lies.

    Raises
    ------
    NotFoundError
        For a page before the first or after the last.
    """
    total = len(result["sorts"])
    pages = max(1, -(-total // PAGE_SIZE))
    if not 1 <= number <= pages:
        raise NotFoundError(f"no page {number} of the loadings; expected 1 to {pages}")
    first = (number - 1) * PAGE_SIZE
    rows = [
        (result["sorts"][j], result["loadings"][j], result["flags"][j])
        for j in range(first, min(first + PAGE_SIZE, total))
    ]
    return {
        "rows": rows,
        "number": number,
        "pages": pages,
        "first": first + 1,
        "last": first + len(rows),
        "total": total,
    }


def summary(result: dict[str, Any], page_number: int) -> dict[str, Any]:
    """Everything the large run's page shows, from its JSON result."""
    return {
        "n_sorts": len(result["sorts"]),
        "factors": result["factors"],
        "characteristics": result["characteristics"],
        "statements": result["statements"],
        "arrays": result["arrays"],
        "flag_counts": flag_counts(result),
        "strongest": strongest(result),
        "loadings": loadings_page(result, page_number),
    }


def loadings_csv(result: dict[str, Any]) -> bytes:
    """Every sort's loadings and flags as CSV (one row per sort, full precision)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    factors = result["factors"]
    writer.writerow(["sort", *factors, *(f"{name} flagged" for name in factors)])
    for name, loadings, flags in zip(
        result["sorts"], result["loadings"], result["flags"], strict=True
    ):
        marks = ("X" if flagged else "" for flagged in flags)
        writer.writerow([name, *(repr(float(v)) for v in loadings), *marks])
    return out.getvalue().encode("utf-8")


#: Files drawn from the run's JSON (and the statements' texts) alone, quick at any size.
TABLE_FILES = (*downloads.STATEMENT_FILES, "loadings.csv", "result.json")
#: Reports built from the sorts read again from the store (their per-sort tables list every
#: sort up to 1,000 sorts and the strongest loaders beyond, as their notes say).
REPORT_FILES = ("analysis.xlsx", "report.html", "report.lis")
#: Most sorts for which the reports are offered: reading the sorts again takes about 15 s per
#: 100,000 sorts (bench/bench_run_downloads.py), so beyond this a download would outlast a
#: proxy's usual minute.
REPORT_MAX_SORTS = 200_000
#: The zip of :data:`TABLE_FILES`.
ZIP = "analysis.zip"
#: What the workbench offers that a large run's page does not, and why.
LEFT_OUT = {
    "sorts.dat, sorts.sta": "a PQMethod .DAT holds at most 999 sorts; every sort is in the "
    "study's export (qsort data export)",
    "figures": "the heat map of correlations between sorts cannot be read at this size; the "
    "scree plot, loading plots and composite sorts are drawn in report.html",
}
#: Why a file drawn from the sorts or statements cannot be built once they changed.
CHANGED = (
    "The study's sorts or statements changed since this run (a sort recorded, excluded, "
    "included again or withdrawn, or a new Q-set version), so this file cannot be built from "
    "them as the run saw them: start the analysis again for files of the sorts as they are now"
)


def reports_for(n_sorts: int) -> tuple[str, ...]:
    """The reports offered for a run of ``n_sorts`` sorts (none beyond :data:`REPORT_MAX_SORTS`)."""
    return REPORT_FILES if n_sorts <= REPORT_MAX_SORTS else ()


def left_out(n_sorts: int) -> dict[str, str]:
    """What a run of ``n_sorts`` sorts does not offer, and why (:data:`LEFT_OUT` and, beyond
    :data:`REPORT_MAX_SORTS`, the reports)."""
    if reports_for(n_sorts):
        return LEFT_OUT
    reason = (
        f"they are built from the sorts read again from the study, which takes minutes beyond "
        f"{REPORT_MAX_SORTS:,} sorts; the tables above hold their per-statement numbers"
    )
    return {", ".join(REPORT_FILES): reason, **LEFT_OUT}


def finished(run: AnalysisRun) -> dict[str, Any]:
    """A finished run's JSON result, or :class:`RunNotDoneError` saying the run is not done."""
    if run.result is None:
        raise RunNotDoneError(
            f"This analysis has not finished (it is {run.status}): its files can be downloaded "
            "from its page once it is done"
        )
    return run.result


def run_statements(db: Session, run: AnalysisRun) -> list[Statement]:
    """The statements, with their texts, of the Q-set version the run's sorts were made on (the
    study's current version when none of its chosen sorts is left)."""
    stored = analysis.stored_study(db, run.study_id)
    every = analysis_store.completed_sorts(db, run.study_id)
    rows = analysis.chosen_rows(every, Selection.from_dict(run.selection))
    qset_id = analysis.analysed_version(stored, rows)[0] if rows else stored.current_qset_id
    assert qset_id is not None
    return [Statement(str(s.number), s.text) for s in analysis_store.statements_of(db, qset_id)]


def run_tables(db: Session, run: AnalysisRun) -> StatementTables:
    """The per-statement part of a finished run's result, without its sorts."""
    data = finished(run)
    try:
        return statement_tables_from_dict(data, run_statements(db, run))
    except FormatError as exc:
        raise RunChangedError(f"{CHANGED} ({exc})") from None


def run_result(db: Session, run: AnalysisRun) -> AnalysisResult:
    """A finished run's whole result, its sorts read again from the store.

    Raises
    ------
    RunChangedError
        When the sorts the run's selection chooses now are not the run's (its key differs).
    """
    data = finished(run)
    selection = Selection.from_dict(run.selection)
    options = analysis.options_from(run.options)
    chosen = analysis_runs.chosen_ids(db, run.study_id, selection)
    if analysis_runs.run_key(options, chosen) != run.run_key:
        raise RunChangedError(CHANGED)
    loaded = analysis.load_study(db, analysis.stored_study(db, run.study_id), selection)
    try:
        return AnalysisResult.from_dict(data, loaded.study)
    except FormatError as exc:
        raise RunChangedError(f"{CHANGED} ({exc})") from None


def result_json(data: dict[str, Any]) -> bytes:
    """The run's JSON result as the workbench's ``result.json`` (``qsort analyze --json``)."""
    return (json.dumps(data, indent=1) + "\n").encode("utf-8")


def table_files(db: Session, run: AnalysisRun) -> dict[str, bytes]:
    """Every one of :data:`TABLE_FILES` of a finished run, by name."""
    tables = run_tables(db, run)
    files = {name: downloads.statement_file(tables, name) for name in downloads.STATEMENT_FILES}
    data = finished(run)
    return {**files, "loadings.csv": loadings_csv(data), "result.json": result_json(data)}


def run_file(db: Session, run: AnalysisRun, name: str) -> bytes:
    """One download of a finished run by name: a table, a report or :data:`ZIP`.

    Raises
    ------
    NotFoundError
        For a name the run's page does not offer.
    """
    if name == "result.json":
        return result_json(finished(run))
    if name == "loadings.csv":
        return loadings_csv(finished(run))
    if name in reports_for(len(finished(run)["sorts"])):
        return downloads.report_file(run_result(db, run), name)
    if name in downloads.STATEMENT_FILES:
        return downloads.statement_file(run_tables(db, run), name)
    if name == ZIP:
        return downloads.zip_bundle(table_files(db, run), f"analysis-run-{run.id}")
    raise NotFoundError(f"no download {name!r} of a background run")
