"""The analysis workbench in Chromium: a complete analysis, downloads, and screenshots.

Nine participants in two focus groups sort Lipset's cards through the participant API (join with
the code, submit the sort, comment on the extremes, answer the survey); the demo researcher signs
in and analyses the study they own. The page's numbers and its downloaded JSON must equal
``qsort analyze`` run with the command the page shows on the study's sorts as ``qsort data
export`` writes them.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shlex
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import openpyxl
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page
from sqlmodel import Session, select

from app.demo import DEMO_EMAIL, demo_password
from app.models import StaffUser, StudyAccess
from app.services import analysis
from qsort.cli import main as qsort_main
from qsort.formats import write_study
from qsort.formats.pqmethod import read_dat
from qsort.study import Statement, Study
from tests.app.workbench.stored import design_study, group_of, placements, remarks
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
TEMPLATE = "researcher/analysis/workbench.html"
COMPARE = "researcher/analysis/compare.html"
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"  # git ignores it


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, lipset: Study) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("workbench"))
    live.start()
    worded = replace(
        lipset,
        statements=tuple(
            Statement(s.id, f"Card {s.id}: a statement to sort") for s in lipset.statements
        ),
    )
    with Session(live.app.state.engine) as db:
        study_id, sessions = design_study(db, worded)
        codes = [s.code for s in sessions]
        demo = db.exec(select(StaffUser).where(StaffUser.email == DEMO_EMAIL)).one()
        assert demo.id is not None
        db.add(StudyAccess(study_id=study_id, user_id=demo.id, right="owner"))
        db.commit()
    for j in range(worded.n_sorts):
        _sort_through_the_app(live.url, codes[group_of(worded, j)], worded, j)
    live.study_id = study_id  # type: ignore[attr-defined]
    yield live
    live.stop()


def _sort_through_the_app(url: str, code: str, study: Study, j: int) -> None:
    """One participant joins with the code, sorts (sort j of ``study``), comments and answers,
    through the participant API as the sort page's scripts call it."""
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        assert client.post(f"/j/{code}/consent", data={"choice": "accept"}).status_code == 303
        page = client.get("/p").text
        found = re.search(r'id="qsort-config">(.*?)</script>', page, re.S)
        assert found is not None
        config = json.loads(found.group(1))
        body = {
            "key": f"sort-key-{j:08d}",
            "qset_id": config["qsetId"],
            "grid_id": config["gridId"],
            "placements": placements(study, j),
        }
        assert client.post("/api/sort", json=body).json()["status"] == "recorded"
        finish = {
            "key": f"finish-key-{j:06d}",
            "comments": remarks(study, j, f"sort {j + 1}"),
            "answers": {"role": "u" if group_of(study, j) == 0 else "w"},
        }
        assert client.post("/api/finish", json=finish).json()["status"] == "finished"


def _open(browser: Browser, width: int, height: int) -> tuple[Any, Page, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return context, page, problems


def _page_loadings(page: Page) -> np.ndarray:
    rows = page.locator("[data-testid=loadings] tbody tr")
    return np.array(
        [
            [
                float(v)
                for v in rows.nth(i)
                .locator("td")
                .evaluate_all("cells => cells.map(c => c.dataset.value)")
            ]
            for i in range(rows.count())
        ]
    )


def _sign_in(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/signin")
    page.fill("#email", DEMO_EMAIL)
    page.fill("#password", demo_password(server.settings.data_dir))
    page.click("button[type=submit]")
    page.wait_for_url("**/studies")


def test_complete_analysis_equals_qsort_analyze(
    browser: Browser, server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{server.url}/studies/{server.study_id}/analysis"  # type: ignore[attr-defined]
    context, page, problems = _open(browser, 1280, 800)
    _sign_in(page, server)
    response = page.goto(url)
    assert (
        response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    )
    page.wait_for_selector("html[data-workbench=ready]")
    assert page.locator("[data-testid=sort-count]").inner_text() == "9"
    page.select_option("[data-testid=extraction]", "centroid")
    page.fill("[data-testid=n_factors]", "3")
    page.select_option("[data-testid=rotation]", "varimax")
    page.fill("[data-testid=angle]", "12.5")
    page.click("[data-testid=apply-rotation]")
    assert "F1\u2013F2: 12.5° counter-clockwise" in page.locator("[data-testid=steps]").inner_text()
    box = page.locator("#wb-flag-grid input[data-sort='2'][data-factor='1']")
    name = page.locator("#wb-flag-grid tbody tr").nth(2).locator("th").inner_text()
    was = box.is_checked()
    box.click()
    assert "by hand" in page.locator("#wb-flag-grid td.wb-manual").first.evaluate(
        "td => getComputedStyle(td, '::after').content"
    )
    page.click("[data-testid=run]")
    page.wait_for_selector("html[data-workbench=ready]")
    shown = _page_loadings(page)
    command = page.locator("[data-testid=command]").inner_text()
    assert "--rotate=1,2,12.5" in command
    assert f"--{'unflag' if was else 'flag'}={name}:F2" in command

    # the study's sorts exported to a file, then the page's own command line run on it
    exported = tmp_path / "ref.csv"
    write_study(_exported(server), exported)
    words = shlex.split(command)
    words[2] = str(exported)
    out = tmp_path / "cli.json"
    assert qsort_main([*words[1:], "--json", str(out)]) == 0
    capsys.readouterr()
    cli = json.loads(out.read_text(encoding="utf-8"))
    assert np.abs(shown - np.array(cli["loadings"])).max() < 1e-9
    link = page.locator("a", has_text="result.json").get_attribute("href")
    assert link is not None
    downloaded = json.loads(page.request.get(server.url + link).body())
    for key in ("loadings", "zscores", "arrays", "flags"):
        assert np.allclose(
            np.array(downloaded[key], dtype=float),
            np.array(cli[key], dtype=float),
            atol=1e-9,
            equal_nan=True,
        )
    _check_downloads(page, server, tmp_path)
    _save_reopen_compare_delete(page, shown, name)
    _screenshots(browser, page, url, server)
    page.goto(url)
    page.wait_for_selector("html[data-workbench=ready]")
    assert serious_violations(page) == []
    context.close()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems


def _exported(server: LiveServer) -> Study:
    """The study's sorts as ``qsort data export`` writes them (the export service)."""
    from app.services.export import study_from_store

    with Session(server.app.state.engine) as db:
        return study_from_store(db, analysis.stored_study(db, server.study_id))  # type: ignore[attr-defined]


def _check_downloads(page: Page, server: LiveServer, tmp_path: Path) -> None:
    links = page.locator(".wb-downloads a")
    hrefs = {
        links.nth(i).inner_text(): links.nth(i).get_attribute("href") for i in range(links.count())
    }

    def get(name: str) -> bytes:
        return page.request.get(server.url + str(hrefs[name])).body()

    openpyxl.load_workbook(io.BytesIO(get("analysis.xlsx")), read_only=True)
    HTMLParser().feed(get("report.html").decode("utf-8"))
    (tmp_path / "s.dat").write_bytes(get("sorts.dat"))
    (tmp_path / "s.sta").write_bytes(get("sorts.sta"))
    back = read_dat(tmp_path / "s.dat")
    assert back.n_sorts == 9
    rows = list(csv.reader(io.StringIO(get("zscores.csv").decode("utf-8"))))
    assert len(rows) == 34
    for name in hrefs:
        if name.endswith(".png"):
            Image.open(io.BytesIO(get(name))).load()
    archive = zipfile.ZipFile(io.BytesIO(get("analysis.zip")))
    assert "ref/result.json" in archive.namelist()


def _screenshots(browser: Browser, first: Page, url: str, server: LiveServer) -> None:
    SHOTS.mkdir(exist_ok=True)
    first.goto(url)
    first.wait_for_selector("html[data-workbench=ready]")
    first.screenshot(path=str(SHOTS / "workbench-1280x800.png"))
    context, page, _ = _open(browser, 1920, 1080)
    _sign_in(page, server)
    page.goto(url)
    page.wait_for_selector("html[data-workbench=ready]")
    page.screenshot(path=str(SHOTS / "workbench-1920x1080.png"))
    page.locator("#rotate").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "workbench-rotate-1920x1080.png"))
    page.locator("#results").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "workbench-results-1920x1080.png"))
    context.close()


def _save_reopen_compare_delete(page: Page, shown: np.ndarray, flagged: str) -> None:
    page.fill("[data-testid=save-name]", "Three factors, turned")
    page.click("[data-testid=save]")
    page.wait_for_url("**?saved=*")
    page.wait_for_selector("html[data-workbench=ready]")
    assert np.abs(_page_loadings(page) - shown).max() < 1e-12  # reopened exactly
    page.check("input[name=kind][value='group:workers']")
    page.click("[data-testid=run]")  # the manual flag names a service user, not a worker
    error = page.locator("[data-testid=analysis-error]").inner_text()
    assert f"no Q-sort named '{flagged}'" in error
    page.goto(page.url.split("?")[0])
    page.check("input[name=kind][value='group:workers']")
    page.fill("[data-testid=n_factors]", "2")
    page.click("[data-testid=run]")
    page.wait_for_selector("html[data-workbench=ready]")
    assert page.locator("[data-testid=sort-count]").inner_text() == "5"
    page.fill("[data-testid=save-name]", "Workers, two factors")
    page.click("[data-testid=save]")
    page.wait_for_selector("html[data-workbench=ready]")
    page.click("text=Side by side")
    arrays = page.locator("[data-testid=compare-arrays] tbody tr")
    assert arrays.count() == 33
    assert page.locator("[data-testid=compare-loadings] tbody tr").count() == 5
    page.click("text=Back to the workbench")
    page.click("button[aria-label='Delete Workers, two factors']")
    page.wait_for_selector("html[data-workbench=ready]")
    assert page.locator(".wb-saved li").count() == 1


def test_dragging_records_a_step_and_undo_removes_it(browser: Browser, server: LiveServer) -> None:
    url = f"{server.url}/studies/{server.study_id}/analysis"  # type: ignore[attr-defined]
    context, page, problems = _open(browser, 1280, 800)
    _sign_in(page, server)
    page.goto(url)
    page.wait_for_selector("html[data-workbench=ready]")
    page.locator("#wb-plot").scroll_into_view_if_needed()
    box = page.locator("#wb-plot").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    radius = box["width"] / 3
    page.mouse.move(cx + radius, cy)  # on the horizontal axis, right of the centre
    page.mouse.down()
    page.mouse.move(cx + radius * 0.7071, cy - radius * 0.7071, steps=5)  # a turn of +45 degrees
    page.mouse.up()
    steps = page.locator("[data-testid=steps] li")
    assert steps.count() == 1
    assert "45° counter-clockwise (not yet run)" in steps.first.inner_text()
    recorded = json.loads(page.locator("#wb-steps").input_value())
    assert recorded == [{"factor_a": 1, "factor_b": 2, "degrees": 45}]
    page.click("[data-testid=undo-rotation]")
    assert steps.count() == 0 and page.locator("#wb-steps").input_value() == "[]"
    context.close()
    assert not problems, problems
