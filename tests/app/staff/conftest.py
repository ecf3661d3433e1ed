"""Staff fixtures: an app with accounts of every role and one signed-in client per role.

The demo study (made at start-up) is the study under test; its owner is the demo researcher
account, and the other accounts get the rights the access matrix names.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlmodel import Session, select

from app import security, store
from app.demo import DEMO_EMAIL, DEMO_SLUG, demo_password
from app.main import create_app
from app.models import StaffUser, Study
from app.services import accounts
from app.settings import Settings

PASSWORD = "correct horse battery"
ACCOUNTS = {
    "admin": ("admin@example.org", "admin", None),
    "facilitator": ("fac@example.org", "facilitator", "facilitator"),
    "other": ("other@example.org", "researcher", None),
    "viewer": ("viewer@example.org", "researcher", "viewer"),
    "co-owner": ("co@example.org", "researcher", "co-owner"),
}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/signin") -> str:
    """The form token a page gives this client (the page's first hidden csrf_token field)."""
    page = client.get(path)
    found = TOKEN.search(page.text)
    assert found is not None, f"{path} has no form token"
    return found.group(1)


def open_study(owner: TestClient, study_id: int) -> str:
    """Open the study to participants as ``owner``; return its join code from the study page."""
    token = csrf_of(owner, f"/studies/{study_id}")
    status = owner.post(f"/studies/{study_id}/status", data={"status": "open", "csrf_token": token})
    assert status.status_code == 303, re.findall(r'class="error[^>]*>([^<]*)', status.text)
    code = re.search(r'class="code">(\w+)<', owner.get(f"/studies/{study_id}").text)
    assert code is not None
    return code.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> int:
    """Sign ``client`` in; return the status of the POST (303 on success)."""
    token = csrf_of(client)
    data = {"email": email, "password": password, "csrf_token": token, "next": "/studies"}
    response = client.post("/signin", data=data)
    return int(response.status_code)


@dataclass
class StaffWorld:
    """The app, its demo study id and a client per role (anonymous and participant included)."""

    app: FastAPI
    settings: Settings
    study_id: int
    clients: dict[str, TestClient]

    def db(self) -> Session:
        return Session(self.app.state.engine, expire_on_commit=False)

    def user(self, email: str) -> StaffUser:
        with self.db() as db:
            user = store.user_by_email(db, email)
            assert user is not None
            return user


def _make_accounts(app: FastAPI, study_id: int) -> None:
    with Session(app.state.engine) as db:
        for email, role, right in ACCOUNTS.values():
            user = accounts.create_user(db, None, email, role, PASSWORD)
            if right is not None:
                assert user.id is not None
                store.grant(db, study_id, user.id, right)
        db.commit()


def build_world(tmp_path: Path) -> Generator[StaffWorld, None, None]:
    """Start an app on ``tmp_path`` with every account signed in on its own client."""
    settings = Settings.for_data_dir(tmp_path)
    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as first:
        with Session(app.state.engine) as db:
            study = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).one()
        assert study.id is not None
        _make_accounts(app, study.id)
        clients = {"anonymous": first}
        for name in ("participant", *ACCOUNTS, "owner"):
            clients[name] = TestClient(app, follow_redirects=False)
        clients["participant"].post("/j/DEMO/consent", data={"choice": "accept"})
        for name, (email, _, _) in ACCOUNTS.items():
            assert sign_in(clients[name], email) == 303
        assert sign_in(clients["owner"], DEMO_EMAIL, demo_password(settings.data_dir)) == 303
        yield StaffWorld(app, settings, study.id, clients)


@pytest.fixture(autouse=True)
def quick_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with small parameters, so that the tests' many sign-ins stay quick."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[StaffWorld]:
    yield from build_world(tmp_path)
