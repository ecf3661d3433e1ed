"""Survey questions: their four kinds, the answers they take and how an answer reads.

A question is free ``text``, one ``choice`` among its options, ``multiple`` (any number of its
options: checkboxes) or a ``scale`` (a whole number from its low to its high end). Options are
stored as ``[{"value", "label"}]``; a scale keeps its points there too, one option a number in
order, the first and last carrying the labels of the two ends (``""`` when none was given), so
that every kind is checked by the same rule: an answer must be among the options.

A stored answer is one string: the text, the option's value, the scale's number, or for
``multiple`` the chosen options' values in the options' order joined by ``|`` (which no option
value may contain). Everything that shows an answer (the collected sort, the responses CSV, the
workbench) reads it through :func:`answer_text`, so a researcher sees labels, never values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from app.errors import InvalidInputError
from app.models import Question

KINDS = ("text", "choice", "multiple", "scale")
"""The kinds of survey question, in the order the designer offers them."""
KIND_NAMES = {
    "text": "free text",
    "choice": "one choice",
    "multiple": "several choices",
    "scale": "a scale",
}
SEPARATOR = "|"
"""Joins the values of a ``multiple`` answer as stored."""
JOINED = "; "
"""Joins the labels of a ``multiple`` answer where a person reads it (pages, CSV)."""
MAX_SCALE_POINTS = 11
SCALE_LIMIT = 100
"""A scale's ends lie within -100..100 and it has at most 11 points (0 to 10, say)."""
MAX_TEXT = 4000

Spec = tuple[str, str, str, list[dict[str, str]], bool]
"""A question as the store takes it: key, kind, prompt, options, required."""
Answer = str | list[str]
"""What the participant page sends: a string, or a list of values for ``multiple``."""


def choice_options(labels: Sequence[str]) -> list[dict[str, str]]:
    """Options ``o1``, ``o2``, ... for the given labels (empty labels left out)."""
    kept = [label.strip() for label in labels if label.strip()]
    return [{"value": f"o{i}", "label": label} for i, label in enumerate(kept, 1)]


def scale_options(
    low: int, high: int, low_label: str = "", high_label: str = ""
) -> list[dict[str, str]]:
    """The points of a scale as options: ``low..high``, the ends carrying their labels."""
    if not -SCALE_LIMIT <= low < high <= SCALE_LIMIT:
        raise InvalidInputError(
            f"a scale runs from a lower to a higher whole number (within -{SCALE_LIMIT} to "
            f"{SCALE_LIMIT}); found {low} to {high}"
        )
    if high - low + 1 > MAX_SCALE_POINTS:
        raise InvalidInputError(
            f"a scale has at most {MAX_SCALE_POINTS} points (such as 0 to 10); "
            f"found {high - low + 1} ({low} to {high})"
        )
    points = [{"value": str(v), "label": ""} for v in range(low, high + 1)]
    points[0]["label"], points[-1]["label"] = low_label.strip(), high_label.strip()
    return points


def scale_ends(options: Sequence[Mapping[str, str]]) -> tuple[int, int, str, str]:
    """A scale's low and high numbers and its end labels, read back from its options."""
    if not options:
        return 1, 5, "", ""
    first, last = options[0], options[-1]
    return int(first["value"]), int(last["value"]), first["label"], last["label"]


def check_spec(spec: Spec) -> Spec:
    """A question checked: a known kind, a prompt, and the options its kind needs."""
    key, kind, prompt, options, required = spec
    if not key or not prompt.strip():
        raise InvalidInputError("each survey question needs a short name and its question text")
    if kind not in KINDS:
        raise InvalidInputError(f"expected a question kind among {KINDS}, found {kind!r}")
    if kind in ("choice", "multiple") and len(options) < 2:
        raise InvalidInputError(
            f"the {KIND_NAMES[kind]} question {prompt.strip()!r} needs at least two options"
        )
    values = [o["value"] for o in options]
    if len(set(values)) != len(values) or any(SEPARATOR in v or not v for v in values):
        raise InvalidInputError(
            f"the options of {prompt.strip()!r} need distinct values without {SEPARATOR!r}"
        )
    return key, kind, prompt.strip(), list(options) if kind != "text" else [], required


def clean_key(raw: str) -> str:
    """A question's short name as stored: lower case letters, digits and ``_`` (64 at most)."""
    return re.sub(r"[^a-z0-9_]+", "_", raw.strip().lower()).strip("_")[:64]


def stored_answer(question: Question, raw: Answer) -> tuple[str, str | None]:
    """The answer as stored, and the problem code when it cannot be taken.

    ``("", None)`` is no answer; a ``multiple`` answer is a list of option values (a single
    string is taken as one value). Values outside the options or the scale are refused.
    """
    allowed = [o["value"] for o in question.options]
    if question.kind == "multiple":
        picked = [raw] if isinstance(raw, str) else list(raw)
        chosen = {v.strip() for v in picked if v.strip()}
        if chosen - set(allowed):
            return "", "answer_not_option"
        return SEPARATOR.join(v for v in allowed if v in chosen), None
    if not isinstance(raw, str):
        return "", "answer_not_option" if raw else None
    value = raw.strip()
    if value and question.kind == "choice" and value not in allowed:
        return "", "answer_not_option"
    if value and question.kind == "scale" and value not in allowed:
        return "", "answer_off_scale"
    return value[:MAX_TEXT], None


def answer_text(kind: str, options: Sequence[Mapping[str, str]], value: str) -> str:
    """An answer as the participant saw it: option labels (several joined by ``"; "``), a
    scale's number with its end label when it has one, or the text as written."""
    if kind == "text" or not options:
        return value
    labels = {o.get("value", ""): o.get("label", "") for o in options}
    if kind == "scale":
        label = labels.get(value, "")
        return f"{value} ({label})" if label else value
    if kind == "multiple":
        return JOINED.join(labels.get(v, v) for v in value.split(SEPARATOR) if v)
    return labels.get(value, value)


def file_entry(question: Question) -> dict[str, Any]:
    """A question as a qsort study file holds it (docs/study-file.md)."""
    entry: dict[str, Any] = {"id": question.key, "text": question.prompt, "kind": question.kind}
    if question.kind in ("choice", "multiple"):
        entry["options"] = [o.get("label", "") for o in question.options]
    elif question.kind == "scale":
        low, high, low_label, high_label = scale_ends(question.options)
        entry.update(low=low, high=high, low_label=low_label, high_label=high_label)
    entry["required"] = question.required
    return entry


def from_file(entry: Mapping[str, Any]) -> Spec:
    """A study file's question as the store takes it; a kind the app does not ask (such as
    ``number``) or a choice without two options becomes free text, as before."""
    kind = str(entry.get("kind", ""))
    raw = entry.get("options")
    labels = [str(o) for o in raw] if isinstance(raw, list) else []
    options: list[dict[str, str]] = []
    if kind in ("choice", "multiple") and len(labels) >= 2:
        options = choice_options(labels)
    elif kind == "scale":
        options = scale_options(
            int(entry["low"]),
            int(entry["high"]),
            str(entry.get("low_label", "")),
            str(entry.get("high_label", "")),
        )
    else:
        kind = "text"
    key = str(entry.get("id", ""))[:64]
    return key, kind, str(entry.get("text", "")), options, bool(entry.get("required", False))
