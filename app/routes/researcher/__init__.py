"""The staff side's pages: signing in, studies and their data, the audit record, accounts.

Every router here checks the CSRF token on state-changing requests (:func:`app.deps.csrf_protect`);
who may see or do what is decided in the services.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.routes.researcher import (
    accounts,
    admin,
    analysis,
    data,
    designer,
    preview,
    statements,
    studies,
)

ROUTERS: tuple[APIRouter, ...] = (
    accounts.router,
    designer.router,
    statements.router,
    studies.router,
    data.router,
    analysis.router,
    admin.router,
    preview.router,
)
"""The staff routers, in the order the app includes them."""
