"""Flags and settings from a KADE output workbook in the workbench, as ``--flags-from`` does.

The workbooks are those the engine's reader is tested with: KADE's layout (flags on Lipset's
sorts, centroid, 3 factors, varimax, a 10 degree clockwise turn), and qsort's own report workbook
of an analysis with a flag set by hand (FR9 on F3), a turn and an inversion.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, select

from app.errors import AnalysisError
from app.models import AuditEvent
from app.services import analysis, flags_import, result_cache
from app.services.analysis import Selection
from app.services.workbench_page import encode_state
from qsort.cli import main
from qsort.options import Options
from qsort.rotation import RotationStep
from qsort.study import Study
from tests.app.staff.conftest import build_world, csrf_of
from tests.app.workbench.stored import GROUPS, store_study_for
from tests.qsort.formats.test_fmt_kade_output import _expected_flags, _kade_workbook
from tests.refdata import DATA


def test_the_workbook_gives_its_settings_and_flags(
    lipset_db: tuple[Session, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    content = _kade_workbook(tmp_path / "kade.xlsx").read_bytes()
    book = flags_import.read_workbook(content, "kade.xlsx")
    page_options = Options(extraction="pca", n_factors=2, rotation="none")
    taken = flags_import.imported(db, stored, Selection(), page_options, book)
    options = taken.options
    assert (options.extraction, options.n_factors, options.rotation) == ("centroid", 3, "varimax")
    assert options.rotation_steps == (RotationStep(1, 2, -10.0),)
    assert {(f.sort, f.factor) for f in taken.flags} == {
        (f.sort, f.factor) for f in options.manual_flags
    }
    assert taken.note.startswith("From the workbook: 8 flags on factors F1, F2, F3")
    result = result_cache.analysed(db, stored, Selection(), options).result
    np.testing.assert_array_equal(result.flags, _expected_flags())  # the published flags
    out = tmp_path / "cli.json"
    command = ["analyze", str(DATA / "lipset.dat"), "--flags-from", str(tmp_path / "kade.xlsx")]
    assert main([*command, "--json", str(out)]) == 0
    capsys.readouterr()
    cli = json.loads(out.read_text(encoding="utf-8"))
    assert np.abs(result.loadings - np.array(cli["loadings"])).max() < 1e-9
    assert result.flags.tolist() == cli["flags"]


def test_a_workbook_of_other_sorts_is_refused_by_name(
    lipset_db: tuple[Session, int], tmp_path: Path
) -> None:
    db, study_id = lipset_db
    stored = analysis.stored_study(db, study_id)
    book = flags_import.read_workbook(_kade_workbook(tmp_path / "k.xlsx").read_bytes(), "k.xlsx")
    with pytest.raises(AnalysisError, match="do not match") as refused:
        flags_import.imported(db, stored, Selection("group", GROUPS[1]), Options(), book)
    assert "4 of its 9 sorts are not among the 5 sorts analysed here (US1, US2, US3, US4)" in str(
        refused.value.detail
    )


def test_a_file_that_is_no_output_workbook_says_what_was_expected() -> None:
    with pytest.raises(AnalysisError, match=r"Flags from a workbook: notes\.xlsx"):
        flags_import.read_workbook(b"just some text", "notes.xlsx")


def test_the_route_takes_the_flags_audits_and_refuses_a_mismatch(
    tmp_path: Path, lipset: Study
) -> None:
    world = build_world(tmp_path)
    state = next(world)
    with state.db() as db:
        study_id = store_study_for(db, lipset, "viewer@example.org", "viewer")
    client = state.clients["viewer"]
    url = f"/studies/{study_id}/analysis/flags-from"
    workbook = _kade_workbook(tmp_path / "kade.xlsx").read_bytes()

    def send(selection: Selection) -> tuple[int, str]:
        data = {"a": encode_state(selection, Options()), "csrf_token": csrf_of(client)}
        files = {"file": ("published.xlsx", workbook)}
        answer = client.post(url, data=data, files=files)
        return answer.status_code, answer.text

    status, text = send(Selection())
    assert status == 200 and 'data-testid="import-note"' in text
    workbook = _report_workbook(tmp_path)
    status, text = send(Selection())
    found = re.search(r'id="wb-data">(.*?)</script>', text, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    imported = {(data["sorts"][j], data["factors"][k]) for j, k in np.argwhere(data["imported"])}
    assert imported == {("FR9", "F3")} and _pairs(data, imported) == [(True, False)]
    assert data["options"]["inversions"] == [2]
    status, text = send(Selection("group", GROUPS[1]))
    assert status == 422 and "do not match" in text and 'data-testid="import-error"' in text
    no_token = client.post(url, data={"a": ""}, files={"file": ("x.xlsx", workbook)})
    assert no_token.status_code == 403  # CSRF
    with state.db() as db:
        actions = db.exec(select(AuditEvent.action, AuditEvent.detail)).all()
    assert ("analyse", "flags from published.xlsx") in actions
    world.close()


def _report_workbook(tmp_path: Path) -> bytes:
    """qsort's own report workbook of Lipset's sorts with a flag set by hand (as the reader's
    test makes it)."""
    path = tmp_path / "report.xlsx"
    by_hand = ["--flag", "FR9:F3", "--rotate", "1,2,-10", "--invert", "2"]
    assert main(["report", str(DATA / "lipset.dat"), *by_hand, "--xlsx", str(path)]) == 0
    return path.read_bytes()


def _pairs(data: dict[str, object], marked: set[tuple[str, str]]) -> list[tuple[bool, bool]]:
    """(flag shown, automatic flag) of each marked cell: an imported flag differs from both."""
    sorts, factors = data["sorts"], data["factors"]
    assert isinstance(sorts, list) and isinstance(factors, list)
    flags, automatic = data["flags"], data["automatic"]
    assert isinstance(flags, list) and isinstance(automatic, list)
    return [
        (flags[sorts.index(s)][factors.index(f)], automatic[sorts.index(s)][factors.index(f)])
        for s, f in marked
    ]
