"""Shared fixtures: a temporary parameter folder, and the CLI run as a user runs it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def params_copy(tmp_path, monkeypatch):
    """A writable copy of ``params/`` used by the loader for this test."""
    target = tmp_path / "params"
    shutil.copytree(ROOT / "params", target)
    monkeypatch.setenv("NEXOS_PARAMETROS", str(target))
    return target


def nexos(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the ``nexos`` CLI in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "nexos_model.cli", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env=env, timeout=300)
