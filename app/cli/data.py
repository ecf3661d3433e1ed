"""``qsort data export|import``: a study's sorts (any format ``qsort formats`` lists) or responses.

Works on the same store as ``qsort serve`` (``--data-dir``, ``QSORT_DATA_DIR`` or
``QSORT_DATABASE_URL``). The command line is the machine's operator, who holds the whole store;
``--full`` is still recorded in the audit record.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.serve import add_data_dir, settings_for
from app.cli.store import open_store
from qsort.cli.registry import Subparsers


def register(sub: Subparsers) -> None:
    """Add ``data export`` and ``data import``."""
    data = sub.add_parser("data", help="take a study's collected data out of the store")
    actions = data.add_subparsers(dest="data_command", required=True, metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write the sorts (.dat, .csv, .xlsx, .json or --format) or, for OUT ending "
        "in .responses.csv, the comments and survey answers; .moves.csv and .steps.csv give "
        "the move trace (every move; the time on each step)",
    )
    export.add_argument("study", type=int, help="the study's id (see: qsort study list)")
    export.add_argument("out", type=Path, help="the file to write")
    export.add_argument("--format", default=None, help="a name from: qsort formats")
    export.add_argument(
        "--full",
        action="store_true",
        help="with free-text survey answers and times (recorded in the audit record)",
    )
    add_data_dir(export)
    export.set_defaults(handler=cmd_export)
    imported = actions.add_parser(
        "import", help="add the sorts of a file (any format qsort formats lists) to a study"
    )
    imported.add_argument("study", type=int, help="the study's id")
    imported.add_argument("file", type=Path, help="the file of sorts")
    imported.add_argument("--format", default=None, help="a name from: qsort formats")
    add_data_dir(imported)
    imported.set_defaults(handler=cmd_import)


def cmd_export(args: argparse.Namespace) -> int:
    """Write the export and print the files written."""
    from app.services import export

    data_dir = settings_for(args).data_dir
    with open_store(args) as session:
        kind = _trace_kind(args.out)
        if args.out.name.endswith(".responses.csv") or kind:
            text = (
                export.trace_csv(session, None, args.study, kind)
                if kind
                else export.responses_csv(session, None, args.study, args.full)
            )
            export.write_private(args.out, text)
            written = [args.out]
        else:
            written = export.export_sorts(
                session, None, args.study, args.out, args.format, args.full, data_dir=data_dir
            )
    for path in written:
        print(f"wrote {path}")
    return 0


def _trace_kind(out: Path) -> str:
    """ "moves" for OUT.moves.csv and "steps" for OUT.steps.csv (the move trace), else ""."""
    for kind in ("moves", "steps"):
        if out.name.endswith(f".{kind}.csv"):
            return kind
    return ""


def cmd_import(args: argparse.Namespace) -> int:
    """Add the sorts and print how many."""
    from app.services import import_sorts

    with open_store(args) as session:
        labels = import_sorts.import_sorts(
            session, None, args.study, args.file, args.format, args.file.name
        )
    print(f"imported {len(labels)} sorts: {', '.join(labels)}")
    return 0
