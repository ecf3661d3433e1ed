"""File commands of the ``qsort`` CLI: ``convert`` and ``formats``.

Warnings a format raises when it cannot hold something as it is (PQMethod's 8-character names,
say) are printed as ``qsort: warning: ...`` lines, not as Python warnings.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from qsort.cli.arguments import GRID_HELP, grid_option
from qsort.cli.registry import Subparsers
from qsort.cli.running import reported_warnings
from qsort.formats import FORMATS, read_study, write_study


def cmd_convert(args: argparse.Namespace) -> int:
    """``qsort convert IN OUT``: read a study in one format, write it in another.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status: 0 on success.
    """
    with reported_warnings():
        study = read_study(args.input, args.fmt, grid=grid_option(args))
        args.output.parent.mkdir(parents=True, exist_ok=True)
        written = write_study(study, args.output, args.to)
    for path in written:
        print(f"Wrote {path}")
    return 0


def cmd_formats(args: argparse.Namespace) -> int:
    """``qsort formats``: the formats ``convert`` and ``--from`` accept.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status: 0 on success.
    """
    del args
    width = max(len(name) for name in FORMATS)
    for name, fmt in FORMATS.items():
        extensions = " ".join(fmt.extensions)
        print(f"{name.ljust(width)}  {extensions:<6}  {fmt.description}")
    return 0


def register(sub: Subparsers) -> None:
    """Register ``convert`` and ``formats`` on the ``qsort`` parser.

    Parameters
    ----------
    sub : Subparsers
        The ``qsort`` parser's subcommands, changed in place.
    """
    convert = sub.add_parser(
        "convert",
        help="convert study data between formats (PQMethod, CSV, KADE/Ken-Q Excel, "
        "EQ Web Sort/easy-htmlq JSON, HtmlQ CSV, qsort study file)",
        description="Convert study data. Formats come from the file extensions, or --from/--to; "
        "`qsort formats` lists them.",
    )
    convert.add_argument("input", type=Path, help="file to read")
    convert.add_argument("output", type=Path, help="file to write")
    convert.add_argument("--from", dest="fmt", choices=sorted(FORMATS), help="input format")
    convert.add_argument("--to", choices=sorted(FORMATS), help="output format")
    convert.add_argument("--grid", help=GRID_HELP)
    convert.add_argument("--free", action="store_true", help="free distribution (with --grid)")
    convert.set_defaults(handler=cmd_convert)
    formats = sub.add_parser("formats", help="list the file formats")
    formats.set_defaults(handler=cmd_formats)
