"""``nexos proyectar`` run as a user runs it: outputs, formats, a user's export, bad input."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

from nexos_model import catalog
from tests.support import BUDGET_YEAR, nexos


def spans(table: pd.DataFrame) -> dict[str, list[int]]:
    """``{tipo: [first year, last year]}`` of a table with ``anio`` and ``tipo``."""
    return {k: [int(a), int(b)] for k, (a, b) in table.groupby("tipo")["anio"].agg(["min", "max"]).iterrows()}


def test_proyectar_marks_observed_estimated_and_projected_years(tmp_path):
    """As of 5 December 2026 with no setting: data 2016-2019, estimates 2020-2026 (years that
    happened without data), the 2027 budget and nine more years projected."""
    target = tmp_path / "p.csv"
    out = nexos("proyectar", "--municipio", "1301", "--salida", str(target))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(target, dtype={"municipio": str})
    assert list(table.columns) == ["escenario", "municipio", "anio", "tipo", "concepto", "valor"]
    assert spans(table) == {"observado": [2016, 2019], "estimado": [2020, 2026], "proyectado": [2027, 2036]}
    assert table["municipio"].unique().tolist() == ["1301"]
    model = table.loc[table["tipo"] != "observado"]
    lines = len(set(catalog.concepts().index) | set(catalog.result_lines().index))
    assert model.groupby("anio")["concepto"].nunique().eq(lines).all()
    observed = table.loc[table["tipo"] == "observado"]
    assert observed.groupby("anio")["concepto"].nunique().eq(len(catalog.concepts())).all()
    for name in ("brechas", "calibracion", "espacio_fiscal", "reglas", "aporte", "endeudamiento", "indicadores"):
        assert (tmp_path / f"p_{name}.csv").exists(), name
    for name in ("brechas", "espacio_fiscal", "reglas", "aporte", "endeudamiento", "indicadores"):
        sheet = pd.read_csv(tmp_path / f"p_{name}.csv")
        assert list(sheet.columns)[list(sheet.columns).index("anio") + 1] == "tipo", name
        assert spans(sheet)["proyectado"] == [2027, 2036] and spans(sheet)["estimado"][0] == 2020, name
    assert "observado 2016-2019; estimado 2020-2026; proyectado 2027-2036; presupuesto que se prepara: 2027" \
        in out.stdout
    assert "Espacio fiscal propio para inversión 2027" in out.stdout and "CODEDE" in out.stdout
    # the plan is part of the projection, as in the report and the app: the same numbers as run(planificar=True)
    from nexos_model import run

    planned = run("1301", "base", planificar=True).tidy().set_index(["anio", "concepto"])["valor"]
    written = table.set_index(["anio", "concepto"])["valor"]
    for concept in ("espacio_fiscal", "operacion_mantenimiento", "servicio_deuda", "gasto_funcionamiento"):
        assert written.xs(concept, level="concepto").round(2).tolist() == \
            planned.xs(concept, level="concepto").round(2).tolist(), concept
    assert planned.xs("operacion_mantenimiento", level="concepto").sum() > 0
    assert "plan de inversión" in out.stdout


def test_proyectar_sin_plan_leaves_the_plan_out(tmp_path):
    target = tmp_path / "x.csv"
    out = nexos("proyectar", "--municipio", "1301", "--sin-plan", "--salida", str(target))
    assert out.returncode == 0, out.stderr
    table = pd.read_csv(target, dtype={"municipio": str})
    assert table.loc[table["concepto"] == "operacion_mantenimiento", "valor"].abs().sum() == 0


def test_proyectar_with_the_system_date(tmp_path):
    """Without NEXOS_HOY the budget being prepared is the year after the system's date."""
    env = {k: v for k, v in os.environ.items() if k != "NEXOS_HOY"}
    target = tmp_path / "p.csv"
    out = nexos("proyectar", "--municipio", "1301", "--salida", str(target), env=env)
    assert out.returncode == 0, out.stderr
    first = spans(pd.read_csv(target))["proyectado"][0]
    assert first in {dt.date.today().year + 1, dt.date.fromtimestamp(target.stat().st_mtime).year + 1}


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_proyectar_other_formats(tmp_path, suffix):
    target = tmp_path / f"x{suffix}"
    out = nexos("proyectar", "--municipio", "1301,0901", "--salida", str(target))
    assert out.returncode == 0, out.stderr
    table = pd.read_excel(target) if suffix == ".xlsx" else pd.read_parquet(target)
    model = table.loc[table["tipo"] != "observado"]
    assert len(model) == 2 * (BUDGET_YEAR + 10 - 2020) * len(set(catalog.concepts().index) |
                                                             set(catalog.result_lines().index))
    assert set(table["tipo"]) == {"observado", "estimado", "proyectado"}


@pytest.mark.parametrize("args, expected", [
    (["--municipio", "9999"], "municipio '9999' desconocido"),
    (["--municipio", "0901", "--escenario", "inventado"], "escenario 'inventado' desconocido"),
    (["--municipio", "0901", "--set", "tendencia.contraccion=2"], "ajustes: tendencia.contraccion: fuera de rango (valor dado: 2; se esperaba: entre 0 y 1 fracción)"),
    (["--municipio", "0901", "--set", "tendencia.contracion=0.2"], "¿quiso decir 'contraccion'?"),
    (["--municipio", "0901", "--set", "calendario.horizonte=diez"], "calendario.horizonte: debe ser un número entero"),
    (["--municipio", "0901", "--set", "proyeccion.horizonte=12"],
     "proyeccion.horizonte: clave reemplazada (se esperaba: calendario.horizonte"),
    (["--municipio", "0901", "--set", "calendario.anio_presupuesto=2018"],
     "calendario.anio_presupuesto: el municipio 0901 ya tiene datos observados hasta 2019"),
    (["--municipio", "0901", "--datos", "no_existe.csv"], "no_existe.csv"),
])
def test_bad_input_exits_1_with_spanish_message_and_leaves_output_untouched(tmp_path, args, expected):
    target = tmp_path / "x.csv"
    target.write_text("contenido previo\n", encoding="utf-8")
    out = nexos("proyectar", *args, "--salida", str(target))
    assert out.returncode == 1
    assert expected in out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert target.read_text(encoding="utf-8") == "contenido previo\n"
    assert list(tmp_path.iterdir()) == [target]


def test_unsupported_output_extension(tmp_path):
    out = nexos("proyectar", "--municipio", "0901", "--salida", str(tmp_path / "x.doc"))
    assert out.returncode == 1 and "extensión no admitida" in out.stderr
    assert not (tmp_path / "x.doc").exists()


def test_datos_replaces_bundled_years(tmp_path):
    # A user's export for 2019 only, Latin-1 with quoted 1,234.56 amounts: it replaces 2019.
    data = tmp_path / "sicoin.csv"
    rows = ["Portal de Gobiernos Locales - Ejecución de ingresos", "",
            "Año;Código Municipio;Sección;Devengado"]
    rows += [f'2019;901;{code};"{amount}"' for code, amount in
             [("10100", "30,000,000.00"), ("11200", "2,500,000.00"), ("14200", "200,000,000.00")]]
    data.write_bytes("\n".join(rows).encode("cp1252"))
    target = tmp_path / "x.csv"
    out = nexos("proyectar", "--municipio", "0901", "--datos", str(data), "--salida", str(target))
    assert out.returncode == 0, out.stderr
    base = tmp_path / "b.csv"
    nexos("proyectar", "--municipio", "0901", "--salida", str(base))
    new, old = pd.read_csv(target), pd.read_csv(base)
    pick = lambda t: t.query("anio == 2020 and concepto == 'impuestos_directos'")["valor"].item()
    assert pick(new) != pytest.approx(pick(old))
