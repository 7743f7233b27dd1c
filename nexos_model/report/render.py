"""Council reports: execute a workbook (Papermill), render HTML (nbconvert), print PDF (Chromium).

``render_report`` ties them together for one municipality and scenario and writes, into one
folder, ``workbook.ipynb``, ``reporte.html``, ``reporte.pdf`` and ``proyeccion.xlsx`` (the names
the batch runner uses). Every file is written atomically (temporary file + rename).

- HTML is rendered in-process with the ``nexos_reporte`` template of the project's
  ``templates/`` folder: no code, no prompts, no scripts, no remote URL (works offline).
- PDF: headless Debian ``chromium`` prints the HTML (A4 comes from the template's CSS
  ``@page``). Install it with ``scripts/install-system.sh``; ``$NEXOS_CHROMIUM`` overrides the
  executable.
"""

from __future__ import annotations

import copy
import math
import os
import re
import shutil
import subprocess
import tempfile
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from nexos_model.errors import NexosError
from nexos_model.io.writers import atomic_path, write_text

if TYPE_CHECKING:
    import nbformat

    from nexos_model.report.svg import Chart

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = ROOT / "templates"
TEMPLATE_NAME = "nexos_reporte"
WORKBOOKS_DIR = ROOT / "workbooks"
REPORT_WORKBOOK = WORKBOOKS_DIR / "reporte_concejo.ipynb"
KERNEL = "python3"
FORMATS = ("html", "pdf", "xlsx")
#: File name of each output inside the report folder (the batch runner's layout).
FILE_NAMES = {"ipynb": "workbook.ipynb", "html": "reporte.html", "pdf": "reporte.pdf",
              "xlsx": "proyeccion.xlsx"}

__all__ = ["FILE_NAMES", "FORMATS", "chromium_path", "execute_workbook", "execution_error", "html_to_pdf",
           "parse_formats", "render_report", "to_html", "write_chart", "CHART_FORMATS"]


# --- execute -------------------------------------------------------------------------------

def _stop_message(exc: Exception) -> str | None:
    """The Spanish message of a workbook stopped by ``notebook.load_run`` (else None)."""
    if getattr(exc, "ename", "") == "ReportStopped":
        return str(getattr(exc, "evalue", "")) or None
    return None


def execution_error(exc: Exception, workbook: Path, failed: Path) -> NexosError:
    """The Spanish error of a workbook Papermill stopped (the failed notebook is at ``failed``).

    A user error (unknown municipality or scenario, bad parameter) gives the workbook's own
    Spanish message; any other failure names the cell and its exception.
    """
    message = _stop_message(exc)
    if message:
        return NexosError(message.splitlines())
    return NexosError(f"{workbook.name}: falló la celda {getattr(exc, 'exec_count', '?')} "
                      f"({getattr(exc, 'ename', type(exc).__name__)}: {getattr(exc, 'evalue', exc)}); "
                      f"ver {failed}")


def execute_workbook(path: str | os.PathLike[str], params: Mapping[str, Any],
                     out_ipynb: str | os.PathLike[str], kernel_name: str = KERNEL) -> Path:
    """Run the workbook ``path`` with Papermill, injecting ``params``; write it to ``out_ipynb``.

    The executed notebook replaces ``out_ipynb`` only when every cell ran. When a cell fails,
    the executed notebook (with the error) goes to ``<name>.fallido.ipynb`` next to it and a
    ``NexosError`` says why: the workbook's own Spanish message for a user error (unknown
    municipality or scenario, bad parameter), or the failing cell otherwise.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from nexos_model.batch.kernel import local_kernel_manager_class

    path, out = Path(path), Path(out_ipynb)
    if not path.is_file():
        raise NexosError(f"{path}: el cuaderno no existe")
    with atomic_path(out, keep_suffix=True) as tmp:  # Papermill picks its writer by extension
        try:
            papermill.execute_notebook(str(path), str(tmp), parameters=dict(params), kernel_name=kernel_name,
                                       progress_bar=False, cwd=str(path.parent),
                                       kernel_manager_class=local_kernel_manager_class())
        except PapermillExecutionError as exc:
            failed = out.with_name(f"{out.stem}.fallido.ipynb")
            if tmp.exists():
                os.replace(tmp, failed)
            raise execution_error(exc, path, failed) from None
    return out


# --- HTML ----------------------------------------------------------------------------------

def _report_exporter_class():
    """nbconvert's ``HTMLExporter`` without its final BeautifulSoup pass.

    That pass re-parses the whole page to add alt text to ``<img>`` and ``tabindex`` to lab
    input cells; the report has neither (figures are inline SVG, inputs are excluded), so it
    only re-serialized the same document, and it took about 90 % of the export (0.43 s of
    0.47 s CPU for a 350 KB report), which a batch of 340 reports pays 340 times.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportHTMLExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            # Headings come out with non-ASCII letters as references (``inversi&#243;n``); write
            # them as the UTF-8 text they are, as the BeautifulSoup pass did.
            return _NON_ASCII_REFERENCE.sub(_character, html), resources

    return ReportHTMLExporter


_NON_ASCII_REFERENCE = re.compile(r"&#(x[0-9a-fA-F]+|[0-9]+);")


def _character(match: "re.Match[str]") -> str:
    """A numeric character reference as its character, unless ASCII (``&#60;`` must stay escaped)."""
    text = match[1]
    code = int(text[1:], 16) if text[0] in "xX" else int(text)
    return chr(code) if 127 < code <= 0x10FFFF else match[0]


@lru_cache(maxsize=1)
def _exporter():
    """One HTML exporter per process (the first export compiles the template: ~0.4 s; then ~0.04 s)."""
    return _report_exporter_class()(
        template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        embed_images=True, sanitize_html=False)


def _move_cover(nb: "nbformat.NotebookNode") -> None:
    """Move the cover facts the workbook displayed into ``metadata.nexos.portada`` for the template."""
    from nexos_model.report.notebook import COVER_MIMETYPE

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if COVER_MIMETYPE in data:
                nb.metadata.setdefault("nexos", {})["portada"] = dict(data[COVER_MIMETYPE])
                cell.outputs = [o for o in cell.outputs if o is not output]
                return


def to_html(nb_or_path: "nbformat.NotebookNode | str | os.PathLike[str]") -> str:
    """The executed notebook as a self-contained HTML report (cover, no code, A4 print CSS)."""
    import nbformat

    if isinstance(nb_or_path, (str, os.PathLike)):
        nb = nbformat.read(str(nb_or_path), as_version=4)
    else:
        nb = copy.deepcopy(nb_or_path)
    # Papermill's own cells (injected parameters, error banner) are not part of the report.
    nb.cells = [c for c in nb.cells if not {"injected-parameters", "papermill-error-cell-tag"}
                & set(c.get("metadata", {}).get("tags", []))]
    _move_cover(nb)
    html, _ = _exporter().from_notebook_node(nb)
    return html


# --- PDF -----------------------------------------------------------------------------------

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
                                  stdin=subprocess.DEVNULL)
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


def write_chart(chart: "Chart", path: str | os.PathLike[str]) -> Path:
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


# --- the report ----------------------------------------------------------------------------

def parse_formats(formats: Iterable[str] | str) -> list[str]:
    """``"html,pdf"`` or a list -> the chosen formats, checked against :data:`FORMATS`, in order."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = [f.strip().lower().lstrip(".") for f in items if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise NexosError(f"formato no admitido: {', '.join(unknown) or '(ninguno)'} "
                         f"(se esperaba uno o varios de: {', '.join(FORMATS)})")
    return list(dict.fromkeys(chosen))


def render_report(municipio: str, escenario: str = "base", formats: Iterable[str] | str = FORMATS,
                  out_dir: str | os.PathLike[str] = "salida", overrides: Mapping[str, Any] | None = None,
                  workbook: str | os.PathLike[str] = REPORT_WORKBOOK) -> dict[str, Path]:
    """The council report of one municipality and scenario, in ``out_dir``: ``{format: path}``.

    ``html`` and ``pdf`` execute the workbook (kept as ``workbook.ipynb``, key ``ipynb``);
    ``xlsx`` writes the projection (years × concepts), history, data-quality findings and the
    assumptions annex, one sheet each. User errors raise ``NexosError`` in Spanish.
    """
    chosen = parse_formats(formats)
    out = Path(out_dir)
    if "pdf" in chosen:
        chromium_path()  # fail before the slow part
    paths: dict[str, Path] = {}
    if "xlsx" in chosen:
        from nexos_model.api import run
        from nexos_model.io.writers import write_tables
        from nexos_model.report.summary import excel_tables

        result = run(municipio, escenario, overrides or None)
        sheets, money = excel_tables(result)
        paths["xlsx"] = write_tables(sheets, out / FILE_NAMES["xlsx"], money_columns=money)
    if {"html", "pdf"} & set(chosen):
        params = {"municipio": municipio, "escenario": escenario, "overrides": dict(overrides or {})}
        paths["ipynb"] = execute_workbook(workbook, params, out / FILE_NAMES["ipynb"])
        html = to_html(paths["ipynb"])
        html_path = out / FILE_NAMES["html"]
        if "html" in chosen:
            paths["html"] = write_text(html, html_path)
        if "pdf" in chosen:
            if "html" in chosen:
                paths["pdf"] = html_to_pdf(html_path, out / FILE_NAMES["pdf"])
            else:
                with tempfile.TemporaryDirectory(prefix="nexos-html-") as tmp:
                    page = write_text(html, Path(tmp) / FILE_NAMES["html"])
                    paths["pdf"] = html_to_pdf(page, out / FILE_NAMES["pdf"])
    return {k: paths[k] for k in ("ipynb", *FORMATS) if k in paths}
