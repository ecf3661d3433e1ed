"""``qsort backup OUT`` and ``qsort restore IN``: the whole installation in one file and back.

The file is a portable logical dump (see :mod:`app.backup`): it restores into SQLite or
PostgreSQL, whichever the backup came from, into an empty database only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.cli.serve import add_data_dir, safe_url, settings_for
from qsort.cli.registry import Subparsers


def register(sub: Subparsers) -> None:
    """Add ``backup`` and ``restore``."""
    backup = sub.add_parser(
        "backup",
        help="write every study, sort, comment and answer to one file",
        description="Write the whole store (every table) to OUT, a gzip-compressed JSON Lines "
        "file readable by its owner only. The app may keep running: the backup is one "
        "consistent moment. The file holds participants' answers: keep it safe.",
    )
    backup.add_argument("out", type=Path, metavar="OUT", help="file to write (replaced if present)")
    add_data_dir(backup)
    backup.set_defaults(handler=cmd_backup)
    restore = sub.add_parser(
        "restore",
        help="load a backup into an empty store",
        description="Load IN (made by 'qsort backup') into an empty store: a new data folder, "
        "or an empty database named by QSORT_DATABASE_URL. All or nothing.",
    )
    restore.add_argument("source", type=Path, metavar="IN", help="backup file to load")
    add_data_dir(restore)
    restore.set_defaults(handler=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    """``qsort backup OUT``."""
    settings = settings_for(args)
    from app.backup import BackupError, backup

    try:
        summary = backup(settings, args.out)
    except BackupError as exc:
        print(f"qsort backup: error: {exc}", file=sys.stderr)
        return 1
    print(f"backed up {safe_url(settings)} (schema {summary.revision}) to {args.out}:")
    _print_rows(summary.rows)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """``qsort restore IN``."""
    settings = settings_for(args)
    from app.backup import BackupError, restore

    if not args.source.is_file():
        print(f"qsort restore: error: no file {args.source}", file=sys.stderr)
        return 1
    try:
        summary = restore(settings, args.source)
    except BackupError as exc:
        print(f"qsort restore: error: {exc}", file=sys.stderr)
        return 1
    print(f"restored {args.source} (schema {summary.revision}) into {safe_url(settings)}:")
    _print_rows(summary.rows)
    return 0


def _print_rows(rows: dict[str, int]) -> None:
    for table, count in rows.items():
        print(f"  {table:<24}{count:>8} rows")
