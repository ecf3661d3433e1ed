"""A stored study as a qsort study file's document, and a document's design put on a study.

A study file (docs/study-file.md) carries everything the designer sets, so that a study moved
to another installation opens without being filled in again: title, Q-set (with pictures),
grid, survey, the texts participants read, the language of their pages, whether the extreme
columns must be commented on, and the participant options. It carries the sorts too, as many
as there are: a study without sorts yet (a design) moves as well as one with its data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlmodel import Session

from app import store
from app.errors import InvalidInputError
from app.i18n import available_languages
from app.models import Study
from app.services import survey
from app.services.study_file_pictures import pictures_for_file
from qsort.formats.studyfile import PARTICIPANT_OPTIONS, StudyDocument
from qsort.study import Grid, Statement

TEXT_FIELDS = {
    "condition": "condition",
    "consent": "consent_text",
    "instructions": "instructions_text",
    "thanks": "thanks_text",
    "disagree_label": "disagree_label",
    "agree_label": "agree_label",
}
"""The study file's ``texts`` keys and the :class:`~app.models.Study` fields holding them."""
LABEL_LIMIT = 80
"""The most characters a grid end's label holds (the column's size in the database)."""


def document_from_store(
    db: Session,
    study: Study,
    names: list[str],
    columns: list[list[int]],
    data_dir: Path | None,
) -> StudyDocument:
    """The study's design and the given sorts (``columns``, one per name, in statement order)
    as a study file's document; with ``data_dir``, the cards' pictures too."""
    assert study.id is not None and study.current_qset_id and study.current_grid_id
    cards = store.statements(db, study.current_qset_id)
    if not cards:
        raise InvalidInputError(
            "the study has no statements yet: give it its Q-set in the designer, then export it"
        )
    shape = store.get_grid(db, study.current_grid_id)
    assert shape is not None
    sorts = np.array(columns, dtype=np.int64).T.reshape(len(cards), len(columns))
    pictures = {} if data_dir is None else pictures_for_file(db, study.current_qset_id, data_dir)
    return StudyDocument(
        study.title,
        tuple(Statement(str(c.number), c.text) for c in cards),
        Grid(tuple(shape.column_values), tuple(shape.capacities), shape.forced),
        tuple(names),
        sorts,
        tuple(survey.file_entry(q) for q in store.questions(db, study.id)),
        {name: getattr(study, name) for name in PARTICIPANT_OPTIONS},
        pictures,
        {key: getattr(study, name) for key, name in TEXT_FIELDS.items()},
        study.language,
        study.extremes_required,
    )


def apply_design(study: Study, document: StudyDocument, source: str) -> None:
    """Put the document's texts, language, comment rule and participant options on ``study``
    (checked as the designer checks them; nothing is set when one is refused)."""
    languages = available_languages()
    if document.language not in languages:
        raise InvalidInputError(
            f'{source}, "language": expected one of {", ".join(languages)}, '
            f"found {document.language!r}"
        )
    for key in ("disagree_label", "agree_label"):
        if len(document.texts[key]) > LABEL_LIMIT:
            raise InvalidInputError(
                f'{source}, "texts".{key}: expected at most {LABEL_LIMIT} characters, '
                f"found {len(document.texts[key])}"
            )
    for key, name in TEXT_FIELDS.items():
        setattr(study, name, document.texts[key])
    study.language, study.extremes_required = document.language, document.extremes_required
    for name, value in document.participant.items():  # the study's columns of the same names
        setattr(study, name, value)
