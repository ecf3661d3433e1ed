"""Property-based fuzzing of every form and JSON endpoint from the app's OpenAPI schema: no 5xx.

Schemathesis generates requests (valid and invalid bodies, paths, query strings) for each
operation of the schema, which it reads over HTTP from ``/openapi.json`` as a signed-in staff
member would (the app does not publish it to participants or anonymous visitors). Each request
comes from a device that has just joined, so the participant API is exercised past its token
check. The number of examples per operation is bounded
(``QSORT_FUZZ_EXAMPLES``, default 40) so the test command stays short.
"""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings

from app.demo import DEMO_EMAIL, demo_password
from app.main import create_app, prepare_database
from app.settings import Settings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

EXAMPLES = int(os.environ.get("QSORT_FUZZ_EXAMPLES", "40"))
_DATA = tempfile.TemporaryDirectory(prefix="qsort-fuzz-")
# Every request comes from one test address: the join limit (tested apart) is lifted here.
APP = create_app(Settings.for_data_dir(Path(_DATA.name), join_burst=10**9))
prepare_database(APP)
JOINER = TestClient(APP, follow_redirects=False)


def staff_cookie() -> str:
    """The session cookie of the demo researcher, signed in through the sign-in form."""
    staff = TestClient(APP, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', staff.get("/signin").text)
    assert token is not None
    form = {"email": DEMO_EMAIL, "password": demo_password(Path(_DATA.name))}
    signed_in = staff.post("/signin", data={**form, "csrf_token": token.group(1)})
    assert signed_in.status_code == 303
    return f"qsort_staff={staff.cookies['qsort_staff']}"


SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP, headers={"cookie": staff_cookie()})


def fresh_participant() -> dict[str, str]:
    """The cookie of a device that has just joined the demo study."""
    JOINER.cookies.clear()
    response = JOINER.post("/j/DEMO/consent", data={"choice": "accept"})
    assert response.status_code == 303
    return {"qsort_token": str(JOINER.cookies["qsort_token"])}


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_no_request_gives_a_server_error(case: Any) -> None:
    response = case.call(cookies=fresh_participant())
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
    )
