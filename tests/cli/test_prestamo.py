"""``nexos prestamo``: a loan's schedule, and bad input in Spanish."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.support import BUDGET_YEAR, nexos


def test_nexos_prestamo_writes_the_schedule(tmp_path):
    out = nexos("prestamo", "--monto", "1000000", "--tasa", "0.08", "--plazo", "3", "--gracia", "1",
                "--metodo", "aleman", "--pagos-por-anio", "4", "--salida", str(tmp_path / "p.csv"))
    assert out.returncode == 0, out.stderr
    schedule = pd.read_csv(tmp_path / "p.csv")
    assert len(schedule) == 12
    assert schedule["amortizacion"].sum() == pytest.approx(1_000_000)
    assert (schedule.loc[:3, "amortizacion"] == 0).all()  # one year of grace: interest only
    assert "Q 1,000,000.00" in out.stdout
    assert schedule["anio"].min() == BUDGET_YEAR  # by default, taken in the budget year being prepared


def test_nexos_prestamo_bad_input_is_spanish(tmp_path):
    out = nexos("prestamo", "--monto", "-5", "--tasa", "0.08", "--plazo", "3", "--salida", str(tmp_path / "p.csv"))
    assert out.returncode == 2 and "--monto: valor no válido '-5' (se esperaba un monto en quetzales mayor que 0" in out.stderr
    assert not (tmp_path / "p.csv").exists()
