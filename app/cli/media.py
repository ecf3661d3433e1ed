"""``qsort media clean``: remove the stored pictures no statement uses any more.

Pictures are kept by content (:mod:`app.services.pictures`), so two cards, two Q-set versions or
two studies with the same picture share one file, and replacing or removing a card's picture
leaves the file in place. This maintenance step removes a file once no statement of any version
of any study refers to it, never one still referred to. It may run while ``qsort serve`` does:
a file kept or uploaded again within ``--older-than`` hours (default 24) stays, so a picture
whose upload or import is under way is not taken away.
"""

from __future__ import annotations

import argparse

from app.cli.serve import add_data_dir, settings_for
from app.cli.store import open_store
from qsort.cli.registry import Subparsers

DEFAULT_HOURS = 24.0


def register(sub: Subparsers) -> None:
    """Add ``media clean``."""
    media = sub.add_parser("media", help="the pictures of picture cards in the data folder")
    actions = media.add_subparsers(dest="media_command", required=True, metavar="ACTION")
    clean = actions.add_parser(
        "clean",
        help="remove the picture files no statement uses any more",
        description="Remove from the data folder's media/ every picture file that no statement "
        "of any version of any study refers to (a picture replaced or removed in the "
        "designer, or left by a failed import). Files still used are never removed. Safe "
        "while the app runs.",
    )
    clean.add_argument(
        "--older-than",
        type=_hours,
        default=DEFAULT_HOURS,
        metavar="HOURS",
        help=f"keep unused files stored less than HOURS ago (default {DEFAULT_HOURS:g})",
    )
    clean.add_argument("--dry-run", action="store_true", help="list the files, remove nothing")
    add_data_dir(clean)
    clean.set_defaults(handler=cmd_clean)


def _hours(text: str) -> float:
    """A number of hours, 0 or more."""
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not hours >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of hours, 0 or more, found {text!r}")
    return hours


def cmd_clean(args: argparse.Namespace) -> int:
    """Remove the unused pictures and say which, and how many bytes that freed."""
    from app import store
    from app.services import pictures

    data_dir = settings_for(args).data_dir
    with open_store(args) as session:
        referenced = store.picture_names(session)
    removed = pictures.remove_unused(
        data_dir, referenced, args.older_than * 3600, dry_run=args.dry_run
    )
    verb = "would remove" if args.dry_run else "removed"
    for path in removed:
        print(f"{verb} {path.name}")
    freed = sum(removed.values())
    print(f"{verb} {len(removed)} unused picture file(s), {freed} bytes; {len(referenced)} in use")
    return 0
