"""File commands of the ``qsort`` CLI: ``convert``, ``formats`` and ``report``.

They share the analysis options of ``qsort analyze`` (defined in :mod:`qsort.cli`). Warnings a
format raises when it cannot hold something as it is (PQMethod's 8-character names, say) are
printed as ``qsort: warning: ...`` lines, not as Python warnings.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qsort.guidance import FactorGuidance
    from qsort.result import AnalysisResult

from qsort.errors import OptionError
from qsort.formats import FORMATS, read_study, write_study


@contextmanager
def reported_warnings() -> Iterator[None]:
    """Print the warnings raised inside the block as one line each on standard error.

    Yields
    ------
    None
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for item in caught:
        print(f"qsort: warning: {item.message}", file=sys.stderr)


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
    from qsort.cli import grid_option

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


def cmd_report(args: argparse.Namespace) -> int:
    """``qsort report SORTS --xlsx/--html/--lis OUT``: run the analysis and write reports.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    int
        The exit status: 0 on success.
    """
    from qsort.cli import run_analysis
    from qsort.report import write_report
    from qsort.report.figures import write_figures

    targets = [(kind, getattr(args, kind)) for kind in ("xlsx", "html", "lis")]
    targets = [(kind, path) for kind, path in targets if path is not None]
    if not targets and args.figures is None:
        raise OptionError(
            "report: expected at least one of --xlsx, --html, --lis or --figures with a path"
        )
    with reported_warnings():
        result = run_analysis(args)
        guidance = _guidance(result) if args.html or args.figures else None
        for kind, path in targets:
            written = write_report(result, path, kind, guidance=guidance)  # type: ignore[arg-type]
            print(f"Wrote {written}")
        if args.figures is not None:
            parallel = guidance.random_p95 if guidance is not None else None
            for path in write_figures(result, args.figures, parallel, png=args.png):
                print(f"Wrote {path}")
    return 0


def _guidance(result: AnalysisResult) -> FactorGuidance:
    """Number-of-factors guidance (with parallel analysis) for the scree plot of a report."""
    from qsort.guidance import factor_guidance

    return factor_guidance(
        result.study,
        correlation=result.options.correlation,
        extraction=result.options.extraction,  # type: ignore[arg-type]
        profile=result.profile,
        seed=0,
    )


def add_file_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``convert``, ``formats`` and ``report`` on the ``qsort`` parser.

    Parameters
    ----------
    sub : argparse._SubParsersAction
        The ``qsort`` parser's subcommands, changed in place.
    """
    from qsort.cli import GRID_HELP, add_analysis_arguments

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
    _handle(convert, cmd_convert)
    _handle(sub.add_parser("formats", help="list the file formats"), cmd_formats)
    report = sub.add_parser(
        "report",
        help="run an analysis and write a report: KADE-style workbook, PQMethod-style .LIS "
        "text, or a self-contained HTML page with figures",
        description="Run an analysis (same options as `qsort analyze`) and write reports.",
    )
    add_analysis_arguments(report)
    report.add_argument("--xlsx", type=Path, metavar="OUT.xlsx", help="report workbook")
    report.add_argument("--html", type=Path, metavar="OUT.html", help="HTML report with figures")
    report.add_argument("--lis", type=Path, metavar="OUT.lis", help="PQMethod-style text report")
    report.add_argument(
        "--figures",
        type=Path,
        metavar="DIR",
        help="write the figures as SVG into DIR: each factor's composite sort, "
        "the scree plot with parallel analysis, loadings of each pair of factors",
    )
    report.add_argument(
        "--png",
        action="store_true",
        help="with --figures, also write PNG (needs the 'png' extra: cairosvg)",
    )
    _handle(report, cmd_report)


def _handle(parser: argparse.ArgumentParser, handler: Callable[[argparse.Namespace], int]) -> None:
    parser.set_defaults(handler=handler)
