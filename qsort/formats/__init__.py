"""Readers and writers of study data: one module per foreign format, plus qsort's own file.

:func:`read_study` and :func:`write_study` choose the format from ``fmt`` (a name in
:data:`FORMATS`) or from the file's extension: ``.dat`` is PQMethod, ``.xlsx`` a KADE / Ken-Q
workbook, ``.csv`` a table of sorts (HtmlQ's export when its header has a ``sid`` column, a SoSci
Survey export of Easy HtmlQ v3 sorts when it starts ``CASE ... QUESTNNR`` or holds their data),
``.json`` a qsort study file when it says ``"format": "qsort-study"`` and an easy-htmlq export
otherwise. Options are passed on to the format's reader or writer; an option the format does not
have is an :class:`~qsort.errors.OptionError`.

Every reader raises :class:`~qsort.errors.FormatError` for a file it cannot read, naming the
file, the place and what was expected; a well-formed file whose sorts do not fit the grid raises
the :class:`~qsort.errors.StudyError` of the study's validation. Writers may emit a
:class:`FormatWarning` when the format cannot hold something as it is (PQMethod's 8-character
names, for example).
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from qsort.errors import FormatError, OptionError
from qsort.formats._common import (
    FormatWarning,
    PathArg,
    TextEncodingWarning,
    decode_text,
    open_prefix,
    split_lines,
)
from qsort.formats.csv_sorts import read_csv, write_csv
from qsort.formats.eqwebsort import (
    looks_like_eqwebsort,
    read_eqwebsort_csv,
    write_eqwebsort_csv,
)
from qsort.formats.excel import read_xlsx, write_xlsx
from qsort.formats.htmlq import (
    load_json,
    read_easyhtmlq,
    read_htmlq_csv,
    write_easyhtmlq,
    write_htmlq_csv,
)
from qsort.formats.pqmethod import read_dat, write_dat
from qsort.formats.sosci import SOSCI_COLUMNS, read_sosci_ehq3, write_sosci_ehq3
from qsort.formats.studyfile import is_study_file, read_study_file, write_study_file
from qsort.study import Study

Reader = Callable[..., Study]
Writer = Callable[..., list[Path]]


@dataclass(frozen=True)
class FileFormat:
    """One entry of the formats table: its name, what it is, its extensions, reader, writer."""

    name: str
    description: str
    extensions: tuple[str, ...]
    read: Reader
    write: Writer

    def options(self, which: str) -> tuple[str, ...]:
        """The keyword options the reader (``which="read"``) or writer accepts."""
        func = self.read if which == "read" else self.write
        params = inspect.signature(func).parameters.values()
        return tuple(p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY)


FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        FileFormat(
            "pqmethod",
            "PQMethod .DAT (Q-sorts) with .STA (statements)",
            (".dat",),
            read_dat,
            write_dat,
        ),
        FileFormat(
            "csv",
            "CSV, one row per statement (orientation detected when reading)",
            (".csv",),
            read_csv,
            write_csv,
        ),
        FileFormat(
            "csv-participants",
            "CSV, one row per participant (Ken-Q)",
            (".csv",),
            partial(read_csv, orientation="participants"),
            partial(write_csv, orientation="participants"),
        ),
        FileFormat(
            "kade-xlsx",
            "KADE / Ken-Q Excel workbook, type 2 (sort values; type detected when reading)",
            (".xlsx",),
            read_xlsx,
            partial(write_xlsx, excel_type=2),
        ),
        FileFormat(
            "kade-xlsx-piles",
            "KADE / Ken-Q Excel workbook, type 1 (piles of statement numbers; forced grids)",
            (".xlsx",),
            read_xlsx,
            partial(write_xlsx, excel_type=1),
        ),
        FileFormat(
            "easyhtmlq",
            "EQ Web Sort / easy-htmlq JSON export",
            (".json",),
            read_easyhtmlq,
            write_easyhtmlq,
        ),
        FileFormat(
            "htmlq-csv",
            "HtmlQ CSV export (semicolon-separated)",
            (".csv",),
            read_htmlq_csv,
            write_htmlq_csv,
        ),
        FileFormat(
            "eqwebsort-csv",
            "EQ Web Sort / Quince CSV download (Google Sheets or Netlify layout)",
            (".csv",),
            read_eqwebsort_csv,
            write_eqwebsort_csv,
        ),
        FileFormat(
            "ehq3-sosci",
            "Easy HtmlQ v3 sorts in a SoSci Survey data export",
            (".csv",),
            read_sosci_ehq3,
            write_sosci_ehq3,
        ),
        FileFormat(
            "qsort",
            "qsort study file (JSON: statements with their pictures, grid, questions, sorts)",
            (".json",),
            read_study_file,
            write_study_file,
        ),
    )
}

_WRITE_BY_EXTENSION = {".dat": "pqmethod", ".csv": "csv", ".xlsx": "kade-xlsx", ".json": "qsort"}


def get_format(name: str) -> FileFormat:
    """The format of that name, or an :class:`OptionError` listing the names."""
    try:
        return FORMATS[name]
    except KeyError:
        raise OptionError(f"unknown format {name!r}; expected one of {sorted(FORMATS)}") from None


def detect_format(path: PathArg) -> str:
    """The name of the format to read ``path`` with, from its extension and, for ``.json`` and
    ``.csv``, its content."""
    suffix = Path(path).suffix.lower()
    if suffix == ".dat":
        return "pqmethod"
    if suffix in (".xlsx", ".xlsm"):
        return "kade-xlsx"
    if suffix == ".json":
        return "qsort" if is_study_file(load_json(path, "a JSON file")) else "easyhtmlq"
    if suffix in (".csv", ".tsv", ".txt"):
        return _csv_kind(path)
    raise FormatError(
        f"{path}: cannot tell the format from the extension {suffix or '(none)'!r}; expected "
        f".dat, .csv, .xlsx or .json, or a format name (one of {sorted(FORMATS)})"
    )


def _csv_kind(path: PathArg) -> str:
    """``eqwebsort-csv``, ``ehq3-sosci``, ``htmlq-csv`` or ``csv``, from the first 64 KiB of the
    file (a file that cannot be decoded is left to the CSV reader, which says why)."""
    with open_prefix(path) as data, warnings.catch_warnings():
        warnings.simplefilter("ignore", FormatWarning)
        try:
            text = decode_text(data, path, "a CSV table", legacy=True)
        except FormatError:
            return "csv"
    if looks_like_eqwebsort(text):
        return "eqwebsort-csv"
    lines = split_lines(text)
    if _looks_like_sosci(lines):
        return "ehq3-sosci"
    header = [cell.strip().strip('"') for cell in lines[0].split(";")] if lines else []
    if "sid" in header and any(h.startswith("s") and h != "sid" for h in header):
        return "htmlq-csv"
    return "csv"


def _looks_like_sosci(lines: list[str]) -> bool:
    """SoSci Survey's header (``CASE``, ``SERIAL`` ...) or, in its header-less file for R, Easy
    HtmlQ v3 data (``"stage2"``) on the first line."""
    first = lines[0] if lines else ""
    cells = [c.strip().strip('"') for c in re.split(r"[\t,;]", first)]
    header = cells[:1] == [SOSCI_COLUMNS[0]] and SOSCI_COLUMNS[3] in cells
    return header or '"stage2"' in first


def _check_options(fmt: FileFormat, which: str, options: dict[str, Any]) -> None:
    allowed = fmt.options(which)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise OptionError(
            f"format {fmt.name!r} has no {which} option(s) {unknown}; expected some of "
            f"{sorted(allowed)}"
        )


def read_study(path: PathArg, fmt: str | None = None, **options: Any) -> Study:
    """Read a study from ``path`` in format ``fmt`` (detected when ``None``).

    Options (``grid=``, ``orientation=``, ``statements=`` ...) go to the format's reader; see
    :data:`FORMATS` and each module for what they mean.
    """
    spec = get_format(fmt if fmt is not None else detect_format(path))
    _check_options(spec, "read", options)
    return spec.read(path, **options)


def write_study(study: Study, path: PathArg, fmt: str | None = None, **options: Any) -> list[Path]:
    """Write ``study`` to ``path`` in format ``fmt`` (from the extension when ``None``).

    Returns every file written (PQMethod writes a ``.STA`` beside the ``.DAT``, for example).
    """
    if fmt is None:
        suffix = Path(path).suffix.lower()
        if suffix not in _WRITE_BY_EXTENSION:
            raise OptionError(
                f"{path}: cannot tell the format from the extension {suffix or '(none)'!r}; "
                f"expected .dat, .csv, .xlsx or .json, or a format name (one of {sorted(FORMATS)})"
            )
        fmt = _WRITE_BY_EXTENSION[suffix]
    spec = get_format(fmt)
    _check_options(spec, "write", options)
    return spec.write(study, path, **options)


__all__ = [
    "FORMATS",
    "FileFormat",
    "FormatWarning",
    "TextEncodingWarning",
    "detect_format",
    "get_format",
    "read_study",
    "write_study",
]
