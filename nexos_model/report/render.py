"""Council reports: execute a workbook (Papermill), render HTML (nbconvert), print PDF (Chromium).

``render_report`` ties them together for one municipality and scenario and writes, into one
folder, ``workbook.ipynb``, ``reporte.html``, ``reporte.pdf`` and ``proyeccion.xlsx`` (the names
the batch runner uses). Every file is written atomically (temporary file + rename).

- HTML is rendered in-process with the packaged ``nexos_reporte`` template
  (:data:`nexos_model.io.bundled.TEMPLATES_DIR`): no code, no prompts, no scripts, no remote URL
  (works offline).
- PDF: :mod:`nexos_model.report.chromium` prints the HTML.

Papermill, nbconvert, nbformat and jupyter_client (the ``notebooks`` extra) are imported when a
workbook runs or a page is rendered, not when this module is imported: together they take
about 1.2 s, which the app and ``nexos app`` would otherwise pay at start for a download they
may never ask for.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from nexos_model.api import run
from nexos_model.errors import NexosError
from nexos_model.io.bundled import TEMPLATES_DIR, WORKBOOKS_DIR
from nexos_model.io.files import atomic_files, atomic_path, write_text
from nexos_model.io.store import pin_store_dir
from nexos_model.io.writers import write_tables
from nexos_model.params.loader import load_parameters
from nexos_model.report.chromium import chromium_path, html_to_pdf
from nexos_model.report.summary import excel_tables

if TYPE_CHECKING:
    import nbformat

TEMPLATE_NAME = "nexos_reporte"
REPORT_WORKBOOK = WORKBOOKS_DIR / "reporte_concejo.ipynb"
KERNEL = "python3"
FORMATS = ("html", "pdf", "xlsx")
#: File name of each output inside the report folder (the batch runner's layout).
#: Mimetype of the cover facts a workbook shows (``notebook.show_cover``); :func:`to_html` moves them
#: to the template's cover page.
COVER_MIMETYPE = "application/vnd.nexos.portada+json"
FILE_NAMES = {"ipynb": "workbook.ipynb", "html": "reporte.html", "pdf": "reporte.pdf",
              "xlsx": "proyeccion.xlsx"}

__all__ = ["FILE_NAMES", "FORMATS", "execute_workbook", "execution_error", "local_kernel_manager_class",
           "parse_formats", "render_report", "to_html"]


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


@lru_cache(maxsize=None)
def local_kernel_manager_class() -> type:
    """jupyter_client's ``AsyncKernelManager`` on local IPC sockets in a private temporary folder
    (removed at shutdown): no kernel listens on the network, and none warns at every start
    that its TCP ports are unencrypted. Papermill takes it as ``kernel_manager_class``."""
    from jupyter_client.manager import AsyncKernelManager  # lazy: optional dependency, only when a kernel starts

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any):
            self.sockets = tempfile.mkdtemp(prefix="nexos-kernel-")
            super().__init__(transport="ipc", ip=os.path.join(self.sockets, "kernel"), **kwargs)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(self.sockets, ignore_errors=True)

    return LocalKernelManager


def execute_workbook(path: str | os.PathLike[str], params: Mapping[str, Any],
                     out_ipynb: str | os.PathLike[str], kernel_name: str = KERNEL,
                     failed_to: str | os.PathLike[str] | None = None) -> Path:
    """Run the workbook ``path`` with Papermill, injecting ``params``; write it to ``out_ipynb``.

    The executed notebook replaces ``out_ipynb`` only when every cell ran. When a cell fails,
    the executed notebook (with the error) goes to ``failed_to`` (by default
    ``<name>.fallido.ipynb`` next to it) and a ``NexosError`` says why: the workbook's own
    Spanish message for a user error (unknown municipality or scenario, bad parameter), or the
    failing cell otherwise.
    """
    import papermill  # lazy: optional heavy dependency (~0.4 s), only when a workbook runs
    from papermill.exceptions import PapermillExecutionError  # lazy: as papermill

    path, out = Path(path), Path(out_ipynb)
    if not path.is_file():
        raise NexosError(f"{path}: el cuaderno no existe")
    pin_store_dir()  # the kernel runs in the workbook's folder: it must find the user's datos/
    with atomic_path(out, keep_suffix=True) as tmp:  # Papermill picks its writer by extension
        try:
            papermill.execute_notebook(str(path), str(tmp), parameters=dict(params), kernel_name=kernel_name,
                                       progress_bar=False, cwd=str(path.parent),
                                       kernel_manager_class=local_kernel_manager_class())
        except PapermillExecutionError as exc:
            failed = Path(failed_to) if failed_to else out.with_name(f"{out.stem}.fallido.ipynb")
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
    from nbconvert import HTMLExporter  # lazy: optional heavy dependency (~0.6 s), only when a page renders
    from nbconvert.exporters.templateexporter import TemplateExporter  # lazy: as nbconvert
    from nbconvert.filters.highlight import Highlight2HTML  # lazy: as nbconvert
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter  # lazy: as nbconvert

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
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if COVER_MIMETYPE in data:
                nb.metadata.setdefault("nexos", {})["portada"] = dict(data[COVER_MIMETYPE])
                cell.outputs = [o for o in cell.outputs if o is not output]
                return


def to_html(nb_or_path: "nbformat.NotebookNode | str | os.PathLike[str]") -> str:
    """The executed notebook as a self-contained HTML report (cover, no code, A4 print CSS)."""
    import nbformat  # lazy: optional dependency, only when a page renders

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
    load_parameters(municipio, escenario, overrides or None)  # a wrong scenario or --set: now, not in the kernel
    kinds = (["ipynb"] if {"html", "pdf"} & set(chosen) else []) + chosen
    paths = {kind: out / FILE_NAMES[kind] for kind in kinds}
    with atomic_files(paths.values()) as staged:  # the report's files are one set: all new, or all as before
        here = {kind: staged[path] for kind, path in paths.items()}
        if "xlsx" in chosen:
            result = run(municipio, escenario, overrides or None)
            sheets, money = excel_tables(result)
            write_tables(sheets, here["xlsx"], money_columns=money)
        if "ipynb" in here:
            params = {"municipio": municipio, "escenario": escenario, "overrides": dict(overrides or {})}
            execute_workbook(workbook, params, here["ipynb"],
                             failed_to=out / f"{Path(FILE_NAMES['ipynb']).stem}.fallido.ipynb")
            html = to_html(here["ipynb"])
            if "html" in chosen:
                write_text(html, here["html"])
            if "pdf" in chosen:
                if "html" in chosen:
                    html_to_pdf(here["html"], here["pdf"])
                else:
                    with tempfile.TemporaryDirectory(prefix="nexos-html-") as tmp:
                        html_to_pdf(write_text(html, Path(tmp) / FILE_NAMES["html"]), here["pdf"])
    return {k: paths[k] for k in ("ipynb", *FORMATS) if k in paths}
