"""Sign-in, sessions, CSRF, rate limits, headers and private files, checked as a browser would."""

from __future__ import annotations

import io
import stat
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import security, store
from app.cli import serve
from app.demo import DEMO_EMAIL, demo_password
from app.main import create_app
from app.settings import Settings
from qsort.cli import main as qsort_main
from tests.app.staff.conftest import ACCOUNTS, PASSWORD, StaffWorld, csrf_of, sign_in

ADMIN = ACCOUNTS["admin"][0]
OTHER = ACCOUNTS["other"][0]


def test_every_page_carries_the_security_headers(world: StaffWorld) -> None:
    anonymous = world.clients["anonymous"]
    paths = ["/", "/j/DEMO", "/signin", "/static/css/qsort.css", "/no-such-page", "/studies"]
    for path in paths:
        response = anonymous.get(path)
        policy = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert directives["style-src"] == "'self'", path  # no inline style attributes
        assert directives["frame-ancestors"] == "'none'", path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "same-origin", path


def test_session_cookie_is_signed_httponly_and_samesite(tmp_path: Path) -> None:
    settings = Settings.for_data_dir(tmp_path)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        token = csrf_of(client)
        data = {"email": DEMO_EMAIL, "password": demo_password(tmp_path), "csrf_token": token}
        response = client.post("/signin", data=data)
    assert response.status_code == 303 and response.headers["location"] == "/studies"
    cookie = next(c for c in response.headers.get_list("set-cookie") if "qsort_staff=" in c)
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags
    assert "secure" not in flags


def test_secure_cookies_setting_marks_the_cookie_secure(tmp_path: Path) -> None:
    settings = Settings.for_data_dir(tmp_path, secure_cookies=True)
    app = create_app(settings)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        token = csrf_of(client)
        data = {"email": DEMO_EMAIL, "password": demo_password(tmp_path), "csrf_token": token}
        response = client.post("/signin", data=data)
    cookie = next(c for c in response.headers.get_list("set-cookie") if "qsort_staff=" in c)
    assert "secure" in {part.strip().lower() for part in cookie.split(";")}


def test_a_forged_or_tampered_cookie_is_not_a_session(world: StaffWorld) -> None:
    client = world.clients["owner"]
    value = client.cookies.get("qsort_staff")
    assert value is not None
    client.cookies.set("qsort_staff", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    response = client.get("/studies")
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    world: StaffWorld,
) -> None:
    client = TestClient(world.app, follow_redirects=False)
    token = csrf_of(client)
    wrong = client.post("/signin", data={"email": OTHER, "password": "nope", "csrf_token": token})
    unknown = client.post(
        "/signin", data={"email": "nobody@example.org", "password": "x", "csrf_token": token}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an active account" in wrong.text
    assert "qsort_staff" not in wrong.headers.get("set-cookie", "")


def test_post_without_the_form_token_is_refused(world: StaffWorld) -> None:
    client = world.clients["owner"]
    response = client.post(f"/studies/{world.study_id}/status", data={"status": "closed"})
    assert response.status_code == 403
    assert "out of date or did not come from this site" in response.text
    bad = client.post(
        f"/studies/{world.study_id}/status", data={"status": "closed", "csrf_token": "0" * 64}
    )
    assert bad.status_code == 403


def test_post_from_another_origin_is_refused_even_with_the_token(world: StaffWorld) -> None:
    client = world.clients["owner"]
    token = csrf_of(client, "/studies")
    url = f"/studies/{world.study_id}/status"
    form = {"status": "closed", "csrf_token": token}
    assert client.post(url, data=form, headers={"origin": "http://evil.example"}).status_code == 403
    assert client.post(url, data=form, headers={"origin": "null"}).status_code == 403
    same = client.post(url, data=form, headers={"origin": "http://testserver"})
    assert same.status_code == 303


def test_the_account_is_locked_after_five_failures_even_for_the_right_password(
    world: StaffWorld,
) -> None:
    client = TestClient(world.app, follow_redirects=False)
    for _ in range(security.MAX_FAILURES_PER_ACCOUNT):
        assert sign_in(client, OTHER, "wrong password") == 401
    assert sign_in(client, OTHER, PASSWORD) == 429
    # another account from the same address still signs in
    assert sign_in(client, ADMIN, PASSWORD) == 303


def test_one_address_trying_many_accounts_is_stopped(world: StaffWorld) -> None:
    client = TestClient(world.app, follow_redirects=False)
    for n in range(security.MAX_FAILURES_PER_ADDRESS):
        assert sign_in(client, f"guess{n}@example.org", "wrong") == 401
    assert sign_in(client, ADMIN, PASSWORD) == 429


def test_the_limit_is_held_in_the_database_so_a_second_process_agrees(world: StaffWorld) -> None:
    first = TestClient(world.app, follow_redirects=False)
    for _ in range(security.MAX_FAILURES_PER_ACCOUNT):
        sign_in(first, OTHER, "wrong password")
    second_app = create_app(world.settings)  # another process on the same store
    with TestClient(second_app, follow_redirects=False) as second:
        assert sign_in(second, OTHER, PASSWORD) == 429


def test_disabling_an_account_ends_its_sessions(world: StaffWorld) -> None:
    other = world.clients["other"]
    assert other.get("/studies").status_code == 200
    admin = world.clients["admin"]
    user = world.user(OTHER)
    token = csrf_of(admin, "/admin/users")
    assert admin.post(f"/admin/users/{user.id}/disable", data={"csrf_token": token}).is_redirect
    assert other.get("/studies").headers["location"].startswith("/signin")
    assert sign_in(TestClient(world.app, follow_redirects=False), OTHER) == 401


def test_reset_password_lets_the_new_one_in_and_the_old_one_not(world: StaffWorld) -> None:
    admin = world.clients["admin"]
    user = world.user(OTHER)
    token = csrf_of(admin, "/admin/users")
    form = {"csrf_token": token, "password": "a brand new password"}
    assert admin.post(f"/admin/users/{user.id}/password", data=form).status_code == 303
    fresh = TestClient(world.app, follow_redirects=False)
    assert sign_in(fresh, OTHER, PASSWORD) == 401
    assert sign_in(fresh, OTHER, "a brand new password") == 303


def test_admin_makes_an_account_in_the_browser_and_short_passwords_are_refused(
    world: StaffWorld,
) -> None:
    admin = world.clients["admin"]
    token = csrf_of(admin, "/admin/users")
    short = {"csrf_token": token, "email": "x@example.org", "role": "facilitator", "password": "a"}
    refused = admin.post("/admin/users", data=short)
    assert refused.status_code == 422 and "at least 10 characters" in refused.text
    made = admin.post("/admin/users", data={**short, "password": "long enough now"})
    assert made.status_code == 303
    assert "x@example.org" in admin.get("/admin/users").text
    with world.db() as db:
        user = store.user_by_email(db, "x@example.org")
    assert user is not None and user.role == "facilitator"
    assert user.password_hash.startswith("$argon2id$")


def test_signing_out_ends_the_session(world: StaffWorld) -> None:
    owner = world.clients["owner"]
    token = csrf_of(owner, "/studies")
    assert owner.post("/signout", data={"csrf_token": token}).headers["location"] == "/signin"
    assert owner.get("/studies").headers["location"].startswith("/signin")


def test_next_never_leaves_the_site(world: StaffWorld) -> None:
    client = TestClient(world.app, follow_redirects=False)
    token = csrf_of(client)
    form = {"email": ADMIN, "password": PASSWORD, "csrf_token": token, "next": "//evil.example/"}
    assert client.post("/signin", data=form).headers["location"] == "/studies"


def test_demo_account_owns_only_the_demo_study(world: StaffWorld) -> None:
    owner = world.clients["owner"]
    with world.db() as db:
        other = store.create_study(
            db,
            slug="x",
            title="Someone else's",
            condition="?",
            statements=["a", "b"],
            column_values=[-1, 1],
            capacities=[1, 1],
        )
        db.commit()
    page = owner.get("/studies").text
    assert "Relapse and recovery (demo)" in page and "Someone else" not in page
    assert owner.get(f"/studies/{other.id}").status_code == 404


def test_audit_record_names_sign_ins_and_actions_with_no_answers(world: StaffWorld) -> None:
    owner = world.clients["owner"]
    token = csrf_of(owner, "/studies")
    owner.post(f"/studies/{world.study_id}/status", data={"status": "closed", "csrf_token": token})
    with world.db() as db:
        events = store.audit_events(db)
    actions = {(e.actor, e.action) for e in events}
    assert (DEMO_EMAIL, "sign_in") in actions
    assert (DEMO_EMAIL, "study_close") in actions
    page = owner.get(f"/studies/{world.study_id}/audit").text
    assert "study_close" in page


def test_database_secret_key_and_wal_are_private(world: StaffWorld) -> None:
    folder = world.settings.data_dir
    for name in ("qsort.sqlite3", "qsort.sqlite3-wal", "qsort.sqlite3-shm", "secret_key"):
        path = folder / name
        assert path.exists(), name
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, name


def test_cli_makes_the_first_admin_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("a strong admin password\n"))
    argv = ["user", "create", "Boss@Example.org", "--role", "admin", "--password-stdin"]
    assert qsort_main([*argv, "--data-dir", str(tmp_path)]) == 0
    assert "a strong admin password" not in capsys.readouterr().out
    settings = Settings.for_data_dir(tmp_path)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        assert sign_in(client, "boss@example.org", "a strong admin password") == 303
        assert client.get("/admin/users").status_code == 200
    assert qsort_main(["user", "disable", "boss@example.org", "--data-dir", str(tmp_path)]) == 0
    assert qsort_main([*argv, "--data-dir", str(tmp_path)]) == 2
    assert "exists already" in capsys.readouterr().err


def test_serve_announces_how_to_sign_in_to_the_demo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.for_data_dir(tmp_path)
    serve.announce(settings, "127.0.0.1", 8123)
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/signin" in out
    assert f"{DEMO_EMAIL}   password: {demo_password(tmp_path)}" in out
    with TestClient(create_app(settings), follow_redirects=False) as client:
        assert sign_in(client, DEMO_EMAIL, demo_password(tmp_path)) == 303
    with Session(create_app(settings).state.engine) as db:
        assert store.user_by_email(db, DEMO_EMAIL) is not None


def test_the_api_schema_is_for_signed_in_staff_only(world: StaffWorld) -> None:
    schema = world.clients["viewer"].get("/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/draft", "/api/sort", "/j/{code}/consent", "/studies"} <= set(paths)
    assert "/openapi.json" not in paths
    for visitor in ("participant", "anonymous"):  # sent to sign in, shown nothing
        refused = world.clients[visitor].get("/openapi.json")
        assert refused.status_code == 303 and refused.headers["location"].startswith("/signin")
        assert "paths" not in refused.text
    for ui in ("/docs", "/redoc"):  # no documentation page (it would load outside scripts)
        assert world.clients["admin"].get(ui).status_code == 404
