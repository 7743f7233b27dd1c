"""The schedule (cronograma) of an investment plan as a Gantt chart: Spanish, legible in grey.

One row per programmed project, in start order. Execution is a bar (dark for mandatory
projects, mid grey for the rest, both outlined) labelled with the project's cost; the years
the project then operates inside the plan's projection are a dotted line, because its O&M is
what the plan commits later budgets to. Tone and line style tell things apart, never hue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from nexos_model.investment.illustrative import ILLUSTRATIVE_PREFIX
from nexos_model.report.svg import INK, LIGHT, MID, Axis, Chart, Plot
from nexos_model.wording import anio_rango, millones, quetzales

if TYPE_CHECKING:  # pragma: no cover
    from nexos_model.investment.plan import InvestmentPlan

__all__ = ["gantt_chart"]

_MAX_LABEL = 48  # characters of a project name


def millions_label(value: float) -> str:
    """An amount in millions for a label on a bar (``12.5``), as on the charts' axes."""
    return millones(value).removeprefix("Q ").replace(" millones", "")


def _label(name: str) -> str:
    name = name.removeprefix(ILLUSTRATIVE_PREFIX)
    return name if len(name) <= _MAX_LABEL else name[: _MAX_LABEL - 1] + "…"


def gantt_chart(plan: "InvestmentPlan", operation_until: int | None = None) -> Chart:
    """Gantt chart of ``plan.cronograma``.

    ``operation_until``: last year of the dotted O&M line (default: the last year of the
    plan's ``efecto`` table, i.e. the projection).
    """
    table: pd.DataFrame = plan.cronograma.sort_values(["inicio", "fin", "proyecto"], ignore_index=True)
    years = list(plan.years)
    last = operation_until or (int(plan.efecto["anio"].max()) if len(plan.efecto) else years[-1])
    title = f"Cronograma de inversión {anio_rango(years[0], years[-1])}"
    if plan.municipio:
        title += f", municipio {plan.municipio}"
    note = "Costo total de cada proyecto en millones de quetzales"
    if plan.ilustrativa:
        note = "Cartera ILUSTRATIVA. " + note
    names = tuple(_label(n) for n in table["proyecto"]) or ("",)
    plot = Plot(title, Axis("years", "Año (fondo gris: después del plan)", limits=(years[0], last)),
                Axis("rows", labels=names), row_height=26, note=note)
    if last > years[-1]:
        plot.shade(years[-1] + 0.5, last + 0.5)
    rows = list(range(len(table)))
    start, end = table["inicio"].astype(float), table["fin"].astype(float)
    tips = [f"{p}: {anio_rango(int(a), int(b))}, {quetzales(c)}"
            for p, a, b, c in zip(table["proyecto"], start, end, table["costo_total"])]
    for mandatory, label, fill in ((True, "Ejecución, proyecto obligatorio", INK), (False, "Ejecución", LIGHT)):
        pick = [i for i in rows if bool(table.at[i, "obligatorio"]) == mandatory]
        plot.rects(label, [start[i] - 0.5 for i in pick], [end[i] + 0.5 for i in pick],
                   [i - 0.31 for i in pick], [i + 0.31 for i in pick], fill=fill, width=0.9,
                   tips=[tips[i] for i in pick])
    # O&M after execution: one dotted segment per project, NaN between them breaks the line.
    xs, ys = [], []
    for i in rows:
        if end[i] < last:
            xs += [end[i] + 0.5, last + 0.5, end[i] + 0.5]
            ys += [i, i, float("nan")]
    plot.line("Operación y mantenimiento", xs, ys, stroke=MID, width=1.2, dash=":")
    plot.labels((start + end) / 2, rows, [millions_label(c) for c in table["costo_total"]],
                fill=["white" if m else INK for m in table["obligatorio"]])
    if not len(table):
        plot.labels([(years[0] + last) / 2], [0], ["Ningún proyecto cabe en el espacio fiscal"], fill=MID,
                    italic=True)
    return plot.render()
