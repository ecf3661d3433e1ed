"""The researcher's path in a real browser: sign in, build a study from nothing, open it, a
participant completes it on a tablet, and the sort is seen as a grid and downloaded.

The export is then read back by ``qsort`` and must equal the sorts as stored from the screen,
and ``qsort data export`` of the same study gives a file ``qsort analyze`` reads.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import Session

from app.services import accounts
from qsort.cli import main as qsort_main
from qsort.formats import read_study

from .conftest import LiveServer
from .helpers import first_tray_card, presort_all, screen_sort, stored_sorts

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "rita@example.org", "a long researcher password"
STATEMENTS = [
    f"Having {w} helps me stay well."
    for w in (
        "a routine",
        "friends",
        "a job",
        "a home",
        "a key worker",
        "a mentor",
        "hope",
        "my children",
        "a group",
        "honesty",
        "medication",
        "time",
    )
]
VALUES, CAPACITIES = [-3, -2, -1, 0, 1, 2], [1, 2, 3, 3, 2, 1]


@pytest.fixture()
def laptop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    yield context
    context.close()


def _researcher(server: LiveServer) -> None:
    with Session(server.app.state.engine) as db:
        accounts.create_user(db, None, EMAIL, "researcher", PASSWORD)
        db.commit()


def _build_study(staff: Page, server: LiveServer) -> str:
    """Sign in, make the study, design it, open it; return its join code."""
    staff.goto(server.url + "/studies")
    staff.fill("#email", EMAIL)
    staff.fill("#password", PASSWORD)
    staff.click("button[type=submit]")
    staff.fill("#new-title", "What keeps you well")
    staff.click("text=Make the study")
    staff.click("#edit-statements")
    staff.fill("#add-text", "\n".join(STATEMENTS))  # pasted, one a line
    staff.click("#add-at-end")
    expect(staff.locator("#statements-note")).to_have_text("Added 12 statement(s) at the end.")
    staff.click("text=back to the design")
    staff.fill("#condition", "What helps you stay well?")
    staff.fill("#low", "-3")
    staff.fill("#high", "2")
    staff.fill("#capacities", "1 2 3 3 2")
    expect(staff.locator("#grid-fit")).to_contain_text("Give one number of cards for each")
    staff.fill("#capacities", "1 2 3 3 2 2")
    expect(staff.locator("#grid-fit")).to_contain_text("holds 13 cards but there are 12")
    staff.fill("#capacities", "1 2 3 3 2 1")
    expect(staff.locator("#grid-fit")).to_have_text("The grid holds 12 cards for 12 statements.")
    assert staff.locator(".preview-col").count() == 6
    staff.fill("#q0_key", "role")
    staff.select_option("#q0_kind", "choice")
    staff.fill("#q0_prompt", "Which fits you best?")
    staff.fill("#q0_options", "I use services\nI work in a service")
    staff.check("input[name=q0_required]")
    staff.click("text=Save the design")
    expect(staff.locator("[role=status]")).to_have_text("Saved.")
    _preview(staff)
    staff.click("text=What keeps you well")
    staff.click("text=Open the study")
    expect(staff.locator(".status-open")).to_be_visible()
    return staff.inner_text(".code")


def _preview(staff: Page) -> None:
    """The draft study previewed in a window of its own: the participant's consent and
    instructions, marked as a preview (tests/browser/test_survey_preview.py walks it all)."""
    with staff.expect_popup() as opened:
        staff.click("text=Preview on a tablet")
    preview = opened.value
    expect(preview.locator("#preview-banner")).to_contain_text("What keeps you well")
    preview.click("button[value=accept]")
    expect(preview.locator("#condition-text")).to_have_text("What helps you stay well?")
    expect(preview.locator("#preview-banner")).to_be_visible()
    preview.close()


def _participant_sorts(
    tablet: Page, server: LiveServer, code: str, choice: str, shift: int
) -> None:
    """Join with ``code`` and sort on the tablet, filling the columns from the ``shift``-th."""
    tablet.goto(server.url + "/")
    tablet.fill("#code", code)
    tablet.click("button[type=submit]")
    tablet.click("button[value=accept]")
    tablet.wait_for_function("() => window.qsortReady === true")
    presort_all(tablet)
    columns = list(zip(VALUES, CAPACITIES, strict=True))
    for value, cap in columns[shift:] + columns[:shift]:
        for row in range(cap):
            tablet.tap(first_tray_card(tablet))
            tablet.tap(f'.cell[data-value="{value}"][data-row="{row}"] .slot')
    assert len(screen_sort(tablet)) == 12
    tablet.click("#submit-sort")
    expect(tablet.locator("#stage-postsort")).to_be_visible()
    tablet.click("#postsort-next")
    tablet.click("#finish")  # the required question is unanswered: refused
    expect(tablet.locator("#finish-problems")).to_contain_text(
        "Please answer: Which fits you best?"
    )
    tablet.check(f"input[name=role][value={choice}]")
    tablet.click("#finish")
    tablet.wait_for_url(f"**/thanks/{code}")


def test_researcher_builds_opens_collects_and_downloads(
    browser: Browser, laptop: BrowserContext, live_server: LiveServer, tmp_path: Path
) -> None:
    _researcher(live_server)
    staff = laptop.new_page()
    code = _build_study(staff, live_server)
    for shift, choice in enumerate(("o1", "o2")):
        tablet = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
        _participant_sorts(tablet.new_page(), live_server, code, choice, 2 * shift)
        tablet.close()
    stored = stored_sorts(live_server)[-2:]
    submitted = [{n: v for n, (v, _) in sort.items()} for sort in stored]

    staff.click("text=Participants and downloads")
    rows = staff.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    staff.locator("table.data tbody a").first.click()
    expect(staff.locator(".sort-card")).to_have_count(12)
    expect(staff.locator(".sort-col")).to_have_count(6)
    staff.go_back()

    downloads = {}
    for fmt, suffix in (("pqmethod", ".dat"), ("csv", ".csv")):
        staff.select_option("#format", fmt)
        with staff.expect_download() as info:
            staff.click("text=Download the sorts")
        saved = tmp_path / info.value.suggested_filename
        info.value.save_as(saved)
        if saved.suffix == ".zip":  # PQMethod's .DAT comes with its .STA
            zipfile.ZipFile(saved).extractall(tmp_path / fmt)
            saved = next((tmp_path / fmt).glob(f"*{suffix}"))
        assert saved.suffix == suffix
        downloads[fmt] = saved
    for fmt, path in downloads.items():
        study = read_study(path, fmt)
        got = [
            {int(s.id): int(study.sorts[i, j]) for i, s in enumerate(study.statements)}
            for j in range(study.n_sorts)
        ]
        assert got == submitted, fmt

    out = tmp_path / "cli.dat"
    study_id = int(staff.url.rstrip("/").split("/")[-2])
    folder = str(live_server.settings.data_dir)
    assert qsort_main(["data", "export", str(study_id), str(out), "--data-dir", folder]) == 0
    exported = read_study(out)
    got = [
        {int(s.id): int(exported.sorts[i, j]) for i, s in enumerate(exported.statements)}
        for j in range(exported.n_sorts)
    ]
    assert got == submitted
    # Principal components: two random sorts may correlate exactly 0, which leaves the centroid
    # method nothing to extract (and it says so); a component always exists.
    assert qsort_main(["analyze", str(out), "--factors", "1", "--extraction", "pca"]) == 0
