"""The ``qsort analyze`` command line that reproduces an analysis from its options.

A saved analysis is :class:`~qsort.options.Options`; :func:`analyze_command` writes the command
that runs the same analysis on an exported file, so that a researcher can check or rerun it
outside the web app. Parsing that command with ``qsort analyze``'s own parser gives back options
equal to the ones it was built from (the tests check this), manual flags given as the final
state of each sort and factor.
"""

from __future__ import annotations

import shlex

from qsort.options import FlagOverride, Options
from qsort.profiles import get_profile
from qsort.study import Grid

DEFAULTS = Options()


def grid_argument(grid: Grid) -> list[str]:
    """``--grid=LOW..HIGH:CAPACITIES`` (and ``--free`` for a free distribution)."""
    capacities = ",".join(str(c) for c in grid.capacities)
    spec = [f"--grid={grid.low}..{grid.high}:{capacities}"]
    return spec if grid.forced else [*spec, "--free"]


def _choices(options: Options) -> list[str]:
    words = ["--factors", str(options.n_factors), "--extraction", options.extraction]
    if options.profile != DEFAULTS.profile:
        words = ["--profile", options.profile, *words]
    if options.rotation != DEFAULTS.rotation:
        words += ["--rotation", options.rotation]
    if options.correlation != DEFAULTS.correlation:
        words += ["--correlation", options.correlation]
    return words


def _flagging(options: Options) -> list[str]:
    words: list[str] = []
    if options.flag_level != DEFAULTS.flag_level:
        level = options.flag_level
        words += ["--flag-level", "none" if level is None else repr(level)]
    if not options.majority:
        words.append("--no-majority")
    if not options.allow_negative:
        words.append("--forbid-negative")
    return words


def final_flags(flags: tuple[FlagOverride, ...]) -> list[FlagOverride]:
    """One override per sort and factor, the last given (what applying them in order leaves)."""
    last = {(flag.sort, flag.factor): flag for flag in flags}
    return list(last.values())


def _steps(options: Options) -> list[str]:
    words: list[str] = []
    for step in options.rotation_steps:
        words.append(f"--rotate={step.factor_a},{step.factor_b},{float(step.degrees)!r}")
    words += [f"--invert={k}" for k in options.inversions]
    words += [f"--split={k}" for k in options.bipolar_splits]
    flags = final_flags(options.manual_flags)
    words += [f"--flag={f.sort}:{f.factor}" for f in flags if f.flagged]
    words += [f"--unflag={f.sort}:{f.factor}" for f in flags if not f.flagged]
    return words


def analyze_arguments(options: Options, sorts: str, grid: Grid | None = None) -> list[str]:
    """The arguments of ``qsort analyze`` (without the program name) for ``options``.

    Parameters
    ----------
    options : Options
    sorts : str
        The exported file's name, as the researcher will type it.
    grid : Grid, optional
        Written as ``--grid`` so that a free distribution or an unusual grid is read as analysed.
    """
    get_profile(options.profile)  # an unknown profile is refused before anything is written
    head = [sorts, *(grid_argument(grid) if grid is not None else [])]
    return [*head, *_choices(options), *_flagging(options), *_steps(options)]


def analyze_command(options: Options, sorts: str, grid: Grid | None = None) -> str:
    """The whole ``qsort analyze ...`` command line, quoted for a POSIX shell."""
    return shlex.join(["qsort", "analyze", *analyze_arguments(options, sorts, grid)])
