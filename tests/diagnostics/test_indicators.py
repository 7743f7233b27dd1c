"""Indicators by hand, peer medians, and run().indicators()."""

from __future__ import annotations

import pandas as pd
import pytest

from nexos_model import run
from nexos_model.diagnostics.indicators import indicators, peer_medians
from tests.support import BUDGET_YEAR


def test_indicators_by_hand():
    values = pd.DataFrame({
        "municipio": ["a"] * 8, "anio": [2018] * 4 + [2019] * 4,
        "concepto": ["ingresos_propios", "impuestos_directos", "transferencias", "ingresos_totales"] * 2,
        "valor": [100.0, 20.0, 300.0, 400.0, 110.0, 22.0, 290.0, 400.0],
    })
    table = indicators(values, pd.Series({"a": 10.0})).set_index(["anio", "indicador"])["valor"]
    assert table[(2019, "ingresos_propios_per_capita")] == pytest.approx(11.0)
    assert table[(2019, "iusi_per_capita")] == pytest.approx(2.2)
    assert table[(2019, "autonomia")] == pytest.approx(110 / 400)
    assert table[(2019, "dependencia_transferencias")] == pytest.approx(290 / 400)
    assert table[(2019, "crecimiento_ingresos_propios")] == pytest.approx(0.10)


def test_peer_medians_by_department_and_nation():
    table = pd.DataFrame({"municipio": ["0901", "0902", "1301"], "anio": 2019, "indicador": "autonomia",
                          "valor": [0.1, 0.3, 0.5]})
    medians = peer_medians(table, pd.Series({"0901": "09", "0902": "09", "1301": "13"}))
    got = medians.set_index("ambito")["mediana"]
    assert got["09"] == pytest.approx(0.2) and got["13"] == pytest.approx(0.5) and got["nacional"] == pytest.approx(0.3)


def test_run_gives_indicators_beside_peers():
    table = run("1301").indicators()
    row = table.query("anio == 2019 and indicador == 'autonomia'").iloc[0]
    assert 0 < row.valor < 1 and 0 < row.mediana_departamento < 1 and 0 < row.mediana_nacional < 1
    assert set(table["anio"]) == set(range(2016, BUDGET_YEAR + 10))
    kinds = table.groupby("tipo")["anio"].agg(["min", "max"])
    assert kinds.loc["observado"].tolist() == [2016, 2019] and kinds.loc["estimado"].tolist() == [2020, 2026]
