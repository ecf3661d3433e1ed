"""``qsort report``: run an analysis and write the KADE-style workbook, the .LIS text, the HTML
report and the figures."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from qsort.cli.arguments import add_analysis_arguments
from qsort.cli.registry import Subparsers
from qsort.cli.running import analysed, reported_warnings
from qsort.errors import OptionError

if TYPE_CHECKING:
    from qsort.guidance import FactorGuidance
    from qsort.result import AnalysisResult


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
    from qsort.report import write_report
    from qsort.report.figures import write_figures

    targets = [(kind, getattr(args, kind)) for kind in ("xlsx", "html", "lis")]
    targets = [(kind, path) for kind, path in targets if path is not None]
    if not targets and args.figures is None:
        raise OptionError(
            "report: expected at least one of --xlsx, --html, --lis or --figures with a path"
        )
    result = analysed(args)
    with reported_warnings():
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
        extraction=result.options.extraction,
        profile=result.profile,
        seed=0,
    )


def register(sub: Subparsers) -> None:
    """Register ``report`` on the ``qsort`` parser.

    Parameters
    ----------
    sub : Subparsers
        The ``qsort`` parser's subcommands, changed in place.
    """
    report = sub.add_parser(
        "report",
        help="run an analysis and write a report: KADE's workbook, PQMethod-style .LIS "
        "text, or a self-contained HTML page with figures",
        description="Run an analysis (same options as `qsort analyze`) and write reports. "
        "Tables with one row per sort are written in full up to 1,000 sorts (500 in the HTML), "
        "tables with one column per sort up to 500 (100 in the HTML and .lis); beyond, they "
        "list the strongest loaders and say so (see docs/reports.md).",
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
    report.set_defaults(handler=cmd_report)
