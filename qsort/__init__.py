"""qsort: Q-methodological factor analysis and the field's file formats, with no web stack."""

from qsort.errors import Notice, QsortError
from qsort.study import Grid, Statement, Study

__version__ = "0.1.0"

__all__ = ["Grid", "Notice", "QsortError", "Statement", "Study", "__version__"]
