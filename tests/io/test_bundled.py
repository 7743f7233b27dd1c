"""The data files bundled with the package."""

from __future__ import annotations

import math

import pandas as pd

import numpy as np
import pytest

from nexos_model.errors import DataFileError
from nexos_model.io import bundled
from nexos_model.params.loader import load_parameters


def test_load_municipalities():
    m = bundled.load_municipalities()
    assert len(m) == 340 and m["municipio"].is_unique
    assert m["poblacion"].sum() == 14_901_286
    assert (m["poblacion_urbana"] + m["poblacion_rural"] == m["poblacion"]).all()
    assert m["municipio"].tolist() == sorted(m["municipio"])
    row = m.set_index("municipio").loc["0901"]
    assert row["departamento_codigo"] == "09" and row["nombre"] == "Quetzaltenango"
    m.loc[0, "poblacion"] = -1  # callers get a copy
    assert bundled.load_municipalities()["poblacion"].iloc[0] > 0


def test_other_bundled_tables():
    spending = bundled.load_spending_history()
    assert list(spending.columns) == ["municipio", "anio", "funcion", "devengado", "vigente"]
    assert spending.groupby("anio")["municipio"].nunique().to_dict() == {
        2016: 340, 2017: 331, 2018: 288, 2019: 202
    }
    ranking = bundled.load_ranking()
    assert list(ranking.columns) == ["municipio", "rgm_2013", "rgm_2016", "rgm_2018"]
    assert len(ranking) == 340 and ranking["rgm_2018"].between(0, 1).all()
    situado = bundled.load_situado_national()
    assert list(situado.columns) == ["anio", "variable", "valor", "unidad", "fuente_url", "nota"]
    total_2010 = situado.query("anio == 2010 and variable == 'monto_total_asignado'")["valor"]
    assert math.isclose(total_2010.item(), 2_336_939_001.00)
    assert bundled.data_path("conceptos.csv").is_file()
    with pytest.raises(DataFileError, match="no_hay.csv"):
        bundled.data_path("no_hay.csv")
    assert np.issubdtype(spending["anio"].dtype, np.integer)


# --- national figures known by year -----------------------------------------------------------

def test_aporte_totals_are_the_published_ones_and_the_gaps_are_marked_estimates():
    totals = bundled.load_aporte_totals().set_index("anio")
    assert totals.index.tolist() == list(range(2018, 2027))
    published = {2018: 3_051_745_000, 2022: 3_730_400_000, 2024: 5_988_000_000, 2025: 6_141_821_000}
    for year, amount in published.items():
        assert totals.at[year, "monto"] == amount and totals.at[year, "origen"] == bundled.PUBLISHED
    assert totals.at[2021, "monto"] == 3_125_400_000 and totals.at[2021, "certeza"] == "C-derivado"
    # 2026: the 2025 ceiling held after the Constitutional Court suspended the 2026 budget.
    assert totals.at[2026, "monto"] == totals.at[2025, "monto"] and totals.at[2026, "certeza"] == "C-derivado"
    for year in (2019, 2020, 2023):
        assert totals.at[year, "origen"] == bundled.INTERPOLATED and totals.at[year, "certeza"] == "NC-estimado"
    # Geometric interpolation: a constant growth rate between 2022 and 2024.
    assert totals.at[2023, "monto"] ** 2 == pytest.approx(totals.at[2022, "monto"] * totals.at[2024, "monto"])
    assert bundled.national_figures().aporte_totals[2025] == 6_141_821_000


def test_inflation_averages_are_reproduced_from_the_monthly_index():
    """The annual averages (INE) bundled for the estimated years, recomputed from the monthly
    CPI index (Banguat's repository) that reproduces every INE December-December figure."""
    cpi = pd.read_csv(bundled.data_path("ipc_mensual_guatemala_2015_2024_base_dic2023.csv"))
    cpi["anio"] = cpi["month"].str[:4].astype(int)
    mean = cpi.groupby("anio")["cpi"].mean()
    inflation = bundled.load_inflation().set_index("anio")
    for year in range(2016, 2024):
        assert inflation.at[year, "inflacion"] == pytest.approx(mean[year] / mean[year - 1] - 1, abs=6e-5)
        assert inflation.at[year, "certeza"] == "C-derivado"
    assert inflation.at[2025, "certeza"] == "NC-estimado"
    assert set(bundled.national_figures().inflation) == set(range(2016, 2026))


def test_transfer_defaults_match_their_bundled_sources():
    params = load_parameters(None, None).params
    revenue = pd.read_csv(bundled.data_path("ingresos_ordinarios_estado_2017_2027.csv"))
    collected = revenue.loc[revenue["variable"] == "ingresos_tributarios_recaudados"].set_index("anio")["valor"]
    growth = (collected[2025] / collected[2022]) ** (1 / 3) - 1
    assert params.transfers.aporte.growth == {0: pytest.approx(growth, abs=5e-4)}
    iva = pd.read_csv(bundled.data_path("iva_paz_municipal_2016_2026.csv")).set_index("variable")["valor"]
    iva = pd.to_numeric(iva, errors="coerce")
    assert params.transfers.iva_paz.vat_collected == pytest.approx(
        (iva["iva_importaciones_recaudado"] + iva["iva_domestico_recaudado"]) * 1e6)
    assert params.transfers.iva_paz.base_amount() == pytest.approx(iva["iva_paz_municipal_proxy_1_punto"] * 1e6)
    infom = pd.read_csv(bundled.data_path("infom_prestamos_condiciones_y_limites.csv")).set_index("parametro")
    assert params.debt.capacity_rate == float(infom.at["tasa_interes_anual_infom", "valor"]) / 100
    assert params.debt.max_term == int(infom.at["plazo_tipico_anios_max", "valor"])
