"""What the reports say (sentences, tables, Excel sheets) matches the model's own tables."""

from __future__ import annotations

import pytest

from nexos_model import run
from nexos_model.report import summary
from nexos_model.wording import quetzales
from tests.support import BUDGET_YEAR

END = BUDGET_YEAR + 9  # the last projected year


def test_summary_sentences_and_annex():
    r = run("0901", "optimista", planificar=True)
    sentences = summary.executive_summary(r)
    own = r.wide("0901")["ingresos_propios"]
    # the budget being prepared leads; the longer view follows (observed to the centavo, projected to the quetzal)
    assert sentences[0].startswith(f"Para el presupuesto {BUDGET_YEAR}, el espacio propio para invertir")
    assert f"Los ingresos propios de Quetzaltenango pasarían de {quetzales(own[2019])} en 2019 (observado) a " \
           f"{summary.amount(own[END])} en {END} (" in " ".join(sentences)
    assert any(s.startswith(f"El POA {BUDGET_YEAR} ejecuta") for s in sentences)
    assert any("reglas legales" in s for s in sentences)
    assert any("diagnóstico de calidad" in s for s in sentences)
    annex = summary.assumptions_annex(r)
    assert set(annex["Clave"]) == {k for k in r.params.changes_from_defaults() if k != "descripcion"}
    assert annex["Fuente"].str.len().gt(0).all() and annex["Capa"].str.contains("optimista").all()


def test_rules_matrix_and_sentences(pesimista):
    rules = pesimista.rules
    matrix = summary.rules_matrix(pesimista).set_index("Regla")
    for row in rules.itertuples():  # estimated years are marked in the header
        header = f"{row.anio} (est.)" if row.anio < BUDGET_YEAR else str(row.anio)
        assert matrix.at[row.etiqueta, header] == ("✓" if row.cumple else "✗")
    assert list(matrix.columns)[:2] == ["2020 (est.)", "2021 (est.)"] and str(BUDGET_YEAR) in matrix.columns
    broken = rules.loc[~rules["cumple"]]
    aporte = sorted(broken.loc[broken["regla"] == "aporte_funcionamiento", "anio"])
    assert aporte and aporte == list(range(aporte[0], END + 1))  # operation outgrows the 10 % and stays above
    basis = summary.rules_basis_table(pesimista).set_index("Regla")
    assert basis.at["Aporte constitucional usado en funcionamiento", "Resultado"] == \
        "✗ no cumple en " + ", ".join(map(str, aporte)) + " (gasto estimado)"  # no municipal budget given
    assert basis.at["Aporte constitucional usado en funcionamiento", "Base legal"] == \
        "Constitución Política, art. 257"
    sentences = summary.rules_sentences(pesimista)
    n = broken["regla"].nunique()
    assert sentences[0].startswith(f"{n} de las 6 reglas legales revisadas no se cumpl{'e' if n == 1 else 'en'} en "
                                   f"algún año de 2020 a {END} (")
    assert "gasto de funcionamiento estimado" in sentences[0] and \
        "«Gasto de funcionamiento del último año con datos»" in sentences[0]  # the key's label, not the key
    assert broken.iloc[0]["mensaje"] in sentences[1]


def test_sources_equal_uses_every_year(pesimista):
    table = summary.sources_uses_table(pesimista).set_index("Fuentes y usos")
    lines = pesimista.projection.pivot(index="anio", columns="concepto", values="valor")
    total = (lines["ingresos_propios_total"] + lines["transferencias_total"] + lines["desembolso_prestamo"]
             + lines["deficit"])
    assert list(table.columns) == [str(BUDGET_YEAR), str(END), f"Total {BUDGET_YEAR}-{END}"]
    assert table.at["= Total de fuentes", str(END)] == quetzales(total[END])
    assert table.at["= Total de usos", str(END)] == quetzales(
        lines.at[END, "gasto_funcionamiento"] + lines.at[END, "servicio_deuda"] + lines.at[END, "espacio_fiscal"]
        + lines.at[END, "espacio_codede"])
    assert table.loc["Diferencia (fuentes − usos)"].tolist() == ["Q 0.00"] * 3
    assert "las fuentes igualan a los usos" in summary.sources_uses_sentences(pesimista)[0]


def test_fiscal_space_gap_and_aporte_tables(pesimista):
    space = summary.fiscal_space_table(pesimista).set_index("Año")
    by_use = pesimista.fiscal_space.pivot_table(index="anio", columns="destino", values="monto", aggfunc="sum")
    for column, use in (("Libre uso", "libre"), ("Destino de inversión", "inversion")):  # each within Q 1, footing
        assert abs(int(space.at["2025", column][2:].replace(",", "")) - by_use.at[2025, use]) <= 1
    assert space.at["2025", "CODEDE (asignado a proyectos)"] == summary.amount(by_use.at[2025, "codede"])
    assert space.at["2025", "Tipo"] == "estimado" and space.at[str(BUDGET_YEAR), "Tipo"] == "proyectado"
    own = pesimista.projection.query("anio == 2025 and concepto == 'espacio_fiscal'")["valor"].item()
    assert space.at["2025", "Espacio propio"] == summary.amount(own)  # the projection's own space, to the quetzal
    detail = summary.fiscal_space_detail_table(pesimista, anio=2025).set_index(["Fuente", "Uso"])
    assert detail.at[("Aporte constitucional", "Destino de inversión"), "Parte reservada para inversión"] == \
        "90 % (reglas.aporte_funcionamiento_maximo)"
    assert detail.at[("Petróleo y derivados", "Destino de inversión"), "Parte reservada para inversión"] == \
        "100 % (transferencias.petroleo.inversion_minima)"
    assert detail.at[("Espacio propio (sin CODEDE)", ""), "Espacio 2025"] == quetzales(own)
    gaps = summary.gap_table(pesimista)
    # Quetzaltenango's IUSI cannot be calibrated with generic drivers (sin datos suficientes): its ornato can
    iusi = gaps.loc[gaps["Flujo"] == "IUSI"].set_index("Componente")
    first = str(BUDGET_YEAR)  # what looks ahead starts with the budget being prepared
    assert iusi.at["Potencial", first] == "sin datos suficientes"
    iusi = gaps.loc[gaps["Flujo"] == "Boleto de ornato (supuesto genérico)"].set_index("Componente")
    raw = pesimista.gaps.query(f"flujo == 'ornato' and anio == {first}").set_index("componente")
    assert iusi.at["Potencial", first] == quetzales(raw.at["potencial", "valor"])
    assert iusi.at["Brecha total", f"Por habitante {first}"] == quetzales(raw.at["brecha_total", "per_capita"])
    # The parts add up: recaudación + the five gaps = potencial (checked on the model's numbers).
    parts = raw.loc[["recaudacion", *summary.GAP_PARTS], "valor"].sum()
    assert parts == pytest.approx(raw.at["potencial", "valor"], abs=0.01)
    aporte = summary.aporte_criteria_table(pesimista).set_index("Criterio (art. 119)")
    assert aporte.at["Población", "Peso legal"] == "30.0 %"
    line = pesimista.projection.query(f"anio == {END} and concepto == 'aporte_constitucional'")["valor"].item()
    assert aporte.at["Aporte constitucional", str(END)] == quetzales(line)


def test_lever_effect_against_the_base_scenario():
    reform, base = run("1401", "actualizacion_catastral"), run("1401", "base")
    table = summary.lever_effect_table(reform, base).set_index("Año")
    iusi = {r.escenario: r.projection.query("anio == 2029 and concepto == 'iusi'")["valor"].item()
            for r in (reform, base)}
    assert table.at["2029", "Δ IUSI"] == summary.amount(iusi["actualizacion_catastral"] - iusi["base"])
    # 50 % of Q 1,200,000 in the reform's first year, the budget year.
    assert table.at[str(BUDGET_YEAR), "Costo de las reformas"] == summary.amount(600_000)
    assert table.at[str(BUDGET_YEAR), "Tipo"] == "proyectado" and table.at["2026", "Tipo"] == "estimado"
    assert "Δ Agua" not in table.columns  # untouched streams are left out
    levers = summary.lever_table(reform)
    assert levers["Palanca"].tolist() == ["Cobertura catastral del IUSI",
                                          "Actualización de avalúos (avalúo / valor de mercado)"]
    assert levers["Meta"].tolist() == ["85.0 %", "80.0 %"]
    sentences = summary.lever_sentences(reform, base)
    assert sentences[0].startswith(f"En {END}, los ingresos propios serían Q ") and \
        "más que en el escenario base" in sentences[0]
    assert summary.lever_sentences(base, base) == ["Este es el escenario base: no hay diferencias que medir."]


def test_plan_tables(pesimista):
    from nexos_model.api import plan_for_run

    plan = plan_for_run(pesimista)
    schedule = summary.plan_schedule_table(plan)
    assert schedule["Proyecto"].tolist() == sorted(plan.cronograma["proyecto"], key=lambda n: (
        plan.cronograma.set_index("proyecto").at[n, "inicio"], plan.cronograma.set_index("proyecto").at[n, "fin"], n))
    assert summary.plan_comparison_table(plan)["Inversión"].iloc[0] == summary.amount(plan.cronograma["costo_total"].sum())
    unfunded = summary.plan_unfunded_table(plan)
    assert len(unfunded) == len(plan.no_financiados) and unfunded["Razón"].str.len().gt(0).all()
    sentences = summary.plan_sentences(plan)
    assert sentences[0] == f"Cartera: archivo carteras/0901.yaml ({len(plan.projects)} proyectos)."
    assert f"financia {len(plan.cronograma)} de {len(plan.projects)} proyectos" in " ".join(sentences)


def test_excel_sheets_formats(tmp_path, pesimista):
    from openpyxl import load_workbook

    from nexos_model.io.writers import write_tables
    from nexos_model.io.excel import MONEY_FORMAT, PERCENT_FORMAT

    sheets, money = summary.excel_tables(pesimista)
    path = write_tables(sheets, tmp_path / "proyeccion.xlsx", money_columns=money)
    book = load_workbook(path)
    ws = book["Proyección"]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["Año", "Tipo"] and "Espacio fiscal propio para inversión" in headers and "Población" in headers
    row = {h: c for h, c in zip(headers, ws[6])}  # 2020, the first estimated year
    assert row["Año"].value == 2020 and row["Tipo"].value == "estimado"
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == \
        ["observado"] * 4 + ["estimado"] * (BUDGET_YEAR - 2020) + ["proyectado"] * 10
    assert row["IUSI"].number_format == MONEY_FORMAT and row["Población"].number_format != MONEY_FORMAT
    ws = book["Indicadores"]
    cells = {(r[0].value, r[2].value): r[3] for r in ws.iter_rows(min_row=2)}
    assert cells[(2019, "Ingresos propios por habitante (Q)")].number_format == MONEY_FORMAT
    assert cells[(2019, "Autonomía: ingresos propios / ingresos totales")].number_format == PERCENT_FORMAT
    ws = book["Reglas"]
    first = {h.value: c for h, c in zip(ws[1], ws[2])}
    assert first["Límite"].value == 0.1 and first["Límite"].number_format == PERCENT_FORMAT
    assert [c.value for c in ws[1]][:4] == ["Año", "Tipo", "Regla", "Base legal"]
    assert sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if r[4] == "no") == \
        int((~pesimista.rules["cumple"]).sum()) > 0
    ws = book["Plan de inversión"]
    assert [c.value for c in ws[1]][:5] == ["Proyecto", "Sector", "Inicio", "Fin", "Costo total"]
    # pessimistic Quetzaltenango: no free money is left after 2023 for the O&M of new works
    assert ws.max_row - 1 == len(summary.excel_tables(pesimista)[0]["Plan de inversión"]) == 0
    base = write_tables(summary.excel_tables(run("0901", "base", planificar=True))[0], tmp_path / "base.xlsx")
    ws = load_workbook(base)["Plan de inversión"]
    assert ws.max_row > 1 and ws["E2"].number_format == MONEY_FORMAT


def test_quality_sentence_never_clears_data_that_rest_on_estimates():
    """Huehuetenango: no doubtful value in 2016-2019, but its IUSI calibration scales the base
    and its drivers, aldeas and operating spending are generic: the sentence says so."""
    r = run("1301", "base")
    assert r.quality.query("municipio == '1301'").empty
    sentence = summary.quality_sentences(r)[0]
    assert "no encontró valores dudosos" not in sentence
    assert "pero la proyección se apoya en" in sentence and "supuestos genéricos" in sentence
    table = summary.generic_assumptions_table(r)
    assert "ingresos_propios.impulsores.iusi.predios" in table.iloc[:, -1].tolist()
    aporte = summary.aporte_criteria_table(r)
    assert aporte["Criterio (art. 119)"].str.contains("supuesto genérico").any()


@pytest.mark.parametrize("overrides, calibrated", [
    (None, True),
    ({"incertidumbre.error_tendencia": 0.21}, True),  # the calibrated value, set again by hand
    ({"incertidumbre.error_tendencia": 0.4}, False),
    ({"incertidumbre.error_tendencia_elasticidad": 0.0}, False),
])
def test_the_range_claims_its_measured_coverage_only_with_the_calibrated_error(overrides, calibrated):
    """The 8-in-10 coverage was measured with the default trend error: a report run with another
    one says its band lacks that check instead of claiming it."""
    r = run("1301", overrides=overrides, simulaciones=64, semilla=3)
    text = " ".join(summary.range_sentences(r))
    assert ("contuvo el valor real de 8 de cada 10 municipios" in text) is calibrated
    assert ("no tiene la cobertura comprobada" in text) is not calibrated
    assert f"el rango de {BUDGET_YEAR} suma" in text
