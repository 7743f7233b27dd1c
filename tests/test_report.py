"""Council reports: the report renders to offline HTML, A4 PDF and Excel; what the reports say
(sentences, tables, charts, Excel sheets) matches the model's own tables.

The end-to-end cases execute the report workbook with Papermill in a fresh kernel (a few
seconds each) and print the PDF with Debian's chromium (``scripts/install-system.sh``). Every
workbook's own run is in ``tests/test_workbooks.py``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from nexos_model import run
from nexos_model.errors import NexosError
from nexos_model.io.bundled import load_municipalities
from nexos_model.report import render, summary
from nexos_model.cli.main import build_parser
from nexos_model.wording import quetzales

ROOT = Path(__file__).resolve().parents[1]
NAMES = dict(zip(load_municipalities()["municipio"], load_municipalities()["nombre"]))


def _errors(nb) -> list:
    return [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


# --- end to end (every workbook's own run: tests/test_workbooks.py) -----------------------------

@pytest.mark.slow
def test_unknown_municipality_stops_with_spanish_message(tmp_path):
    with pytest.raises(NexosError, match="municipio '9999' desconocido"):
        render.execute_workbook(render.REPORT_WORKBOOK, {"municipio": "9999", "escenario": "base",
                                                        "overrides": {}}, tmp_path / "workbook.ipynb")
    assert not (tmp_path / "workbook.ipynb").exists()
    nb = nbformat.read(tmp_path / "workbook.fallido.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code" and c.get("outputs"))
    (error,) = _errors(nb)
    assert error in first.outputs, "the load cell right after the parameters must stop the notebook"
    shown = "\n".join(error["traceback"])
    assert "municipio '9999' desconocido" in shown
    assert len(error["traceback"]) <= 2 and "Traceback" not in shown and "File " not in shown


@pytest.mark.slow
def test_report_html_pdf_xlsx(tmp_path):
    paths = render.render_report("1301", "optimista", ("html", "pdf", "xlsx"), tmp_path)
    assert set(paths) == {"ipynb", "html", "pdf", "xlsx"}
    assert not list(tmp_path.glob(".*tmp*")), "no temporary file left behind"
    name = NAMES["1301"]
    r = run("1301", "optimista")
    end = int(r.projection["anio"].max())

    html = paths["html"].read_text(encoding="utf-8")
    assert name in html and "Informe financiero al Concejo Municipal" in html
    assert "nb.load_run" not in html and "jp-CodeMirrorEditor" not in html and "In&nbsp;[" not in html
    assert "Traceback" not in html and "jp-OutputArea-error" not in html
    assert not re.search(r"require(\.min)?\.js|mathjax", html, re.I)
    assert not re.search(r"<script|<link\b|(src|href)\s*=\s*[\"']?https?:", html, re.I)
    assert "@page" in html and "A4" in html
    changed = [k for k in r.params.changes_from_defaults() if k != "descripcion"]
    plain = re.sub(r"<wbr\s*/?>", "", html)  # long keys may break with <wbr> or <wbr/>
    assert changed and all(k in plain for k in changed)  # the annex lists the changes
    for section in ("Espacio fiscal para inversión", "Reglas legales", "Plan de inversión", "Cronograma de inversión",
                    "Anexo: supuestos"):
        assert section in html, section
    assert html.count("<svg") >= 5  # charts are inline vectors: own revenue, gap, composition, space, Gantt

    from pypdf import PdfReader

    reader = PdfReader(paths["pdf"])
    assert len(reader.pages) >= 4
    text = "\n".join(page.extract_text() for page in reader.pages)
    if shutil.which("pdftotext"):
        text += subprocess.run(["pdftotext", "-layout", str(paths["pdf"]), "-"], capture_output=True,
                               text=True, check=True).stdout
    assert name in text
    assert quetzales(r.wide("1301").at[end, "ingresos_propios"]) in text.replace("\xa0", " ")

    from openpyxl import load_workbook

    book = load_workbook(paths["xlsx"])
    assert book.sheetnames == ["Proyección", "Indicadores", "Reglas", "Espacio fiscal", "Plan de inversión",
                               "Financiamiento del plan", "POA", "No financiados", "Historia", "Calidad",
                               "Supuestos"]
    assert all(ws.freeze_panes == "A2" for ws in book)


# --- fast checks: sentences and tables against the model's own tables ----------------------------

@pytest.fixture(scope="module")
def pesimista():
    """Quetzaltenango, pessimistic: the aporte constitucional pays operation beyond 10 % in 2026-2029."""
    return run("0901", "pesimista")


def test_summary_sentences_and_annex():
    r = run("0901", "optimista")
    sentences = summary.executive_summary(r)
    own = r.wide("0901")["ingresos_propios"]
    assert sentences[0].startswith(f"Los ingresos propios de Quetzaltenango pasarían de {quetzales(own[2019])} "
                                   f"en 2019 a {quetzales(own[2029])} en 2029 (")
    assert any(s.startswith("La autonomía financiera") for s in sentences)
    assert any(s.startswith("El espacio fiscal para inversión sumaría") for s in sentences)
    assert any("reglas legales" in s for s in sentences)
    assert any("diagnóstico de calidad" in s for s in sentences)
    annex = summary.assumptions_annex(r)
    assert set(annex["Clave"]) == {k for k in r.params.changes_from_defaults() if k != "descripcion"}
    assert annex["Fuente"].str.len().gt(0).all() and annex["Capa"].str.contains("optimista").all()


def test_rules_matrix_and_sentences(pesimista):
    rules = pesimista.rules
    matrix = summary.rules_matrix(pesimista).set_index("Regla")
    for row in rules.itertuples():
        assert matrix.at[row.etiqueta, str(row.anio)] == ("✓" if row.cumple else "✗")
    broken = rules.loc[~rules["cumple"]]
    assert sorted(broken["anio"]) == [2026, 2027, 2028, 2029]
    basis = summary.rules_basis_table(pesimista).set_index("Regla")
    assert basis.at["Aporte constitucional usado en funcionamiento", "Resultado"] == \
        "✗ no cumple en 2026, 2027, 2028, 2029"
    assert basis.at["Aporte constitucional usado en funcionamiento", "Base legal"] == \
        "Constitución Política, art. 257"
    sentences = summary.rules_sentences(pesimista)
    assert sentences[0] == "1 de las 6 reglas legales revisadas no se cumple en algún año de 2020 a 2029."
    assert broken.iloc[0]["mensaje"] in sentences[1]


def test_sources_equal_uses_every_year(pesimista):
    table = summary.sources_uses_table(pesimista).set_index("Fuentes y usos")
    lines = pesimista.projection.pivot(index="anio", columns="concepto", values="valor")
    total = (lines["ingresos_propios_total"] + lines["transferencias_total"] + lines["desembolso_prestamo"]
             + lines["deficit"])
    assert table.at["= Total de fuentes", "2029"] == quetzales(total[2029])
    assert table.at["= Total de usos", "2029"] == quetzales(
        lines.at[2029, "gasto_funcionamiento"] + lines.at[2029, "servicio_deuda"] + lines.at[2029, "espacio_fiscal"])
    assert table.loc["Diferencia (fuentes − usos)"].tolist() == ["Q 0.00"] * 3
    assert "las fuentes igualan a los usos" in summary.sources_uses_sentences(pesimista)[0]


def test_fiscal_space_gap_and_aporte_tables(pesimista):
    space = summary.fiscal_space_table(pesimista).set_index("Año")
    by_source = pesimista.fiscal_space.pivot(index="anio", columns="fuente", values="monto")
    assert space.at["2025", "IVA-PAZ"] == quetzales(by_source.at[2025, "iva_paz"])
    assert space.at["2025", "Total"] == quetzales(by_source.loc[2025].sum())
    gaps = summary.gap_table(pesimista)
    iusi = gaps.loc[gaps["Flujo"] == "IUSI"].set_index("Componente")
    raw = pesimista.gaps.query("flujo == 'iusi' and anio == 2020").set_index("componente")
    assert iusi.at["Potencial", "2020"] == quetzales(raw.at["potencial", "valor"])
    assert iusi.at["Brecha total", "Por habitante 2020"] == quetzales(raw.at["brecha_total", "per_capita"])
    # The parts add up: recaudación + the five gaps = potencial (checked on the model's numbers).
    parts = raw.loc[["recaudacion", *summary.GAP_PARTS], "valor"].sum()
    assert parts == pytest.approx(raw.at["potencial", "valor"], abs=0.01)
    aporte = summary.aporte_criteria_table(pesimista).set_index("Criterio (art. 119)")
    assert aporte.at["Población", "Peso legal"] == "30.0 %"
    line = pesimista.projection.query("anio == 2029 and concepto == 'aporte_constitucional'")["valor"].item()
    assert aporte.at["Aporte constitucional", "2029"] == quetzales(line)


def test_lever_effect_against_the_base_scenario():
    reform, base = run("1401", "actualizacion_catastral"), run("1401", "base")
    table = summary.lever_effect_table(reform, base).set_index("Año")
    iusi = {r.escenario: r.projection.query("anio == 2027 and concepto == 'iusi'")["valor"].item()
            for r in (reform, base)}
    assert table.at["2027", "Δ IUSI"] == quetzales(iusi["actualizacion_catastral"] - iusi["base"])
    assert table.at["2021", "Costo de las reformas"] == quetzales(600_000)  # 50 % of Q 1,200,000 in 2021
    assert "Δ Agua" not in table.columns  # untouched streams are left out
    levers = summary.lever_table(reform)
    assert levers["Palanca"].tolist() == ["Cobertura catastral del IUSI",
                                          "Actualización de avalúos (avalúo / valor de mercado)"]
    assert levers["Meta"].tolist() == ["85.0 %", "80.0 %"]
    sentences = summary.lever_sentences(reform, base)
    assert sentences[0].startswith("En 2029, los ingresos propios serían Q ") and "más que en el escenario base" in \
        sentences[0]
    assert summary.lever_sentences(base, base) == ["Este es el escenario base: no hay diferencias que medir."]


def test_plan_tables(pesimista):
    from nexos_model.api import plan_for_run

    plan = plan_for_run(pesimista)
    schedule = summary.plan_schedule_table(plan)
    assert schedule["Proyecto"].tolist() == sorted(plan.cronograma["proyecto"], key=lambda n: (
        plan.cronograma.set_index("proyecto").at[n, "inicio"], plan.cronograma.set_index("proyecto").at[n, "fin"], n))
    assert summary.plan_comparison_table(plan)["Inversión"].iloc[0] == quetzales(plan.cronograma["costo_total"].sum())
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
    assert headers[:2] == ["Año", "Tipo"] and "Espacio fiscal para inversión" in headers and "Población" in headers
    row = {h: c for h, c in zip(headers, ws[6])}  # 2020, the first projected year
    assert row["Año"].value == 2020 and row["Tipo"].value == "proyectado"
    assert row["IUSI"].number_format == MONEY_FORMAT and row["Población"].number_format != MONEY_FORMAT
    ws = book["Indicadores"]
    cells = {(r[0].value, r[2].value): r[3] for r in ws.iter_rows(min_row=2)}
    assert cells[(2019, "Ingresos propios por habitante (Q)")].number_format == MONEY_FORMAT
    assert cells[(2019, "Autonomía: ingresos propios / ingresos totales")].number_format == PERCENT_FORMAT
    ws = book["Reglas"]
    first = {h.value: c for h, c in zip(ws[1], ws[2])}
    assert first["Límite"].value == 0.1 and first["Límite"].number_format == PERCENT_FORMAT
    assert sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if r[3] == "no") == 4
    ws = book["Plan de inversión"]
    assert [c.value for c in ws[1]][:5] == ["Proyecto", "Sector", "Inicio", "Fin", "Costo total"]
    assert ws["E2"].number_format == MONEY_FORMAT


def test_show_table_marks_alignment_and_width():
    import pandas as pd

    from nexos_model.report import notebook as nb

    shown = nb.show_table(pd.DataFrame({"Regla": ["Una regla"], "2020": ["✓"], "2021": ["✗"],
                                        "Monto": ["Q 1,234.50"], "Resultado": ["✗ no cumple en 2021"]}))
    html = shown._repr_html_()
    assert "<td class='nexos-cumple'>✓</td>" in html and "<td class='nexos-falla'>✗</td>" in html
    assert "<td class='nexos-num'>Q&nbsp;1,234.50</td>" in html and "<td class='nexos-txt'>Una regla</td>" in html
    assert "nexos-ancha" not in html
    wide = pd.DataFrame({f"Columna {i}": ["Q 123,456,789.00"] for i in range(7)})
    assert "nexos-tabla nexos-ancha" in nb.show_table(wide)._repr_html_()
    assert "Sin hallazgos." in nb.show_table(pd.DataFrame(), empty="Sin hallazgos.")._repr_html_()


def test_show_puts_a_sections_outputs_together_in_order(pesimista):
    import pandas as pd

    from nexos_model.report import notebook as nb

    parts = [nb.show_sentences(["Primera frase."]), nb.show_sentences([]), nb.show_cover(pesimista),
             nb.show_table(pd.DataFrame({"Año": ["2020"]}))]
    together = nb.show(*parts)._repr_mimebundle_()
    assert together["text/html"] == "".join(p._repr_html_() for p in parts)
    assert together["text/plain"] == "\n".join(p.text for p in parts if p.text)
    assert together[nb.COVER_MIMETYPE] == parts[2].extra[nb.COVER_MIMETYPE]  # the cover still reaches the template


def _grey(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_report_charts_are_spanish_and_grey_safe(pesimista):
    from nexos_model.report import figures

    titles = {name: figures.chart(name, pesimista).title for name in figures.CHARTS}
    assert titles["espacio_fiscal"] == "Espacio fiscal para inversión por fuente de financiamiento"
    assert titles["brechas"] == "Recaudación y brechas hasta el potencial, 2020"
    assert titles["transferencias"] == "Transferencias del Gobierno Central por fuente"
    # Stacked parts differ in lightness (what a grey printer keeps), not in hue alone.
    grey = sorted(map(_grey, figures.TONES))
    assert min(b - a for a, b in zip(grey, grey[1:])) > 0.1
    chart = figures.fiscal_space(pesimista)
    assert chart.legend == ["CODEDE", "IVA-PAZ", "Aporte constitucional", "Préstamo INFOM",
                            "Ingresos propios y de libre uso"]
    assert sum(len(m.x0) for m in chart.marks if m.kind == "rect") == 5 * 10  # five sources, ten years
    nonzero = sum(v != 0 for m in chart.marks if m.kind == "rect" for v in (b - a for a, b in zip(m.y0, m.y1)))
    assert chart.ylabel == "Millones de quetzales" and chart.svg.count("<rect") >= nonzero  # zero parts not drawn
    # Each stack of bars reaches the year's total fiscal space (parts sum to the whole).
    from nexos_model.report.summary import space_by_source

    table = space_by_source(pesimista, "0901")
    positive = table.clip(lower=0).sum(axis=1).to_numpy()
    tops = [max(ends) for ends in zip(*(m.y1 for m in chart.marks if m.kind == "rect"))]
    assert tops == pytest.approx(positive)


def test_chart_svg_is_well_formed_and_says_amounts_in_quetzales(pesimista):
    import xml.etree.ElementTree as ET

    from nexos_model.report import figures

    for name in figures.CHARTS:
        chart = figures.chart(name, pesimista)
        root = ET.fromstring(chart.svg)  # valid XML: embeds in HTML and opens as a file
        assert root.tag.endswith("svg") and float(root.get("height")) == pytest.approx(chart.height)
    chart = figures.own_revenue(pesimista)
    tips = chart.mark("Observado (SICOIN GL)").tips
    assert tips and all(t.startswith("20") and ": Q " in t for t in tips)  # hover: exact Q amounts
    for value, label in chart.yticks:  # each label states its tick, in millions of quetzales
        assert float(label.removeprefix("Q ").replace(",", "")) == pytest.approx(value / 1e6)
    assert chart.yticks[0] == (0, "Q 0")


def test_unknown_format_and_missing_chromium(monkeypatch, tmp_path):
    with pytest.raises(NexosError, match="formato no admitido: docx"):
        render.render_report("0901", formats="html,docx", out_dir=tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("NEXOS_CHROMIUM", raising=False)
    with pytest.raises(NexosError, match="instale chromium con scripts/install-system.sh"):
        render.render_report("0901", formats="pdf", out_dir=tmp_path)


def test_reporte_command_flags():
    parser = build_parser("reporte")
    args = parser.parse_args(["reporte", "--municipio", "0901", "--salida", "x",
                              "--set", "tendencia.contraccion=0.3"])
    assert (args.escenario, args.formato, args.set) == ("base", "html,pdf,xlsx", ["tendencia.contraccion=0.3"])
    assert callable(args.func)


def test_a_chart_alone_as_svg_pdf_and_png(tmp_path, pesimista):
    import xml.etree.ElementTree as ET

    from pypdf import PdfReader

    from nexos_model.report import figures
    from nexos_model.report.chromium import write_chart

    chart = figures.fiscal_space(pesimista)
    svg, pdf, png = (write_chart(chart, tmp_path / f"espacio.{ext}") for ext in ("svg", "pdf", "png"))
    assert ET.parse(svg).getroot().get("aria-label") == chart.title
    assert "Espacio fiscal para inversión" in PdfReader(pdf).pages[0].extract_text()  # text stays text
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (2 * 720, 2 * round(chart.height + 0.49))  # twice the chart's size
    with pytest.raises(NexosError, match="extensión no admitida para un gráfico"):
        write_chart(chart, tmp_path / "espacio.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["espacio.pdf", "espacio.png", "espacio.svg"]
