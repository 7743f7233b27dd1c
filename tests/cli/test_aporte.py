"""`nexos aporte`: the art. 119 allocation of a pool among the 340 municipalities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nexos_model import catalog
from nexos_model.diagnostics.quality import EXCLUDING_TYPES
from nexos_model.io.bundled import load_municipalities
from tests.support import nexos

PARTS = ["parte_iguales", "parte_poblacion", "parte_ingresos", "parte_aldeas"]
WEIGHTS = {"parte_iguales": 0.35, "parte_poblacion": 0.30, "parte_ingresos": 0.25, "parte_aldeas": 0.10}


def _cents(series: pd.Series) -> pd.Series:
    return (series * 100).round().astype("int64")


def test_nexos_aporte_splits_the_pool_to_the_centavo(tmp_path):
    """Each municipality's total is the sum of its four parts; each part's column adds up to its
    weight of the pool (35/30/25/10 %) and everything to the pool, in centavos."""
    out = nexos("aporte", "--anio", "2021", "--monto", "3400000000.00", "--salida", str(tmp_path / "a.csv"))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "a.csv", dtype={"municipio": str})
    assert len(table) == 340
    assert list(table.columns[-5:]) == [*PARTS, "total"]
    cents = pd.DataFrame({part: _cents(table[part]) for part in PARTS})
    assert cents.to_numpy().sum() == 340_000_000_000
    assert ((cents.sum(axis=1) - _cents(table["total"])) == 0).all()
    for part, weight in WEIGHTS.items():
        assert cents[part].sum() == round(weight * 340_000_000_000), part
    # 35 % in equal parts: every municipality the same, to the centavo (± the last centavo).
    assert table["parte_iguales"].max() - table["parte_iguales"].min() <= 0.011
    assert "Q 3,400,000,000.00" in out.stdout


def test_nexos_aporte_keeps_the_formulas_inputs_under_their_names(tmp_path):
    """The inputs are not overwritten by the parts: population (its column sums to the census
    total), own revenue booked and used, aldeas; each part is proportional to its input; every
    replaced own-revenue value is in the notes with the value booked and the value used."""
    out = nexos("aporte", "--anio", "2020", "--monto", "3400000000", "--salida", str(tmp_path / "a.csv"))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "a.csv", dtype={"municipio": str}).set_index("municipio")
    assert int(table["poblacion"].sum()) == int(load_municipalities()["poblacion"].sum()) == 14_901_286
    assert table.at["0101", "poblacion"] == 923_392  # Guatemala City: people, not quetzales
    assert (table["anio_ingresos"] == 2019).all() and (table["ingresos_propios_tipo"] == "observado").all()

    def assert_proportional(part: str, driver: pd.Series) -> None:
        share = table[part] / table[part].sum()
        assert (share - driver / driver.sum()).abs().max() < 1e-9, part  # the centavo rounding only

    assert_proportional("parte_poblacion", table["poblacion"])
    assert_proportional("parte_ingresos", table["ingresos_propios_usados"] / table["poblacion"])  # used, not booked
    assert_proportional("parte_aldeas", table["aldeas_caserios"])
    assert table["aldeas_caserios"].dtype.kind == "i" and table["aldeas_caserios"].sum() == 14_796

    replaced = table.loc[table["ingresos_propios_reemplazado"]]
    assert len(replaced) > 0
    assert ((replaced["ingresos_propios_registrados"] - replaced["ingresos_propios_usados"]).abs() > 0.005).all()
    kept = table.loc[~table["ingresos_propios_reemplazado"]]
    assert ((kept["ingresos_propios_registrados"] - kept["ingresos_propios_usados"]).abs() <= 0.005).all()
    notes = pd.read_csv(tmp_path / "a_notas.csv", dtype={"municipio": str}).set_index("municipio")
    assert set(notes.index) == set(replaced.index)
    assert notes["ingresos_propios_registrados"].equals(replaced["ingresos_propios_registrados"])
    assert notes["ingresos_propios_usados"].equals(replaced["ingresos_propios_usados"])
    assert notes["motivo"].str.contains("se cuenta en cero").all()
    assert out.stdout.count("nota: ") == len(replaced) and "registrados Q" in out.stdout
    # Sibilia (0905), 2019, by hand from the diagnostics: two lines left out, Q 238,640.22
    # (otros no tributarios) and Q 335,525.00 (venta de bienes y servicios); the rest is used.
    assert notes.at["0905", "diferencia"] == -574_165.22
    assert "Q 238,640.22" in notes.at["0905", "motivo"] and "Q 335,525.00" in notes.at["0905", "motivo"]


def test_nexos_aporte_leaves_out_only_the_excluded_lines(tmp_path):
    """What is replaced is exactly the own-revenue lines the diagnostics exclude (counted as zero),
    never the whole stream they belong to: booked − used = the sum of those lines, everywhere."""
    from nexos_model.api import prepared_default
    from nexos_model.params.loader import load_parameters

    out = nexos("aporte", "--anio", "2020", "--monto", "1000000", "--salida", str(tmp_path / "a.csv"))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "a.csv", dtype={"municipio": str}).set_index("municipio")
    params = load_parameters(None, None).params
    q = params.quality
    prepared = prepared_default(params.projection.measure, q.outlier_factor, q.outlier_floor, True)
    findings = prepared.quality
    excluded = findings.loc[(findings["anio"] == 2019) & findings["tipo"].isin(EXCLUDING_TYPES)
                            & findings["concepto"].isin(catalog.children("ingresos_propios"))]
    expected = excluded.groupby("municipio")["valor"].sum().reindex(table.index, fill_value=0.0)
    gap = table["ingresos_propios_registrados"] - table["ingresos_propios_usados"]
    np.testing.assert_allclose(gap.to_numpy(), expected.to_numpy(), atol=0.011)


@pytest.mark.parametrize("year, kind", [(2024, "estimado"), (2029, "proyectado")])
def test_nexos_aporte_unobserved_revenue_has_nothing_booked(tmp_path, year, kind):
    """For a year whose own revenue is estimated (before the 2027 budget) or projected, nothing
    was booked: the column is empty, no value is 'replaced' and there are no notes."""
    out = nexos("aporte", "--anio", str(year), "--monto", "3730400000", "--salida", str(tmp_path / "a.xlsx"))
    assert out.returncode == 0, out.stderr
    sheets = pd.read_excel(tmp_path / "a.xlsx", sheet_name=None, dtype={"municipio": str})
    table, notes = sheets["aporte"], sheets["notas"]
    assert (table["ingresos_propios_tipo"] == kind).all() and (table["anio_ingresos"] == year - 1).all()
    assert table["ingresos_propios_registrados"].isna().all() and not table["ingresos_propios_reemplazado"].any()
    assert (table["ingresos_propios_usados"] > 0).all() and len(notes) == 0
    assert "nota:" not in out.stdout


def test_nexos_aporte_year_out_of_range_is_a_spanish_error(tmp_path):
    out = nexos("aporte", "--anio", "1990", "--monto", "1000", "--salida", str(tmp_path / "a.csv"))
    assert out.returncode == 2 and "--anio: valor no válido '1990' (se esperaba un año entre 2000 y 2100)" in out.stderr


@pytest.mark.parametrize("year, pool", [("2025", 614_182_100_000), ("2022", 373_040_000_000)])
def test_without_monto_the_published_national_total_is_distributed(tmp_path, year, pool):
    """2025: Q6,141,821,000 (10 % of the State's ordinary revenue of Q61,418 M); 2022:
    Q3,730.4 M (Diario de Centro América): to the centavo, in integer centavos."""
    out = nexos("aporte", "--anio", year, "--salida", str(tmp_path / "a.csv"))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "a.csv", dtype=str)
    assert sum(round(float(x) * 100) for x in table["total"]) == pool
    assert sum(round(float(x) * 100) for c in PARTS for x in table[c]) == pool
    assert f"Q {pool / 100:,.2f}" in out.stdout and "total nacional publicado" in out.stdout


def test_after_the_last_published_total_it_grows_with_ordinary_revenue(tmp_path):
    out = nexos("aporte", "--anio", "2028", "--salida", str(tmp_path / "a.csv"))
    assert out.returncode == 0, out.stderr
    total = sum(round(float(x) * 100) for x in pd.read_csv(tmp_path / "a.csv", dtype=str)["total"]) / 100
    assert total == pytest.approx(6_141_821_000 * 1.074 ** 2, abs=0.01)
    assert "total publicado de 2026 con el crecimiento de los ingresos ordinarios del Estado" in out.stdout
