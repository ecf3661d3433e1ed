"""What the analysis workbench page shows, gathered from qsort's result (kept out of routes).

:func:`options_from_form` reads the workbench's form into ``qsort.Options`` (the judgmental
steps and manual flags arrive as JSON kept by the page's scripts); :func:`page_context` gathers
the figures (qsort's SVG builders), tables and the JSON the scripts draw from. Automatic flags
are those of the same options without manual flags (a second engine run), so the flag grid can
mark each manual change as such. Results come from :mod:`app.services.result_cache`, so a
second view of the same analysis runs no engine.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from app import analysis_store
from app.analysis_store import SortRow
from app.errors import AnalysisError, NotFoundError
from app.models import Study as StoredStudy
from app.services import analysis, result_cache
from app.services.analysis import Loaded, Selection
from app.services.interpretation import Voices, factor_voices
from qsort.cli.reproduce import analyze_command
from qsort.guidance import FactorGuidance
from qsort.methods import CORRELATIONS, EXTRACTIONS, ROTATIONS
from qsort.options import FlagOverride, Options
from qsort.profiles import PROFILES
from qsort.result import AnalysisResult
from qsort.study import signed

#: The report files offered for download, before the figures.
REPORT_FILES = (
    "analysis.xlsx",
    "report.html",
    "report.lis",
    "result.json",
    "factor_arrays.csv",
    "zscores.csv",
    "distinguishing.csv",
    "consensus.csv",
    "characteristics.csv",
    "sorts.dat",
    "sorts.sta",
)


@dataclass(frozen=True)
class Urls:
    """Where the page's forms and links go (the routes know; the page builder does not)."""

    save: str
    download: str
    saved: list[dict[str, str]] = field(default_factory=list)
    compare: str = ""
    bootstrap: str = ""
    groups: str = ""
    flags_from: str = ""


FLAG_LEVEL_CHOICES = ("1.28", "1.44", "1.645", "1.96", "2.575", "2.807", "3.291", "none")


def _json_list(form: Mapping[str, str], key: str) -> list[Any]:
    raw = form.get(key, "") or "[]"
    try:
        value = json.loads(raw)
    except ValueError:
        raise AnalysisError(f"{key.replace('_', ' ')}: expected a list") from None
    if not isinstance(value, list):
        raise AnalysisError(f"{key.replace('_', ' ')}: expected a list")
    return value


def _numbers(form: Mapping[str, str], key: str) -> list[int]:
    text = form.get(key, "")
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise AnalysisError(f"{key}: expected factor numbers separated by commas") from None


def options_from_form(form: Mapping[str, str]) -> Options:
    """The analysis options the workbench's form describes (every field optional)."""
    level = form.get("flag_level", "1.96")
    data: dict[str, Any] = {
        "profile": form.get("profile", "pqmethod"),
        "correlation": form.get("correlation", "pearson"),
        "extraction": form.get("extraction", "centroid"),
        "rotation": form.get("rotation", "varimax"),
        "flag_level": None if level == "none" else _float(level, "flag level"),
        "majority": form.get("majority", "on") == "on",
        "allow_negative": form.get("allow_negative", "on") == "on",
        "rotation_steps": _json_list(form, "rotation_steps"),
        "manual_flags": _json_list(form, "manual_flags"),
        "inversions": _numbers(form, "inversions"),
        "bipolar_splits": _numbers(form, "bipolar_splits"),
    }
    try:
        data["n_factors"] = int(form.get("n_factors", "3"))
    except ValueError:
        raise AnalysisError("Number of factors: expected a whole number") from None
    return analysis.options_from(data)


def _float(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise AnalysisError(f"{what}: expected a number, found {text!r}") from None


def choices(profile: str) -> dict[str, list[tuple[str, str]]]:
    """The select boxes' choices: (value, label), rotations limited to the profile's."""
    return {
        "profile": [(name, name) for name in PROFILES],
        "correlation": list(CORRELATIONS.items()),
        "extraction": list(EXTRACTIONS.items()),
        "rotation": [(k, m.label) for k, m in ROTATIONS.items() if profile in m.profiles],
        "flag_level": [
            (v, "majority only" if v == "none" else f"z = {v}") for v in FLAG_LEVEL_CHOICES
        ],
    }


def automatic_flags(
    db: Any, stored: StoredStudy, selection: Selection, result: AnalysisResult
) -> list[list[bool]]:
    """The flags the same options give without manual flags (one more engine run, cached)."""
    if not result.options.manual_flags:
        return [[bool(v) for v in row] for row in result.flags.tolist()]
    plain = replace(result.options, manual_flags=())
    found = result_cache.analysed(db, stored, selection, plain).result
    return [[bool(v) for v in row] for row in found.flags.tolist()]


def script_data(
    result: AnalysisResult, automatic: list[list[bool]], imported: Sequence[FlagOverride] = ()
) -> dict[str, Any]:
    """The JSON the rotation plot and flag grid draw from (embedded as a data block);
    ``imported`` are flags taken from an output workbook, marked as such in the grid."""
    sorts, factors = result.study.sort_names, result.factor_names
    marked = {(f.sort, f.factor) for f in imported}
    return {
        "sorts": list(sorts),
        "factors": list(factors),
        "loadings": result.loadings.tolist(),
        "flags": [[bool(v) for v in row] for row in result.flags.tolist()],
        "automatic": automatic,
        "imported": [[(s, f) in marked for f in factors] for s in sorts],
        "options": result.options.to_dict(),
    }


def _factor_tables(result: AnalysisResult) -> list[dict[str, Any]]:
    ids = result.study.statement_ids
    texts = {s.id: s.text for s in result.study.statements}
    tables = []
    for factor in result.defined:
        tables.append(
            {
                "name": factor.name,
                "distinguishing": [
                    (ids[m.statement], texts[ids[m.statement]], m.p) for m in factor.distinguishing
                ],
                "crib": None
                if factor.crib is None
                else {
                    part: [(ids[i], texts[ids[i]]) for i in getattr(factor.crib, part)]
                    for part in ("highest", "higher", "lower", "lowest")
                },
                "characteristics": factor.characteristics,
            }
        )
    return tables


def figures(result: AnalysisResult, guidance: FactorGuidance | None) -> dict[str, str]:
    """The page's figures as SVG text: heat map, scree, loadings and composite sorts."""
    from app.services.downloads import figures as all_figures

    return all_figures(result, guidance)


def page_context(
    loaded: Loaded,
    result: AnalysisResult,
    guidance: FactorGuidance | None,
    voices: list[Voices],
    command: str,
    data: dict[str, Any],
    drawn: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the workbench template shows for one analysis (``data``: :func:`script_data`;
    ``drawn``: its :func:`figures`, when already drawn)."""
    ids = result.study.statement_ids
    return {
        "study": result.study,
        "result": result,
        "options": result.options,
        "choices": choices(result.options.profile),
        "grid_text": " ".join(str(c) for c in result.study.grid.capacities),
        "grid_range": f"{signed(result.study.grid.low)}..{signed(result.study.grid.high)}",
        "left_out": loaded.left_out,
        "guidance": guidance,
        "figures": drawn if drawn is not None else figures(result, guidance),
        "factor_tables": _factor_tables(result),
        "consensus": [ids[m.statement] for m in result.consensus],
        "voices": {v.factor: v for v in voices},
        "command": command,
        "script_data": json.dumps(data).replace("<", "\\u003c"),
        "notices": [n.message for n in result.notices],
    }


def encode_state(selection: Selection, options: Options) -> str:
    """The sorts and options of an analysis as one URL-safe token (for download links)."""
    data = {"selection": selection.to_dict(), "options": options.to_dict()}
    return base64.urlsafe_b64encode(json.dumps(data, sort_keys=True).encode()).decode().rstrip("=")


def decode_state(token: str) -> tuple[Selection, Options]:
    """The sorts and options from :func:`encode_state`'s token; refused when malformed."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        return Selection.from_dict(data["selection"]), analysis.options_from(data["options"])
    except (ValueError, KeyError, TypeError):
        raise AnalysisError("This download link is damaged; open the analysis again") from None


def selection_from_form(form: Mapping[str, str], picked: Sequence[str] = ()) -> Selection:
    """``kind`` is ``all``, ``group:<label>`` or ``sorts``: the ``picked`` record ids (the
    form's ``sort`` boxes), else those of the ``sorts`` field (the sorts picked before)."""
    kind = form.get("kind", "all")
    if kind.startswith("group:"):
        return Selection("group", kind.removeprefix("group:"))
    if kind == "sorts":
        chosen = list(picked) or [s for s in form.get("sorts", "").split(",") if s]
        return Selection.from_dict({"kind": "sorts", "sorts": chosen})
    return Selection()


def _sort_choices(rows: Sequence[SortRow], selection: Selection) -> list[dict[str, Any]]:
    """Every completed sort for the hand-picked choice: id, name, group, and whether picked."""
    names = analysis.sort_names(rows)
    picked = set(selection.sorts) if selection.kind == "sorts" else set()
    return [
        {
            "id": r.record_id,
            "name": names[r.record_id],
            "group": r.group,
            "checked": r.record_id in picked,
        }
        for r in rows
    ]


def download_names(result: AnalysisResult) -> list[str]:
    """The files offered for download, figures (SVG and PNG) last, then the zip."""
    from qsort.report.figures import loading_pairs

    stems = ["correlations", "scree"]
    names = result.factor_names
    stems += [f"loadings_{names[a]}_{names[b]}" for a, b in loading_pairs(result)]
    stems += [f"composite_{f.name}" for f in result.defined]
    files = [*REPORT_FILES]
    files += [f"figures/{stem}.{ext}" for stem in stems for ext in ("svg", "png")]
    return [*files, "analysis.zip"]


def build_page(
    db: Any,
    stored: StoredStudy,
    selection: Selection,
    options: Options,
    urls: Urls,
    imported: Sequence[FlagOverride] = (),
) -> dict[str, Any]:
    """The workbench's whole context; a refused analysis gives the form and the reason only.

    The engine's result comes from :mod:`app.services.result_cache`, so viewing the same
    analysis again runs no engine; ``imported`` flags (from an output workbook) are marked.
    """
    assert stored.id is not None
    rows = analysis_store.completed_sorts(db, stored.id)
    context: dict[str, Any] = {
        "title": stored.title,
        "study_id": stored.id,
        "selection": selection,
        "groups": analysis.groups(rows),
        "options": options,
        "choices": choices(options.profile),
        "steps_json": json.dumps([asdict(s) for s in options.rotation_steps]),
        "flags_json": json.dumps([asdict(f) for f in options.manual_flags]),
        "save_url": urls.save,
        "saved": urls.saved,
        "picked": ",".join(str(s) for s in selection.sorts),
        "all_sorts": _sort_choices(rows, selection),
        "compare_url": urls.compare,
        "bootstrap_url": urls.bootstrap,
        "groups_url": urls.groups,
        "flags_from_url": urls.flags_from,
        "state_token": encode_state(selection, options),
        "result": None,
        "study": None,
        "analysis_error": None,
    }
    try:
        entry = result_cache.analysed(db, stored, selection, options)
        automatic = automatic_flags(db, stored, selection, entry.result)
    except AnalysisError as exc:
        context["analysis_error"] = exc.detail
        return context
    loaded, result = entry.loaded, entry.result
    voices = factor_voices(db, loaded, result)
    command = analyze_command(options, f"{stored.slug}.csv", loaded.study.grid)
    data = script_data(result, automatic, imported)
    guidance = result_cache.guidance(entry)
    if entry.figures is None:
        entry.figures = figures(result, guidance)
    context.update(page_context(loaded, result, guidance, voices, command, data, entry.figures))
    token = context["state_token"]
    context["downloads"] = [(n, f"{urls.download}/{n}?a={token}") for n in download_names(result)]
    return context


def download_file(db: Any, stored: StoredStudy, token: str, name: str) -> tuple[bytes, str]:
    """One download (or the zip of all) of the analysis a download link names, with its type.

    Raises
    ------
    NotFoundError
        For a file name the analysis does not offer (or a format that cannot hold it).
    AnalysisError
        For a damaged link or options the engine refuses.
    """
    from app.services import downloads

    selection, options = decode_state(token)
    entry = result_cache.analysed(db, stored, selection, options)
    result = entry.result
    if name not in download_names(result):
        raise NotFoundError(f"no download {name!r}")
    guided = name in ("analysis.zip", "report.html", "figures/scree.svg", "figures/scree.png")
    guidance = result_cache.guidance(entry) if guided else None
    if name == "analysis.zip":
        files = downloads.bundle(result, guidance).files
        return downloads.zip_bundle(files, stored.slug), downloads.media_type(name)
    try:
        return downloads.single(result, name, guidance), downloads.media_type(name)
    except KeyError as exc:
        raise NotFoundError(str(exc.args[0])) from None
