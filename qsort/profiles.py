"""Compatibility profiles: the conventions of PQMethod/KADE and of the R package qmethod, as data.

Each step of the analysis reads the fields of a :class:`Profile` it needs; no step branches on the
profile's name. The two profiles reproduce part 1 of the analysis specification and the table of
disagreements in its section A.10.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from qsort.errors import OptionError

if TYPE_CHECKING:
    from qsort.extraction import ExtractionMethod

ProfileName = Literal["pqmethod", "qmethod"]
SignRule = Literal["signed-squares", "column-sum"]
VarimaxAlgorithm = Literal["kaiser-pairwise", "svd"]
ArrayRule = Literal["exact-grid", "qmethod"]
Comparison = Literal["ge", "gt"]
HeywoodRule = Literal["pqmethod", "qmethod"]


@dataclass(frozen=True)
class Profile:
    """The conventions one reference program follows.

    Attributes
    ----------
    name : {"pqmethod", "qmethod"}
    pca_sign_rule : {"signed-squares", "column-sum"}
        Reflect a principal component when the sum of a*|a| (PQMethod/KADE) or the sum of a
        (psych) over its loadings is negative.
    pca_reorder_after_rotation : bool
        psych reorders rotated components by decreasing sum of squared loadings and applies the
        column-sum sign rule again; PQMethod keeps the extraction order.
    centroid_start : {"half", "mean-r"}
        Initial communality estimate of the centroid method: 0.5 (PQMethod) or each sort's mean
        off-diagonal correlation (qmethod).
    centroid_tolerance : float
        Largest change of any communality estimate at which the centroid iteration stops.
    varimax : {"kaiser-pairwise", "svd"}
        PQMethod's pairwise Kaiser (1959) rotation or R's ``stats::varimax``.
    reflect_after_varimax : bool
        Reflect rotated factors whose sum of a*|a| is negative (PQMethod/KADE).
    standardize_sorts : bool
        Standardise each sort before weighting (PQMethod) or weight the raw values (qmethod).
    array_rule : {"exact-grid", "qmethod"}
        Factor arrays that always fill the grid, ties broken by statement number (PQMethod/KADE),
        or qmethod's average-rank rule that gives tied statements the lowest value of their group.
    significance : {"ge", "gt"}
        Whether a difference equal to c * SED counts as significant.
    critical_05, critical_01 : float
        Two-sided normal critical values for p < .05 and p < .01.
    consensus_level : float
        p level at which the consensus list is drawn: statements with no significant pair at this
        level are listed (0.01 for PQMethod, 0.05 for qmethod).
    qdc_stars : tuple of (float, str)
        qmethod's star levels for the qdc table, lowest first.
    qdc_table : bool
        Whether results carry qmethod's qdc table (labels and stars for every factor pair).
    heywood_rule : {"pqmethod", "qmethod"}
        Weight of a defining sort whose loading is 1 or more in absolute value (see
        ``qsort.scores.factor_weights``).
    default_extraction : {"centroid", "horst", "pca"}
        The extraction used when none is given: PQMethod users mostly run the centroid method,
        qmethod's default is principal components.
    centroid_reflection : {"tolerant", "strict"}
        What a centroid column sum within rounding of zero means (``qsort.reflection``): zero,
        never reflected (PQMethod/KADE), or qmethod's strict ``colSums(tmat) > 0`` test.
    """

    name: ProfileName
    pca_sign_rule: SignRule
    pca_reorder_after_rotation: bool
    centroid_start: Literal["half", "mean-r"]
    centroid_tolerance: float
    varimax: VarimaxAlgorithm
    reflect_after_varimax: bool
    standardize_sorts: bool
    array_rule: ArrayRule
    significance: Comparison
    critical_05: float
    critical_01: float
    consensus_level: float
    qdc_stars: tuple[tuple[float, str], ...]
    qdc_table: bool
    heywood_rule: HeywoodRule
    default_extraction: ExtractionMethod
    centroid_reflection: Literal["tolerant", "strict"] = "tolerant"


PQMETHOD = Profile(
    name="pqmethod",
    pca_sign_rule="signed-squares",
    pca_reorder_after_rotation=False,
    centroid_start="half",
    centroid_tolerance=0.001,
    varimax="kaiser-pairwise",
    reflect_after_varimax=True,
    standardize_sorts=True,
    array_rule="exact-grid",
    significance="ge",
    critical_05=1.96,
    critical_01=2.575,
    consensus_level=0.01,
    qdc_stars=((1.96, "*"), (2.575, "**"), (3.291, "***"), (4.8916, "6*")),
    qdc_table=False,
    heywood_rule="pqmethod",
    default_extraction="centroid",
)

QMETHOD = Profile(
    name="qmethod",
    pca_sign_rule="column-sum",
    pca_reorder_after_rotation=True,
    centroid_start="mean-r",
    centroid_tolerance=1e-5,
    varimax="svd",
    reflect_after_varimax=False,
    standardize_sorts=False,
    array_rule="qmethod",
    significance="gt",
    critical_05=1.96,
    critical_01=2.576,
    consensus_level=0.05,
    qdc_stars=((1.96, "*"), (2.576, "**"), (3.291, "***"), (4.8916, "6*")),
    qdc_table=True,
    heywood_rule="qmethod",
    default_extraction="pca",
    centroid_reflection="strict",
)

PROFILES: dict[ProfileName, Profile] = {"pqmethod": PQMETHOD, "qmethod": QMETHOD}
"""The profiles by name: the table the command line and the options read."""


def get_profile(name: str | Profile) -> Profile:
    """Return the profile called ``name`` (a Profile is returned as it is).

    Parameters
    ----------
    name : {"pqmethod", "qmethod"} or Profile

    Returns
    -------
    Profile

    Raises
    ------
    OptionError
        For a name that is not a known profile.
    """
    if isinstance(name, Profile):
        return name
    try:
        return PROFILES[name]  # type: ignore[index]
    except KeyError:
        raise OptionError(f"profile: expected one of {sorted(PROFILES)}, found {name!r}") from None
