"""Static charts for the council report and the workbooks: Spanish text, legible in grey print.

Charts of one run are plain functions ``chart(result, municipio=None) -> Chart`` registered in
:data:`CHARTS` (own revenue, composition, streams, gaps, transfers, fiscal space); the
investment plan's take an ``InvestmentPlan`` (:func:`schedule`, :func:`plan_funding`), and the
uncertainty ones a table or a comparison (:func:`fan_chart`, :func:`tornado_chart`,
:func:`scenario_comparison_chart` and their wrappers :func:`uncertainty_fan`,
:func:`sensitivity_chart`, :func:`scenario_chart`). Series are told apart by line style,
markers and tone (:data:`~nexos_model.report.svg.TONES`), never by hue alone, so the report
reads the same on a black-and-white printer. They are drawn by :mod:`nexos_model.report.svg`
(inline SVG, about a millisecond each) and shown with ``notebook.show_figure``.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Callable

import pandas as pd

from nexos_model import catalog
from nexos_model.errors import NexosError
from nexos_model.report.gantt import gantt_chart
from nexos_model.report.summary import (
    GAP_PARTS,
    scenario_name,
    GAP_SHORT,
    SOURCE_NAMES,
    TRANSFER_SOURCES,
    parameter_value,
    space_by_source,
    stream_names,
    unit_of,
)
from nexos_model.report.svg import ACCENT, ESTIMATE_SHADE, INK, LIGHT, MID, TONES, Axis, Chart, Plot
from nexos_model.wording import quetzales, segun_unidad

if TYPE_CHECKING:
    from nexos_model.api import RunResult

__all__ = ["CHARTS", "MONEY", "TONES", "YEARS", "Chart", "chart", "charts", "composition", "mark_projection",
           "money_tip", "money_tips", "own_revenue"]

#: The y axis of an amount by year.
MONEY = Axis("value", "Millones de quetzales")
YEARS = Axis("years", "Año")


def money_tip(label: str, position: float, value: float) -> str:
    """Hover text of a bar or point: ``2024 · Aporte constitucional: Q 1,234,567.89``."""
    return f"{int(position)} · {label}: {quetzales(value)}"


def _split(result: "RunResult", municipio: str | None):
    """The wide table and the last observed year of one municipality."""
    code = result.code(municipio)
    return code, result.wide(code), result.last_observed(code)


def mark_projection(plot: Plot, last_observed: int, last_year: int, budget_year: int | None = None) -> None:
    """Shaded bands over the years that are not data, labelled in Spanish, each behind a dotted
    divider: the estimated years (after the last observed one, before the budget being prepared;
    a darker grey) and the projected ones (from ``budget_year``; without it, every year after the
    last observed one)."""
    start = last_observed + 0.5
    if budget_year is not None and budget_year - 1 > last_observed:
        end = min(budget_year - 0.5, last_year + 0.5)
        plot.shade(start, end, "estimado", fill=ESTIMATE_SHADE)
        plot.rule("", x=start, stroke=MID, width=1, dash=":")
        start = end
    if last_year + 0.5 > start:
        plot.shade(start, last_year + 0.5, "proyección")
        plot.rule("", x=start, stroke=MID, width=1, dash=":")


def money_tips(label: str, years, values) -> list[str]:
    """:func:`money_tip` of each point of a series."""
    return [money_tip(label, y, v) for y, v in zip(years, values)]


def own_revenue(result: "RunResult", municipio: str | None = None) -> Chart:
    """Own-source revenue (ingresos propios): observed years solid, estimated years (no data
    loaded) dotted with open circles, projected years dashed."""
    code, wide, last = _split(result, municipio)
    budget = result.budget_year(code)
    series = wide["ingresos_propios"]
    plot = Plot(f"{catalog.label('ingresos_propios')}: observados, estimados y proyectados", YEARS, MONEY)
    mark_projection(plot, last, int(series.index.max()), budget)
    hist = series.loc[series.index <= last]
    guess = series.loc[(series.index >= last) & (series.index <= budget - 1)]  # joins the last observed year
    proj = series.loc[series.index >= max(last, budget - 1)]  # joins the previous year: no gap
    label = "Observado (SICOIN GL)"
    plot.line(label, hist.index, hist.values, stroke=INK, marker="o",
              tips=money_tips(label, hist.index, hist.values))
    if len(guess) > 1:
        label = "Estimado (años sin datos cargados)"
        plot.line(label, guess.index, guess.values, stroke=MID, width=1.6, dash=":", marker="o", marker_size=5,
                  marker_fill="white", tips=money_tips(label, guess.index, guess.values))
    label = f"Proyectado: {scenario_name(result, code)}"
    plot.line(label, proj.index, proj.values, stroke=ACCENT, width=1.8, dash="--", marker="s", marker_size=5,
              marker_fill="white", tips=money_tips(label, proj.index, proj.values))
    return plot.render()


def composition(result: "RunResult", municipio: str | None = None) -> Chart:
    """Total revenue by year, stacked: own-source revenue (dark) and transfers (light, outlined)."""
    code, wide, last = _split(result, municipio)
    years = list(wide.index)
    plot = Plot("Composición de los ingresos: propios y transferencias", YEARS, MONEY)
    mark_projection(plot, last, int(max(years)), result.budget_year(code))
    parts = [(catalog.label(c), wide[c].tolist()) for c in ("ingresos_propios", "transferencias")]
    plot.stack(years, parts, tones=(INK, LIGHT), width=0.75, tip=money_tip)
    return plot.render()


def _stacked_years(title: str, table, labels: dict[str, str], marks: tuple[int, int] | None = None) -> Plot:
    """Bars by year (``table``: years × parts), the parts stacked in :data:`TONES` order;
    negative parts (rare: a shortfall) hang below zero. ``marks`` = (last observed year, budget
    year) shades the estimated and projected years (:func:`mark_projection`)."""
    plot = Plot(title, YEARS, MONEY)
    if marks is not None and len(table):
        mark_projection(plot, marks[0], int(max(table.index)), marks[1])
    parts = [(labels.get(c, c), table[c].tolist()) for c in table.columns]
    plot.stack([int(y) for y in table.index], parts, tip=money_tip)
    return plot


def _projected(result: "RunResult", municipio: str | None):
    """Every projected line of one municipality, years × concepts."""
    code = result.code(municipio)
    rows = result.projection.loc[result.projection["municipio"] == code]
    return code, rows.pivot(index="anio", columns="concepto", values="valor").sort_index()


def revenue_streams(result: "RunResult", municipio: str | None = None) -> Chart:
    """Own revenue by stream in the budget year and the last projected year (horizontal bars,
    largest stream on top): light outlined bars for the budget year, dark for the last."""
    code, values = _projected(result, municipio)
    first, end = result.budget_year(code), int(values.index.max())
    streams = sorted(stream_names(values), key=lambda s: -values.at[end, s])
    names = [catalog.label(s) for s in streams]
    plot = Plot(f"Ingresos propios por flujo: {first} y {end}", MONEY,
                Axis("rows", labels=tuple(names)), row_height=28)
    rows = range(len(streams))
    for year, fill, offset in ((first, LIGHT, -0.2), (end, INK, 0.2)):
        amounts = [values.at[year, s] for s in streams]
        plot.rects(str(year), [0.0] * len(streams), amounts, [r + offset - 0.19 for r in rows],
                   [r + offset + 0.19 for r in rows], fill=fill,
                   tips=[f"{n}, {year}: {quetzales(a)}" for n, a in zip(names, amounts)])
    return plot.render()


def revenue_gap(result: "RunResult", municipio: str | None = None, anio: int | None = None) -> Chart:
    """Potential of IUSI, agua and ornato split into what is collected (dark) and each gap
    (coverage, valuation, rate, compliance, interaction; lighter tones): the bar's end is the
    potential. Year: the budget year being prepared unless ``anio`` is given."""
    code = result.code(municipio)
    gaps = result.gaps.loc[result.gaps["municipio"] == code]
    year = int(anio or result.budget_year(code))
    gaps = gaps.loc[gaps["anio"] == year]
    streams = list(dict.fromkeys(gaps["flujo"]))
    wide = gaps.pivot(index="flujo", columns="componente", values="valor").reindex(streams)
    names = [catalog.label(s) for s in streams]
    plot = Plot(f"Recaudación y brechas hasta el potencial, {year}", MONEY,
                Axis("rows", labels=tuple(names)), row_height=34)
    parts = []
    for part in ("recaudacion", *GAP_PARTS):
        label = GAP_SHORT[part] if part == "recaudacion" else f"Brecha: {GAP_SHORT[part].lower()}"
        parts.append((label, wide[part].fillna(0.0).tolist() if part in wide else [0.0] * len(streams)))
    plot.stack(list(range(len(streams))), parts, width=0.55, vertical=False,
               tip=lambda label, row, v: f"{names[int(row)]} · {label}: {quetzales(v)}")
    potential = wide["potencial"].tolist()
    plot.points("Potencial", potential, range(len(streams)),
                tips=[f"{n} · potencial: {quetzales(v)}" for n, v in zip(names, potential)])
    return plot.render()


def transfers(result: "RunResult", municipio: str | None = None) -> Chart:
    """Transfers by source, stacked by year (aporte constitucional darkest)."""
    code, values = _projected(result, municipio)
    table = values[[s for s in TRANSFER_SOURCES if s in values.columns]]
    return _stacked_years("Transferencias del Gobierno Central por fuente", table,
                          {s: catalog.label(s) for s in table.columns},
                          (result.last_observed(code), result.budget_year(code))).render()


def fiscal_space(result: "RunResult", municipio: str | None = None) -> Chart:
    """Fiscal space for investment by source of funds, stacked by year; a shortfall shows below zero."""
    code = result.code(municipio)
    table = space_by_source(result, code)
    return _stacked_years("Espacio fiscal para inversión por fuente de financiamiento", table, SOURCE_NAMES,
                          (result.last_observed(code), result.budget_year(code))).render()


def plan_funding(plan) -> Chart:
    """The investment plan's funding mix: investment by source, stacked by year, beside the
    fiscal space of those years without new loans (a dotted outline: the money in hand; the
    borrowing capacity would dwarf it and is not money until a loan is taken)."""
    funding = plan.financiamiento
    invest = funding.pivot(index="anio", columns="fuente", values="inversion")
    invest = invest[[s for s in SOURCE_NAMES if s in invest.columns]]
    space = funding.loc[funding["fuente"] != "prestamo_infom"].groupby("anio")["espacio"].sum()
    plot = _stacked_years("Financiamiento del plan de inversión por fuente", invest, SOURCE_NAMES)
    label = "Espacio fiscal sin préstamos nuevos"
    years = [int(y) for y in space.index]
    plot.rects(label, [y - 0.43 for y in years], [y + 0.43 for y in years], [0.0] * len(years), space.tolist(),
               fill="none", stroke=MID, width=1.2, dash=":",
               tips=money_tips(label, years, space))
    return plot.render()


def schedule(plan) -> Chart:
    """The investment plan's Gantt chart (:func:`nexos_model.report.gantt.gantt_chart`)."""
    return gantt_chart(plan)


#: Charts of one run by name: ``name -> (Spanish caption, function)``. Add new charts here.
CHARTS: dict[str, tuple[str, Callable[..., Chart]]] = {
    "ingresos_propios": ("Ingresos propios observados y proyectados", own_revenue),
    "composicion": ("Composición de los ingresos", composition),
    "flujos": ("Ingresos propios por flujo", revenue_streams),
    "brechas": ("Recaudación, brechas y potencial", revenue_gap),
    "transferencias": ("Transferencias por fuente", transfers),
    "espacio_fiscal": ("Espacio fiscal para inversión por fuente", fiscal_space),
}


def chart(name: str, result: "RunResult", municipio: str | None = None) -> Chart:
    """One chart by name (see :data:`CHARTS`)."""
    if name not in CHARTS:
        raise NexosError(f"gráfico '{name}' desconocido (disponibles: {', '.join(CHARTS)})")
    return CHARTS[name][1](result, municipio)


def charts(result: "RunResult", municipio: str | None = None) -> dict[str, Chart]:
    """Every chart of :data:`CHARTS` for one municipality, by name."""
    return {name: chart(name, result, municipio) for name in CHARTS}


# --- Uncertainty and scenarios --------------------------------------------------------------
# These charts take tables, not a RunResult (percentile bands, a tornado table, scenarios side
# by side), so workbooks, reports and the app can draw them from whatever run produced them.

__all__ += ["fan_chart", "scenario_comparison_chart", "tornado_chart"]

#: Percentile bands of a fan chart, outermost first: (low, high, Spanish label, opacity).
#: One hue at rising opacity: the nested bands read as lighter-to-darker greys in print.
FAN_BANDS = (
    ("p05", "p95", "Intervalo del 90 % (p05 a p95)", 0.16),
    ("p10", "p90", "Intervalo del 80 % (p10 a p90)", 0.22),
    ("p25", "p75", "Intervalo del 50 % (p25 a p75)", 0.30),
)

#: Line styles that stay distinct in grey print, in the order scenarios get them (base first).
SCENARIO_STYLES = (
    (INK, "-", "o"),
    (ACCENT, "--", "s"),
    (MID, ":", "^"),
    (INK, "-.", "D"),
    (ACCENT, ":", "v"),
    (MID, "--", "P"),
)


def _value_axis(unit: str, title: str = "") -> Axis:
    """An axis in the unit's words: quetzales in millions (from 0 unless values go negative),
    ``porcentaje`` for fractions shown as %, anything else titled with the unit."""
    if unit == "quetzales":
        return Axis("value", title or "Millones de quetzales", "quetzales")
    if unit == "porcentaje":
        return Axis("value", title or "Porcentaje", "porcentaje")
    return Axis("value", title or unit[:1].upper() + unit[1:], unit)


def _value_text(unit: str) -> Callable[[float], str]:
    return lambda value: segun_unidad(value, unit)


def _by_year(table, column: str = "anio"):
    """The table indexed by year (accepts a year index or an ``anio`` column)."""
    frame = table.set_index(column) if column in getattr(table, "columns", ()) else table
    return frame.sort_index()


def fan_chart(history, bands, title: str, unit: str = "quetzales", budget_year: int | None = None) -> Chart:
    """Observed values and the projected percentile bands (p05–p95, p10–p90, p25–p75, median).

    ``history``: Series by year (observed). ``bands``: DataFrame with ``p05 … p95`` by year
    (year index or ``anio`` column). The fan opens from the last observed value, so the
    projection visibly starts from what happened; with ``budget_year`` the years before it
    are shaded as estimates.
    """
    bands = _by_year(bands)
    bands = bands[[c for c in ("p05", "p10", "p25", "p50", "p75", "p90", "p95") if c in bands]].astype(float)
    history = history.sort_index()
    if len(history) and bands.index.min() > history.index.max():
        bands = bands.reindex([history.index.max(), *bands.index])
        bands.iloc[0] = float(history.iloc[-1])
    show = _value_text(unit)
    plot = Plot(title, YEARS, _value_axis(unit))
    years = list(history.index) + [y for y in bands.index if y not in set(history.index)]
    if len(history):
        mark_projection(plot, int(history.index.max()), int(max(years)), budget_year)
    for lo, hi, label, opacity in FAN_BANDS:
        if lo in bands and hi in bands:
            plot.band(label, bands.index, bands[lo], bands[hi], opacity=opacity)
    if "p50" in bands:
        plot.line("Mediana (p50)", bands.index, bands["p50"], stroke=ACCENT, width=1.8, dash="--", marker="s",
                  marker_size=5, marker_fill="white",
                  tips=[f"{y} · mediana: {show(v)}" for y, v in bands["p50"].items()])
    if len(history):
        plot.line("Observado", history.index, history.values, stroke=INK, marker="o",
                  tips=[f"{y} · observado: {show(v)}" for y, v in history.items()])
    return plot.render()


def tornado_chart(table, title: str, unit: str = "quetzales", central: float | None = None,
                  labels: dict[str, str] | None = None,
                  value_text: Callable[[str, float], str] | None = None) -> Chart:
    """Tornado: how far the outcome moves when each parameter goes to its low or high value.

    ``table`` is :func:`nexos_model.scenarios.sensitivity.tornado`'s (widest swing on top); bars
    start at the all-central outcome (``central``, else ``table.attrs["resultado_central"]``).
    Low values are light outlined bars, high values dark ones; each label shows the range tried,
    written by ``value_text(parameter, value)`` when given (e.g. ``2.36 %``), else as ``0.0236``.
    """
    if central is None:
        central = table.attrs.get("resultado_central")
    if central is None:
        central = float((table["resultado_bajo"] + table["resultado_alto"]).mean() / 2)
    rows = table.sort_values("rango", ascending=False, kind="stable").reset_index(drop=True)
    names = labels or {}
    if "etiqueta" in rows:
        names = {**dict(zip(rows["parametro"], rows["etiqueta"])), **names}
    show = value_text or (lambda _p, v: f"{v:g}")
    row_labels = tuple(f"{names.get(p, p)}\n({show(p, lo)} a {show(p, hi)})"
                       for p, lo, hi in zip(rows["parametro"], rows["bajo"], rows["alto"]))
    outcome = _value_text(unit)
    axis = _value_axis(unit)
    plot = Plot(title, Axis("value", axis.title, axis.unit, zero=False), Axis("rows", labels=row_labels),
                row_height=40)
    n = range(len(rows))
    for column, label, fill in (("resultado_bajo", "Parámetro en su valor bajo", LIGHT),
                                ("resultado_alto", "Parámetro en su valor alto", ACCENT)):
        values = rows[column].tolist()
        plot.rects(label, [central] * len(rows), values, [i - 0.3 for i in n], [i + 0.3 for i in n], fill=fill,
                   tips=[f"{names.get(p, p).replace(chr(10), ' ')} · {label.lower()}: {outcome(v)}"
                         for p, v in zip(rows["parametro"], values)])
    plot.rule("Resultado central", x=central)
    return plot.render()


def scenario_comparison_chart(table, title: str, unit: str = "quetzales", base: str = "base") -> Chart:
    """One line per scenario over the years (``escenario, anio, valor``); the base scenario
    first and solid, the others told apart by dash pattern and marker, not colour alone."""
    names = list(dict.fromkeys(table["escenario"]))
    if base in names:
        names.remove(base)
        names.insert(0, base)
    show = _value_text(unit)
    plot = Plot(title, YEARS, _value_axis(unit))
    for i, name in enumerate(names):
        color, dash, marker = SCENARIO_STYLES[i % len(SCENARIO_STYLES)]
        rows = table.loc[table["escenario"] == name].sort_values("anio")
        plot.line(f"Escenario {name}", rows["anio"], rows["valor"], stroke=color, dash=dash, marker=marker,
                  width=2 if i == 0 else 1.6, marker_fill=color if i == 0 else "white",
                  tips=[f"{a} · {name}: {show(v)}" for a, v in zip(rows["anio"], rows["valor"])])
    return plot.render()


# --- Charts of a Monte Carlo run, a scenario comparison and a tornado table --------------------

__all__ += ["fiscal_space", "plan_funding", "revenue_gap", "revenue_streams", "scenario_chart", "schedule",
            "sensitivity_chart", "transfers", "uncertainty_fan"]


def uncertainty_fan(result: "RunResult", concepto: str = "ingresos_propios",
                    municipio: str | None = None) -> Chart:
    """Fan chart of one outcome from a Monte Carlo run (``RunResult.percentiles``), opening
    from the observed years when the outcome is a MINFIN concept."""
    code = result.code(municipio)
    table = result.percentiles
    bands = table.loc[(table["municipio"] == code) & (table["concepto"] == concepto)]
    wide = result.wide(code)
    observed = result.annual.loc[result.annual["municipio"] == code, "anio"]
    history = (wide.loc[wide.index <= int(observed.max()), concepto] if concepto in wide.columns
               else pd.Series(dtype=float))
    title = f"{catalog.label(concepto)}: observados y rango proyectado"
    return fan_chart(history, bands, title, unit=unit_of(concepto), budget_year=result.budget_year(code))


def scenario_chart(comparison, resultado: str = "ingresos_propios") -> Chart:
    """One outcome over the years in every scenario of a comparison (``Comparison.outcomes``)."""
    rows = comparison.outcomes.loc[comparison.outcomes["resultado"] == resultado]
    label = rows["etiqueta"].iloc[0] if len(rows) else catalog.label(resultado)
    return scenario_comparison_chart(rows[["escenario", "anio", "valor"]], f"{label} por escenario",
                                     unit=unit_of(resultado))


def sensitivity_chart(table, resultado: str = "ingresos_propios", anio: int | None = None) -> Chart:
    """Tornado of one outcome (a ``tornado_for`` table): which assumptions move it most."""
    year = anio or table.attrs.get("anio")
    title = f"Sensibilidad: {catalog.label(resultado)}" + (f", {year}" if year else "")
    return tornado_chart(table, title, unit=unit_of(resultado), labels=_short_names(table),
                         value_text=parameter_value)


def _short_names(table) -> dict[str, str]:
    """A parameter's name without its section path (the part after the last "›"), or its last
    two parts when two parameters would read the same (the aporte's and IVA-PAZ's growth)."""
    names = dict(zip(table["parametro"], table["etiqueta"])) if "etiqueta" in table else {}
    parts = {k: [p.strip() for p in str(v).split("›")] for k, v in names.items()}
    last = [p[-1] for p in parts.values()]
    return {k: textwrap.fill(p[-1] if last.count(p[-1]) == 1 else ", ".join(p[-2:]), 34)
            for k, p in parts.items()}

