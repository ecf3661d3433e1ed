"""The engine imports without the web stack (ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "qsort"
WEB_PACKAGES = {
    "app",
    "fastapi",
    "starlette",
    "sqlmodel",
    "sqlalchemy",
    "jinja2",
    "alembic",
    "uvicorn",
}


def test_import_qsort_loads_no_web_package() -> None:
    code = (
        "import sys, qsort, qsort.pipeline, qsort.cli, qsort.formats\n"
        "web = [m for m in ('fastapi', 'starlette', 'sqlmodel', 'sqlalchemy', 'jinja2', 'app')"
        " if m in sys.modules]\n"
        "print(','.join(web))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _imported_modules(tree: ast.AST) -> set[str]:
    """Every module an ``import`` or ``from ... import`` names, at any depth (functions too)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_engine_module_imports_the_web_app() -> None:
    offenders = {}
    for path in sorted(ENGINE.rglob("*.py")):
        modules = _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        web = sorted(m for m in modules if m.split(".")[0] in WEB_PACKAGES)
        if web:
            offenders[str(path.relative_to(ENGINE.parent))] = web
    assert offenders == {}


def test_dynamic_imports_do_not_name_the_web_app() -> None:
    for path in sorted(ENGINE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"import_module\(\s*['\"](app|fastapi|sqlmodel)", text), path


def test_the_web_commands_reach_the_cli_through_the_entry_point() -> None:
    code = (
        "import sys\n"
        "from qsort.cli import build_parser\n"
        "build_parser()\n"
        "print('app.cli' in sys.modules, 'fastapi' in sys.modules, 'sqlmodel' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "False"]
