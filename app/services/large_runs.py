"""What the page of a large background run shows: summaries instead of per-sort views.

A run of more sorts than the ``background_sorts`` setting (10,000 by default) is too large for
the workbench's sort-by-sort views: a sorts x sorts heat map of 10,000 rows cannot be read, and
neither can a flag grid or a loadings table of that many lines on one page. Its page shows,
from the run's stored JSON result (``qsort analyze --json``'s form), how many sorts each factor
flags, the strongest loaders of each factor, the loadings a page of :data:`PAGE_SIZE` sorts at a
time, the factor characteristics and arrays; :func:`loadings_csv` gives every loading at once.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from app.errors import NotFoundError

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
