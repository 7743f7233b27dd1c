"""``nexos planificar``: every sheet, the Gantt chart, CSV and Parquet, an infeasible portfolio explained."""

from __future__ import annotations

import pandas as pd

from nexos_model.investment.plan import plan_investment
from tests.investment.support import settings, small_plan
from tests.support import nexos


def test_planificar_writes_every_sheet_and_the_gantt_chart(tmp_path):
    target_file, chart = tmp_path / "plan.xlsx", tmp_path / "cronograma.svg"
    out = nexos("planificar", "--municipio", "1301", "--salida", str(target_file), "--grafico", str(chart),
                "--set", "calendario.anios_plan=3")
    assert out.returncode == 0, out.stderr
    sheets = pd.read_excel(target_file, sheet_name=None)
    assert {"cronograma", "financiamiento", "no_financiados", "poa", "puntajes", "resultados", "comparacion",
            "efecto_proyeccion"} <= set(sheets)
    assert sheets["cronograma"]["fin"].max() <= sheets["cronograma"]["inicio"].min() + 2
    assert "Plan de inversión de 1301" in out.stdout and "ganancia del óptimo" in out.stdout
    assert "Cronograma de inversión" in chart.read_text(encoding="utf-8")


def test_csv_and_parquet_hold_the_schedule(tmp_path):
    from nexos_model.cli.planificar import write_plan

    projects, space, years, _ = small_plan()
    plan = plan_investment(projects, space, years, settings())
    for suffix in (".csv", ".parquet"):
        path = write_plan(plan, tmp_path / f"cronograma{suffix}")
        table = pd.read_csv(path) if suffix == ".csv" else pd.read_parquet(path)
        assert table["proyecto"].tolist() == plan.cronograma["proyecto"].tolist()


def test_planificar_explains_an_infeasible_portfolio_and_exits_1(tmp_path):
    cartera = tmp_path / "cartera.csv"
    cartera.write_text("nombre,sector,costo_total,duracion,fuentes,obligatorio\n"
                       "Hospital regional,salud,9000000000000,1,codede,sí\n", encoding="utf-8")
    out = nexos("planificar", "--municipio", "1301", "--cartera", str(cartera), "--salida", str(tmp_path / "p.xlsx"))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "error: no hay programa factible con los proyectos obligatorios:" in out.stderr
    assert "'Hospital regional' no cabe por sí solo" in out.stderr
    assert not (tmp_path / "p.xlsx").exists()
