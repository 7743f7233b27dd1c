"""The app's downloads hold the settings on screen and say so: names, cover, first sheet."""

from __future__ import annotations

import base64
import re

import pytest

from nexos_model import run


@pytest.mark.slow
def test_report_export_names_the_adjusted_scenario_and_lists_its_adjustments():
    from nexos_model.app.exports import report_file

    name, content = report_file("html", "1301", "base", {"tendencia.contraccion": 0.3}, "Escenario base + 1 ajuste")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content.decode("utf-8")))
    assert name == "reporte_1301_escenario_base_1_ajuste.html" and "Huehuetenango" in text
    assert "Escenario Escenario base + 1 ajuste" in text  # the cover's «Escenario» line
    assert "Decisiones y ajustes de esta versión" in text
    assert "Tendencia, peso del crecimiento nacional en la tendencia: 30 %" in text
    assert "Proyectado: Escenario base + 1 ajuste" in text  # the chart's legend
    # the report's annex still lists the key, as set by the in-memory layer
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
    book = openpyxl.load_workbook(tmp_path / name, read_only=True)
    cover = dict(list(book.worksheets[0].values)[1:])
    assert book.sheetnames[0] == "Escenario" and cover["Escenario"] == "Optimista + 1 ajuste"
    assert cover["Ajuste 1"] == "Tendencia, peso del crecimiento nacional en la tendencia: 30 %"
    rows = list(book["Proyección"].values)
    header = [str(h) for h in rows[0]]
    column = header.index("Ingresos propios")
    wide = run("1301", "optimista", {"tendencia.contraccion": 0.3}).wide("1301")
    assert rows[-1][column] == pytest.approx(wide["ingresos_propios"].iloc[-1], abs=0.01)
