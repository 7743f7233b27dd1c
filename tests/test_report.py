"""Council reports: workbooks run for real municipalities, stay thin, and render to HTML and PDF.

The end-to-end cases execute the workbooks with Papermill in a fresh kernel (a few seconds
each) and print the PDF with Debian's chromium (``scripts/install-system.sh``).
"""

from __future__ import annotations

import argparse
import ast
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
from nexos_model.report.commands import add_reporte_command
from nexos_model.report.formatting import quetzales

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = sorted((ROOT / "workbooks").glob("*.ipynb"))
NAMES = dict(zip(load_municipalities()["municipio"], load_municipalities()["nombre"]))


def _texts(nb) -> str:
    """Everything the executed notebook displays, as one text."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def _errors(nb) -> list:
    return [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


# --- workbooks hold no logic ----------------------------------------------------------------

@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_workbook_is_thin(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be tagged parameters"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in code:
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= 8, f"{path.name}: cell of {len(lines)} lines:\n{cell.source}"
        tree = ast.parse(cell.source)
        banned = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.For, ast.While,
                  ast.Lambda, ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp)
        found = [type(n).__name__ for n in ast.walk(tree) if isinstance(n, banned)]
        assert not found, f"{path.name}: logic in a cell ({found}):\n{cell.source}"


# --- end to end ------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("municipio", ["0901", "1301"])
@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_workbook_runs(path, municipio, tmp_path):
    out = render.execute_workbook(path, {"municipio": municipio, "escenario": "base", "overrides": {}},
                                  tmp_path / "workbook.ipynb")
    nb = nbformat.read(out, as_version=4)
    assert not _errors(nb)
    text = _texts(nb)
    wide = run(municipio, "base").wide(municipio)
    if path.stem == "reporte_concejo":  # the headline: own-source revenue at the end of the projection
        assert quetzales(wide.at[2029, "ingresos_propios"]) in text
    else:  # the diagnosis shows the history: own-source revenue of the last observed year
        assert quetzales(wide.at[2019, "ingresos_propios"]) in text
    assert NAMES[municipio] in text


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

    html = paths["html"].read_text(encoding="utf-8")
    assert name in html and "Informe financiero al Concejo Municipal" in html
    assert "nb.load_run" not in html and "jp-CodeMirrorEditor" not in html and "In&nbsp;[" not in html
    assert not re.search(r"require(\.min)?\.js|mathjax", html, re.I)
    assert not re.search(r"<script|<link\b|(src|href)\s*=\s*[\"']?https?:", html, re.I)
    assert "@page" in html and "A4" in html
    assert "tendencia.contraccion" in html  # the annex lists the scenario's changes

    from pypdf import PdfReader

    reader = PdfReader(paths["pdf"])
    assert len(reader.pages) >= 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    if shutil.which("pdftotext"):
        text += subprocess.run(["pdftotext", "-layout", str(paths["pdf"]), "-"], capture_output=True,
                               text=True, check=True).stdout
    assert name in text
    assert re.search(r"Q \d{1,3}(,\d{3})*\.\d{2}", text)

    from openpyxl import load_workbook

    assert load_workbook(paths["xlsx"], read_only=True).sheetnames == ["Proyección", "Historia", "Calidad",
                                                                        "Supuestos"]


# --- fast checks -----------------------------------------------------------------------------

def test_summary_sentences_and_annex():
    r = run("0901", "optimista")
    sentences = summary.executive_summary(r)
    own = r.wide("0901")["ingresos_propios"]
    assert sentences[0].startswith(f"Los ingresos propios de Quetzaltenango pasarían de {quetzales(own[2019])} "
                                   f"en 2019 a {quetzales(own[2029])} en 2029 (")
    assert any(s.startswith("La autonomía financiera") for s in sentences)
    assert any("diagnóstico de calidad" in s for s in sentences)
    annex = summary.assumptions_annex(r)
    assert set(annex["Clave"]) == {k for k in r.params.changes_from_defaults() if k != "descripcion"}
    assert annex["Fuente"].str.len().gt(0).all() and annex["Capa"].str.contains("optimista").all()


def test_unknown_format_and_missing_chromium(monkeypatch, tmp_path):
    with pytest.raises(NexosError, match="formato no admitido: docx"):
        render.render_report("0901", formats="html,docx", out_dir=tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("NEXOS_CHROMIUM", raising=False)
    with pytest.raises(NexosError, match="instale chromium con scripts/install-system.sh"):
        render.render_report("0901", formats="pdf", out_dir=tmp_path)


def test_reporte_command_flags():
    parser = argparse.ArgumentParser(prog="nexos")
    add_reporte_command(parser.add_subparsers(dest="comando"))
    args = parser.parse_args(["reporte", "--municipio", "0901", "--salida", "x",
                              "--set", "tendencia.contraccion=0.3"])
    assert (args.escenario, args.formato, args.set) == ("base", "html,pdf,xlsx", ["tendencia.contraccion=0.3"])
    assert callable(args.func)
