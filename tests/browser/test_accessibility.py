"""axe-core on every participant page: no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .conftest import AXE, LiveServer
from .helpers import first_tray_card, join, submit_valid_sort, wait_for_offline_shell

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
