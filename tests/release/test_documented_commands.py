"""Every command the README and docs show runs as written.

The ``sh`` and ``python`` blocks of README.md and docs/*.md are run in order, one temporary folder
per document (so a later command can use what an earlier one wrote), with ``tests/`` reachable as
in a checkout and the project's ``qsort`` first on PATH (as with the venv activated, which the
README asks for). Commands that install software or start a server are left to the tests that do
exactly that (tests/release/test_wheel.py), and benchmarks are run by hand.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```", re.MULTILINE | re.DOTALL)

NOT_RUN_HERE = {
    r"pip install": "installs software: tests/release/test_wheel.py installs the built wheel",
    r"\bqsort serve\b|python -m app serve": "starts a server: tests/release/test_wheel.py does",
    r"scripts/test\.sh": "is this very test command",
    r"\bbench/": "benchmarks are run by hand and print tables",
}

pytestmark = pytest.mark.slow


def shell_commands(block: str) -> list[str]:
    """The block's commands: continuation lines joined, comments and blank lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    commands = []
    for line in joined.splitlines():
        command = re.split(r"\s#|^#", line, maxsplit=1)[0].strip()
        if command:
            commands.append(command)
    return commands


def skip_reason(command: str) -> str | None:
    """Why a command is not run here, or None to run it."""
    for pattern, reason in NOT_RUN_HERE.items():
        if re.search(pattern, command):
            return reason
    return None


def _environment(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QSORT_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["QSORT_DATA_DIR"] = str(workdir / "data")
    return env


def _run(kind: str, code: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    argv = ["bash", "-c", code] if kind == "sh" else [sys.executable, "-c", code]
    return subprocess.run(
        argv, cwd=workdir, env=_environment(workdir), capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_command_runs_as_written(document: Path, tmp_path: Path) -> None:
    (tmp_path / "tests").symlink_to(REPO / "tests")
    ran = 0
    for match in BLOCK.finditer(document.read_text(encoding="utf-8")):
        kind, block = match.group(1), match.group(2)
        pieces = shell_commands(block) if kind == "sh" else [block]
        for code in pieces:
            if kind == "sh" and skip_reason(code):
                continue
            done = _run(kind, code, tmp_path)
            assert done.returncode == 0, f"{document.name}: {code}\n{done.stdout}\n{done.stderr}"
            assert "Traceback" not in done.stderr, f"{document.name}: {code}\n{done.stderr}"
            ran += 1
    if document.name == "README.md":
        assert ran >= 8
