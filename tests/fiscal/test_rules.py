"""Legal rules: each one breaks and keeps, year by year, with its article."""

from __future__ import annotations

import pytest

from nexos_model import run
from tests.support import projected_wide


def rule(result, name):
    return result.rules.loc[result.rules["regla"] == name]


HEAVY_OPERATION = {"gasto.funcionamiento.monto_base": 40_000_000}  # 1401 raises about Q 11 million


@pytest.mark.parametrize("name, breaking", [
    ("aporte_funcionamiento", HEAVY_OPERATION),
    ("iva_paz_funcionamiento", {"gasto.funcionamiento.monto_base": 60_000_000}),
    ("gasto_financiado", {"gasto.funcionamiento.monto_base": 200_000_000}),
    ("codede_solo_inversion", {**HEAVY_OPERATION, "gasto.funcionamiento.orden_financiamiento":
                               ["propios", "codede", "aporte_constitucional"]}),
    ("servicio_deuda", {"deuda.nuevo_prestamo.monto": 40_000_000}),
    ("plazo_prestamo", {"deuda.nuevo_prestamo.monto": 1_000_000, "deuda.nuevo_prestamo.plazo": 5}),
    ("prestamos_solo_inversion", {"deuda.nuevo_prestamo.monto": 1_000_000,
                                  "gasto.funcionamiento.monto_base": 200_000_000}),
])
def test_each_rule_breaks_and_keeps(name, breaking):
    kept = rule(run("1401", "base", {"deuda.nuevo_prestamo.monto": 1_000_000}), name)
    broken = rule(run("1401", "base", breaking), name)
    assert len(kept) == 10 and kept["cumple"].all(), kept.loc[~kept["cumple"], "mensaje"].tolist()
    assert not broken["cumple"].all()
    first = broken.loc[~broken["cumple"]].iloc[0]
    assert first["exceso"] > 0
    assert first["mensaje"].startswith(f"{first['anio']}: No cumple")
    assert first["articulo"]  # every rule cites its article


def test_aporte_rule_measures_the_share_used_for_operation():
    result = run("1401", "base", HEAVY_OPERATION)
    row = rule(result, "aporte_funcionamiento").iloc[0]
    w = projected_wide(result, "1401")
    assert row["limite"] == pytest.approx(0.10)
    assert row["exceso"] == pytest.approx(row["valor"] * w.loc[row["anio"], "aporte_constitucional"]
                                          - 0.10 * w.loc[row["anio"], "aporte_constitucional"], rel=1e-9)
    assert "% del aporte constitucional" in row["mensaje"]
