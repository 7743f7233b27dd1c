"""``nexos aporte``: the art. 119 allocation of a pool to the centavo."""

from __future__ import annotations

import pandas as pd
import pytest

from nexos_model.fiscal.transfers import ART119_CRITERIA
from tests.support import nexos


def test_nexos_aporte_splits_the_pool_to_the_centavo(tmp_path):
    out = nexos("aporte", "--anio", "2021", "--monto", "3400000000.00", "--salida", str(tmp_path / "a.csv"))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(tmp_path / "a.csv", dtype={"municipio": str})
    assert len(table) == 340
    cents = (table[list(ART119_CRITERIA)] * 100).round().astype("int64")
    assert cents.to_numpy().sum() == 340_000_000_000
    assert ((cents.sum(axis=1) - (table["total"] * 100).round().astype("int64")) == 0).all()
    # 35 % in equal parts: every municipality the same, to the centavo (± the last centavo).
    assert table["partes_iguales"].max() - table["partes_iguales"].min() <= 0.011
    assert "Q 3,400,000,000.00" in out.stdout


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
    assert sum(round(float(x) * 100) for c in ART119_CRITERIA for x in table[c]) == pool
    assert f"Q {pool / 100:,.2f}" in out.stdout and "total nacional publicado" in out.stdout


def test_after_the_last_published_total_it_grows_with_ordinary_revenue(tmp_path):
    out = nexos("aporte", "--anio", "2028", "--salida", str(tmp_path / "a.csv"))
    assert out.returncode == 0, out.stderr
    total = sum(round(float(x) * 100) for x in pd.read_csv(tmp_path / "a.csv", dtype=str)["total"]) / 100
    assert total == pytest.approx(6_141_821_000 * 1.074 ** 2, abs=0.01)
    assert "total publicado de 2026 con el crecimiento de los ingresos ordinarios del Estado" in out.stdout
