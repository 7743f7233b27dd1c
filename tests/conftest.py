"""Shared fixtures: a temporary parameter folder, a temporary store of imported data.

Every test runs as of one fixed date (``NEXOS_HOY``, inherited by the CLI, notebook kernels and
Voilà the tests start), so none depends on the day it runs: the default budget year is
``support.BUDGET_YEAR``. Every test also starts with an empty store of imported data of its
own (``NEXOS_DATOS``), never a ``datos/`` folder the developer may have in the repository.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from tests.support import ROOT, TODAY

os.environ["NEXOS_HOY"] = TODAY
os.environ["NEXOS_DATOS"] = tempfile.mkdtemp(prefix="nexos-datos-vacio-")


@pytest.fixture
def params_copy(tmp_path, monkeypatch):
    """A user's parameter folder for this test (``NEXOS_PARAMETROS``): a writable copy of the
    packaged scenarios, guides and portfolios, layered over the packaged ``defaults.yaml``."""
    target = tmp_path / "params"
    shutil.copytree(ROOT / "params", target, ignore=shutil.ignore_patterns("defaults.yaml"))
    monkeypatch.setenv("NEXOS_PARAMETROS", str(target))
    return target


@pytest.fixture
def data_store(tmp_path, monkeypatch):
    """An empty store of imported data (``NEXOS_DATOS``) for this test, which may import into it."""
    folder = tmp_path / "datos"
    monkeypatch.setenv("NEXOS_DATOS", str(folder))
    return folder
