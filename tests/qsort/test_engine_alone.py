"""The engine imports without the web stack (ARCHITECTURE.md)."""

from __future__ import annotations

import subprocess
import sys


def test_import_qsort_loads_no_web_package() -> None:
    code = (
        "import sys, qsort, qsort.pipeline, qsort.cli, qsort.formats\n"
        "web = [m for m in ('fastapi', 'starlette', 'sqlmodel', 'sqlalchemy', 'jinja2', 'app')"
        " if m in sys.modules]\n"
        "print(','.join(web))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
