"""Backtest: columns, honest comparison with the naive forecast, error summary by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nexos_model.analyses.backtest import backtest, error_summary, naive_forecast, observed_values
from nexos_model.errors import NexosError
from nexos_model.io.history import load_history
from tests.support import nexos


def test_error_summary_by_hand():
    table = pd.DataFrame({
        "municipio": ["a", "b", "c", "d"], "concepto": ["ingresos_propios"] * 4, "anio": [2019] * 4,
        "prediccion": [110.0, 95.0, 150.0, 5.0], "real": [100.0, 100.0, 100.0, 0.0],
    })
    row = error_summary(table, ["ingresos_propios"]).iloc[0]
    # errors 10 %, 5 %, 50 % (the zero real is left out): median 10 %, two of three within ±10 %.
    assert row.casos == 3 and row.mdape == pytest.approx(0.10) and row.dentro_10 == pytest.approx(2 / 3)


def test_backtest_predicts_the_held_out_years_for_every_municipality():
    table = backtest(2017)
    assert list(table.columns) == ["municipio", "concepto", "anio", "prediccion", "real"]
    assert sorted(table["anio"].unique()) == [2018, 2019]
    assert table["municipio"].nunique() == 340
    assert np.isfinite(table["prediccion"]).all()
    naive = naive_forecast(table, 2017)
    own = naive.query("concepto == 'ingresos_propios'")
    # The naive forecast repeats the observed 2017 value: the same prediction both years.
    assert (own.groupby("municipio")["prediccion"].nunique() == 1).all()
    observed_2017 = observed_values(load_history(), [2017], "devengado").query("concepto == 'ingresos_propios'")
    merged = own.query("anio == 2018").merge(observed_2017, on="municipio", suffixes=("", "_2017"))
    np.testing.assert_allclose(merged["prediccion"], merged["real_2017"])


def test_backtest_needs_history_before_and_after():
    with pytest.raises(NexosError, match="--hasta 2019"):
        backtest(2019)


@pytest.mark.slow
def test_backtest_command_prints_errors_beside_the_naive_forecast(tmp_path):
    out = nexos("backtest", "--hasta", "2018", "--salida", str(tmp_path / "bt.csv"))
    assert out.returncode == 0, out.stderr
    assert "Ingresos propios" in out.stdout and "ingenuo" in out.stdout
    assert len(pd.read_csv(tmp_path / "bt.csv")) > 340
