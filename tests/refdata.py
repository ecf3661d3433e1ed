"""Reference data for the tests: paths and readers that do not depend on qsort.formats."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from qsort.study import Statement, Study

DATA = Path(__file__).parent / "data"


def read_sorts_csv(path: Path, title: str = "") -> Study:
    """Read a statements-as-rows CSV (header: statement column, then sort names)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    names = rows[0][1:]
    ids = [row[0] for row in rows[1:]]
    values = np.array([[int(v) for v in row[1:]] for row in rows[1:]])
    return Study.from_matrix(values, names, [Statement(i) for i in ids], title=title)


def load_json(name: str) -> Any:
    """A JSON file from tests/data."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))
