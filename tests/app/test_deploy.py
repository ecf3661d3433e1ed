"""The documented reverse proxy for real: nginx with TLS (docs/deploy/nginx.conf) before qsort.

The example file is used as shipped except for what a loopback test must change: the ports, the
certificate (a self-signed one made here) and nginx's own working files. Skipped when nginx is
not installed (``scripts/install-test-deps.sh`` installs it).
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.settings import Settings
from bench.bench_load import REPO, free_port, start_server, stop_server

EXAMPLE = REPO / "docs" / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx is not installed")


def trusting(cert: Path) -> ssl.SSLContext:
    """A TLS context that trusts only the test's own certificate."""
    return ssl.create_default_context(cafile=str(cert))


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def site_for_loopback(app_port: int, http_port: int, tls_port: int, cert: Path, key: Path) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    swaps = {
        "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{tls_port} ssl http2;",
        "/etc/letsencrypt/live/qsort.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/qsort.example.org/privkey.pem": str(key),
    }
    for old, new in swaps.items():
        assert old in text, f"the example no longer has {old!r}"
        text = text.replace(old, new)
    return "\n".join(line for line in text.splitlines() if "[::]" not in line)


def main_config(folder: Path, site: Path) -> Path:
    user = "user root root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder}/nginx.pid;\n"
        f"error_log {folder}/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n"
        + "".join(
            f"  {kind}_temp_path {folder}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {site};\n}}\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture()
def behind_nginx(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(https base URL, certificate) of qsort behind the example nginx configuration."""
    app_port, http_port, tls_port = free_port(), free_port(), free_port()
    settings = Settings.for_data_dir(tmp_path / "data")
    app = start_server(
        settings.database_url,
        tmp_path / "data",
        app_port,
        extra=["--forwarded-allow-ips", "127.0.0.1"],
        env={"QSORT_SECURE_COOKIES": "1", "QSORT_JOIN_BURST": "2", "QSORT_JOIN_PER_MINUTE": "1"},
    )
    cert, key = self_signed(tmp_path)
    site = tmp_path / "qsort-site.conf"
    site.write_text(site_for_loopback(app_port, http_port, tls_port, cert, key), encoding="utf-8")
    config = main_config(tmp_path, site)
    checked = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, "-c", str(config)], stderr=subprocess.DEVNULL)
    try:
        base = f"https://127.0.0.1:{tls_port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", verify=trusting(cert), timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        yield base, cert
        assert httpx.get(f"http://127.0.0.1:{http_port}/j/DEMO").status_code == 301
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        stop_server(app)


def test_a_participant_joins_through_nginx_over_tls(behind_nginx: tuple[str, Path]) -> None:
    base, cert = behind_nginx
    with httpx.Client(base_url=base, verify=trusting(cert), follow_redirects=False) as client:
        page = client.get("/j/DEMO")
        assert page.status_code == 200
        assert "max-age" in page.headers["strict-transport-security"]
        joined = client.post("/j/DEMO/consent", data={"choice": "accept"})
        assert joined.status_code == 303
        assert "secure" in joined.headers["set-cookie"].lower()
        saved = client.put("/api/draft", json={"revision": 0, "state": {"a": 1}})
        assert saved.json() == {"revision": 1}
        too_big = client.put("/api/draft", content=b"x" * (17 * 1024 * 1024))
        assert too_big.status_code == 413  # refused by nginx before qsort sees it


def test_the_join_limit_counts_the_forwarded_address(behind_nginx: tuple[str, Path]) -> None:
    base, cert = behind_nginx
    with httpx.Client(base_url=base, verify=trusting(cert), follow_redirects=False) as client:
        statuses = [
            client.post(
                "/j/DEMO/consent",
                data={"choice": "accept"},
                headers={"X-Forwarded-For": f"10.0.0.{i}"},  # forged: nginx replaces it
            ).status_code
            for i in range(3)
        ]
    assert statuses == [303, 303, 429]
