"""Shared fixtures: a temporary parameter folder."""

from __future__ import annotations

import shutil

import pytest

from tests.support import ROOT


@pytest.fixture
def params_copy(tmp_path, monkeypatch):
    """A writable copy of ``params/`` used by the loader for this test."""
    target = tmp_path / "params"
    shutil.copytree(ROOT / "params", target)
    monkeypatch.setenv("NEXOS_PARAMETROS", str(target))
    return target
