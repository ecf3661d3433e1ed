"""Errors and notices raised or reported by the analysis engine.

Every failure the engine can detect is a subclass of :class:`QsortError` whose message says what
was expected and what was found, so that the CLI and the web app can show it as it is. Conditions
that do not stop an analysis (a factor without defining sorts, a Heywood case, non-convergence) are
reported as :class:`Notice` records in the result, each with a stable ``code`` that programs can
test for.
"""

from __future__ import annotations

from dataclasses import dataclass


class QsortError(Exception):
    """Base class of every error the qsort engine raises on purpose."""


class StudyError(QsortError):
    """The study (sorts, statements, grid) is not valid input for an analysis."""


class SortMismatchError(StudyError):
    """A Q-sort does not fit the study's grid."""


class DuplicateSortNameError(StudyError):
    """Two Q-sorts carry the same name."""


class ZeroVarianceSortError(StudyError):
    """A Q-sort gives every statement the same value, so it correlates with nothing."""


class TooFewError(StudyError):
    """Fewer than two sorts or two statements."""


class OptionError(QsortError):
    """An analysis option is unknown or out of range."""


class TooManyFactorsError(QsortError):
    """More factors were asked for than the data allow."""


class ExtractionError(QsortError):
    """A factor could not be extracted (for example, every residual correlation is zero)."""


class SizeLimitError(QsortError):
    """The data are larger than a method accepts (the centroid methods form an n x n matrix)."""


class FormatError(QsortError):
    """A file could not be read: the message names the line or cell and what was expected."""


@dataclass(frozen=True)
class Notice:
    """A warning attached to a result: the analysis went on, but the user should know.

    Attributes
    ----------
    code : str
        Stable identifier, for example ``"no-defining-sorts"`` or ``"heywood"``.
    message : str
        Human-readable sentence saying what happened and what was done about it.
    """

    code: str
    message: str

    def __str__(self) -> str:
        return self.message
