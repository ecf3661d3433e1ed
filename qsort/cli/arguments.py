"""Arguments shared by the analysis commands: the input file, the grid and every analysis option.

``analyze``, ``report`` and the commands that run an analysis add these to their parsers, then
turn the parsed arguments into a study (:func:`load_study`) and a result (:func:`run_analysis`).
Only argparse and light engine modules are imported here, so ``qsort --help`` stays fast.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qsort.errors import OptionError
from qsort.flagging import FLAG_LEVELS
from qsort.methods import CORRELATIONS, EXTRACTIONS, PROFILE_NAMES, ROTATIONS
from qsort.options import FlagOverride
from qsort.rotation import RotationStep
from qsort.study import Grid, Study

if TYPE_CHECKING:
    from qsort.result import AnalysisResult

BY_HAND = ("rotate", "invert", "split", "flag")
"""Choices made by hand: judgmental rotation, inversion, bipolar split, manual flags."""

GRID_HELP = (
    "the grid as LOW..HIGH:CAPACITIES, e.g. --grid=-4..4:2,3,4,5,5,5,4,3,2 (use '=' because "
    "the value starts with '-'); without it the grid is taken from the sorts when they all "
    "share one distribution"
)


def parse_grid(spec: str, free: bool = False) -> Grid:
    """Parse ``LOW..HIGH:C1,C2,...`` into a grid (forced unless ``free``).

    Parameters
    ----------
    spec : str
        Such as ``-4..4:2,3,4,5,5,5,4,3,2``: the column range, then one capacity per column.
    free : bool
        True for a free distribution (values need only lie in the range).

    Returns
    -------
    Grid

    Raises
    ------
    OptionError
        For a malformed spec, LOW above HIGH, or a number of capacities that is not the
        number of columns.
    """
    match = re.fullmatch(r"\s*(-?\d+)\s*\.\.\s*\+?(-?\d+)\s*:\s*([\d,\s]+)", spec)
    if not match:
        raise OptionError(
            f"--grid: expected LOW..HIGH:CAPACITIES such as -4..4:2,3,4,5,5,5,4,3,2, found {spec!r}"
        )
    low, high = int(match.group(1)), int(match.group(2))
    if low > high:
        raise OptionError(f"--grid: LOW must not exceed HIGH, found {low}..{high}")
    capacities = [int(c) for c in match.group(3).replace(" ", "").split(",") if c]
    if len(capacities) != high - low + 1:
        raise OptionError(
            f"--grid: {low}..{high} has {high - low + 1} columns but {len(capacities)} "
            "capacities were given"
        )
    return Grid.from_range(low, high, capacities, forced=not free)


def parse_flag_level(text: str) -> float | None:
    """A critical z from the spec's list, or ``none`` for majority-only flagging.

    Parameters
    ----------
    text : str
        A critical z such as ``1.96``, or ``none`` (or ``majority``).

    Returns
    -------
    float or None

    Raises
    ------
    argparse.ArgumentTypeError
        For a value that is not one of :data:`FLAG_LEVELS`.
    """
    if text.lower() in {"none", "majority"}:
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if value not in FLAG_LEVELS:
        raise argparse.ArgumentTypeError(
            f"expected one of {sorted(FLAG_LEVELS)} or 'none', found {text!r}"
        )
    return value


def parse_rotation_step(text: str) -> RotationStep:
    """``A,B,DEGREES`` (positive = counter-clockwise in the A-B plane).

    Parameters
    ----------
    text : str
        Such as ``1,2,-10``: two 1-based factors and an angle in degrees.

    Returns
    -------
    RotationStep

    Raises
    ------
    argparse.ArgumentTypeError
        For anything but two factor numbers and a finite angle.
    """
    parts = text.split(",")
    try:
        a, b, degrees = int(parts[0]), int(parts[1]), float(parts[2])
    except (IndexError, ValueError):
        raise argparse.ArgumentTypeError(
            f"expected A,B,DEGREES such as 1,2,-10 (factors 1-based), found {text!r}"
        ) from None
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"expected three comma-separated values, found {text!r}")
    try:
        return RotationStep(a, b, degrees)
    except OptionError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_flag(flagged: bool) -> type:
    """An argparse type for ``SORT:FACTOR`` pairs, flagged or unflagged.

    Parameters
    ----------
    flagged : bool
        What the overrides made by the returned type set: True for ``--flag``, False for
        ``--unflag``.

    Returns
    -------
    callable
        Turns ``SORT:FACTOR`` into a :class:`FlagOverride`, or raises
        ``argparse.ArgumentTypeError``.
    """

    def convert(text: str) -> FlagOverride:
        sort, sep, factor = text.rpartition(":")
        if not sep or not sort or not factor:
            raise argparse.ArgumentTypeError(f"expected SORT:FACTOR such as US1:F2, found {text!r}")
        return FlagOverride(sort, factor, flagged)

    return convert  # type: ignore[return-value]


def add_study_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments naming the input file and how to read it.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)command's parser, changed in place.
    """
    parser.add_argument(
        "sorts",
        type=Path,
        help="the Q-sorts (CSV laid out like lipset_sorts.csv, "
        "or any format `qsort convert --list` names)",
    )
    parser.add_argument("--from", dest="fmt", help="input format, when the extension does not tell")
    parser.add_argument("--grid", help=GRID_HELP)
    parser.add_argument(
        "--free",
        action="store_true",
        help="free distribution: values need only lie within the grid's range",
    )


def add_analysis_arguments(
    parser: argparse.ArgumentParser, by_hand: tuple[str, ...] = BY_HAND
) -> None:
    """The analysis options shared by ``analyze``, ``report``, ``bootstrap`` and ``compare``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The (sub)command's parser, changed in place.
    by_hand : tuple of str
        Which choices made by hand to offer, of :data:`BY_HAND` (all by default): a bootstrap
        takes judgmental rotations and inversions only, a comparison of two groups none.
    """
    add_study_arguments(parser)
    parser.add_argument(
        "--factors", type=int, help="factors to extract (default 3, or the --flags-from workbook's)"
    )
    parser.add_argument(
        "--extraction",
        choices=list(EXTRACTIONS),
        help="default: centroid for the pqmethod profile, pca for qmethod",
    )
    parser.add_argument(
        "--rotation",
        choices=list(ROTATIONS),
        help="default varimax; rotations other than varimax and none need --profile qmethod "
        "(promax, oblimin, quartimin and geomin_obl are oblique)",
    )
    parser.add_argument("--correlation", choices=list(CORRELATIONS), default="pearson")
    parser.add_argument(
        "--profile",
        choices=list(PROFILE_NAMES),
        default="pqmethod",
        help="whose conventions to follow (default pqmethod)",
    )
    parser.add_argument(
        "--flag-level",
        type=parse_flag_level,
        default=argparse.SUPPRESS,
        help="critical z for automatic flags: "
        + ", ".join(f"{z} (p<{p:g})" for z, p in sorted(FLAG_LEVELS.items()))
        + ", or none for majority-only (default 1.96)",
    )
    parser.add_argument(
        "--no-majority",
        action="store_true",
        help="do not require the majority of common variance for a flag",
    )
    parser.add_argument(
        "--forbid-negative", action="store_true", help="never flag a negative loading"
    )
    _add_by_hand(parser, by_hand)
    if "flag" in by_hand:
        parser.add_argument(
            "--flags-from",
            type=Path,
            metavar="OUTPUT.xlsx",
            help="reproduce a published analysis: take every flag, and the extraction, factors, "
            "rotation, judgmental rotations, inversions and flag level it records, from a KADE / "
            "Ken-Q (or qsort) output workbook; options given here win, --flag/--unflag apply after",
        )


@dataclass(frozen=True)
class ByHandOption:
    """One repeatable option of a choice made by hand: its group in :data:`BY_HAND`, its flag,
    how a value is read, and its help."""

    group: str
    flag: str
    parse: Callable[[str], Any]
    metavar: str
    help: str


BY_HAND_OPTIONS = (
    ByHandOption(
        "rotate",
        "--rotate",
        parse_rotation_step,
        "A,B,DEG",
        "judgmental rotation of factors A and B by DEG degrees (positive = counter-clockwise); "
        "repeat for more steps",
    ),
    ByHandOption("invert", "--invert", int, "K", "multiply factor K by -1 (repeatable)"),
    ByHandOption(
        "split", "--split", int, "K", "split bipolar factor K into Ka and Kb (repeatable)"
    ),
    ByHandOption(
        "flag", "--flag", parse_flag(True), "SORT:FACTOR", "flag a sort on a factor by hand"
    ),
    ByHandOption("flag", "--unflag", parse_flag(False), "SORT:FACTOR", "remove a flag by hand"),
)
"""The options of :data:`BY_HAND`, in the order ``--help`` lists them; each collects a list."""


def _add_by_hand(parser: argparse.ArgumentParser, by_hand: tuple[str, ...]) -> None:
    """Judgmental rotation, inversion, bipolar split and manual flags, as ``by_hand`` names."""
    for option in BY_HAND_OPTIONS:
        if option.group in by_hand:
            parser.add_argument(
                option.flag,
                type=option.parse,
                action="append",
                default=[],
                metavar=option.metavar,
                help=option.help,
            )


def grid_option(args: argparse.Namespace) -> Grid | None:
    """The grid given with ``--grid`` (and ``--free``), or None to take it from the file.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    Grid or None

    Raises
    ------
    OptionError
        For ``--free`` without ``--grid``, or a malformed ``--grid``.
    """
    if args.free and not args.grid:
        raise OptionError("--free needs --grid: the range and the shape the arrays should follow")
    return parse_grid(args.grid, args.free) if args.grid else None


def load_study(args: argparse.Namespace) -> Study:
    """Read the study named on the command line, with the grid option if given.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    Study

    Raises
    ------
    QsortError
        When the file cannot be read as a study or does not fit the grid.
    """
    from qsort.formats import read_study

    return read_study(args.sorts, args.fmt, grid=grid_option(args))


def run_analysis(args: argparse.Namespace) -> AnalysisResult:
    """Run the analysis the arguments describe and return the result.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    AnalysisResult
    """
    from qsort.pipeline import analyze

    options = {
        "factors": args.factors,
        "extraction": args.extraction,
        "rotation": args.rotation,
        "flag_level": getattr(args, "flag_level", 1.96),
        "majority": not args.no_majority,
        "rotation_steps": getattr(args, "rotate", []),
        "invert_factors": getattr(args, "invert", []),
        "split_bipolar_factors": getattr(args, "split", []),
        "manual_flags": [*getattr(args, "flag", []), *getattr(args, "unflag", [])],
    }
    if getattr(args, "flags_from", None) is not None:
        options = published_options(args, options)
    study = load_study(args)
    fixed = {
        "factors": options.pop("factors") or 3,
        "rotation": options.pop("rotation") or "varimax",
        "correlation": args.correlation,
        "profile": args.profile,
        "allow_negative": not args.forbid_negative,
    }
    published = options.pop("published_flags", None)
    if published:
        automatic = analyze(study, **fixed, **dict(options, manual_flags=[]))
        options["manual_flags"] = [*changed_flags(automatic, published), *options["manual_flags"]]
    return analyze(study, **fixed, **options)


def changed_flags(result: AnalysisResult, flags: Sequence[FlagOverride]) -> list[FlagOverride]:
    """The published flags that differ from the automatic ones of ``result`` (an override
    naming a sort or factor the result lacks is kept, so that the analysis names it)."""
    sorts, factors = result.study.sort_names, result.factor_names
    return [
        f
        for f in flags
        if f.sort not in sorts
        or f.factor not in factors
        or bool(result.flags[sorts.index(f.sort), factors.index(f.factor)]) != f.flagged
    ]


def published_options(args: argparse.Namespace, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with what the ``--flags-from`` workbook records in place of the defaults:
    every flag (``published_flags``: :func:`run_analysis` keeps those that differ from the
    automatic flags, before ``--flag``/``--unflag``), and each setting the command line did not
    give. What was taken is printed on standard error."""
    from qsort.formats.kade_output import read_published_analysis

    book = read_published_analysis(args.flags_from)
    merged = dict(options, published_flags=list(book.flags))
    unset = {
        "factors": (options["factors"] is None, book.n_factors),
        "extraction": (options["extraction"] is None, book.extraction),
        "rotation": (options["rotation"] is None, book.rotation),
        "flag_level": (not hasattr(args, "flag_level") and book.flag_level_read, book.flag_level),
        "majority": (not args.no_majority and book.majority is not None, book.majority),
        "rotation_steps": (not args.rotate, list(book.rotation_steps)),
        "invert_factors": (not args.invert, list(book.inversions)),
        "split_bipolar_factors": (not args.split, list(book.bipolar_splits)),
    }
    for key, (use, value) in unset.items():
        if use and value is not None:
            merged[key] = value
    print(f"qsort: from {args.flags_from}: {book.describe()}", file=sys.stderr)
    return merged
