"""The schedule (cronograma) of an investment plan as a Gantt chart: Spanish, legible in grey.

One row per programmed project, in start order. Execution is a bar (dark for mandatory
projects, mid grey for the rest, both outlined) labelled with the project's cost; the years
the project then operates inside the plan's projection are a dotted line, because its O&M is
what the plan commits later budgets to. Tone and line style tell things apart, never hue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from nexos_model.investment.portfolio import ILLUSTRATIVE_PREFIX
from nexos_model.report.figures import INK, LIGHT, MID, STYLE
from nexos_model.report.formatting import anio_rango, millones

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from nexos_model.investment.plan import InvestmentPlan

__all__ = ["gantt_chart"]

_WIDTH = 7.2  # inches: the text width of an A4 page with 18 mm margins (figures.SIZE)
_ROW = 0.3  # inches per project
_MAX_LABEL = 48  # characters of a project name


def _label(name: str) -> str:
    name = name.removeprefix(ILLUSTRATIVE_PREFIX)
    return name if len(name) <= _MAX_LABEL else name[: _MAX_LABEL - 1] + "…"


def gantt_chart(plan: "InvestmentPlan", operation_until: int | None = None) -> "Figure":
    """Gantt chart of ``plan.cronograma``.

    ``operation_until``: last year of the dotted O&M line (default: the last year of the
    plan's ``efecto`` table, i.e. the projection).
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    table: pd.DataFrame = plan.cronograma.sort_values(["inicio", "fin", "proyecto"], ignore_index=True)
    years = list(plan.years)
    last = operation_until or (int(plan.efecto["anio"].max()) if len(plan.efecto) else years[-1])
    rows = max(len(table), 1)
    with matplotlib.rc_context({**STYLE, "axes.grid.axis": "x"}):
        fig = Figure(figsize=(_WIDTH, 1.5 + _ROW * rows), layout="constrained")
        ax = fig.add_subplot()
        for i, row in table.iterrows():
            y = rows - 1 - i
            if row["fin"] < last:
                ax.plot([row["fin"] + 0.5, last + 0.5], [y, y], color=MID, linestyle=":", linewidth=1.2)
            face = INK if row["obligatorio"] else LIGHT
            ax.barh(y, row["fin"] - row["inicio"] + 1, left=row["inicio"] - 0.5, height=0.62,
                    color=face, edgecolor=INK, linewidth=0.7)
            text_color = "white" if row["obligatorio"] else INK
            ax.text((row["inicio"] + row["fin"]) / 2, y,
                    millones(row["costo_total"]).removeprefix("Q ").replace(" millones", ""),
                    ha="center", va="center", fontsize=7, color=text_color)
        ax.set_yticks(range(rows), [_label(n) for n in table["proyecto"]][::-1] if len(table) else [""])
        ax.set_xticks(range(years[0], last + 1))
        ax.set_xlim(years[0] - 0.5, last + 0.5)
        ax.set_ylim(-0.7, rows - 0.3)
        ax.axvspan(years[-1] + 0.5, last + 0.5, facecolor="#f0f0f0", linewidth=0, zorder=0)
        ax.tick_params(axis="x", labelrotation=45)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Año (fondo gris: después del plan)")
        title = f"Cronograma de inversión {anio_rango(years[0], years[-1])}"
        if plan.municipio:
            title += f", municipio {plan.municipio}"
        note = "Costo total de cada proyecto en millones de quetzales"
        if plan.ilustrativa:
            note = "Cartera ILUSTRATIVA. " + note
        ax.set_title(title + "\n", loc="left")
        ax.text(0, 1.02, note, transform=ax.transAxes, ha="left", va="bottom", fontsize=8, color=MID,
                style="italic")
        if not len(table):
            ax.text((years[0] + last) / 2, 0, "Ningún proyecto cabe en el espacio fiscal", ha="center",
                    va="center", color=MID, style="italic")
        handles = [
            Patch(facecolor=INK, edgecolor=INK, label="Ejecución, proyecto obligatorio"),
            Patch(facecolor=LIGHT, edgecolor=INK, label="Ejecución"),
            Line2D([], [], color=MID, linestyle=":", linewidth=1.2, label="Operación y mantenimiento"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=3)
    return fig
