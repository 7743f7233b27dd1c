"""Golden outputs: a refactor that changes a number of the projection, the fiscal space or the
investment plan fails here, printing each differing row (stored vs new).

What is run and how tables are compared: ``golden_runs.py``. Regenerate ONLY with
``make golden`` when the change is intended.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd
import pytest

from tests.golden import golden_runs
from tests.golden.golden_runs import ESCENARIOS, TABLES


@lru_cache(maxsize=None)
def result(escenario: str):
    return golden_runs.golden_run(escenario)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
@pytest.mark.parametrize("escenario", ESCENARIOS)
def test_run_matches_golden(escenario, table):
    path = golden_runs.path(escenario, table.name)
    assert path.is_file(), f"{path.name} missing: run `make golden` and commit tests/golden/"
    lines = golden_runs.differences(golden_runs.read(escenario, table.name), table.take(result(escenario)), table.key)
    assert not lines, (f"tests/golden/{escenario}/{table.name}.csv differs from the new run (stored -> new; "
                       "money to the centavo):\n  " + "\n  ".join(lines)
                       + "\nIf the change is intended: `make golden`, and say why in the commit.")


def test_goldens_cover_three_municipalities_and_every_table():
    for escenario in ESCENARIOS:
        for table in TABLES:
            stored = golden_runs.read(escenario, table.name)
            assert set(stored["municipio"]) == set(golden_runs.MUNICIPIOS), (escenario, table.name)
    projection = golden_runs.read("base", "proyeccion")
    assert {"espacio_fiscal", "iusi", "aporte_constitucional", "servicio_deuda"} <= set(projection["concepto"])


def test_reform_scenario_changes_iusi():
    """The two scenarios are not the same run twice: the cadastral reform raises IUSI from the
    year after the budget year (it starts in the pinned 2027) and not before."""
    base, reform = (golden_runs.read(e, "proyeccion") for e in ESCENARIOS)

    def pick(table, year):
        rows = table.loc[(table["concepto"] == "iusi") & (table["anio"] == str(year))]
        return rows.set_index("municipio")["valor"].astype(float)

    assert golden_runs.PINNED["calendario.anio_presupuesto"] == 2027
    assert (pick(reform, 2030) > pick(base, 2030)).all()
    assert (pick(reform, 2027) == pick(base, 2027)).all()


# ------------------------------------------------------------------------------- the comparison


def _frame():
    return pd.DataFrame({"municipio": ["0901", "0901"], "anio": [2020, 2021], "fuente": ["propios", "propios"],
                         "monto": [100.004, 200.0], "uso": [0.5, 0.25]})


def test_comparison_accepts_the_stored_centavo_and_float_noise():
    stored = golden_runs.as_text(_frame())
    assert stored["monto"].tolist() == ["100.00", "200.00"]
    noisy = _frame().assign(monto=[100.004 + 1e-7, 200.005 - 1e-12])  # rounds to 200.00 or 200.01
    assert golden_runs.differences(stored, noisy, ("municipio", "anio", "fuente")) == []


def test_comparison_reports_a_centavo_a_row_and_the_order():
    stored = golden_runs.as_text(_frame())
    key = ("municipio", "anio", "fuente")
    moved = _frame().assign(monto=[100.02, 200.0])
    assert golden_runs.differences(stored, moved, key) == [
        "municipio=0901, anio=2020, fuente=propios: monto: 100.00 -> 100.02"]
    extra = pd.concat([_frame(), _frame().iloc[[0]].assign(anio=2022)], ignore_index=True)
    assert golden_runs.differences(stored, extra, key) == [
        "only new:    municipio=0901, anio=2022, fuente=propios, monto=100.00, uso=0.500000"]
    assert golden_runs.differences(stored, _frame().iloc[::-1], key)[0].startswith("same rows in a different order")
    assert golden_runs.differences(stored, _frame().drop(columns="uso"), key)[0].startswith("columns:")
