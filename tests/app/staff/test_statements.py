"""The statements editor's pages: card-by-card forms, pasted lines, CSV and .STA files, pictures,
read back as a researcher and a participant would see them."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import httpx
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import select

from app import store
from app.models import AuditEvent, Study
from app.routes.researcher import statements as statements_routes
from tests.app.conftest import joined
from tests.app.staff.conftest import StaffWorld, csrf_of, open_study
from tests.app.staff.test_access_matrix import ROUTES
from tests.app.staff.test_designer import _design, _new_study


class _Cards(HTMLParser):
    """The editor page's cards as shown: each textarea ``text-N`` and each thumbnail's alt."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[int, str] = {}
        self.alts: list[str] = []
        self.seen = ""
        self._open: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "textarea" and (a.get("id") or "").startswith("text-"):
            self._open = int((a["id"] or "")[5:])
            self.texts[self._open] = ""
        elif tag == "img" and a.get("class") == "statement-thumb":
            self.alts.append(a.get("alt") or "")
        elif tag == "input" and a.get("name") == "seen":
            self.seen = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        self._open = None if tag == "textarea" else self._open

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.texts[self._open] += data


def _page(client: TestClient, study_id: int) -> _Cards:
    response = client.get(f"/studies/{study_id}/statements")
    assert response.status_code == 200
    cards = _Cards()
    cards.feed(response.text)
    return cards


def _post(client: TestClient, url: str, **data: str) -> httpx.Response:
    token = csrf_of(client, url.split("/statements")[0] + "/statements")
    response: httpx.Response = client.post(url, data={**data, "csrf_token": token})
    return response


def _png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_statements_are_added_edited_moved_and_deleted_one_by_one(world: StaffWorld) -> None:
    owner = world.clients["other"]
    study_id = _new_study(owner)
    base = f"/studies/{study_id}/statements"
    added = _post(owner, base + "/add", text="Hope matters\n\nA job helps\nSleep is hard\n")
    assert added.status_code == 303
    assert "Added 3 statement(s)" in owner.get(added.headers["location"]).text
    assert _post(owner, base + "/add", text="Friends listen").status_code == 303
    seen = _page(owner, study_id).seen
    edited = _post(owner, base + "/2/edit", text="A  job\nhelps me", seen=seen)
    assert edited.headers["location"] == f"{base}?done=edited&n=2#card-2"
    moved = _post(owner, base + "/4/move", direction="up", seen=_page(owner, study_id).seen)
    assert moved.headers["location"] == f"{base}?done=moved&n=3&focus=up#card-3"
    _post(owner, base + "/1/delete", seen=_page(owner, study_id).seen)
    cards = _page(owner, study_id)
    assert cards.texts == {1: "A job helps me", 2: "Friends listen", 3: "Sleep is hard"}
    with world.db() as db:
        details = db.exec(
            select(AuditEvent.detail).where(
                AuditEvent.study_id == study_id, AuditEvent.action == "study_edit"
            )
        ).all()
    assert details[-3:] == ["edited statement 2", "moved statement 4 to 3", "deleted statement 1"]
    replaced = _post(owner, base + "/add", text="Only this\nAnd this", replace="1")
    assert "now the 2 statement(s)" in owner.get(replaced.headers["location"]).text
    assert _page(owner, study_id).texts == {1: "Only this", 2: "And this"}


def test_a_refused_change_keeps_what_was_typed_and_changes_nothing(world: StaffWorld) -> None:
    owner = world.clients["co-owner"]
    base = f"/studies/{world.study_id}/statements"
    before = _page(owner, world.study_id)
    empty = _post(owner, base + "/3/edit", text="  ", seen=before.seen)
    assert empty.status_code == 422
    assert "a statement needs its text" in empty.text
    _post(owner, base + "/1/edit", text="Changed first", seen=before.seen)
    stale = _post(owner, base + "/2/edit", text="My careful rewording", seen=before.seen)
    assert stale.status_code == 409
    assert "changed since this page was shown" in stale.text
    assert "My careful rewording" in stale.text
    after = _page(owner, world.study_id).texts
    assert after[2] == before.texts[2] and after[1] == "Changed first"


def test_editing_a_sorted_qset_makes_a_new_version_for_new_participants(
    world: StaffWorld,
) -> None:
    owner = world.clients["co-owner"]
    with world.db() as db:
        study = db.get(Study, world.study_id)
        assert study is not None
        old = study.current_qset_id or 0
        old_texts = [s.text for s in store.statements(db, old)]
    page = owner.get(f"/studies/{world.study_id}/statements").text
    assert "your next change makes version 2" in page
    base = f"/studies/{world.study_id}/statements"
    _post(owner, base + "/1/move", direction="down", seen=_page(owner, world.study_id).seen)
    config = joined(TestClient(world.app, follow_redirects=False))
    assert [s["text"] for s in config["statements"]][:2] == [old_texts[1], old_texts[0]]
    with world.db() as db:
        assert [s.text for s in store.statements(db, old)] == old_texts  # the sorted one stays
        study = db.get(Study, world.study_id)
        assert study is not None and study.current_qset_id == config["qsetId"] != old


def test_statements_come_from_a_csv_in_a_legacy_encoding(world: StaffWorld) -> None:
    owner = world.clients["other"]
    study_id = _new_study(owner)
    url = f"/studies/{study_id}/statements/file"
    token = csrf_of(owner, f"/studies/{study_id}/statements")
    table = "Nr;Statement\n2;Le café aide\n1;Mes amis, ma famille\n".encode("cp1252")
    page = owner.post(url, data={"csrf_token": token}, files={"file": ("cards.csv", table)})
    assert page.status_code == 200
    assert "2 statements read from cards.csv" in page.text and "read as cp1252" in page.text
    box = re.search(r'id="add-text"[^>]*>([^<]*)</textarea>', page.text)
    assert box is not None and box.group(1) == "Mes amis, ma famille\nLe café aide"
    bad = owner.post(
        url, data={"csrf_token": token}, files={"file": ("cards.csv", b"id,text\n1,Hope\n1,Work\n")}
    )
    assert bad.status_code == 422
    assert "cards.csv, line 3, column 1: the statement id &#39;1&#39; is already used" in bad.text


def test_a_picture_with_its_alternative_reaches_the_participant(world: StaffWorld) -> None:
    owner = world.clients["other"]
    study_id = _new_study(owner)
    design = f"/studies/{study_id}/design"
    base = f"/studies/{study_id}/statements"
    form = {**_design(), "then": "statements", "csrf_token": csrf_of(owner, design)}
    assert owner.post(design, data=form).headers["location"] == base  # saved, then the editor
    token = csrf_of(owner, base)
    form = {"csrf_token": token, "alt": "A red square", "seen": _page(owner, study_id).seen}
    wrong = owner.post(base + "/3/picture", data=form, files={"file": ("a.png", b"GIF89a....")})
    assert (
        wrong.status_code == 422
        and "a.png: expected a PNG, JPEG, WebP or SVG picture; this file is not one of them"
        in wrong.text
    )
    assert "Go to statement 3" in wrong.text
    assert 'value="A red square"' in wrong.text  # the typed alternative is kept
    no_alt = owner.post(
        base + "/3/picture", data={**form, "alt": ""}, files={"file": ("a.png", _png())}
    )
    assert no_alt.status_code == 422 and "needs its text alternative" in no_alt.text
    saved = owner.post(base + "/3/picture", data=form, files={"file": ("a.png", _png())})
    assert saved.status_code == 303
    assert _page(owner, study_id).alts == ["A red square"]
    # the design form's statements, sent unchanged, keep the picture
    assert owner.post(design, data={**_design(), "csrf_token": token}).status_code == 303
    code = open_study(owner, study_id)
    card = joined(TestClient(world.app, follow_redirects=False), code)["statements"][2]
    assert card["alt"] == "A red square" and card["image"].startswith("/media/")
    served = owner.get(card["image"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"


def test_every_statements_route_is_in_the_access_matrix() -> None:
    asked = {(method, re.sub(r"/\d+/", "/{number}/", path)) for method, path, _, _ in ROUTES}
    for route in statements_routes.router.routes:
        path = route.path.replace("{study_id}", "{study}")  # type: ignore[attr-defined]
        for method in route.methods - {"HEAD"}:  # type: ignore[attr-defined]
            assert (method, path) in asked, f"{method} {path} is not in the access matrix"
