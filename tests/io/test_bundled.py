"""The data files bundled with the package."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nexos_model.errors import DataFileError
from nexos_model.io import bundled


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
