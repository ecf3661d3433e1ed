"""Browser test fixtures: a live server on a free loopback port and Debian's Chromium.

Each test module gets its own server on its own temporary data folder; each test gets a fresh
browser context emulating a 10-inch touch tablet (1280x800, touch enabled).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.main import create_app
from app.settings import Settings

REPO = Path(__file__).resolve().parents[2]
# Waits on state are bounded generously: on a loaded 2-core machine (CI, or several sessions at
# once) a tap's click and the page's re-render can take seconds; a passing run waits only as long
# as the state takes to appear, so the bound costs nothing when the machine is quiet.
expect.set_options(timeout=20_000)

AXE = REPO / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving a fresh app in a background thread."""

    def __init__(self, data_dir: Path) -> None:
        self.settings = Settings.for_data_dir(data_dir)
        self.app = create_app(self.settings)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("data"))
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def tablet(browser: Browser) -> Iterator[BrowserContext]:
    """A 10-inch landscape touch tablet."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800},
        has_touch=True,
        is_mobile=False,
        device_scale_factor=1,
    )
    yield context
    context.close()


@pytest.fixture()
def page(tablet: BrowserContext) -> Iterator[Page]:
    p = tablet.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    yield p
    assert not errors, f"JavaScript errors: {errors}"
