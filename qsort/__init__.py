"""qsort: Q-methodological factor analysis and the field's file formats, with no web stack.

>>> import qsort
>>> study = qsort.read_study("lipset.dat")                       # doctest: +SKIP
>>> result = qsort.analyze(study, factors=3, extraction="centroid")  # doctest: +SKIP
>>> result.factors[0].array                                      # doctest: +SKIP
"""

from qsort.errors import Notice, QsortError
from qsort.formats import read_study, write_study
from qsort.options import FlagOverride, Options
from qsort.pipeline import analyze, run
from qsort.result import AnalysisResult, Factor
from qsort.rotation import RotationStep
from qsort.study import Grid, Statement, Study

__version__ = "0.1.0"

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
