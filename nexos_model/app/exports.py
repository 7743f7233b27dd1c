"""Downloads for the current settings: the council report (HTML, PDF) and the Excel tables.

The files are made by :func:`nexos_model.report.render.render_report` (the same report as
``nexos reporte``), in a temporary folder, and handed to the browser as a link with the file
inside (a ``data:`` URL with ``download``): nothing is left on the server and no file route
needs to be opened in Voilà. Their names carry what the header shows (``reporte_1301_escenario_base_3_ajustes.pdf``);
the report's cover names the same scenario and lists its adjustments in plain words
(``report.summary.cover``).
"""

from __future__ import annotations

import base64
import tempfile
from html import escape
from pathlib import Path
from typing import Any, Mapping

from nexos_model.app.scenarios import label_of
from nexos_model.params.changes import file_label
from nexos_model.report.render import FILE_NAMES, render_report

MIME = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "yaml": "application/x-yaml",
}
LABELS = {"html": "Reporte al Concejo (HTML)", "pdf": "Reporte al Concejo (PDF)", "xlsx": "Tablas (Excel)"}


def file_name(fmt: str, municipio: str, title: str) -> str:
    """``reporte_0901_reforma_catastral_2027.pdf`` (the scenario's title as shown): safe in any
    browser's download folder."""
    stem = Path(FILE_NAMES[fmt]).stem
    return f"{stem}_{municipio}_{file_label(title)}.{fmt}"


def report_file(fmt: str, municipio: str, escenario: str, overrides: Mapping[str, Any],
                title: str | None = None) -> tuple[str, bytes]:
    """One export of the current settings: (file name, content). ``title`` is what the app's header
    shows (default: the scenario's label). User errors raise NexosError."""
    with tempfile.TemporaryDirectory(prefix="nexos-app-") as folder:
        paths = render_report(municipio, escenario, [fmt], folder, overrides=dict(overrides) or None)
        return file_name(fmt, municipio, title or label_of(escenario)), Path(paths[fmt]).read_bytes()


def download_link(name: str, content: bytes, fmt: str) -> str:
    """An HTML link that saves ``content`` as ``name`` when clicked."""
    data = base64.b64encode(content).decode("ascii")
    size = f"{len(content) / 1024:,.0f} KB"
    return (f"<a class='nexos-enlace' download='{escape(name)}' href='data:{MIME[fmt]};base64,{data}'>"
            f"Descargar {escape(name)}</a> <span class='nexos-nota'>({size})</span>")
