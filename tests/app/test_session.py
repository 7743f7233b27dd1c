"""The app's session caches runs by their settings."""

from __future__ import annotations

import pytest

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


def test_a_changed_sampled_assumption_moves_its_distribution():
    from nexos_model.params.loader import load_parameters
    from nexos_model.params.uncertainty import with_centred_distributions

    reference = load_parameters("0901", "base")
    sent = with_centred_distributions({"deuda.nuevo_prestamo.tasa": 0.07, "macro.inflacion": 0.05}, reference.params)
    moved = sent["incertidumbre.distribuciones"]
    assert set(moved) == {"deuda.nuevo_prestamo.tasa"}  # a normal without mean follows the value by itself
    assert (moved["deuda.nuevo_prestamo.tasa"]["minimo"], moved["deuda.nuevo_prestamo.tasa"]["moda"]) == (
        pytest.approx(0.055), pytest.approx(0.07))
    session = Session("0901", "base", {"deuda.nuevo_prestamo.tasa": 0.07})
    assert session.result().parameters["0901"].params.debt.new_loan.rate == 0.07  # not refused
    assert session.plan(session.result()) is session.plan(session.result())
    assert session.full_overrides() == {"deuda.nuevo_prestamo.tasa": 0.07, "incertidumbre.distribuciones": {
        "deuda.nuevo_prestamo.tasa": moved["deuda.nuevo_prestamo.tasa"]}}, "a saved scenario keeps the moved spec"
