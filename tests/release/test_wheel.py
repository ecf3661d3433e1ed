"""The release as a user installs it: build the wheel, install it in a fresh venv, serve from there.

Everything happens outside the checkout (a copy of the tracked files is built, the venv and the
data folder live in a temporary directory, the server runs with that directory as its working
folder), so a file the wheel forgets to carry makes this test fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE_S = 120.0
PIP = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]

pytestmark = pytest.mark.slow


class AssetLinks(HTMLParser):
    """The stylesheets and scripts a page references, and its links."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link" and values.get("rel") == "stylesheet" and values.get("href"):
            self.assets.append(str(values["href"]))
        if tag == "script" and values.get("src"):
            self.assets.append(str(values["src"]))
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))


def _tracked_copy(target: Path) -> Path:
    """Copy the files git tracks (what a clone holds) into ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = _tracked_copy(tmp_path_factory.mktemp("source"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("qsort-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(home)], check=True)
    return home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        body = response.read().decode("utf-8", errors="replace")
        return response.status, response.headers.get("content-type", ""), body


@pytest.fixture(scope="module")
def core_only(wheel: Path, venv: Path) -> Path:
    """The wheel installed without the web extra."""
    subprocess.run([str(venv / "bin" / "python"), *PIP, str(wheel)], check=True)
    return venv


def test_core_install_says_what_to_install_for_serve(core_only: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [str(core_only / "bin" / "qsort"), "serve", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "pip install 'qsort[web]'" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_core_install_analyses(core_only: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [str(core_only / "bin" / "qsort"), "analyze", str(REPO / "tests/data/lipset.dat")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "F1" in run.stdout


@pytest.fixture(scope="module")
def served(core_only: Path, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``qsort serve`` from the installed wheel (with ``[web]``), run outside the checkout."""
    subprocess.run([str(core_only / "bin" / "python"), *PIP, f"{wheel}[web]"], check=True)
    workdir = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QSORT_")}
    log = (workdir / "serve.log").open("w")
    server = subprocess.Popen(
        [str(core_only / "bin" / "qsort"), "serve", "--port", str(port), "--data-dir", "data"],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, workdir / "serve.log")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Poll the health check until it answers; fail with the server's output if it exits."""
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"qsort serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            if _get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"qsort serve did not answer within {STARTUP_DEADLINE_S} s:\n{log.read_text()}")


def test_join_page_and_every_asset_load(served: str) -> None:
    status, _, page = _get(f"{served}/")
    assert status == 200
    parser = AssetLinks()
    parser.feed(page)
    assert any(a.endswith(".css") for a in parser.assets)
    assert any(a.endswith(".js") for a in parser.assets)
    for asset in parser.assets:
        status, kind, body = _get(f"{served}{asset}")
        assert status == 200, asset
        assert body.strip(), asset
        assert ("css" in kind) if asset.endswith(".css") else ("javascript" in kind)


def test_service_worker_names_every_sort_page_file_and_each_loads(served: str) -> None:
    """The wheel ships every file the sort page loads, at once or on demand, under its version."""
    status, _, worker = _get(f"{served}/sw.js")
    assert status == 200
    found = re.search(r"^const ASSETS = (\[.*\]);$", worker, re.MULTILINE)
    assert found is not None
    queue: list[str] = json.loads(found[1])
    assert any(a.endswith("/app.js") for a in queue)
    seen: set[str] = set()
    while queue:
        asset = queue.pop()
        if asset in seen:
            continue
        seen.add(asset)
        with urllib.request.urlopen(f"{served}{asset}", timeout=10) as response:
            assert response.status == 200, asset
            assert "immutable" in response.headers.get("cache-control", ""), asset
            body = response.read().decode("utf-8")
        assert body.strip(), asset
        folder = asset.rsplit("/", 1)[0]
        queue += [f"{folder}/{m}" for m in re.findall(r'import\("\./([^"]+)"\)', body)]
    assert any(a.endswith("/board.js") for a in seen)  # loaded on demand, shipped all the same


def test_demo_consent_page_is_served(served: str) -> None:
    status, _, page = _get(f"{served}/j/DEMO")
    assert status == 200
    assert "<form" in page
    assert 'action="/j/DEMO/consent"' in page


def test_installed_server_finds_its_own_files_not_the_checkout(core_only: Path) -> None:
    where = subprocess.run(
        [
            str(core_only / "bin" / "python"),
            "-c",
            "import app; print(app.TEMPLATES_DIR); print(app.ALEMBIC_DIR); print(app.STATIC_DIR)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=core_only,
    ).stdout.split()
    for folder in where:
        assert Path(folder).is_dir()
        assert str(REPO) not in folder
