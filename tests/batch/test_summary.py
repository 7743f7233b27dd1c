"""The batch summary's headline outcomes are run()'s."""

from __future__ import annotations

import pytest

from nexos_model import run
from nexos_model.batch.summary import headline
from tests.support import BUDGET_YEAR


def test_headline_matches_run():
    result = run("1201", "optimista")
    row = headline(result, "1201")
    wide = result.wide("1201")
    end = BUDGET_YEAR + 9
    assert (row["ultimo_anio_observado"], row["primer_anio_proyectado"], row["ultimo_anio_proyectado"]) == (
        2019, BUDGET_YEAR, end)
    assert row["ingresos_propios_observado"] == pytest.approx(wide.at[2019, "ingresos_propios"])
    assert row["ingresos_propios_primer_anio"] == pytest.approx(wide.at[BUDGET_YEAR, "ingresos_propios"])
    assert row["ingresos_propios_ultimo_anio"] == pytest.approx(wide.at[end, "ingresos_propios"])
    assert row["ingresos_totales_ultimo_anio"] == pytest.approx(wide.at[end, "ingresos_totales"])
    assert row["autonomia_ultimo_anio"] == pytest.approx(
        wide.at[end, "ingresos_propios"] / wide.at[end, "ingresos_totales"])
    assert row["parametros"] == result.params.digest()
    if result.rules is not None:
        assert row["incumplimientos"] == int((~result.rules["cumple"].astype(bool)).sum())
