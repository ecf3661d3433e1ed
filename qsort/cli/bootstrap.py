"""``qsort bootstrap``: how stable each viewpoint is, over resamples of the sorts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qsort.cli.arguments import add_analysis_arguments
from qsort.cli.registry import Subparsers
from qsort.cli.running import analysed, write_json


def cmd_bootstrap(args: argparse.Namespace) -> int:
    """``qsort bootstrap``: run the analysis, bootstrap it, print the summary, optionally JSON.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status: 0 on success.
    """
    from qsort.bootstrap import bootstrap, render_bootstrap

    boot = bootstrap(analysed(args), resamples=args.resamples, seed=args.seed)
    sys.stdout.write(render_bootstrap(boot, every_sort=args.all))
    write_json(args.json, boot.to_dict())
    return 0


def register(sub: Subparsers) -> None:
    """Add ``bootstrap`` to the ``qsort`` command.

    Parameters
    ----------
    sub : Subparsers
        The ``qsort`` parser's subcommands, changed in place.
    """
    parser = sub.add_parser(
        "bootstrap",
        help="how stable each factor is: loadings, flags and z-scores over resampled sorts",
        description="Resample the Q-sorts with replacement, re-analyse each resample with the "
        "same options, match its factors to the original's, and report bootstrap means, "
        "standard errors, how often each sort is flagged and how often each statement keeps "
        "its array value (Zabala and Pascual 2016).",
    )
    add_analysis_arguments(parser, by_hand=("rotate", "invert"))
    parser.add_argument(
        "--resamples", type=int, default=1000, help="number of resamples (default 1000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--all",
        action="store_true",
        help="list every sort's bootstrap loadings (past 60 sorts the least stable are named)",
    )
    parser.add_argument(
        "--json", type=Path, metavar="OUT.json", help="also write the summaries as JSON"
    )
    parser.set_defaults(handler=cmd_bootstrap)
