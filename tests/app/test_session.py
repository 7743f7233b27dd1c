"""The app's session caches runs by their settings."""

from __future__ import annotations

from nexos_model.app.session import Session


def test_session_caches_runs_by_settings():
    session = Session("0901", "base", {"tendencia.contraccion": 0.3})
    first = session.result()
    assert session.result() is first
    session.overrides = {"tendencia.contraccion": 0.4}
    assert session.result() is not first
    session.overrides = {"tendencia.contraccion": 0.3}
    assert session.result() is first
    assert session.wide(first) is session.wide(first)
