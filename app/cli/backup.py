"""``qsort backup OUT`` and ``qsort restore IN``: the whole installation in one file and back.

The file is a portable logical dump (see :mod:`app.backup`): it restores into SQLite or
PostgreSQL, whichever the backup came from, into an empty database only, with the pictures
of the data folder's ``media/``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.serve import add_data_dir, safe_url, settings_for
from qsort.cli.registry import Subparsers

if TYPE_CHECKING:
    from app.backup import Summary


def register(sub: Subparsers) -> None:
    """Add ``backup`` and ``restore``."""
    backup = sub.add_parser(
        "backup",
        help="write every study, sort, comment, answer and picture to one file",
        description="Write the whole store (every table, and the pictures of the data folder's "
        "media/) to OUT, a gzip-compressed JSON Lines file readable by its owner only. "
        "The app may keep running: the backup is one consistent moment. "
        "The file holds participants' answers: keep it safe.",
    )
    backup.add_argument("out", type=Path, metavar="OUT", help="file to write (replaced if present)")
    add_data_dir(backup)
    backup.set_defaults(handler=cmd_backup)
    restore = sub.add_parser(
        "restore",
        help="load a backup into an empty store",
        description="Load IN (made by 'qsort backup') into an empty store: a new data folder, "
        "or an empty database named by QSORT_DATABASE_URL; its pictures go into the data "
        "folder's media/. All or nothing.",
    )
    restore.add_argument("source", type=Path, metavar="IN", help="backup file to load")
    add_data_dir(restore)
    restore.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    """``qsort backup OUT``."""
    settings = settings_for(args)
    from app.backup import backup

    return _done(
        "backup",
        lambda: backup(settings, args.out),
        lambda s: f"backed up {safe_url(settings)} (schema {s.revision}) to {args.out}:",
    )


def cmd_restore(args: argparse.Namespace) -> int:
    """``qsort restore IN``."""
    settings = settings_for(args)
    from app.backup import restore

    if not args.source.is_file():
        print(f"qsort restore: error: no file {args.source}", file=sys.stderr)
        return 1
    return _done(
        "restore",
        lambda: restore(settings, args.source),
        lambda s: f"restored {args.source} (schema {s.revision}) into {safe_url(settings)}:",
    )


def _done(command: str, run: Callable[[], Summary], headline: Callable[[Summary], str]) -> int:
    """Run a backup or a restore; print the rows of each table, or the error as one line."""
    from app.backup import BackupError

    try:
        summary = run()
    except BackupError as exc:
        print(f"qsort {command}: error: {exc}", file=sys.stderr)
        return 1
    print(headline(summary))
    for table, count in summary.rows.items():
        print(f"  {table:<24}{count:>8} rows")
    print(f"  {'media/':<24}{summary.media:>8} picture files")
    return 0
