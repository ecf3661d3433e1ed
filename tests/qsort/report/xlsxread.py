"""Read the tables of a report workbook back, for the tests."""

from __future__ import annotations

from typing import Any


def read_table(
    ws: Any, first_header: str, occurrence: int = 0
) -> tuple[list[Any], list[list[Any]]]:
    """The header and data rows of the table whose first header cell is ``first_header``.

    Rows run until the first empty row or a note (a row with only its first cell filled).
    """
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    starts = [i for i, r in enumerate(rows) if r and r[0] == first_header]
    start = starts[occurrence]
    header = rows[start]
    body = []
    for row in rows[start + 1 :]:
        if all(v is None for v in row[1:]):
            break
        body.append(row)
    # KADE leaves some headers blank (its flag columns): the widest row sets the width.
    width = max(i for r in [header, *body] for i, v in enumerate(r) if v is not None) + 1
    return header[:width], [r[:width] for r in body]
