"""The survey part of the designer form: its fields per question, read and shown again.

Question ``i`` sends ``q{i}_key``, ``q{i}_kind``, ``q{i}_prompt``, ``q{i}_required``, the
options of a choice one a line (``q{i}_options``) and a scale's ends (``q{i}_low``,
``q{i}_high``, ``q{i}_low_label``, ``q{i}_high_label``); ``question_count`` says how many.
"""

from __future__ import annotations

from starlette.datastructures import FormData

from app.models import Question
from app.services import designer, survey

BLANK_QUESTIONS = 2
"""Empty questions offered under the study's own, to add new ones."""
SCALE_FIELDS = ("low", "high", "low_label", "high_label")


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def _count(form: FormData) -> int:
    count = _text(form, "question_count")
    return min(int(count), 200) if count.isdigit() else 0


def _sent(form: FormData, i: int) -> bool:
    """A question row counts when it has a question text or a short name."""
    return bool(_text(form, f"q{i}_prompt").strip() or _text(form, f"q{i}_key").strip())


def questions_from_form(form: FormData) -> list[survey.Spec]:
    """The survey questions the form sends, each checked (raises with a message)."""
    specs = []
    for i in range(_count(form)):
        if not _sent(form, i):
            continue
        low, high, low_label, high_label = (_text(form, f"q{i}_{f}") for f in SCALE_FIELDS)
        specs.append(
            designer.parse_question(
                _text(form, f"q{i}_key") or f"q{i + 1}",
                _text(form, f"q{i}_kind"),
                _text(form, f"q{i}_prompt"),
                _text(form, f"q{i}_options"),
                bool(_text(form, f"q{i}_required")),
                (low or "1", high or "5", low_label, high_label),
            )
        )
    return specs


def raw_questions(form: FormData) -> list[dict[str, object]]:
    """The questions as they were sent, to show again with the message when they cannot be
    saved."""
    names = ("key", "kind", "prompt", "options", *SCALE_FIELDS)
    return [
        {
            **{name: _text(form, f"q{i}_{name}") for name in names},
            "required": bool(_text(form, f"q{i}_required")),
        }
        for i in range(_count(form))
        if _sent(form, i)
    ]


def question_rows(questions: list[Question]) -> list[dict[str, object]]:
    """The study's questions as the form shows them."""
    rows: list[dict[str, object]] = []
    for q in questions:
        scale = q.kind == "scale"
        low, high, low_label, high_label = survey.scale_ends(q.options) if scale else (1, 5, "", "")
        rows.append(
            {
                "key": q.key,
                "kind": q.kind,
                "prompt": q.prompt,
                "options": "" if scale else "\n".join(o.get("label", "") for o in q.options),
                "required": q.required,
                "low": low,
                "high": high,
                "low_label": low_label,
                "high_label": high_label,
            }
        )
    return rows


def with_blanks(questions: list[dict[str, object]]) -> list[dict[str, object]]:
    """The questions and a few empty ones to fill in."""
    blank: dict[str, object] = {
        "key": "",
        "kind": "text",
        "prompt": "",
        "options": "",
        "required": False,
        "low": 1,
        "high": 5,
        "low_label": "",
        "high_label": "",
    }
    return questions + [dict(blank) for _ in range(BLANK_QUESTIONS)]
