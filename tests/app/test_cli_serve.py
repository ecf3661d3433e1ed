"""``qsort serve`` tells the room where to connect, and says what to install when it cannot run."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import pytest
import segno

from app.cli import network, serve
from app.settings import Settings

LINK = "http://192.0.2.10:8000/j/DEMO"


def _ip_command_addresses() -> set[str]:
    """This machine's IPv4 addresses as iproute2 lists them (an independent source)."""
    out = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True)
    return {line.split()[3].split("/")[0] for line in out.stdout.splitlines()}


def test_one_address_is_shown_as_given() -> None:
    assert network.reachable_hosts("127.0.0.1") == ["127.0.0.1"]
    assert network.reachable_hosts("localhost") == ["127.0.0.1"]
    assert network.reachable_hosts("10.1.2.3") == ["10.1.2.3"]


@pytest.mark.skipif(shutil.which("ip") is None, reason="iproute2 is not installed")
def test_all_interfaces_lists_the_machines_network_addresses() -> None:
    hosts = network.reachable_hosts("0.0.0.0")
    assert hosts[0] == "127.0.0.1"
    expected = {a for a in _ip_command_addresses() if not a.startswith(("127.", "169.254."))}
    assert set(hosts[1:]) == expected


def test_qr_code_has_the_size_of_the_links_symbol() -> None:
    text = network.join_qr_text(LINK)
    width, height = segno.make(LINK, error="m").symbol_size(border=2)
    lines = text.splitlines()
    assert len(lines) == math.ceil(height / 2)  # two modules per character cell, top and bottom
    assert all(len(line) == width for line in lines)
    assert set("".join(lines)) <= {" ", "█", "▀", "▄"}


def test_room_announcement_prints_addresses_and_qr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(network, "network_addresses", lambda: ["192.0.2.10"])
    serve.announce(Settings.for_data_dir(tmp_path), "0.0.0.0", 8123)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/" in out
    assert "http://192.0.2.10:8123/" in out
    assert "http://192.0.2.10:8123/j/DEMO" in out
    assert "█" in out


def test_local_announcement_has_no_qr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    serve.announce(Settings.for_data_dir(tmp_path), "127.0.0.1", 8123)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/j/DEMO" in out
    assert "█" not in out


def test_missing_web_packages_are_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(serve, "_importable", lambda module: module != "uvicorn")
    with pytest.raises(SystemExit) as exit_info:
        serve.require_web_stack()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "qsort: error: the web app needs uvicorn; install the web app with: "
        "pip install 'qsort[web]'"
    )
