"""The app's downloads hold the settings on screen."""

from __future__ import annotations

import base64
import re

import pytest

from nexos_model import run


@pytest.mark.slow
def test_report_export_uses_the_current_settings():
    from nexos_model.app.exports import report_file

    name, content = report_file("html", "1301", "base", {"tendencia.contraccion": 0.3})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content.decode("utf-8")))
    assert name == "reporte_1301_base.html" and "Huehuetenango" in text
    # the report's annex lists the app's adjustment, as set by the in-memory layer
    assert re.search(r"tendencia\.contraccion [^|]*? 0\.3 [^|]*?ajustes", text)


def test_excel_export_holds_the_current_settings(tmp_path):
    import openpyxl

    from nexos_model.app.exports import download_link, report_file

    name, content = report_file("xlsx", "1301", "optimista", {"tendencia.contraccion": 0.3})
    assert name == "proyeccion_1301_optimista.xlsx"
    link = download_link(name, content, "xlsx")
    data = base64.b64decode(re.search(r"base64,([^']+)'", link).group(1))
    assert data == content and f"download='{name}'" in link
    (tmp_path / name).write_bytes(content)
    sheet = openpyxl.load_workbook(tmp_path / name, read_only=True).worksheets[0]
    rows = list(sheet.values)
    header = [str(h) for h in rows[0]]
    column = header.index("Ingresos propios")
    wide = run("1301", "optimista", {"tendencia.contraccion": 0.3}).wide("1301")
    last = rows[-1]
    assert last[column] == pytest.approx(wide["ingresos_propios"].iloc[-1], abs=0.01)
