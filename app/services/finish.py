"""Finishing: the post-sort comments on extreme cards and the survey, then the token is spent.

Only cards in the two extreme columns of the recorded sort may carry a comment; when the study
requires it, each of them must. Required survey questions must be answered, and a choice, each of
several choices and a scale's number must be among the question's options (app.services.survey).
Finishing is idempotent through ``finish_key``: a retry after a lost answer is told "done" even
though the token no longer opens anything else.
"""

from __future__ import annotations

from sqlmodel import Session

from app import store
from app.errors import InvalidSubmissionError, NotJoinedError
from app.models import Comment, Participant, Question, Study, SurveyAnswer
from app.services import survey, trace
from app.services.submit import Problem

MAX_TEXT = 4000


def extreme_statements(db: Session, participant: Participant) -> dict[int, int]:
    """Statement id -> column value, for the cards in the recorded sort's extreme columns."""
    assert participant.id is not None
    record = store.sort_of(db, participant.id)
    if record is None or record.id is None:
        return {}
    grid = store.get_grid(db, record.grid_id)
    assert grid is not None
    used = [v for v, c in zip(grid.column_values, grid.capacities, strict=True) if c > 0]
    ends = {min(used), max(used)}
    return {e.statement_id: e.value for e in store.sort_entries(db, record.id) if e.value in ends}


def finish(
    db: Session,
    participant: Participant,
    study: Study,
    *,
    key: str,
    comments: dict[int, str],
    answers: dict[str, survey.Answer],
    steps: dict[str, float] | None = None,
) -> None:
    """Store comments, answers and the post-sort steps' times; spend the token."""
    if participant.finished_at is not None:
        if participant.finish_key == key:
            return
        raise NotJoinedError("this participant has already finished")
    assert participant.id is not None and study.id is not None
    if participant.sorted_at is None:
        raise InvalidSubmissionError("no sort yet", problems=[{"code": "sort_first"}])
    number_to_id = {s.number: s.id for s in store.statements(db, participant.qset_id)}
    extremes = extreme_statements(db, participant)
    problems, rows = _comment_rows(participant.id, study, comments, number_to_id, extremes)
    answer_problems, answer_rows = _answer_rows(
        participant.id, store.questions(db, study.id), answers
    )
    problems += answer_problems
    if problems:
        raise InvalidSubmissionError(f"{len(problems)} problem(s)", problems=problems)
    db.add_all([*rows, *answer_rows])
    record = store.sort_of(db, participant.id)
    if record is not None and steps:
        trace.add_steps(record, steps)
        db.add(record)
    store.mark(participant, "finished_at")
    participant.finish_key = key
    db.add(participant)
    db.commit()


def _comment_rows(
    participant_id: int,
    study: Study,
    comments: dict[int, str],
    number_to_id: dict[int, int | None],
    extremes: dict[int, int],
) -> tuple[list[Problem], list[Comment]]:
    problems: list[Problem] = []
    rows: list[Comment] = []
    id_to_number = {v: k for k, v in number_to_id.items()}
    for number, text in sorted(comments.items()):
        sid = number_to_id.get(number)
        if sid is None or sid not in extremes:
            problems.append({"code": "comment_not_extreme", "statement": number})
        elif text.strip():
            rows.append(
                Comment(
                    participant_id=participant_id,
                    statement_id=sid,
                    value=extremes[sid],
                    text=text.strip()[:MAX_TEXT],
                )
            )
    if study.extremes_required:
        said = {c.statement_id for c in rows}
        problems += [
            {"code": "comment_required", "statement": id_to_number[sid]}
            for sid in sorted(extremes)
            if sid not in said
        ]
    return problems, rows


def _answer_rows(
    participant_id: int, questions: list[Question], answers: dict[str, survey.Answer]
) -> tuple[list[Problem], list[SurveyAnswer]]:
    """Rows for the answers given; a problem names each question by its text (never its key)."""
    problems: list[Problem] = []
    rows: list[SurveyAnswer] = []
    by_key = {q.key: q for q in questions}
    problems += [{"code": "unknown_question", "key": k} for k in sorted(set(answers) - set(by_key))]
    for q in questions:
        value, problem = survey.stored_answer(q, answers.get(q.key, ""))
        if problem is None and not value and q.required:
            problem = "answer_required"
        if problem is not None:
            low, high, *_ = survey.scale_ends(q.options) if q.kind == "scale" else (0, 0)
            problems.append(
                {"code": problem, "key": q.key, "prompt": q.prompt, "low": low, "high": high}
            )
        elif value:
            assert q.id is not None
            rows.append(SurveyAnswer(participant_id=participant_id, question_id=q.id, value=value))
    return problems, rows
