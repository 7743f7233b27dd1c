"""Backtest: columns, honest comparison with the naive forecast, error summary by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nexos_model.analyses.backtest import (
    SIZE_GROUPS,
    backtest,
    calibrate_error,
    error_elasticity,
    error_summary,
    fit_error_elasticity,
    interval_coverage,
    naive_forecast,
    observed_values,
    own_revenue_level,
    skill,
)
from nexos_model.errors import NexosError
from nexos_model.io.history import load_history
from nexos_model.params.loader import load_parameters
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
    assert "1 año adelante (2019, 340 municipios): error mediano" in out.stdout and "IC 90 %" in out.stdout
    assert len(pd.read_csv(tmp_path / "bt.csv")) > 340


def test_calibration_command_needs_another_sample_to_check(tmp_path):
    out = nexos("backtest", "--hasta", "2017", "--simulaciones", "100", "--calibrar", "0.5", "--verificar", "2017",
                "--salida", str(tmp_path / "c.csv"))
    assert out.returncode == 1 and "--verificar" in out.stderr and "se esperaba" in out.stderr


@pytest.mark.slow
def test_error_fit_command_writes_the_elasticity_of_each_sample(tmp_path):
    out = nexos("backtest", "--hasta", "2017", "--verificar", "2018", "--ajustar-error", "--salida",
                str(tmp_path / "ajuste.csv"))
    assert out.returncode == 0, out.stderr
    assert "datos hasta 2017 (680 casos): elasticidad 0.21 (IC 90 % 0.15 a 0.28)" in out.stdout
    assert "datos hasta 2018 (340 casos)" in out.stdout and "Q 5,000,000" in out.stdout
    assert list(pd.read_csv(tmp_path / "ajuste.csv")["hasta"]) == [2017, 2018]
    both = nexos("backtest", "--hasta", "2017", "--simulaciones", "100", "--calibrar", "0.2", "--ajustar-error",
                 "--salida", str(tmp_path / "x.csv"))
    assert both.returncode == 1 and "use uno a la vez" in both.stderr and "Traceback" not in both.stderr


def test_skill_by_hand_and_its_bootstrap_interval():
    """Model errors 10, 5, 50 %, naive 20, 5, 50 %: MdAPE 10 % vs 20 %, advantage +10 points; the
    intervals hold their point estimates and the same forecast against itself has advantage 0."""
    base = {"municipio": ["a", "b", "c"], "concepto": ["ingresos_propios"] * 3, "anio": [2019] * 3,
            "real": [100.0] * 3}
    ours = pd.DataFrame({**base, "prediccion": [110.0, 95.0, 150.0]})
    naive = pd.DataFrame({**base, "prediccion": [120.0, 95.0, 150.0]})
    row = skill(ours, naive, 2018).iloc[0]
    assert (row.horizonte, row.casos) == (1, 3)
    assert row.mdape == pytest.approx(0.10) and row.mdape_ingenuo == pytest.approx(0.20)
    assert row.ventaja == pytest.approx(0.10)
    assert row.mdape_bajo <= row.mdape <= row.mdape_alto and row.ventaja_baja <= row.ventaja <= row.ventaja_alta
    same = skill(ours, ours, 2018).iloc[0]
    assert same.ventaja == same.ventaja_baja == same.ventaja_alta == 0


def test_bands_widen_with_the_horizon_as_the_errors_do():
    """Out of sample, from data up to 2017: the p10-p90 band of own revenue holds about 80 % of the
    real values one year ahead and at least 75 % two years ahead (the errors' spread grows ≈ √2)."""
    table = backtest(2017, simulaciones=1000)
    coverage = interval_coverage(table).set_index("anio")["dentro_p10_p90"]
    assert 0.75 <= coverage[2018] <= 0.85 and coverage[2019] >= 0.75, coverage.to_dict()
    own = table.loc[table["concepto"] == "ingresos_propios"]
    width = np.log(own["p90"] / own["p10"]).groupby(own["anio"]).median()
    assert width[2019] > 1.3 * width[2018]


def test_calibration_chooses_the_default_on_one_sample_and_it_holds_on_the_other_and_for_every_size():
    """The default ``incertidumbre.error_tendencia`` is the one calibration chooses among its
    neighbours, and with it small, middle and large municipalities are covered alike (the size
    elasticity is right): each third within 70-90 % in every held-out year."""
    default = load_parameters(None, None).params.uncertainty.trend_error
    table = calibrate_error(2017, 2018, [default - 0.06, default, default + 0.06], simulaciones=1000)
    assert set(table["muestra"]) == {"calibración", "verificación"}
    assert set(table.loc[table["muestra"] == "calibración", "horizonte"]) == {1, 2}
    assert set(table.loc[table["muestra"] == "verificación", "hasta"]) == {2018}
    assert set(table.loc[table["elegido"], "error_tendencia"]) == {default}
    chosen = table.loc[table["elegido"]]
    sizes = chosen[[f"cobertura_{g}" for g in SIZE_GROUPS]]
    assert sizes.ge(0.70).all().all() and sizes.le(0.90).all().all(), chosen.to_dict("records")


def test_error_elasticity_recovers_a_known_one_from_synthetic_errors():
    """Errors whose spread is σ (size / reference)^(−β), heavy-tailed (Student t, 4 d.o.f.):
    the fit finds β within its interval and close to the truth."""
    rng = np.random.default_rng(3)
    log_size = rng.uniform(-3, 5, size=4000)
    z = 0.15 * np.exp(-0.2 * log_size) * rng.standard_t(4, size=4000)
    fit = error_elasticity(log_size, z)
    assert fit["elasticidad"] == pytest.approx(0.2, abs=0.03)
    assert fit["elasticidad_baja"] < 0.2 < fit["elasticidad_alta"]
    flat = error_elasticity(log_size, 0.15 * rng.standard_normal(4000))
    assert abs(flat["elasticidad"]) < 0.03


def test_size_is_the_cleaned_base_not_a_booking_glitch():
    """Guatemala City booked Q 30 billion of own revenue in 2017 (devengado far above percibido,
    flagged by the quality check): its size for the trend error is the projection's base, about
    Q 1 billion, in line with its other years."""
    raw = observed_values(load_history(None), [2017], "devengado").query("concepto == 'ingresos_propios'")
    assert raw.set_index("municipio").at["0101", "real"] > 3e10
    level = own_revenue_level(2017)
    assert 0.9e9 < level["0101"] < 1.2e9
    assert len(level) == 340 and (level > 0).all()


def test_the_default_elasticity_is_the_one_the_data_give():
    default = load_parameters(None, None).params.uncertainty.trend_error_elasticity
    for until in (2017, 2018):
        fit = fit_error_elasticity(until, resamples=200)
        assert fit["elasticidad_baja"] <= default <= fit["elasticidad_alta"]
        assert fit["elasticidad"] == pytest.approx(default, abs=0.02)


def test_backtest_knows_only_the_inflation_observed_by_its_last_year(monkeypatch):
    """Out of sample means out of sample: a forecast made with data to 2017 could not know the
    inflation of 2018-2019. Changing those years' observed inflation does not move the backtest's
    predictions; the parameter a forecast then used (``macro.inflacion``) does."""
    from nexos_model.analyses import backtest as module
    from nexos_model.fiscal.space import NationalFigures

    real = module.national_figures()

    def with_inflation(changes):
        figures = NationalFigures(aporte_totals=real.aporte_totals, inflation={**real.inflation, **changes})
        monkeypatch.setattr(module, "national_figures", lambda: figures)
        return backtest(2017).query("concepto == 'ingresos_propios'")["prediccion"].to_numpy()

    reference = with_inflation({})
    np.testing.assert_array_equal(with_inflation({2018: 0.30, 2019: 0.30}), reference)
    moved = backtest(2017, overrides={"macro.inflacion": 0.30}).query("concepto == 'ingresos_propios'")["prediccion"]
    assert not np.allclose(moved.to_numpy(), reference)
