"""How commands join the ``qsort`` command line.

Each command group is a module with a ``register(sub)`` function that adds its subparsers and sets
``handler`` (a function of the parsed arguments returning the exit status) on each. The engine's own
groups are listed in :data:`BUILTIN`; other distributions contribute groups through the
``qsort.commands`` entry-point group (the web app adds ``serve``, ``db`` and its staff commands this
way), so this package never names them.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:  # not subscriptable at run time before Python 3.12
    Subparsers = argparse._SubParsersAction
"""The ``qsort`` parser's subcommand set, which every ``register`` function adds to."""
Registrar = Callable[[Subparsers], None]

ENTRY_POINT_GROUP = "qsort.commands"
BUILTIN = (
    "qsort.cli.analyze",
    "qsort.cli.bootstrap",
    "qsort.cli.compare",
    "qsort.cli.files",
    "qsort.cli.report",
)


def registrars() -> Iterator[tuple[str, Registrar]]:
    """Every command group: the built-in ones first, then those of installed plug-ins.

    Yields
    ------
    tuple of (str, callable)
        The group's name and its ``register`` function.
    """
    for module_name in BUILTIN:
        yield module_name, importlib.import_module(module_name).register
    for entry in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        yield entry.name, entry.load()
