"""The workbench's other views in Chromium, each number checked against its own computation.

Lipset's nine sorts are stored as two participant groups (four service users, five workers) and
the demo researcher owns the study. The bootstrap page is checked against a plain resampling
loop (the engine tests' own, seeded alike); two saved analyses side by side and two groups
compared against ``qsort.run`` on the reference file and numpy; an oblique rotation's factor
correlations against factor_analyzer's Rotator on principal components computed here; a large
analysis (the background threshold lowered, as a deployment would set
``QSORT_BACKGROUND_SORTS``) is followed until it is done, and a run whose worker died is taken
over; a KADE-style output workbook gives its flags. Screenshots of each view are written to
``screenshots/`` at 1280x800 and 1920x1080.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from factor_analyzer.rotator import Rotator
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.demo import DEMO_EMAIL
from app.models import AnalysisRun, utcnow
from app.services import analysis_runs, large_runs
from app.services.analysis import Selection
from qsort.cli import main as qsort_main
from qsort.options import Options
from qsort.pipeline import run as run_engine
from qsort.study import Study
from tests.app.workbench.stored import GROUPS, group_of, store_study_for
from tests.browser.conftest import LiveServer
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_workbench import SHOTS, _open, _sign_in
from tests.qsort.test_bootstrap import plain_bootstrap
from tests.refdata import DATA

SIZES = ((1280, 800), (1920, 1080))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, lipset: Study) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("views"))
    live.start()
    with Session(live.app.state.engine) as db:
        study_id = store_study_for(db, lipset, DEMO_EMAIL, "owner")
    live.study_id = study_id  # type: ignore[attr-defined]
    yield live
    live.stop()


@pytest.fixture()
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    context, opened, problems = _open(browser, 1280, 800)
    _sign_in(opened, server)
    yield opened
    context.close()
    refused = "the server responded with a status of 422"  # a refused upload's page
    assert not [p for p in problems if refused not in p], problems


def _url(server: LiveServer) -> str:
    return f"{server.url}/studies/{server.study_id}/analysis"  # type: ignore[attr-defined]


def _workbench(page: Page, server: LiveServer, **fields: str) -> None:
    """Open the workbench and run it with these select and number fields."""
    page.goto(_url(server))
    page.wait_for_selector("html[data-workbench=ready]")
    _run_form(page, **fields)


def _run_form(page: Page, **fields: str) -> None:
    """Run the workbench on the page with these select and number fields."""
    for name, value in fields.items():
        if name == "n_factors":
            page.fill("[data-testid=n_factors]", value)
        else:
            page.select_option(f"[data-testid={name}]", value)
    if fields:
        page.click("[data-testid=run]")
        page.wait_for_selector("html[data-workbench=ready]")


def _values(page: Page, selector: str, attribute: str = "value") -> np.ndarray:
    """The ``data-<attribute>`` numbers of a table's body cells, row by row."""
    rows = page.locator(f"{selector} tbody tr")
    found = [
        rows.nth(i).evaluate(
            f"tr => [...tr.querySelectorAll('[data-{attribute}]')]"
            f".map(c => Number(c.dataset.{attribute}))"
        )
        for i in range(rows.count())
    ]
    return np.array(found, dtype=float)


def _shoot(browser: Browser, server: LiveServer, name: str, url: str, ready: str) -> None:
    """Screenshots of one view (the full page) at both sizes."""
    SHOTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        context, page, _ = _open(browser, width, height)
        _sign_in(page, server)
        page.goto(url)
        page.wait_for_selector(ready)
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=True)
        context.close()


def _both_sizes(page: Page, name: str, section: str) -> None:
    """Screenshots of the page's ``section`` at both sizes (the page resized, not reloaded)."""
    SHOTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.locator(section).evaluate("element => element.scrollIntoView()")
        page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"))
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})


def test_bootstrap_equals_a_plain_resampling_loop(
    page: Page, server: LiveServer, lipset: Study
) -> None:
    _workbench(page, server)
    page.fill("input[name=resamples]", "30")
    page.fill("input[name=seed]", "4")
    page.click("[data-testid=bootstrap]")
    page.wait_for_selector("[data-testid=boot-loadings]")
    assert "30 resamples of the 9 sorts (seed 4)" in page.locator("main").inner_text()
    plain = plain_bootstrap(lipset, Options(), 30, 4)
    with np.errstate(invalid="ignore"):
        loading_se = np.nanstd(plain.loadings, axis=0, ddof=1)
        zscore_se = np.nanstd(plain.zscores, axis=0, ddof=1)
    drawn = np.zeros((30, lipset.n_sorts), dtype=bool)
    for b, draw in enumerate(np.random.default_rng(4).integers(0, 9, size=(30, 9))):
        if b not in plain.failed:
            drawn[b, draw] = True
    frequency = plain.flags.sum(axis=0) / drawn.sum(axis=0)[:, None]
    np.testing.assert_allclose(_values(page, "[data-testid=boot-loadings]", "se"), loading_se, 1e-8)
    np.testing.assert_allclose(_values(page, "[data-testid=boot-loadings]"), frequency, 1e-12)
    shown_z = _values(page, "[data-testid=boot-statements]", "se")
    np.testing.assert_allclose(shown_z, zscore_se, atol=1e-8)
    assert serious_violations(page) == []


def test_two_saved_analyses_side_by_side(page: Page, server: LiveServer, lipset: Study) -> None:
    first, second = Options(), Options(extraction="pca", n_factors=2)
    _workbench(page, server)
    page.fill("[data-testid=save-name]", "Centroid, three")
    page.click("[data-testid=save]")
    page.wait_for_selector("html[data-workbench=ready]")
    _workbench(page, server, extraction="pca", n_factors="2")
    page.fill("[data-testid=save-name]", "Components, two")
    page.click("[data-testid=save]")
    page.wait_for_selector("html[data-workbench=ready]")
    page.select_option(".wb-compare select[name=a]", label="Centroid, three")
    page.select_option(".wb-compare select[name=b]", label="Components, two")
    page.click("text=Side by side")
    page.wait_for_selector("[data-testid=compare-arrays]")
    a, b = run_engine(lipset, first), run_engine(lipset, second)
    expected = np.column_stack([_defined(f.array) for f in (*a.factors, *b.factors)])
    cells = page.locator("[data-testid=compare-arrays] tbody td").all_inner_texts()
    shown = np.array([int(c) for c in cells]).reshape(expected.shape)
    np.testing.assert_array_equal(shown, expected)
    loadings = _values(page, "[data-testid=compare-loadings]")
    np.testing.assert_allclose(loadings, np.hstack([a.loadings, b.loadings]), atol=1e-12)
    assert serious_violations(page) == []
    _shoot(browser_of(page), server, "compare", page.url, "[data-testid=compare-arrays]")


def _defined(values: np.ndarray | None) -> np.ndarray:
    """A defined factor's array or z-scores (every factor of these analyses is defined)."""
    assert values is not None
    return values


def browser_of(page: Page) -> Browser:
    browser = page.context.browser
    assert browser is not None
    return browser


def test_two_groups_compared(page: Page, server: LiveServer, lipset: Study) -> None:
    _workbench(page, server, n_factors="2")
    page.select_option("select[name=first]", GROUPS[0])
    page.select_option("select[name=second]", GROUPS[1])
    page.click("[data-testid=compare-groups]")
    page.wait_for_selector("[data-testid=group-correlations]")
    options = Options(n_factors=2)
    results = [
        run_engine(_subset(lipset, [j for j in range(9) if group_of(lipset, j) == g]), options)
        for g in (0, 1)
    ]
    z = [np.column_stack([_defined(f.zscores) for f in r.defined]) for r in results]
    expected = np.corrcoef(z[0].T, z[1].T)[: z[0].shape[1], z[0].shape[1] :]
    shown = _values(page, "[data-testid=group-correlations]")
    np.testing.assert_allclose(shown, expected, atol=1e-9)
    text = page.locator("main").inner_text()
    assert "4 and 5 sorts" in text
    assert serious_violations(page) == []
    _shoot(browser_of(page), server, "groups", page.url, "[data-testid=group-correlations]")


def _subset(study: Study, columns: list[int]) -> Study:
    names = [study.sort_names[j] for j in columns]
    return Study.from_matrix(study.sorts[:, columns], names, study.statement_ids, study.grid)


@pytest.mark.parametrize("rotation", ["promax", "oblimin"])
def test_oblique_factor_correlations_equal_factor_analyzers(
    page: Page, server: LiveServer, lipset: Study, rotation: str
) -> None:
    _workbench(page, server, profile="qmethod")  # the profile offers the oblique rotations
    _run_form(page, extraction="pca", rotation=rotation)
    shown_loadings = _values(page, "[data-testid=loadings]")
    shown_phi = _values(page, "[data-testid=factor-correlations]")
    r = np.corrcoef(lipset.sorts.T.astype(float))
    values, vectors = np.linalg.eigh(r)
    top = np.argsort(values)[::-1][:3]
    components = vectors[:, top] * np.sqrt(values[top])
    rotator = Rotator(method=rotation)
    theirs = rotator.fit_transform(components)
    phi = rotator.phi_
    # factor_analyzer's factors in the page's order and sign (each matched by correlation)
    link = np.corrcoef(shown_loadings.T, theirs.T)[:3, 3:]
    order = [int(np.argmax(np.abs(link[k]))) for k in range(3)]
    assert sorted(order) == [0, 1, 2]
    signs = np.array([np.sign(link[k, order[k]]) for k in range(3)])
    np.testing.assert_allclose(shown_loadings, theirs[:, order] * signs, atol=1e-6)
    np.testing.assert_allclose(shown_phi, phi[np.ix_(order, order)] * np.outer(signs, signs), 1e-6)
    if rotation == "promax":
        _both_sizes(page, "oblique", "#results")  # the loadings beside the factor correlations


@pytest.fixture()
def low_threshold(server: LiveServer) -> Iterator[None]:
    """Analyses of more than 3 sorts run in the background (the ``background_sorts`` setting)."""
    state = server.app.state
    before = state.settings
    state.settings = replace(before, background_sorts=3)
    yield
    state.settings = before


@pytest.mark.usefixtures("low_threshold")
def test_a_large_analysis_is_followed_to_its_summary(
    page: Page, server: LiveServer, lipset: Study, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(large_runs, "PAGE_SIZE", 4)
    page.goto(_url(server))
    # the run may finish and the page move on to its summary at any moment: every check of the
    # progress view waits on the page (the summary keeps the bar, full)
    expect(page.locator("#wb-run [data-testid=run-progress]")).to_have_count(1)
    page.wait_for_selector("[data-testid=run-reduced]")  # the page follows the run to its end
    assert page.locator("#wb-run").get_attribute("data-status") == "done"
    expected = run_engine(lipset, Options())
    note = page.locator("[data-testid=run-reduced]").inner_text()
    assert "9 sorts, more than the 3" in note and "leaves out the heat map" in note
    assert page.locator("#wb-flag-grid, .wb-figure svg").count() == 0
    counts = page.locator("[data-testid=flag-count]").all_inner_texts()
    assert [int(c) for c in counts] == expected.flags.sum(axis=0).tolist()
    best = page.locator("[data-testid=run-strongest]").first.locator("tbody th").first
    assert best.inner_text() == expected.study.sort_names[int(np.argmax(expected.loadings[:, 0]))]
    shown = _values(page, "[data-testid=run-loadings]")
    np.testing.assert_allclose(shown, expected.loadings[:4], atol=1e-12)
    page.click("[data-testid=next-page]")
    page.wait_for_selector("text=Loadings, sorts 5 to 8 of 9")
    np.testing.assert_allclose(_values(page, "[data-testid=run-loadings]"), expected.loadings[4:8])
    link = page.locator("[data-testid=run-loadings-csv]").get_attribute("href")
    rows = list(csv.reader(io.StringIO(page.request.get(server.url + str(link)).text())))
    assert rows[0] == ["sort", "F1", "F2", "F3", "F1 flagged", "F2 flagged", "F3 flagged"]
    csv_loadings = np.array([[float(v) for v in row[1:4]] for row in rows[1:]])
    np.testing.assert_array_equal(csv_loadings, expected.loadings)
    with page.expect_download() as download:
        page.click("[data-testid=run-zip]")
    archive = zipfile.ZipFile(download.value.path())
    names = sorted(n.split("/", 1)[1] for n in archive.namelist())
    assert names == sorted(large_runs.TABLE_FILES)
    folder = archive.namelist()[0].split("/", 1)[0]
    arrays = list(csv.reader(io.StringIO(archive.read(f"{folder}/factor_arrays.csv").decode())))
    assert [[int(v) for v in row[2:]] for row in arrays[1:]] == expected.arrays.tolist()
    assert serious_violations(page) == []
    _shoot(browser_of(page), server, "large-run", page.url, "[data-testid=run-reduced]")
    page.set_viewport_size({"width": 1366, "height": 900})  # a laptop
    page.screenshot(path=str(SHOTS / "large-run-1366x900.png"), full_page=True)


@pytest.mark.usefixtures("low_threshold")
def test_a_run_whose_worker_died_is_taken_over_by_the_progress_page(
    page: Page, server: LiveServer, lipset: Study
) -> None:
    app_state = server.app.state
    options = Options(n_factors=2)
    run_id = _dead_run(server, options)
    page.goto(f"{_url(server)}?run={run_id}")
    page.wait_for_selector("[data-testid=run-reduced]")
    with Session(app_state.engine) as db:
        found = db.get(AnalysisRun, run_id)
        assert found is not None and found.status == "done" and found.result is not None
        assert found.lease_owner != "dead-worker"
        runs = db.exec(select(AnalysisRun).where(AnalysisRun.run_key == found.run_key)).all()
    assert len(runs) == 1
    expected = run_engine(lipset, options).loadings
    np.testing.assert_allclose(_values(page, "[data-testid=run-loadings]"), expected, atol=1e-12)


def _dead_run(server: LiveServer, options: Options) -> int:
    """The row a worker leaves when its process dies while running: its lease expired."""
    with Session(server.app.state.engine) as db:
        study_id: int = server.study_id  # type: ignore[attr-defined]
        ids = analysis_runs.chosen_ids(db, study_id, Selection())
        row = AnalysisRun(
            study_id=study_id,
            run_key=analysis_runs.run_key(options, ids),
            selection=Selection().to_dict(),
            options=options.to_dict(),
            status="running",
            progress=0.4,
            stage="Correlating, extracting and rotating",
            lease_owner="dead-worker",
            lease_expires=utcnow() - timedelta(minutes=5),
        )
        db.add(row)
        db.commit()
        assert row.id is not None
        return row.id


def test_flags_from_an_output_workbook(page: Page, server: LiveServer, tmp_path: Path) -> None:
    workbook = tmp_path / "published.xlsx"
    by_hand = ["--flag", "FR9:F3", "--rotate", "1,2,-10", "--invert", "2"]
    assert qsort_main(["report", str(DATA / "lipset.dat"), *by_hand, "--xlsx", str(workbook)]) == 0
    _workbench(page, server)
    page.locator(".wb-import-box summary").click()
    page.set_input_files("[data-testid=flags-file]", str(workbook))
    page.click("[data-testid=flags-from]")
    page.wait_for_selector("html[data-workbench=ready]")
    assert page.locator("[data-testid=import-note]").inner_text().startswith("From the workbook")
    imported = page.locator("#wb-flag-grid td.wb-imported")
    assert imported.count() == 1
    assert imported.locator("input").get_attribute("aria-label") == "FR9 defines F3"
    assert "--flag=FR9:F3" in page.locator("[data-testid=command]").inner_text()
    assert "--invert=2" in page.locator("[data-testid=command]").inner_text()
    _both_sizes(page, "flags-from", "#rotate h3 + .hint")
    _workbench(page, server)
    _run_form(page, n_factors="2")
    page.check("input[name=kind][value='group:workers']")
    page.click("[data-testid=run]")
    page.wait_for_selector("html[data-workbench=ready]")
    assert page.locator("[data-testid=sort-count]").inner_text() == "5"
    page.locator(".wb-import-box summary").click()
    page.set_input_files("[data-testid=flags-file]", str(workbook))
    page.click("[data-testid=flags-from]")
    error = page.locator("[data-testid=import-error]").inner_text()
    assert "The workbook's sorts do not match this analysis" in error
    assert "not among the 5 sorts analysed here" in error
    assert serious_violations(page) == []
    page.screenshot(path=str(SHOTS / "flags-refused-1280x800.png"))


def test_bootstrap_view_screenshots(browser: Browser, server: LiveServer) -> None:
    for width, height in SIZES:
        context, page, _ = _open(browser, width, height)
        _sign_in(page, server)
        _workbench(page, server)
        page.click("[data-testid=bootstrap]")
        page.wait_for_selector("[data-testid=boot-loadings]")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"bootstrap-{width}x{height}.png"), full_page=True)
        context.close()
