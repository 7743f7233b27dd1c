"""The council report of Huehuetenango (1301, base) read as a council reads it: rendered by the
real workbook (Papermill), as HTML and as the PDF's text (pdftotext, chromium system-wide).

- No code names: no token with ``_`` (an identifier, a parameter key) in the visible text.
- The budget year's sections come first and in order: ceilings by source, operating budget,
  POA, multi-year plan, existing debt, the p10-p90 range, the assumptions.
- The headline numbers of the sentences are cells of their tables and equal
  ``run(..., planificar=True)`` to the quetzal.
- Projected amounts carry no centavos; the parameters' fingerprint appears only in the annex.
"""

from __future__ import annotations

import html as htmllib
import re
import shutil
import subprocess

import numpy as np
import pytest

from nexos_model import run
from nexos_model.report import render, summary
from nexos_model.wording import millones, quetzales
from tests.support import BUDGET_YEAR

CODE = "1301"
SECTIONS = (f"Techos por fuente de financiamiento {BUDGET_YEAR}", f"Presupuesto de funcionamiento {BUDGET_YEAR}",
            f"Plan Operativo Anual (POA) {BUDGET_YEAR}", "Plan multianual de inversión (POM)", "Deuda existente",
            "Rango de las cifras principales (p10-p90)", "Supuestos: lo observado, lo estimado y lo supuesto",
            "Anexo: versión de los supuestos")
#: A token with an underscore: an identifier or a parameter key.
CODE_NAME = re.compile(r"\w*_\w*")
#: An amount with centavos.
CENTAVOS = re.compile(r"Q ?[\d,]+\.\d\d\b")


def _visible(page: str) -> str:
    """The text a reader sees in the HTML (no style, no tags; <wbr> joins a word back)."""
    page = re.sub(r"<(style|script|title)\b.*?</\1>", " ", page, flags=re.S)  # a chart's hover tips are not read in print
    page = re.sub(r"<wbr\s*/?>", "", page)
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ").split())


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("concejo")
    formats = ("html", "pdf") if shutil.which("chromium") or shutil.which("chromium-browser") else ("html",)
    paths = render.render_report(CODE, "base", formats, out)
    text = _visible(paths["html"].read_text(encoding="utf-8"))
    pdf = ""
    if "pdf" in paths and shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", "-layout", str(paths["pdf"]), "-"], capture_output=True, text=True,
                             check=True).stdout.replace("\xa0", " ")
    # the workbook's run: what the report's tables are made of
    truth = run(CODE, "base", planificar=True, simulaciones=1000, semilla=2024)
    return text, pdf, truth


@pytest.mark.slow
def test_no_code_names_in_the_html_or_the_pdf(report):
    text, pdf, _ = report
    assert not sorted(set(CODE_NAME.findall(text))), sorted(set(CODE_NAME.findall(text)))
    assert not sorted(set(CODE_NAME.findall(pdf))), sorted(set(CODE_NAME.findall(pdf)))
    for raw in ("codede Q", "prestamo", "impuestos_directos", "base: Escenario base"):
        assert raw not in text


@pytest.mark.slow
def test_budget_year_sections_come_first_and_in_order(report):
    text, pdf, _ = report
    for page in (text, " ".join(pdf.split())):
        if not page:
            continue
        at = [page.find(s, page.find("Resumen ejecutivo")) for s in SECTIONS]
        assert all(i >= 0 for i in at), [s for s, i in zip(SECTIONS, at) if i < 0]
        assert at == sorted(at), at
        assert at[0] < page.find("Los ingresos propios son los que")  # the budget leads, revenue detail follows


@pytest.mark.slow
def test_headline_numbers_are_table_cells_and_the_run(report):
    text, pdf, truth = report
    values = truth.projection.query("municipio == @CODE and anio == @BUDGET_YEAR").set_index("concepto")["valor"]
    own = quetzales(round(values["espacio_fiscal"]), 0)
    # the ceilings: sentence, table, run
    table = summary.ceilings_table(truth).set_index("Fuente")[f"Techo {BUDGET_YEAR}"]
    assert table["Espacio propio para inversión, sin préstamos"] == own
    assert f"el espacio propio para invertir, sin préstamos, es de {own}" in text
    assert table["Fondos CODEDE"] == quetzales(round(values["espacio_codede"]), 0)
    ceilings = summary.ceilings(truth)
    free = ceilings.loc[ceilings["grupo"] == "libre", "monto"].sum()
    earmarked = ceilings.loc[ceilings["grupo"] == "inversion", "monto"].sum()
    assert free + earmarked == round(values["espacio_fiscal"])  # the rows foot to the own space
    assert abs(free - values["espacio_libre"]) <= 1 and abs(earmarked - values["espacio_inversion"]) <= 1
    assert f"{quetzales(free, 0)} de libre uso y {quetzales(earmarked, 0)} que la ley destina solo a inversión" in text
    # the own-revenue ceiling of Q 0 is explained: operation costs more than own revenue, and the
    # other free sources' ceilings (table) are what is left after paying the difference
    own_free = ceilings.loc[ceilings["fuente"] == "propios", "monto"].iloc[0]
    shortfall = round(values["gasto_funcionamiento"]) - round(values["ingresos_propios"])
    assert own_free == 0 and shortfall > 0 and values["deficit"] == 0
    assert (f"Los ingresos propios de {BUDGET_YEAR} ({quetzales(round(values['ingresos_propios']), 0)}) no alcanzan "
            f"para el funcionamiento ({quetzales(round(values['gasto_funcionamiento']), 0)}): su techo de libre uso "
            f"es Q 0, y los {quetzales(shortfall, 0)} que faltan se pagan con transferencias de libre uso") in text
    before = values["ingresos_propios"] + values["otras_transferencias"] + 0.10 * values["aporte_constitucional"] \
        + 0.25 * values["iva_paz"]
    assert abs(before - values["gasto_funcionamiento"] - free) <= 2  # the free money left after paying it
    # the operating budget
    operating = summary.operating_table(truth).set_index("Concepto")[f"Presupuesto {BUDGET_YEAR}"]
    assert operating["Gasto de funcionamiento"] == quetzales(round(values["gasto_funcionamiento"]), 0)
    assert operating["Servicio de la deuda"] == quetzales(round(values["servicio_deuda"]), 0)
    assert f"El funcionamiento de {BUDGET_YEAR} costaría {operating['Gasto de funcionamiento']}" in text
    # the POA: its total row is the plan's first year, and the sentence says it
    plan = truth.plans[CODE]
    poa = summary.poa_table(truth).set_index("Proyecto")
    assert poa.at["Total", "Total"] == quetzales(round(plan.poa["total"].sum()), 0)
    assert f"por {poa.at['Total', 'Total']}" in text
    assert len(poa) - 1 == len(plan.poa)
    use = summary.poa_ceiling_use(truth).set_index("fuente")
    assert (use["saldo"] >= 0).all() and (use["techo"] - use["poa"] == use["saldo"]).all()
    # the fiscal-space table: each year's own space is the run's, to the quetzal
    space = summary.fiscal_space_table(truth).set_index("Año")["Espacio propio"]
    run_space = truth.projection.query("municipio == @CODE and concepto == 'espacio_fiscal'").set_index("anio")["valor"]
    assert space.to_dict() == {str(y): quetzales(round(v), 0) for y, v in run_space.items()}
    # the range: the sentence's figures are the table's cells, from 1,000 draws
    rng = summary.range_table(truth)
    row = rng.loc[(rng["Cifra"] == "Espacio fiscal propio para inversión") & (rng["Año"] == str(BUDGET_YEAR))].iloc[0]
    assert row["Proyección central"] == millones(values["espacio_fiscal"], 1)
    assert f"entre {row['p10']} y {row['p90']} (proyección central {row['Proyección central']})" in text
    assert "Rango de 1,000 simulaciones" in text
    # a plausible range: the central projection inside it and about its middle in logs (the trend
    # error is symmetric in logs), not an upper tail several times the centre
    numbers = summary.headline_range(truth)
    for row in numbers.itertuples():
        assert row.p10 < row.central < row.p90, row
        up, down = np.log(row.p90 / row.central), np.log(row.central / row.p10)
        assert 0.6 < up / down < 1.6, row
    own_2027 = numbers.loc[(numbers["concepto"] == "ingresos_propios") & (numbers["anio"] == BUDGET_YEAR)].iloc[0]
    last_observed = int(truth.annual.query("municipio == @CODE")["anio"].max())
    assert f"datos hasta {last_observed}: el rango de {BUDGET_YEAR} suma {BUDGET_YEAR - last_observed} años" in text
    assert own_2027.p90 < 2 * own_2027.central  # was 4.9 × with independent errors per stream
    if pdf:
        flat = " ".join(pdf.split())
        assert own.replace(" ", "") in flat.replace(" ", "")


@pytest.mark.slow
def test_projected_amounts_have_no_centavos_and_the_fingerprint_is_in_the_annex(report):
    text, pdf, truth = report
    observed = truth.wide(CODE)
    observed = observed.loc[observed.index <= truth.last_observed(CODE)]
    allowed = {quetzales(v) for v in observed.to_numpy().ravel()}  # observed amounts keep their centavos
    found = {m.replace("Q", "Q ").replace("  ", " ") for m in CENTAVOS.findall(text)}
    legal = {quetzales(0)}
    assert found <= allowed | legal | _notes_amounts(truth), sorted(found - allowed - legal)[:10]
    budget_part = text[text.find("Resumen ejecutivo"):text.find("Los ingresos propios son los que")]
    assert not [m for m in CENTAVOS.findall(budget_part) if m.replace("Q", "Q ").replace("  ", " ") not in allowed]
    fingerprint = summary.cover(truth)["huella"]
    assert text.count(fingerprint) == 1 and text.find(fingerprint) > text.find("Anexo: versión de los supuestos")
    if pdf:
        cover = pdf.split("\f")[0]
        assert fingerprint not in cover and "Huella" not in cover
        assert pdf.count(fingerprint) == 1


def _notes_amounts(truth) -> set[str]:
    """Amounts the projection notes quote from the data (a booked value, a median of observed years)."""
    return {m.replace("Q", "Q ").replace("  ", " ") for n in summary.council_notes(truth) for m in CENTAVOS.findall(n)}
