"""One-line helpers for the workbooks: load a run, a plan or a comparison, show the cover,
sentences, tables and charts.

Workbook cells hold no logic: they call these. Each ``show_*`` returns an object that Jupyter
displays as HTML (for the report) with a plain-text twin (for logs and tests). A user error
(unknown municipality or scenario, bad parameter, a portfolio the plan cannot fund) stops the
notebook with the Spanish message only, no traceback: see :func:`load_run`.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from nexos_model.analyses.comparison import Comparison, compare
from nexos_model.analyses.sensitivity import tornado_for
from nexos_model.api import RunResult, plan_for_run, run
from nexos_model.errors import NexosError
from nexos_model.investment.plan import InvestmentPlan
from nexos_model.report.render import COVER_MIMETYPE
from nexos_model.report.summary import cover
from nexos_model.report.svg import Chart

__all__ = ["ReportStopped", "load_comparison", "load_plan", "load_run", "load_tornado",
           "show", "show_cover", "show_figure", "show_heading", "show_sentences", "show_table"]

#: A table wider than this many characters (about the width of A4 at 8.5 pt) is set smaller.
WIDE_TABLE = 100


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


def _stop_on_user_error(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``; a ``NexosError`` becomes :class:`ReportStopped` (Spanish, no traceback)."""
    try:
        return call(*args, **kwargs)
    except NexosError as exc:
        raise ReportStopped(exc.messages) from None


def load_run(municipio: str | int, escenario: str, overrides: Mapping[str, Any] | None = None,
             simulaciones: int = 0, semilla: int | None = None) -> RunResult:
    """``nexos_model.run`` for one municipality; a user error stops the notebook in Spanish.

    ``simulaciones > 0`` adds the Monte Carlo percentiles and event probabilities, drawn with
    the seed ``semilla`` (None: the model's default seed); 0 is the deterministic run alone.
    """
    seed = {} if semilla is None else {"semilla": semilla}
    return _stop_on_user_error(run, municipio, escenario, overrides or None, simulaciones=simulaciones, **seed)


def load_plan(result: RunResult, municipio: str | int | None = None, cartera: str | None = None) -> InvestmentPlan:
    """The investment plan on a run's fiscal space: the one ``run(planificar=True)`` made, or
    :func:`nexos_model.api.plan_for_run` with the portfolio ``cartera`` (default ``params/carteras/<código>``,
    else an illustrative one). A portfolio that cannot be read or funded stops the notebook
    with the Spanish reason."""
    code = _stop_on_user_error(result.code, municipio)
    made = getattr(result, "plans", {}).get(code)
    if made is not None and not cartera:
        return made
    return _stop_on_user_error(plan_for_run, result, code, cartera or None)


def load_comparison(municipio: str | int, escenarios: Sequence[str], overrides: Mapping[str, Any] | None = None) -> Comparison:
    """The scenarios side by side (:func:`nexos_model.analyses.comparison.compare`): outcomes and changes."""
    return _stop_on_user_error(compare, municipio, list(escenarios), overrides or None)


def load_tornado(municipio: str | int, escenario: str, resultado: str = "ingresos_propios", anio: int | None = None,
                 overrides: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity of one outcome in one year (default: the last projected):
    ``tornado_for``'s table (widest swing first)."""
    return _stop_on_user_error(tornado_for, municipio, escenario, resultado, anio, overrides or None)


def show_cover(result: RunResult, municipio: str | None = None) -> _Shown:
    """The cover facts (municipality, scenario, date, data years, version, parameter hash)."""
    facts = cover(result, municipio)
    lines = [
        f"{facts['nombre']}, {facts['departamento']} (código INE {facts['municipio']})",
        f"Escenario: {facts['escenario']}: {facts['descripcion']}",
        f"Presupuesto que se prepara: {facts['anio_presupuesto']}; datos observados {facts['anios_datos']}; "
        f"años estimados {facts['anios_estimados']}; proyección {facts['anios_proyeccion']}",
        f"Generado el {facts['fecha']} con Nexos {facts['version']}; parámetros y datos {facts['parametros']}",
        *(f"Ajuste: {a}" for a in facts["ajustes"]),
        *facts["antiguedad_datos"],
    ]
    html = "<div class='nexos-datos'>" + "".join(f"<p>{escape(x)}</p>" for x in lines) + "</div>"
    return _Shown(html, "\n".join(lines), {COVER_MIMETYPE: facts})


#: ``Q 1,234.00`` and ``12.3 %`` never break across lines.
_UNIT_SPACE = re.compile(r"(?<=Q) (?=[\d])|(?<=\d) (?=%)")
#: A long word without spaces (a parameter key): it may break after its dots and underscores.
_LONG_WORD = re.compile(r"[^\s]{22,}")


def _html_text(text: str) -> str:
    """Escaped text with non-breaking spaces inside amounts and percentages, and break
    opportunities (``<wbr>``) inside long keys such as ``tendencia.crecimiento_minimo``."""
    html = _UNIT_SPACE.sub("&nbsp;", escape(text))
    return _LONG_WORD.sub(lambda m: re.sub(r"([._])(?=[^\W\d_])", r"\1<wbr>", m.group(0)), html)


def show_heading(text: str, level: int = 3) -> _Shown:
    """A section title computed by the workbook (e.g. ``Plan Operativo Anual 2027``)."""
    return _Shown(f"<h{level}>{escape(text)}</h{level}>", text)


def show_sentences(sentences: list[str], empty: str = "") -> _Shown:
    """Sentences as a bulleted list (``empty`` in their place when there are none)."""
    if not sentences:
        return _Shown(f"<p class='nexos-vacio'>{escape(empty)}</p>" if empty else "", empty)
    html = "<ul class='nexos-frases'>" + "".join(f"<li>{_html_text(s)}</li>" for s in sentences) + "</ul>"
    return _Shown(html, "\n".join(f"- {s}" for s in sentences))


#: A cell that reads as a number: an amount, a percentage, a count, a year, a missing value.
_NUMBER = re.compile(r"^(-?Q [\d,]+(\.\d+)?|-?[\d,]+(\.\d+)?( %)?|—)$")
#: Running text longer than this wraps and widens no table.
_LONG = 32


def _cell_class(value: str, numeric: bool) -> str:
    """``nexos-cumple``/``nexos-falla`` for a rule's mark (✓ / ✗: green or red on screen, the
    mark itself reads in grey print), else ``nexos-num`` or ``nexos-txt`` by column."""
    if value.startswith("✓"):
        return "nexos-cumple"
    if value.startswith("✗"):
        return "nexos-falla"
    return "nexos-num" if numeric else "nexos-txt"


def _width(table: "pd.DataFrame") -> int:
    """Characters a table needs: each column's longest cell or header (running text wraps,
    so at most ``_LONG``), plus padding."""
    return sum(min(max([len(str(c))] + [len(str(v)) for v in table[c]]), _LONG) + 2 for c in table.columns)


def show_table(table: "pd.DataFrame", empty: str = "Sin datos que mostrar.") -> _Shown:
    """A table of text cells (from ``summary``), without the row index.

    Columns of numbers align right and never wrap; text columns align left and wrap; rule
    marks are coloured; a wide table gets a smaller type so it fits the A4 page.
    """
    if table.empty:
        return _Shown(f"<p class='nexos-vacio'>{escape(empty)}</p>", empty)
    cells = table.astype(str)
    numeric = [bool(cells[c].map(lambda v: bool(_NUMBER.match(v))).all()) for c in cells.columns]
    css = "nexos-tabla" + (" nexos-ancha" if _width(cells) > WIDE_TABLE else "")
    head = "".join(f"<th class='{'nexos-num' if n else 'nexos-txt'}'>{escape(str(c))}</th>"
                   for c, n in zip(cells.columns, numeric))
    body = "".join("<tr>" + "".join(f"<td class='{_cell_class(v, n)}'>{_html_text(v)}</td>"
                                    for v, n in zip(row, numeric)) + "</tr>"
                   for row in cells.itertuples(index=False))
    html = f"<table class='{css}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return _Shown(html, table.to_string(index=False))


def show_figure(chart: Chart, caption: str = "") -> _Shown:
    """A chart (``figures``) as inline SVG (sharp in print), with an optional caption."""
    return _Shown(chart.html(caption), f"[gráfico: {caption or chart.title}]")


def show(*parts: _Shown) -> _Shown:
    """Several ``show_*`` results as one output, in order: one cell per report section (each
    executed cell costs a kernel round trip, ~10 ms, in a batch of hundreds of reports)."""
    extra: dict[str, Any] = {}
    for part in parts:
        extra.update(part.extra)
    return _Shown("".join(p.html for p in parts), "\n".join(p.text for p in parts if p.text), extra)
