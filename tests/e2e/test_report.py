"""Council reports end to end: the report workbook executed with Papermill in a fresh kernel, rendered to offline HTML, A4 PDF (Debian's chromium) and Excel; a user error stops it in Spanish."""

from __future__ import annotations

import re
import shutil
import subprocess

import nbformat
import pytest

from nexos_model import run
from nexos_model.api import plan_for_run
from nexos_model.errors import NexosError
from nexos_model.io.bundled import load_municipalities
from nexos_model.report import render
from nexos_model.wording import quetzales
from tests.support import BUDGET_YEAR


NAMES = dict(zip(load_municipalities()["municipio"], load_municipalities()["nombre"]))


def _errors(nb) -> list:
    return [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


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
                    "Anexo: supuestos", f"<h3>Plan Operativo Anual {BUDGET_YEAR}</h3>"):
        assert section in html, section
    plan = r.plans.get("1301") or plan_for_run(r)
    assert plan.years[0] == BUDGET_YEAR and f"Cronograma de inversión {BUDGET_YEAR}" in html.replace("–", "-")
    assert html.count("<svg") >= 5  # charts are inline vectors: own revenue, gap, composition, space, Gantt

    from pypdf import PdfReader

    reader = PdfReader(paths["pdf"])
    assert len(reader.pages) >= 4
    cover = " ".join(reader.pages[0].extract_text().split())  # the first page says how old the data are
    assert f"Los datos observados de {name} (ejecución de ingresos de SICOIN GL) llegan hasta 2019" in cover
    assert f"el presupuesto que se prepara es el de {BUDGET_YEAR}" in cover
    assert f"Los años 2020-{BUDGET_YEAR - 1} ya pasaron, pero sus datos no están cargados" in cover
    assert "nexos datos importar ARCHIVO" in cover
    text = "\n".join(page.extract_text() for page in reader.pages)
    if shutil.which("pdftotext"):
        text += subprocess.run(["pdftotext", "-layout", str(paths["pdf"]), "-"], capture_output=True,
                               text=True, check=True).stdout
    assert name in text
    assert quetzales(r.wide("1301").at[end, "ingresos_propios"]) in text.replace("\xa0", " ")

    from openpyxl import load_workbook

    book = load_workbook(paths["xlsx"])
    assert book.sheetnames == ["Escenario", "Proyección", "Indicadores", "Reglas", "Espacio fiscal", "Plan de inversión",
                               "Financiamiento del plan", "POA", "No financiados", "Historia", "Calidad",
                               "Supuestos"]
    assert all(ws.freeze_panes == "A2" for ws in book)
