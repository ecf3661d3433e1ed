"""The options of an analysis, checked in one place and recorded with every result.

An :class:`Options` value holds everything needed to reproduce a result: correlation, extraction,
number of factors, rotation and every judgmental step, inversions and bipolar splits, the flagging
criteria and every manual flag, and the profile.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from qsort._checks import check_count, is_whole
from qsort.errors import OptionError
from qsort.flagging import FlagCriteria
from qsort.methods import (
    CORRELATIONS,
    EXTRACTIONS,
    CorrelationMethod,
    ExtractionMethod,
    ProfileName,
    RotationName,
    check_choice,
    check_rotation,
)
from qsort.profiles import PROFILES
from qsort.rotation import RotationStep

ExtractionName = ExtractionMethod  # the name this module gave the type before qsort.methods


@dataclass(frozen=True)
class FlagOverride:
    """A flag set by hand: sort ``sort`` defines (or not) factor ``factor``, both by name."""

    sort: str
    factor: str
    flagged: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.sort, str) or not isinstance(self.factor, str):
            raise OptionError(
                f"manual flag: expected a sort name and a factor name, found {self.sort!r} "
                f"and {self.factor!r}"
            )
        if not isinstance(self.flagged, bool):
            raise OptionError(
                f"manual flag: expected flagged true or false, found {self.flagged!r}"
            )


@dataclass(frozen=True)
class Options:
    """Every choice behind an analysis result.

    Attributes
    ----------
    profile : {"pqmethod", "qmethod"}
    correlation : {"pearson", "spearman", "kendall"}
    extraction : {"centroid", "horst", "pca"}
    n_factors : int
        Factors extracted (and rotated).
    rotation : str
        A key of ``qsort.methods.ROTATIONS`` the profile offers: "varimax" or "none" in both,
        and in the qmethod profile also quartimax, equamax, oblimax, geomin_ort (orthogonal) and
        promax, oblimin, quartimin, geomin_obl (oblique).
    rotation_steps : tuple of RotationStep
        Judgmental rotations applied after the automatic rotation, in order.
    inversions : tuple of int
        1-based factors multiplied by -1 after the rotations.
    bipolar_splits : tuple of int
        1-based factors split into a positive and a negative half (spec A.7).
    flag_level : float or None
        Critical z of the significance criterion (see ``qsort.flagging.FLAG_LEVELS``), or None
        for the majority-of-common-variance criterion alone.
    majority : bool
        Require that a flagged loading's square exceeds the rest of the sort's communality.
    allow_negative : bool
        Allow significant negative loadings to be flagged (they are warned about).
    manual_flags : tuple of FlagOverride
        Flags set or cleared by hand after the automatic flagging.
    """

    profile: ProfileName = "pqmethod"
    correlation: CorrelationMethod = "pearson"
    extraction: ExtractionMethod = "centroid"
    n_factors: int = 3
    rotation: RotationName = "varimax"
    rotation_steps: tuple[RotationStep, ...] = ()
    inversions: tuple[int, ...] = ()
    bipolar_splits: tuple[int, ...] = ()
    flag_level: float | None = 1.96
    majority: bool = True
    allow_negative: bool = True
    manual_flags: tuple[FlagOverride, ...] = ()

    def __post_init__(self) -> None:
        check_choice("profile", self.profile, PROFILES)
        check_choice("correlation", self.correlation, CORRELATIONS)
        check_choice("extraction", self.extraction, EXTRACTIONS)
        check_rotation(self.rotation, self.profile)
        object.__setattr__(self, "n_factors", check_count("factors", self.n_factors, 1))
        FlagCriteria(self.flag_level, self.majority, self.allow_negative)  # validates them
        for what, items, kind in (
            ("rotation step", self.rotation_steps, RotationStep),
            ("manual flag", self.manual_flags, FlagOverride),
        ):
            if not all(isinstance(item, kind) for item in items):
                raise OptionError(f"{what}s: expected {kind.__name__} values, found {items!r}")
        for number in (*self.inversions, *self.bipolar_splits):
            if not is_whole(number) or not 1 <= number <= self.n_factors:
                raise OptionError(f"factor number: expected 1..{self.n_factors}, found {number!r}")

    def to_dict(self) -> dict[str, Any]:
        """The options as plain JSON-ready values.

        Returns
        -------
        dict
            One key per field; rotation steps and manual flags as dicts.
        """
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Options:
        """Options from :meth:`to_dict`'s form (e.g. the ``options`` of a JSON result).

        Parameters
        ----------
        data : dict
            As :meth:`to_dict` returns it.

        Returns
        -------
        Options

        Raises
        ------
        OptionError
            For a key that is not an option, or a malformed rotation step or manual flag.
        """
        unknown = sorted(set(data) - {f.name for f in fields(cls)})
        if unknown:
            raise OptionError(f"options: unknown key(s) {unknown}")
        values = dict(data)
        try:
            values["rotation_steps"] = tuple(
                RotationStep(**step) for step in data.get("rotation_steps", ())
            )
            values["manual_flags"] = tuple(
                FlagOverride(**flag) for flag in data.get("manual_flags", ())
            )
            values["inversions"] = tuple(data.get("inversions", ()))
            values["bipolar_splits"] = tuple(data.get("bipolar_splits", ()))
        except TypeError as exc:
            raise OptionError(
                f"options: malformed list of steps, flags or factors ({exc})"
            ) from None
        return cls(**values)
