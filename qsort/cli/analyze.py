"""``qsort analyze`` and ``qsort factors``: an analysis summary, and how many factors to extract."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qsort.cli.arguments import add_analysis_arguments, add_study_arguments, load_study
from qsort.cli.registry import Subparsers
from qsort.cli.running import analysed, reported_warnings, write_json
from qsort.methods import CORRELATIONS, EXTRACTIONS


def cmd_analyze(args: argparse.Namespace) -> int:
    """``qsort analyze``: print the summary, optionally write JSON.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status: 0 on success.
    """
    from qsort.summary import render_summary

    result = analysed(args)
    sys.stdout.write(render_summary(result, every_sort=args.all))
    write_json(args.json, result)
    return 0


def cmd_factors(args: argparse.Namespace) -> int:
    """``qsort factors``: number-of-factors guidance.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status: 0 on success.
    """
    from qsort.guidance import factor_guidance, render_guidance

    with reported_warnings():
        study = load_study(args)
    guidance = factor_guidance(
        study,
        correlation=args.correlation,
        extraction=args.extraction,
        iterations=args.iterations,
        seed=args.seed,
    )
    sys.stdout.write(render_guidance(guidance))
    return 0


def register(sub: Subparsers) -> None:
    """Add ``analyze`` and ``factors`` to the ``qsort`` command.

    Parameters
    ----------
    sub : Subparsers
        The ``qsort`` parser's subcommands, changed in place.
    """
    analyze = sub.add_parser(
        "analyze",
        help="run a factor analysis and print a summary",
        description="Run a complete Q-methodological factor analysis.",
    )
    add_analysis_arguments(analyze)
    analyze.add_argument(
        "--json",
        type=Path,
        metavar="OUT.json",
        help="also write the full result as JSON (compact, without indentation)",
    )
    analyze.add_argument(
        "--all",
        action="store_true",
        help="list every sort's loadings in the summary (by default studies of more than "
        "60 sorts get flag counts and the strongest loaders per factor)",
    )
    analyze.set_defaults(handler=cmd_analyze)
    guide = sub.add_parser(
        "factors",
        help="how many factors to extract: eigenvalues, "
        "Kaiser-Guttman, Humphrey's rule, parallel analysis",
    )
    add_study_arguments(guide)
    guide.add_argument("--correlation", choices=list(CORRELATIONS), default="pearson")
    guide.add_argument("--extraction", choices=list(EXTRACTIONS), default="pca")
    guide.add_argument(
        "--iterations",
        type=int,
        default=100,
        help="random studies for parallel analysis (default 100)",
    )
    guide.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    guide.set_defaults(handler=cmd_factors)
