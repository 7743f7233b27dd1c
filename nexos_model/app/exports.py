"""Downloads for the current settings: the council report (HTML, PDF) and the Excel tables.

The files are made by :func:`nexos_model.report.render.render_report` (the same report as
``nexos reporte``), in a temporary folder, and handed to the browser as a link with the file
inside (a ``data:`` URL with ``download``): nothing is left on the server and no file route
needs to be opened in Voilà.
"""

from __future__ import annotations

import base64
import re
import tempfile
from html import escape
from pathlib import Path
from typing import Any, Mapping

from nexos_model.report.render import FILE_NAMES, render_report

MIME = {
    "html": "text/html",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "yaml": "application/x-yaml",
}
LABELS = {"html": "Reporte al Concejo (HTML)", "pdf": "Reporte al Concejo (PDF)", "xlsx": "Tablas (Excel)"}


def file_name(fmt: str, municipio: str, escenario: str) -> str:
    """``reporte_0901_usuarios-catastro.html``: safe in any browser's download folder."""
    stem = Path(FILE_NAMES[fmt]).stem
    return f"{stem}_{municipio}_{re.sub(r'[^A-Za-z0-9_-]+', '-', escenario)}.{fmt}"


def report_file(fmt: str, municipio: str, escenario: str, overrides: Mapping[str, Any]) -> tuple[str, bytes]:
    """One export of the current settings: (file name, content). User errors raise NexosError."""
    with tempfile.TemporaryDirectory(prefix="nexos-app-") as folder:
        paths = render_report(municipio, escenario, [fmt], folder, overrides=dict(overrides) or None)
        return file_name(fmt, municipio, escenario), Path(paths[fmt]).read_bytes()


def download_link(name: str, content: bytes, fmt: str) -> str:
    """An HTML link that saves ``content`` as ``name`` when clicked."""
    data = base64.b64encode(content).decode("ascii")
    size = f"{len(content) / 1024:,.0f} KB"
    return (f"<a class='nexos-enlace' download='{escape(name)}' href='data:{MIME[fmt]};base64,{data}'>"
            f"Descargar {escape(name)}</a> <span class='nexos-nota'>({size})</span>")
