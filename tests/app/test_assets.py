"""Static files and pages go out compressed, and versioned static URLs are cached for good."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from app import STATIC_DIR
from app.assets import asset_version
from tests.app.conftest import joined


def test_stylesheet_is_gzipped_when_the_browser_accepts_it(client: TestClient) -> None:
    response = client.get("/static/css/qsort.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == (STATIC_DIR / "css" / "qsort.css").read_bytes()


def test_plain_static_path_is_revalidated(client: TestClient) -> None:
    response = client.get("/static/js/app.js")
    assert response.headers["cache-control"] == "no-cache"
    assert "etag" in response.headers


def test_versioned_path_is_immutable_for_a_year(client: TestClient) -> None:
    version = asset_version(STATIC_DIR)
    response = client.get(f"/static/{version}/js/app.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.content == (STATIC_DIR / "js" / "app.js").read_bytes()


def test_version_changes_with_any_file(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text("body{}")
    before = asset_version(tmp_path)
    (tmp_path / "a.css").write_text("body{color:red}")
    assert asset_version(tmp_path) != before
    assert before.startswith("v-")


def test_sort_page_is_compressed(client: TestClient) -> None:
    joined(client)
    page = client.get("/p", headers={"Accept-Encoding": "gzip"})
    assert page.status_code == 200
    assert page.headers["content-encoding"] == "gzip"
    assert "<html" in page.text
