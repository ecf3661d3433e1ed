"""Static files and pages go out compressed, and versioned static URLs are cached for good."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import STATIC_DIR, TEMPLATES_DIR
from app.assets import asset_version, module_closure
from app.demo import DEMO_EMAIL, demo_password
from app.models import Statement, Study
from app.settings import Settings
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


# ---------- every page's static files: versioned, compressed, cached for good ----------

STATIC_REF = re.compile(r'<(?:link|script)\b[^>]*?\b(?:href|src)="(/static/[^"]+)"')


def static_refs(html: str) -> list[str]:
    """The stylesheets and scripts a page names."""
    return STATIC_REF.findall(html)


def demo_staff(client: TestClient, data_dir: Path) -> None:
    """Sign ``client`` in as the demo researcher."""
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
    assert token is not None
    data = {"email": DEMO_EMAIL, "password": demo_password(data_dir), "csrf_token": token[1]}
    assert client.post("/signin", data=data).status_code == 303


def test_no_template_names_a_static_file_without_its_version() -> None:
    plain = re.compile(r"""(?:href|src)=["']/static/""")
    for path in TEMPLATES_DIR.rglob("*.html"):
        assert not plain.search(path.read_text(encoding="utf-8")), (
            f"{path.name} names a static file by its plain path: use static_url()"
        )


def test_every_page_loads_versioned_files_sent_gzipped_and_cached_for_good(
    client: TestClient, settings: Settings
) -> None:
    version = asset_version(STATIC_DIR)
    pages = {"join": client.get("/").text, "consent": client.get("/j/DEMO").text}
    joined(client)
    pages["sort"] = client.get("/p").text
    demo_staff(client, settings.data_dir)
    pages["studies"] = client.get("/studies").text
    named: set[str] = set()
    for name, html in pages.items():
        refs = static_refs(html)
        assert refs, f"the {name} page names no stylesheet or script"
        for url in refs:
            assert url.startswith(f"/static/{version}/"), (name, url)
            named.add(url.removeprefix(f"/static/{version}/"))
    # the modules they import, at once or on demand, are served the same way
    for path in module_closure(STATIC_DIR, tuple(sorted(named)), on_demand=True):
        response = client.get(f"/static/{version}/{path}", headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-encoding"] == "gzip", path
        assert response.content == (STATIC_DIR / path).read_bytes()


def test_an_earlier_version_url_answers_with_todays_file_revalidated(client: TestClient) -> None:
    response = client.get("/static/v-0123456789/js/app.js")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"  # never kept for good under that name
    assert response.content == (STATIC_DIR / "js" / "app.js").read_bytes()
    assert client.get("/static/v-0123456789/js/no-such-module.js").status_code == 404


def worker_constants(source: str) -> tuple[str, list[str]]:
    """VERSION and ASSETS as /sw.js declares them."""
    version = re.search(r'^const VERSION = ("[^"]*");$', source, re.MULTILINE)
    assets = re.search(r"^const ASSETS = (\[.*\]);$", source, re.MULTILINE)
    assert version is not None and assets is not None
    return json.loads(version[1]), json.loads(assets[1])


def test_service_worker_keeps_every_file_the_sort_page_loads_at_once(client: TestClient) -> None:
    version, kept = worker_constants(client.get("/sw.js").text)
    assert version == asset_version(STATIC_DIR)
    joined(client)
    page = [u.removeprefix(f"/static/{version}/") for u in static_refs(client.get("/p").text)]
    loaded = module_closure(STATIC_DIR, tuple(page))
    assert sorted(kept) == sorted(f"/static/{version}/{path}" for path in loaded)
    # a module loaded on demand finds everything it imports among the kept files offline
    for later in set(module_closure(STATIC_DIR, tuple(page), on_demand=True)) - set(loaded):
        assert set(module_closure(STATIC_DIR, (later,))) - {later} <= set(loaded), later


def test_module_closure_follows_imports_and_names_a_missing_module(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "main.js").write_text(
        'import { a } from "./a.js";\nimport "../b.js";\nconst c = () => import("./c.js");\n'
    )
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    (tmp_path / "b.js").write_text("")
    (tmp_path / "js" / "c.js").write_text('import { gone } from "./gone.js";\n')
    assert module_closure(tmp_path, ("js/main.js",)) == ["js/main.js", "js/a.js", "b.js"]
    with pytest.raises(FileNotFoundError, match=r"js/gone\.js"):
        module_closure(tmp_path, ("js/main.js",), on_demand=True)


def test_the_sort_page_ships_read_aloud_and_picture_styles_only_to_studies_that_use_them(
    client: TestClient, db: Session
) -> None:
    joined(client)
    page = client.get("/p").text
    assert 'id="speaker-icon"' in page  # the demo reads aloud
    assert "css/pictures.css" not in page  # and has no pictures
    study = db.exec(select(Study)).one()
    study.read_aloud = False
    statement = db.exec(select(Statement)).first()
    assert statement is not None
    statement.image = "0" * 64 + ".png"
    db.commit()
    page = client.get("/p").text
    assert 'id="speaker-icon"' not in page and "data-speak" not in page
    assert f"/static/{asset_version(STATIC_DIR)}/css/pictures.css" in static_refs(page)
