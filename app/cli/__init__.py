"""The web app's commands on the ``qsort`` command line.

``qsort`` finds :func:`register` through the ``qsort.commands`` entry point (pyproject.toml), so
the engine never names this package. Each module here adds one command group and imports the web
stack only when its command runs; ``python -m app`` offers the same commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from app.cli import backup, data, media, serve, studies, users
from qsort.cli.registry import Subparsers

GROUPS = (serve, users, studies, data, media, backup)
"""The command groups, in the order ``qsort --help`` lists them."""


def register(sub: Subparsers) -> None:
    """Add every web command group to a ``qsort`` subparser set."""
    for group in GROUPS:
        group.register(sub)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry for ``python -m app``: the web commands alone."""
    parser = argparse.ArgumentParser(prog="python -m app", description="qsort web app")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))
