"""What every engine command does around its work: warnings as one line, the analysis, JSON out.

``analyze``, ``bootstrap``, ``compare`` and ``report`` each run the analysis their arguments
describe (:func:`analysed`) and may write what they found as JSON (:func:`write_json`); the
file commands print the warnings a format raises (:func:`reported_warnings`). Only light modules
are imported here, so ``qsort --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qsort.cli.arguments import run_analysis

if TYPE_CHECKING:
    from qsort.result import AnalysisResult


@contextmanager
def reported_warnings() -> Iterator[None]:
    """Print the warnings raised inside the block as one line each on standard error.

    Yields
    ------
    None
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for item in caught:
        print(f"qsort: warning: {item.message}", file=sys.stderr)


def analysed(args: argparse.Namespace, **changes: Any) -> AnalysisResult:
    """The analysis the command line describes, its warnings printed as ``qsort: warning:``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    **changes
        Arguments to use in place of the parsed ones (``sorts=`` for a second group's file).

    Returns
    -------
    AnalysisResult
    """
    with reported_warnings():
        return run_analysis(argparse.Namespace(**{**vars(args), **changes}))


def write_json(path: Path | None, data: dict[str, Any] | AnalysisResult) -> None:
    """Write ``data`` to ``path`` as UTF-8 JSON and say so; nothing when no path was given.

    Parameters
    ----------
    path : Path or None
        The ``--json`` option's file; its folder is made when missing.
    data : dict or AnalysisResult
        What to write. An analysis result writes itself compactly, its per-sort tables in
        row blocks, so a million sorts never become Python lists; a dict is indented by one.
    """
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, dict):
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    else:
        data.write_json(path)
    print(f"\nWrote {path}")


__all__ = ["analysed", "reported_warnings", "write_json"]
