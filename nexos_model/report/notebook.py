"""One-line helpers for the workbooks: load a run, show the cover, sentences, tables and charts.

Workbook cells hold no logic: they call these. Each ``show_*`` returns an object that Jupyter
displays as HTML (for the report) with a plain-text twin (for logs and tests). A user error
(unknown municipality, bad parameter) stops the notebook with the Spanish message only, no
traceback: see :func:`load_run`.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from nexos_model.api import RunResult

#: Mimetype of the cover facts; ``render.to_html`` moves them to the template's cover page.
COVER_MIMETYPE = "application/vnd.nexos.portada+json"

__all__ = ["COVER_MIMETYPE", "ReportStopped", "load_run", "show_cover", "show_figure",
           "show_sentences", "show_table"]


class ReportStopped(Exception):
    """Stops a workbook on a user error; IPython shows only the Spanish message."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))

    def _render_traceback_(self) -> list[str]:  # IPython: use these lines instead of a traceback
        return [f"Error: {m}" for m in self.messages]


class _Shown:
    """A display object: HTML for notebooks and reports, plain text for everything else."""

    def __init__(self, html: str, text: str, extra: Mapping[str, Any] | None = None):
        self.html, self.text, self.extra = html, text, dict(extra or {})

    def _repr_html_(self) -> str:
        return self.html

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {"text/html": self.html, "text/plain": self.text, **self.extra}

    def __repr__(self) -> str:
        return self.text


def load_run(municipio: str, escenario: str, overrides: Mapping[str, Any] | None = None) -> "RunResult":
    """``nexos_model.run`` for one municipality; a user error stops the notebook in Spanish."""
    from nexos_model.api import run
    from nexos_model.errors import NexosError

    try:
        return run(municipio, escenario, overrides or None)
    except NexosError as exc:
        raise ReportStopped(exc.messages) from None


def show_cover(result: "RunResult", municipio: str | None = None) -> _Shown:
    """The cover facts (municipality, scenario, date, data years, version, parameter hash)."""
    from nexos_model.report.summary import cover

    facts = cover(result, municipio)
    lines = [
        f"{facts['nombre']}, {facts['departamento']} (código INE {facts['municipio']})",
        f"Escenario: {facts['escenario']}: {facts['descripcion']}",
        f"Datos observados {facts['anios_datos']}; proyección {facts['anios_proyeccion']}",
        f"Generado el {facts['fecha']} con Nexos {facts['version']}; parámetros {facts['parametros']}",
    ]
    html = "<div class='nexos-datos'>" + "".join(f"<p>{escape(x)}</p>" for x in lines) + "</div>"
    return _Shown(html, "\n".join(lines), {COVER_MIMETYPE: facts})


def show_sentences(sentences: list[str]) -> _Shown:
    """Sentences as a bulleted list."""
    html = "<ul class='nexos-frases'>" + "".join(f"<li>{escape(s)}</li>" for s in sentences) + "</ul>"
    return _Shown(html, "\n".join(f"- {s}" for s in sentences))


def show_table(table: "pd.DataFrame", empty: str = "Sin datos que mostrar.") -> _Shown:
    """A table of text cells (from ``summary``), without the row index."""
    if table.empty:
        return _Shown(f"<p class='nexos-vacio'>{escape(empty)}</p>", empty)
    html = table.to_html(index=False, border=0, classes="nexos-tabla", escape=True)
    return _Shown(html, table.to_string(index=False))


def show_figure(fig: "Figure", caption: str = "") -> _Shown:
    """A matplotlib figure as inline SVG (sharp in print), with an optional caption."""
    from nexos_model.report.figures import to_svg

    svg = to_svg(fig)
    svg = svg[svg.find("<svg"):]  # drop the XML prolog and DOCTYPE: inline in HTML
    title = fig.axes[0].get_title() if fig.axes else ""
    cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return _Shown(f"<figure class='nexos-grafico'>{svg}{cap}</figure>", f"[gráfico: {caption or title}]")
