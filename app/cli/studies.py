"""``qsort study list|export|import``: the studies in the store; a whole study as a study file.

Works on the same store as ``qsort serve`` (``--data-dir``, ``QSORT_DATA_DIR`` or
``QSORT_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.cli.serve import add_data_dir, settings_for
from app.cli.store import open_store
from qsort.cli.registry import Subparsers


def register(sub: Subparsers) -> None:
    """Add ``study list``, ``study export`` and ``study import``."""
    study = sub.add_parser("study", help="list the studies in the store, export or import one")
    actions = study.add_subparsers(dest="study_command", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="id, status, sorts and title of every study")
    listing.add_argument("--json", action="store_true", help="a JSON list of objects")
    add_data_dir(listing)
    listing.set_defaults(handler=cmd_list)
    export = actions.add_parser(
        "export", help="write a study (its design, and its sorts if any) as a study file (.json)"
    )
    export.add_argument("study", type=int, help="the study's id")
    export.add_argument("out", type=Path, help="the .json file to write")
    add_data_dir(export)
    export.set_defaults(handler=cmd_export)
    imported = actions.add_parser("import", help="make a draft study from a qsort study file")
    imported.add_argument("file", type=Path, help="the qsort study file (.json)")
    add_data_dir(imported)
    imported.set_defaults(handler=cmd_import)


def cmd_list(args: argparse.Namespace) -> int:
    """Print the studies as a table, or as JSON with ``--json``."""
    from app import store

    with open_store(args) as session:
        counts = store.sort_counts(session)
        rows = [
            {"id": s.id, "title": s.title, "status": s.status, "sorts": counts.get(s.id or 0, 0)}
            for s, _ in store.studies_of(session, None)
        ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print("id\tstatus\tsorts\ttitle")
    for row in rows:
        print(f"{row['id']}\t{row['status']}\t{row['sorts']}\t{row['title']}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the study file."""
    from app.services import export

    data_dir = settings_for(args).data_dir
    with open_store(args) as session:
        export.export_sorts(session, None, args.study, args.out, "qsort", data_dir=data_dir)
    print(f"wrote {args.out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Make the study and print its id."""
    from app.services import import_sorts

    data_dir = settings_for(args).data_dir
    with open_store(args) as session:
        study = import_sorts.import_study(session, None, args.file, args.file.name, data_dir)
        session.flush()
        made = f"imported study {study.id}: {study.title} (a draft: design and open it)"
    print(made)
    return 0
