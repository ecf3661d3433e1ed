"""Browser helpers for staff pages: a facilitator account on the demo study, signing in."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session

from app import store
from app.services import accounts

from .conftest import LiveServer

FACILITATOR = "facilitator@example.org"
PASSWORD = "a long facilitator password"


def add_facilitator(server: LiveServer, study_id: int) -> None:
    """A facilitator account the study is shared with (the right to run its sessions)."""
    with Session(server.app.state.engine) as db:
        user = accounts.create_user(db, None, FACILITATOR, "facilitator", PASSWORD)
        assert user.id is not None
        store.grant(db, study_id, user.id, "facilitator")
        db.commit()


def sign_in(page: Page, server: LiveServer, then: str = "/f") -> None:
    """Sign the facilitator in on the sign-in page and land on ``then``."""
    page.goto(f"{server.url}/signin?next={then}")
    page.fill("#email", FACILITATOR)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server.url}{then}")
