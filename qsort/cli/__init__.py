"""The ``qsort`` command line: one dispatch for every command group.

The engine's groups (``analyze``/``factors``, ``convert``/``formats``, ``report``) live beside this
module; the web app contributes ``serve``, ``db`` and its staff commands through the
``qsort.commands`` entry point (:mod:`qsort.cli.registry`). Errors the engine raises on purpose
(:class:`~qsort.errors.QsortError`) are printed as one clear message with exit status 2, never as
a traceback. Each command imports what it needs when it runs, so ``qsort --help`` is quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from qsort.cli.registry import registrars
from qsort.errors import QsortError
from qsort.version import __version__


def build_parser() -> argparse.ArgumentParser:
    """The full ``qsort`` argument parser, with every registered command group.

    Returns
    -------
    argparse.ArgumentParser
        Each subcommand sets ``handler``: the function that runs it.
    """
    parser = argparse.ArgumentParser(
        prog="qsort",
        description="Q methodology: by-person factor analysis, the field's file formats, "
        "and a web app for sorting on a tablet.",
    )
    parser.add_argument("--version", action="version", version=f"qsort {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for _name, register in registrars():
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``qsort`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0 on success, 2 for an error reported on standard error.
    """
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return int(args.handler(args))
    except QsortError as exc:
        print(f"qsort: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        print(f"qsort: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return 2
