"""Headless Chromium: an HTML report printed to PDF, a chart alone in a file (SVG, PDF, PNG).

Debian's ``chromium`` (``scripts/install-system.sh``; ``$NEXOS_CHROMIUM`` overrides the
executable) opens the HTML file and prints it; A4 comes from the page's CSS ``@page``. Every
file is written atomically (temporary file + rename).
"""

from __future__ import annotations

import math
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from html import escape
from pathlib import Path

from nexos_model.errors import NexosError
from nexos_model.io.files import atomic_path, write_text
from nexos_model.report.svg import Chart


def chromium_path() -> str:
    """The Chromium executable (``$NEXOS_CHROMIUM``, ``chromium``, ``chromium-browser``), or a Spanish error."""
    candidates = [os.environ.get("NEXOS_CHROMIUM"), "chromium", "chromium-browser"]
    for name in filter(None, candidates):
        found = shutil.which(name)
        if found:
            return found
    raise NexosError("no se encontró chromium para generar el PDF: instale chromium con "
                     "scripts/install-system.sh (o indique su ruta en NEXOS_CHROMIUM)")


def _chromium(html_path: str | os.PathLike[str], target: str | os.PathLike[str], output_flag: str,
              extra: Iterable[str] = (), timeout: float = 120) -> Path:
    """Headless Chromium opens the HTML file and writes ``target`` atomically through
    ``output_flag`` (``--print-to-pdf`` or ``--screenshot``)."""
    browser = chromium_path()
    html_path, target = Path(html_path).resolve(), Path(target)
    if not html_path.is_file():
        raise NexosError(f"{html_path}: el archivo HTML no existe")
    with tempfile.TemporaryDirectory(prefix="nexos-chromium-") as profile, \
            atomic_path(target, keep_suffix=True) as tmp:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--no-first-run", "--disable-extensions", f"--user-data-dir={profile}", *extra,
                   f"{output_flag}={tmp.resolve()}", html_path.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)  # judged by the file it writes
        except subprocess.TimeoutExpired:
            raise NexosError(f"chromium no terminó {target.name} en {timeout:g} s") from None
        if not tmp.exists() or tmp.stat().st_size == 0:
            detail = (done.stderr or "").strip().splitlines()[-1:] or [f"código {done.returncode}"]
            raise NexosError(f"chromium no pudo generar {target.name}: {detail[0]}")
    return target


def html_to_pdf(html_path: str | os.PathLike[str], pdf_path: str | os.PathLike[str],
                timeout: float = 120) -> Path:
    """Print an HTML file to PDF with headless Chromium (page size from the CSS ``@page``)."""
    return _chromium(html_path, pdf_path, "--print-to-pdf", ["--no-pdf-header-footer"], timeout)


#: Extensions ``write_chart`` writes.
CHART_FORMATS = (".svg", ".pdf", ".png")


def write_chart(chart: Chart, path: str | os.PathLike[str]) -> Path:
    """A chart alone in a file: ``.svg`` as drawn; ``.pdf`` (landscape A4) and ``.png`` (twice
    the chart's size, for slides and documents) made by Chromium from the same SVG."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CHART_FORMATS:
        raise NexosError(f"{path}: extensión no admitida para un gráfico (se esperaba {', '.join(CHART_FORMATS)})")
    if suffix == ".svg":
        return write_text(chart.svg, path)
    style = ("@page { size: A4 landscape; margin: 12mm } svg { width: 100%; height: auto }" if suffix == ".pdf"
             else "body { margin: 0 } svg { display: block }")
    page = (f"<!DOCTYPE html><html lang='es'><head><meta charset='utf-8'><title>{escape(chart.title)}</title>"
            f"<style>{style}</style></head><body>{chart.svg}</body></html>")
    with tempfile.TemporaryDirectory(prefix="nexos-grafico-") as folder:
        html = write_text(page, Path(folder) / "grafico.html")
        if suffix == ".pdf":
            return html_to_pdf(html, path)
        size = f"--window-size={math.ceil(chart.width)},{math.ceil(chart.height)}"
        return _chromium(html, path, "--screenshot", [size, "--force-device-scale-factor=2", "--hide-scrollbars"])


__all__ = ["CHART_FORMATS", "chromium_path", "html_to_pdf", "write_chart"]
