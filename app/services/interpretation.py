"""What a factor's defining participants said: how researchers interpret a viewpoint.

Beside each factor's array the workbench shows, for the statements at the array's two extremes,
what the participants who define the factor wrote about those cards after sorting, and those
participants' survey answers. Everything comes from the engine's result (which sorts define
which factor, the factor arrays) and the store (comments, answers); nothing is recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from app import analysis_store
from app.services import survey
from app.services.analysis import Loaded
from qsort.result import AnalysisResult


@dataclass(frozen=True)
class Remark:
    """One defining participant's comment on one card."""

    sort: str
    text: str


@dataclass(frozen=True)
class ExtremeStatement:
    """A statement at one extreme of a factor array, with the defining participants' remarks."""

    number: int
    text: str
    value: int
    remarks: tuple[Remark, ...]


@dataclass(frozen=True)
class Definer:
    """A defining sort: its name, loading and its participant's survey answers (prompt, value)."""

    sort: str
    loading: float
    answers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Voices:
    """A factor's extremes with remarks, and who defines it."""

    factor: str
    extremes: tuple[ExtremeStatement, ...]
    definers: tuple[Definer, ...]


def factor_voices(db: Any, loaded: Loaded, result: AnalysisResult) -> list[Voices]:
    """For every defined factor: its extreme statements with remarks, and its definers."""
    people = [row.participant_id for row in loaded.rows]
    remarks: dict[tuple[int, int], str] = {
        (p, n): t for p, n, t in analysis_store.comments_on(db, people)
    }
    answers: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for participant, question, value in analysis_store.answers_of(db, people):
        answers[participant].append(
            (question.prompt, survey.answer_text(question.kind, question.options, value))
        )
    index = {name: k for k, name in enumerate(result.factor_names)}
    voices = []
    for factor in result.defined:
        k = index[factor.name]
        sorts = [j for j in range(result.study.n_sorts) if result.flags[j, k]]
        voices.append(_voices(loaded, result, factor.name, k, sorts, remarks, answers))
    return voices


def _voices(
    loaded: Loaded,
    result: AnalysisResult,
    name: str,
    k: int,
    sorts: list[int],
    remarks: dict[tuple[int, int], str],
    answers: dict[int, list[tuple[str, str]]],
) -> Voices:
    factor = result.factors[k]
    assert factor.array is not None
    grid = result.study.grid
    extremes = []
    for i, value in enumerate(factor.array):
        if int(value) not in (grid.high, grid.low):
            continue
        number = int(result.study.statement_ids[i])
        said = tuple(
            Remark(result.study.sort_names[j], remarks[(loaded.rows[j].participant_id, number)])
            for j in sorts
            if (loaded.rows[j].participant_id, number) in remarks
        )
        extremes.append(ExtremeStatement(number, loaded.statement_texts[number], int(value), said))
    extremes.sort(key=lambda e: (-e.value, e.number))
    definers = tuple(
        Definer(
            result.study.sort_names[j],
            float(result.loadings[j, k]),
            tuple(answers.get(loaded.rows[j].participant_id, ())),
        )
        for j in sorts
    )
    return Voices(name, tuple(extremes), definers)
