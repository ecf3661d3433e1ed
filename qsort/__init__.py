"""qsort: Q-methodological factor analysis and the field's file formats, with no web stack.

>>> import qsort
>>> study = qsort.read_study("lipset.dat")                       # doctest: +SKIP
>>> result = qsort.analyze(study, factors=3, extraction="centroid")  # doctest: +SKIP
>>> result.factors[0].array                                      # doctest: +SKIP

The names below are loaded on first use, so ``import qsort`` (and the ``qsort`` command's start)
costs only what is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from qsort.version import __version__ as __version__

if TYPE_CHECKING:
    from qsort.errors import Notice, QsortError
    from qsort.formats import read_study, write_study
    from qsort.options import FlagOverride, Options
    from qsort.pipeline import analyze, run
    from qsort.result import AnalysisResult, Factor
    from qsort.rotation import RotationStep
    from qsort.study import Grid, Statement, Study

_WHERE = {
    "Notice": "qsort.errors",
    "QsortError": "qsort.errors",
    "read_study": "qsort.formats",
    "write_study": "qsort.formats",
    "FlagOverride": "qsort.options",
    "Options": "qsort.options",
    "analyze": "qsort.pipeline",
    "run": "qsort.pipeline",
    "AnalysisResult": "qsort.result",
    "Factor": "qsort.result",
    "RotationStep": "qsort.rotation",
    "Grid": "qsort.study",
    "Statement": "qsort.study",
    "Study": "qsort.study",
}

__all__ = [
    "AnalysisResult",
    "Factor",
    "FlagOverride",
    "Grid",
    "Notice",
    "Options",
    "QsortError",
    "RotationStep",
    "Statement",
    "Study",
    "__version__",
    "analyze",
    "read_study",
    "run",
    "write_study",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module 'qsort' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
