"""The methods an analysis may use: one name type and one table per option.

Every option that picks a method has a ``Literal`` type of its names and a table of what each
name means. The command line offers a table's keys as its choices, :class:`~qsort.options.Options`
accepts a name only if the table holds it (and the profile offers it), and the pipeline calls the
table's function: a new rotation is one entry in :data:`ROTATIONS` plus its function.

Names and tables:

* correlation: :data:`~qsort.correlation.CorrelationMethod`, :data:`CORRELATIONS`;
* extraction: :data:`~qsort.extraction.ExtractionMethod`, :data:`EXTRACTIONS`;
* rotation: :data:`RotationName`, :data:`ROTATIONS`;
* profile: :data:`~qsort.profiles.ProfileName`, :data:`~qsort.profiles.PROFILES`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from qsort.analytic import rotate_analytic
from qsort.correlation import CorrelationMethod
from qsort.errors import OptionError
from qsort.extraction import ExtractionMethod
from qsort.profiles import PROFILES, Profile, ProfileName
from qsort.rotation import Rotated, varimax

__all__ = [
    "CORRELATIONS",
    "EXTRACTIONS",
    "PROFILE_NAMES",
    "ROTATIONS",
    "CorrelationMethod",
    "ExtractionMethod",
    "ProfileName",
    "RotationMethod",
    "RotationName",
    "check_choice",
    "check_rotation",
]

FloatArray = NDArray[np.float64]
RotationName = Literal[
    "varimax",
    "none",
    "quartimax",
    "equamax",
    "oblimax",
    "geomin_ort",
    "promax",
    "oblimin",
    "quartimin",
    "geomin_obl",
]
Rotate = Callable[[FloatArray, Profile], Rotated]


@dataclass(frozen=True)
class RotationMethod:
    """One automatic rotation.

    Attributes
    ----------
    label : str
        How summaries name it ("varimax rotation").
    rotate : callable
        ``rotate(loadings, profile) -> Rotated`` for loadings of shape (n, k) with k >= 2.
    oblique : bool
        True when the rotated factors may correlate: the result then carries their correlation
        matrix (phi) and the loadings are pattern loadings.
    profiles : tuple of str
        The profiles that offer it (the rotations psych offers exist in the qmethod profile).
    """

    label: str
    rotate: Rotate
    oblique: bool = False
    profiles: tuple[ProfileName, ...] = ("pqmethod", "qmethod")


def _varimax(loadings: FloatArray, profile: Profile) -> Rotated:
    """Varimax by the algorithm the profile names."""
    return varimax(loadings, profile.varimax)


def _none(loadings: FloatArray, profile: Profile) -> Rotated:
    """No rotation: the extracted loadings as they are."""
    return Rotated(loadings.copy(), np.eye(loadings.shape[1]), 0, True, ())


def _analytic(method: str, oblique: bool) -> RotationMethod:
    """A rotation qmethod offers through psych, computed with factor_analyzer."""
    rotate: Rotate = partial(_call_analytic, method)
    kind = "oblique" if oblique else "orthogonal"
    return RotationMethod(f"{method} rotation ({kind})", rotate, oblique, ("qmethod",))


def _call_analytic(method: str, loadings: FloatArray, profile: Profile) -> Rotated:
    return rotate_analytic(loadings, method)


CORRELATIONS: Mapping[CorrelationMethod, str] = {
    "pearson": "Pearson",
    "spearman": "Spearman",
    "kendall": "Kendall",
}
"""Correlation coefficients between sorts, each with its label."""

EXTRACTIONS: Mapping[ExtractionMethod, str] = {
    "centroid": "Brown centroid",
    "horst": "Horst 5.5 centroid",
    "pca": "principal components",
}
"""Extraction methods, each with its label."""

ROTATIONS: Mapping[RotationName, RotationMethod] = {
    "varimax": RotationMethod("varimax rotation", _varimax),
    "none": RotationMethod("no rotation", _none),
    "quartimax": _analytic("quartimax", oblique=False),
    "equamax": _analytic("equamax", oblique=False),
    "oblimax": _analytic("oblimax", oblique=False),
    "geomin_ort": _analytic("geomin_ort", oblique=False),
    "promax": _analytic("promax", oblique=True),
    "oblimin": _analytic("oblimin", oblique=True),
    "quartimin": _analytic("quartimin", oblique=True),
    "geomin_obl": _analytic("geomin_obl", oblique=True),
}
"""Automatic rotations; judgmental steps, inversions and splits come after any of them."""

PROFILE_NAMES: tuple[ProfileName, ...] = tuple(PROFILES)
"""Profile names, in the order the command line lists them."""


def check_choice(what: str, value: object, table: Collection[str]) -> None:
    """Raise unless ``value`` names an entry of ``table``.

    Parameters
    ----------
    what : str
        The option's name, for the message.
    value : object
    table : collection of str
        A table (its keys are the names) or the names themselves.

    Raises
    ------
    OptionError
        Naming the values expected and the one found.
    """
    if not isinstance(value, str) or value not in table:
        raise OptionError(f"{what}: expected one of {list(table)}, found {value!r}")


def check_rotation(rotation: object, profile: str) -> None:
    """Raise unless ``rotation`` is a rotation the profile offers.

    Parameters
    ----------
    rotation : object
    profile : str
        A profile name (already checked).

    Raises
    ------
    OptionError
        For an unknown rotation, or one the profile does not offer.
    """
    check_choice("rotation", rotation, ROTATIONS)
    method = ROTATIONS[rotation]  # type: ignore[index]
    if profile not in method.profiles:
        offered = [name for name, m in ROTATIONS.items() if profile in m.profiles]
        raise OptionError(
            f"rotation: {rotation!r} is offered in the {' and '.join(method.profiles)} profile "
            f"only; the {profile} profile offers {offered}"
        )
