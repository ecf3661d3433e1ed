"""The workbench's form becomes qsort's options; the page context comes from the result."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from app.errors import AnalysisError
from app.services import analysis, workbench_page
from app.services.analysis import Selection
from app.services.workbench_page import Urls
from qsort.options import FlagOverride, Options
from qsort.rotation import RotationStep
from tests.app.workbench.stored import GROUPS

URLS = Urls("/save", "/download")


def test_form_gives_every_option() -> None:
    form = {
        "profile": "qmethod",
        "extraction": "pca",
        "correlation": "spearman",
        "rotation": "promax",
        "n_factors": "2",
        "flag_level": "2.575",
        "rotation_steps": json.dumps([{"factor_a": 1, "factor_b": 2, "degrees": -7.25}]),
        "manual_flags": json.dumps([{"sort": "US1", "factor": "F2", "flagged": False}]),
        "inversions": "2",
        "bipolar_splits": "",
    }
    assert workbench_page.options_from_form(form) == Options(
        profile="qmethod",
        extraction="pca",
        correlation="spearman",
        rotation="promax",
        n_factors=2,
        flag_level=2.575,
        rotation_steps=(RotationStep(1, 2, -7.25),),
        manual_flags=(FlagOverride("US1", "F2", False),),
        inversions=(2,),
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("n_factors", "three", "whole number"),
        ("rotation_steps", "{not json", "rotation steps: expected a list"),
        ("inversions", "1,x", "factor numbers"),
        ("rotation", "promax", "An option is not valid"),
        ("flag_level", "2.5", "An option is not valid"),
    ],
)
def test_bad_form_values_are_refused_plainly(field: str, value: str, message: str) -> None:
    with pytest.raises(AnalysisError, match=message):
        workbench_page.options_from_form({field: value})


def test_selection_from_form() -> None:
    assert workbench_page.selection_from_form({}) == Selection()
    assert workbench_page.selection_from_form({"kind": "group:workers"}) == Selection(
        "group", "workers"
    )
    assert workbench_page.selection_from_form({"kind": "sorts", "sorts": "3,1"}) == Selection(
        "sorts", sorts=(3, 1)
    )


def test_state_token_round_trips_and_refuses_damage() -> None:
    options = Options(rotation_steps=(RotationStep(2, 3, 0.1),), n_factors=4)
    token = workbench_page.encode_state(Selection("group", "a b"), options)
    assert workbench_page.decode_state(token) == (Selection("group", "a b"), options)
    with pytest.raises(AnalysisError, match="damaged"):
        workbench_page.decode_state(token[:-5])


def test_page_of_a_refused_analysis_keeps_the_form(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    page = workbench_page.build_page(
        db, stored, Selection("group", GROUPS[0]), Options(n_factors=7), URLS
    )
    assert page["result"] is None and page["analysis_error"].startswith("Too many factors")
    assert page["groups"] == {GROUPS[0]: 4, GROUPS[1]: 5}


def test_page_context_marks_automatic_and_manual_flags(lipset_db: tuple[Session, int]) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    options = Options(manual_flags=(FlagOverride("FR9", "F1", True),))
    page = workbench_page.build_page(db, stored, Selection(), options, URLS)
    data = json.loads(page["script_data"])
    j = data["sorts"].index("FR9")
    assert data["flags"][j][0] and not data["automatic"][j][0]
    assert Options.from_dict(data["options"]) == options
    names = [n for n, _ in page["downloads"]]
    assert names[:3] == ["analysis.xlsx", "report.html", "report.lis"]
    assert "figures/correlations.svg" in names and names[-1] == "analysis.zip"
    assert page["command"].startswith("qsort analyze ref.csv --grid=-4..4:")
    assert "<" not in page["script_data"]


def test_download_of_an_unknown_file_is_not_found(lipset_db: tuple[Session, int]) -> None:
    from app.errors import NotFoundError

    db, study_id = lipset_db
    token = workbench_page.encode_state(Selection(), Options())
    stored = analysis.stored_study(db, study_id)
    with pytest.raises(NotFoundError):
        workbench_page.download_file(db, stored, token, "../../etc/passwd")
    content, kind = workbench_page.download_file(db, stored, token, "factor_arrays.csv")
    assert kind.startswith("text/csv") and content.startswith(b"statement,text,F1,F2,F3")
