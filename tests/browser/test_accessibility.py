"""axe-core on every participant page, at every text size, in a picture study and right to
left, and on the resume pages: no serious or critical violation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.models import Participant, utcnow

from .conftest import AXE, LiveServer
from .helpers import fill_board, first_tray_card, join, submit_valid_sort, wait_for_offline_shell
from .studies import add_arabic_study, add_picture_study

pytestmark = pytest.mark.browser


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; keep the serious and critical findings."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/install-test-deps.sh)")
    # evaluated, not added as a script tag: the pages' CSP forbids inline script
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_participant_page_passes_axe(page: Page, live_server: LiveServer) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    page.goto(live_server.url + "/")
    found["join"] = serious_violations(page)
    page.fill("#code", "NOPE")
    page.click("button[type=submit]")
    found["join-error"] = serious_violations(page)
    page.goto(live_server.url + "/j/DEMO")
    found["consent"] = serious_violations(page)
    page.click("button[value=decline]")
    found["declined"] = serious_violations(page)
    join(page, live_server)
    found["instructions"] = serious_violations(page)
    page.click("#start-presort")
    found["presort"] = serious_violations(page)
    for _ in range(34):
        page.click("[data-pile=agree]")
    page.click("#presort-done")
    page.tap(first_tray_card(page))
    found["sort"] = serious_violations(page)
    page.goto(live_server.url + "/thanks/DEMO")
    found["thanks"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_post_sort_and_survey_pass_axe(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    submit_valid_sort(page, "axe-test-key-1")
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    found = {"postsort": serious_violations(page)}
    page.click("#postsort-next")
    found["survey"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_offline_shell_and_sort_hints_pass_axe(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    page.click("#start-presort")
    for _ in range(34):
        page.click("[data-pile=agree]")
    page.click("#presort-done")
    wait_for_offline_shell(page)
    found: dict[str, list[dict[str, Any]]] = {}
    # a full column: the hint shows in the dock above the enlarged card
    for row in range(2):
        page.tap(first_tray_card(page))
        page.tap(f'.cell[data-value="4"][data-row="{row}"] .slot')
    page.tap(first_tray_card(page))
    page.tap('.col-head[data-value="4"]')
    expect(page.locator("#board-hint")).to_be_visible()
    found["sort-full-column"] = serious_violations(page)
    page.context.set_offline(True)
    page.reload()
    page.wait_for_function("() => window.qsortReady === true")
    assert page.evaluate("document.body.dataset.source") == "device"
    found["offline-shell"] = serious_violations(page)
    page.context.set_offline(False)
    assert {k: v for k, v in found.items() if v} == {}


def test_every_stage_passes_axe_at_every_text_size(page: Page, live_server: LiveServer) -> None:
    join(page, live_server)
    found: dict[str, list[dict[str, Any]]] = {}
    page.click("#start-presort")
    for size in (1, 2, 3, 4):
        page.click(f"button[data-size='{size}']")
        found[f"presort-{size}"] = serious_violations(page)
    for _ in range(34):
        page.click("[data-pile=agree]")
    page.click("#presort-done")
    fill_board(page)
    page.tap(".cell .card >> nth=0")
    for size in (1, 2, 3, 4):
        page.click(f"button[data-size='{size}']")
        found[f"sort-{size}"] = serious_violations(page)
    page.click("#submit-sort")
    expect(page.locator("#stage-postsort")).to_be_visible()
    found["postsort-4"] = serious_violations(page)
    page.click("#postsort-next")
    page.click("#finish")  # the required question left empty is highlighted
    expect(page.locator(".question.invalid")).to_have_count(1)
    found["survey-missing-4"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_resume_pages_and_the_idle_lock_pass_axe(page: Page, live_server: LiveServer) -> None:
    page.clock.install()
    join(page, live_server)
    found: dict[str, list[dict[str, Any]]] = {}
    page.clock.fast_forward("11:00")
    expect(page.locator("#lock")).to_be_visible()
    found["lock"] = serious_violations(page)
    page.fill("#lock-code", "999999")
    page.click("#lock-form button[type=submit]")
    expect(page.locator("#lock-error")).to_be_visible()
    found["lock-wrong"] = serious_violations(page)
    with Session(live_server.app.state.engine) as db:
        for row in db.exec(select(Participant)):
            row.active_at = utcnow() - timedelta(minutes=30)
            db.add(row)
        db.commit()
    page.goto(live_server.url + "/p")
    expect(page.locator("#resume-code")).to_be_visible()
    found["resume"] = serious_violations(page)
    page.fill("#resume-code", "999999")
    page.click("button[type=submit]")
    found["resume-wrong"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_picture_and_right_to_left_studies_pass_axe(page: Page, live_server: LiveServer) -> None:
    add_picture_study(live_server)
    add_arabic_study(live_server)
    found: dict[str, list[dict[str, Any]]] = {}
    for code in ("PICS", "ARAB"):
        page.goto(f"{live_server.url}/j/{code}")
        found[f"{code}-consent"] = serious_violations(page)
        page.click("button[value=accept]")
        page.wait_for_function("() => window.qsortReady === true")
        found[f"{code}-instructions"] = serious_violations(page)
        page.click("#start-presort")
        found[f"{code}-presort"] = serious_violations(page)
        while page.is_enabled("[data-pile=agree]"):
            page.click("[data-pile=agree]")
        page.click("#presort-done")
        page.tap(first_tray_card(page))
        found[f"{code}-sort-dock"] = serious_violations(page)
        page.click("[data-action=cancel]")
        fill_board(page)
        found[f"{code}-sort-full"] = serious_violations(page)
        page.goto(f"{live_server.url}/thanks/{code}")
        found[f"{code}-thanks"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
