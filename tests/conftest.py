"""Shared fixtures: a temporary parameter folder."""

from __future__ import annotations

import shutil

import pytest

from tests.support import ROOT


@pytest.fixture
def params_copy(tmp_path, monkeypatch):
    """A user's parameter folder for this test (``NEXOS_PARAMETROS``): a writable copy of the
    packaged scenarios, guides and portfolios, layered over the packaged ``defaults.yaml``."""
    target = tmp_path / "params"
    shutil.copytree(ROOT / "params", target, ignore=shutil.ignore_patterns("defaults.yaml"))
    monkeypatch.setenv("NEXOS_PARAMETROS", str(target))
    return target
