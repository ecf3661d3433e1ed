"""Shared fixtures: the reference studies, read straight from tests/data with the csv module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qsort.study import Study
from tests.refdata import DATA, read_sorts_csv

#: Debian's Chromium, which Playwright drives (no browser download of its own).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def lipset() -> Study:
    """Lipset's 33 statements x 9 Q-sorts (qmethod's `lipset` data)."""
    return read_sorts_csv(DATA / "lipset_sorts.csv", "Lipset")


@pytest.fixture(scope="session")
def cegebe() -> Study:
    """The CEGEBE study: 36 statements x 13 Q-sorts, -5..+5."""
    return read_sorts_csv(DATA / "cegebe_sorts.csv", "CEGEBE")


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    """One Playwright for the whole run: its sync API cannot be started twice at once."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (run scripts/install-test-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:
    """Headless Chromium, shared by every browser test."""
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()
