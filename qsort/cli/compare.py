"""``qsort compare``: two participant groups' viewpoints side by side."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qsort.cli.arguments import add_analysis_arguments
from qsort.cli.registry import Subparsers
from qsort.cli.running import analysed, write_json


def cmd_compare(args: argparse.Namespace) -> int:
    """``qsort compare``: analyse both files alike, print how their factors compare.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status: 0 on success.
    """
    from qsort.compare import compare, render_comparison

    first, second = analysed(args), analysed(args, sorts=args.other)
    stems = (args.sorts.stem, args.other.stem)
    labels = stems if stems[0] != stems[1] else ("first", "second")
    comparison = compare(first, second, labels)
    sys.stdout.write(render_comparison(comparison, args.top))
    write_json(args.json, comparison.to_dict())
    return 0


def register(sub: Subparsers) -> None:
    """Add ``compare`` to the ``qsort`` command.

    Parameters
    ----------
    sub : Subparsers
        The ``qsort`` parser's subcommands, changed in place.
    """
    parser = sub.add_parser(
        "compare",
        help="compare two participant groups' factors (same statements, same options)",
        description="Analyse two groups' Q-sorts with the same options, correlate their factors' "
        "z-scores, match the viewpoints one to one, and list the statements on which matched "
        "viewpoints differ most.",
    )
    add_analysis_arguments(parser, by_hand=())
    parser.add_argument("other", type=Path, help="the second group's Q-sorts (same statements)")
    parser.add_argument(
        "--top", type=int, default=10, help="statements listed per matched viewpoint (default 10)"
    )
    parser.add_argument(
        "--json", type=Path, metavar="OUT.json", help="also write the comparison as JSON"
    )
    parser.set_defaults(handler=cmd_compare)
