"""Legal rules: each one breaks and keeps, year by year, with its article."""

from __future__ import annotations

import pytest

from nexos_model import run
from tests.support import BUDGET_YEAR, projected_wide

#: The model's years: 2020 (after the data's 2019) through the budget year's tenth year.
MODEL_YEARS = BUDGET_YEAR + 10 - 2020


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
    # 2027 is the last full year of the 2024-2028 council: a loan taken then must end in it.
    ("plazo_prestamo", {"deuda.nuevo_prestamo.monto": 1_000_000, "deuda.nuevo_prestamo.plazo": 2}),
    ("prestamos_solo_inversion", {"deuda.nuevo_prestamo.monto": 1_000_000,
                                  "gasto.funcionamiento.monto_base": 200_000_000}),
])
def test_each_rule_breaks_and_keeps(name, breaking):
    kept = rule(run("1401", "base", {"deuda.nuevo_prestamo.monto": 1_000_000, "deuda.nuevo_prestamo.plazo": 1}),
                name)
    broken = rule(run("1401", "base", breaking), name)
    assert len(kept) == MODEL_YEARS and kept["cumple"].all(), kept.loc[~kept["cumple"], "mensaje"].tolist()
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


def test_a_loan_must_end_within_the_term_of_the_council_that_takes_it():
    """Código Municipal art. 110 bis: taken in 2027 for two years it ends in 2028, after the
    2024-2028 council; taken in 2028 by the new council, three years fit in 2028-2032."""
    loan = {"deuda.nuevo_prestamo.monto": 1_000_000, "deuda.nuevo_prestamo.plazo": 2}
    broken = rule(run("1401", "base", loan), "plazo_prestamo")
    row = broken.loc[~broken["cumple"]].iloc[0]
    assert row["anio"] == BUDGET_YEAR == 2027 and len(broken.loc[~broken["cumple"]]) == 1
    assert "vence en 2028, después del período del Concejo 2024-2028 que lo contrata (último año completo 2027)" \
        in row["mensaje"]
    later = {**loan, "deuda.nuevo_prestamo.plazo": 3, "deuda.nuevo_prestamo.anio": 2028}
    assert rule(run("1401", "base", later), "plazo_prestamo")["cumple"].all()


def test_a_breach_never_reads_as_the_limit_itself():
    from nexos_model.fiscal.rules import _shares

    assert _shares(0.10004, 0.10, ok=False) == ("10.004 %", "10.000 %")
    assert _shares(0.0999, 0.10, ok=True) == ("10.0 %", "10.0 %")
    assert _shares(0.12, 0.10, ok=False) == ("12.0 %", "10.0 %")
