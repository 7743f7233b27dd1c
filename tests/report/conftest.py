"""Fixtures of the report tests."""

from __future__ import annotations

import pytest

from nexos_model import run


@pytest.fixture(scope="module")
def pesimista():
    """Quetzaltenango, pessimistic: the aporte constitucional pays operation beyond 10 % from 2026 on."""
    return run("0901", "pesimista")
