"""Static charts for the council report: matplotlib (Agg), Spanish text, legible in grey print.

Charts of one run are plain functions ``chart(result, municipio=None) -> Figure`` registered in
:data:`CHARTS` (own revenue, composition, streams, gaps, transfers, fiscal space); the
investment plan's take an ``InvestmentPlan`` (:func:`schedule`, :func:`plan_funding`), and the
uncertainty ones a table or a comparison (:func:`fan_chart`, :func:`tornado_chart`,
:func:`scenario_comparison_chart` and their wrappers :func:`uncertainty_fan`,
:func:`sensitivity_chart`, :func:`scenario_chart`). Series are told apart by line style,
markers and tone (:data:`TONES`), never by hue alone, so the report reads the same on a
black-and-white printer. Figures are built with ``matplotlib.figure.Figure`` (no pyplot state),
so nothing leaks between calls or threads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from nexos_model import catalog
from nexos_model.report.formatting import millones

if TYPE_CHECKING:  # keep ``import nexos_model.report.figures`` light
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from nexos_model.api import RunResult

__all__ = ["CHARTS", "chart", "charts", "composition", "own_revenue", "to_svg"]

#: Print-friendly palette: dark, mid and light greys plus one dark accent (still distinct in grey).
INK, MID, LIGHT, ACCENT = "#222222", "#6e6e6e", "#c8c8c8", "#1f4e79"
SIZE = (7.2, 3.8)  # inches: the text width of an A4 page with 18 mm margins
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "svg.hashsalt": "nexos",  # stable SVG ids: same data, same file
}


def _figure() -> tuple["Figure", "Axes"]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE, layout="constrained")
    return fig, fig.add_subplot()


def _money_axis(ax: "Axes", which: str = "y") -> None:
    """Ticks of the ``which`` axis ("y" or "x") in millions of quetzales, with as many decimals
    as the tick step needs; the axis starts at zero."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis = ax.yaxis if which == "y" else ax.xaxis
    axis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3, steps=[1, 2, 5, 10]))  # no 1.5 steps: labels round cleanly

    def fmt(value: float, _pos: int) -> str:
        ticks = axis.get_majorticklocs()
        step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(value) or 1e6
        decimals = 0 if step >= 1e6 else 1 if step >= 1e5 else 2
        return millones(value, decimals).replace(" millones", "")

    axis.set_major_formatter(FuncFormatter(fmt))
    axis.set_label_text("Millones de quetzales")
    if which == "y":
        ax.set_ylim(bottom=0)
    else:
        ax.set_xlim(left=0)


def _split(result: "RunResult", municipio: str | None):
    """The wide table and the last observed year of one municipality."""
    code = municipio or result.municipios[0]
    wide = result.wide(code)
    observed = result.annual.loc[result.annual["municipio"] == code, "anio"]
    return code, wide, int(observed.max())


def _mark_projection(ax: "Axes", last_observed: int, last_year: int) -> None:
    """A dotted divider and a shaded band over the projected years, labelled in Spanish."""
    ax.axvspan(last_observed + 0.5, last_year + 0.5, facecolor="#f0f0f0", linewidth=0, zorder=0)
    ax.axvline(last_observed + 0.5, color=MID, linestyle=":", linewidth=1)
    ax.text(last_observed + 0.6, 0.98, "proyección", transform=ax.get_xaxis_transform(),
            ha="left", va="top", color=MID, fontsize=8, style="italic")


def own_revenue(result: "RunResult", municipio: str | None = None) -> "Figure":
    """Own-source revenue (ingresos propios): observed years solid, projected years dashed."""
    import matplotlib

    code, wide, last = _split(result, municipio)
    series = wide["ingresos_propios"]
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure()
        hist = series.loc[series.index <= last]
        proj = series.loc[series.index >= last]  # starts at the last observed year: no gap
        ax.plot(hist.index, hist.values, color=INK, linestyle="-", marker="o", markersize=4,
                linewidth=2, label="Observado (SICOIN GL)")
        ax.plot(proj.index, proj.values, color=ACCENT, linestyle="--", marker="s", markersize=3.5,
                markerfacecolor="white", linewidth=1.8, label=f"Proyectado, escenario {result.escenario}")
        _mark_projection(ax, last, int(series.index.max()))
        _money_axis(ax)
        ax.set_xticks(list(series.index))
        ax.tick_params(axis="x", labelrotation=45)
        ax.set_xlabel("Año")
        ax.set_title(f"{catalog.label('ingresos_propios')}: observados y proyectados")
        fig.legend(loc="outside lower center", ncols=2)
    return fig


def composition(result: "RunResult", municipio: str | None = None) -> "Figure":
    """Total revenue by year, stacked: own-source revenue (dark) and transfers (light, outlined)."""
    import matplotlib

    code, wide, last = _split(result, municipio)
    years = list(wide.index)
    # Tone, not hue, tells the parts apart (dark solid vs light outlined). No hatches: Chromium
    # rasterizes SVG hatch patterns when printing, which turns a 90 KB PDF into 1 MB.
    parts = [("ingresos_propios", INK, "white"), ("transferencias", LIGHT, INK)]
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure()
        bottom = [0.0] * len(years)
        for concept, face, edge in parts:
            values = wide[concept].tolist()
            ax.bar(years, values, bottom=bottom, color=face, edgecolor=edge,
                   linewidth=0.6, width=0.75, label=catalog.label(concept))
            bottom = [b + v for b, v in zip(bottom, values)]
        _mark_projection(ax, last, int(max(years)))
        _money_axis(ax)
        ax.set_xticks(years)
        ax.tick_params(axis="x", labelrotation=45)
        ax.set_xlabel("Año")
        ax.set_title("Composición de los ingresos: propios y transferencias")
        fig.legend(loc="outside lower center", ncols=2)
    return fig


#: Tones for the parts of a stacked chart, darkest first: distinct in grey print (no hatches,
#: see :func:`composition`); every part is outlined in ink so the white one still shows.
TONES = (INK, "#5a5a5a", "#8c8c8c", "#b4b4b4", "#dcdcdc", "#ffffff")


def _stacked_years(ax: "Axes", table, labels: dict[str, str]) -> None:
    """Bars by year (``table``: years × parts), the parts stacked in :data:`TONES` order;
    negative parts (rare: a shortfall) hang below zero."""
    import numpy as np

    years = list(table.index)
    up = np.zeros(len(years))
    down = np.zeros(len(years))
    for i, column in enumerate(table.columns):
        values = table[column].to_numpy(dtype=float)
        base = np.where(values >= 0, up, down)
        ax.bar(years, values, bottom=base, color=TONES[i % len(TONES)], edgecolor=INK, linewidth=0.6,
               width=0.72, label=labels.get(column, column))
        up = up + np.where(values >= 0, values, 0)
        down = down + np.where(values < 0, values, 0)
    ax.set_xticks(years)
    ax.tick_params(axis="x", labelrotation=45)
    ax.set_xlabel("Año")


def _projected(result: "RunResult", municipio: str | None):
    """Every projected line of one municipality, years × concepts."""
    code = municipio or result.municipios[0]
    rows = result.projection.loc[result.projection["municipio"] == code]
    return code, rows.pivot(index="anio", columns="concepto", values="valor").sort_index()


def revenue_streams(result: "RunResult", municipio: str | None = None) -> "Figure":
    """Own revenue by stream in the first and the last projected year (horizontal bars, largest
    stream on top): light outlined bars for the first year, dark for the last."""
    import matplotlib
    from matplotlib.figure import Figure

    from nexos_model.report.summary import stream_names

    code, values = _projected(result, municipio)
    first, end = int(values.index.min()), int(values.index.max())
    streams = sorted(stream_names(values), key=lambda s: values.at[end, s])
    y = list(range(len(streams)))
    with matplotlib.rc_context({**STYLE, "axes.grid.axis": "x"}):
        fig = Figure(figsize=(SIZE[0], max(3.0, 0.32 * len(streams) + 1.4)), layout="constrained")
        ax = fig.add_subplot()
        ax.barh([v + 0.2 for v in y], [values.at[first, s] for s in streams], height=0.38, color=LIGHT,
                edgecolor=INK, linewidth=0.6, label=str(first))
        ax.barh([v - 0.2 for v in y], [values.at[end, s] for s in streams], height=0.38, color=INK,
                edgecolor=INK, linewidth=0.6, label=str(end))
        ax.set_yticks(y, [catalog.label(s) for s in streams])
        ax.tick_params(axis="y", length=0)
        _money_axis(ax, "x")
        ax.set_title(f"Ingresos propios por flujo: {first} y {end}")
        fig.legend(loc="outside lower center", ncols=2)
    return fig


def revenue_gap(result: "RunResult", municipio: str | None = None, anio: int | None = None) -> "Figure":
    """Potential of IUSI, agua and ornato split into what is collected (dark) and each gap
    (coverage, valuation, rate, compliance, interaction; lighter tones): the bar's end is the
    potential. Year: the first projected one unless ``anio`` is given."""
    import matplotlib
    from matplotlib.figure import Figure

    from nexos_model.report.summary import GAP_PARTS, GAP_SHORT

    code = municipio or result.municipios[0]
    gaps = result.gaps.loc[result.gaps["municipio"] == code]
    year = int(anio or gaps["anio"].min())
    gaps = gaps.loc[gaps["anio"] == year]
    streams = list(dict.fromkeys(gaps["flujo"]))[::-1]
    wide = gaps.pivot(index="flujo", columns="componente", values="valor").reindex(streams)
    parts = ["recaudacion", *GAP_PARTS]
    with matplotlib.rc_context({**STYLE, "axes.grid.axis": "x"}):
        fig = Figure(figsize=(SIZE[0], max(2.8, 0.6 * len(streams) + 1.8)), layout="constrained")
        ax = fig.add_subplot()
        left = [0.0] * len(streams)
        for i, part in enumerate(parts):
            values = wide[part].fillna(0.0).tolist() if part in wide else [0.0] * len(streams)
            label = GAP_SHORT[part] if i == 0 else f"Brecha: {GAP_SHORT[part].lower()}"
            ax.barh(range(len(streams)), values, left=left, height=0.55, color=TONES[i % len(TONES)],
                    edgecolor=INK, linewidth=0.6, label=label)
            left = [a + b for a, b in zip(left, values)]
        ax.plot(wide["potencial"], range(len(streams)), linestyle="none", marker="|", markersize=16,
                markeredgewidth=2, color=ACCENT, label="Potencial")
        ax.set_yticks(range(len(streams)), [catalog.label(s) for s in streams])
        ax.tick_params(axis="y", length=0)
        _money_axis(ax, "x")
        ax.set_title(f"Recaudación y brechas hasta el potencial, {year}")
        fig.legend(loc="outside lower center", ncols=4)
    return fig


def transfers(result: "RunResult", municipio: str | None = None) -> "Figure":
    """Transfers by source, stacked by year (aporte constitucional darkest)."""
    import matplotlib

    from nexos_model.report.summary import TRANSFER_SOURCES

    code, values = _projected(result, municipio)
    table = values[[s for s in TRANSFER_SOURCES if s in values.columns]]
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure()
        _stacked_years(ax, table, {s: catalog.label(s) for s in table.columns})
        _money_axis(ax)
        ax.set_title("Transferencias del Gobierno Central por fuente")
        fig.legend(loc="outside lower center", ncols=2)
    return fig


def fiscal_space(result: "RunResult", municipio: str | None = None) -> "Figure":
    """Fiscal space for investment by source of funds, stacked by year; a shortfall shows below zero."""
    import matplotlib

    from nexos_model.report.summary import SOURCE_NAMES, space_by_source

    code = municipio or result.municipios[0]
    table = space_by_source(result, code)
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure()
        _stacked_years(ax, table, SOURCE_NAMES)
        _money_axis(ax)
        if (table < 0).any().any():
            ax.autoscale(enable=True, axis="y")
            ax.axhline(0, color=INK, linewidth=0.8)
        ax.set_title("Espacio fiscal para inversión por fuente de financiamiento")
        fig.legend(loc="outside lower center", ncols=3)
    return fig


def plan_funding(plan) -> "Figure":
    """The investment plan's funding mix: investment by source, stacked by year, beside the
    fiscal space of those years without new loans (a dotted outline: the money in hand; the
    borrowing capacity would dwarf it and is not money until a loan is taken)."""
    import matplotlib

    from nexos_model.report.summary import SOURCE_NAMES

    funding = plan.financiamiento
    invest = funding.pivot(index="anio", columns="fuente", values="inversion")
    invest = invest[[s for s in SOURCE_NAMES if s in invest.columns]]
    space = funding.loc[funding["fuente"] != "prestamo_infom"].groupby("anio")["espacio"].sum()
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure()
        _stacked_years(ax, invest, SOURCE_NAMES)
        ax.bar(space.index, space.values, width=0.86, facecolor="none", edgecolor=MID, linestyle=":",
               linewidth=1.2, label="Espacio fiscal sin préstamos nuevos")
        _money_axis(ax)
        ax.set_title("Financiamiento del plan de inversión por fuente")
        fig.legend(loc="outside lower center", ncols=3)
    return fig


def schedule(plan) -> "Figure":
    """The investment plan's Gantt chart (:func:`nexos_model.report.gantt.gantt_chart`)."""
    from nexos_model.report.gantt import gantt_chart

    return gantt_chart(plan)


#: Charts of one run by name: ``name -> (Spanish caption, function)``. Add new charts here.
CHARTS: dict[str, tuple[str, Callable[..., "Figure"]]] = {
    "ingresos_propios": ("Ingresos propios observados y proyectados", own_revenue),
    "composicion": ("Composición de los ingresos", composition),
    "flujos": ("Ingresos propios por flujo", revenue_streams),
    "brechas": ("Recaudación, brechas y potencial", revenue_gap),
    "transferencias": ("Transferencias por fuente", transfers),
    "espacio_fiscal": ("Espacio fiscal para inversión por fuente", fiscal_space),
}


def chart(name: str, result: "RunResult", municipio: str | None = None) -> "Figure":
    """One chart by name (see :data:`CHARTS`)."""
    if name not in CHARTS:
        from nexos_model.errors import NexosError

        raise NexosError(f"gráfico '{name}' desconocido (disponibles: {', '.join(CHARTS)})")
    return CHARTS[name][1](result, municipio)


def charts(result: "RunResult", municipio: str | None = None) -> dict[str, "Figure"]:
    """Every chart of :data:`CHARTS` for one municipality, by name."""
    return {name: chart(name, result, municipio) for name in CHARTS}


def to_svg(fig: "Figure") -> str:
    """The figure as SVG text (vector: sharp in print, small in HTML)."""
    import io

    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg", metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    return buf.getvalue()


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


def _value_axis(ax: "Axes", unit: str, low: float) -> None:
    """Y axis in the unit's words: quetzales in millions (from 0 unless values go negative),
    ``porcentaje`` for fractions shown as %, anything else as the axis label."""
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    if unit == "quetzales":
        _money_axis(ax)
        # Steps of 1, 2 or 5 only: _money_axis picks decimals from the step, and a 1.5 step
        # (MaxNLocator's default allows it) would print 150,000 as "0.2".
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3, steps=[1, 2, 5, 10]))
        if low < 0:  # fiscal space can be negative: do not cut it at zero
            ax.autoscale(enable=True, axis="y")
    elif unit == "porcentaje":
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
        ax.set_ylabel("Porcentaje")
    else:
        ax.set_ylabel(unit[:1].upper() + unit[1:])


def _by_year(table, column: str = "anio"):
    """The table indexed by year (accepts a year index or an ``anio`` column)."""
    frame = table.set_index(column) if column in getattr(table, "columns", ()) else table
    return frame.sort_index()


def fan_chart(history, bands, title: str, unit: str = "quetzales") -> "Figure":
    """Observed values and the projected percentile bands (p05–p95, p10–p90, p25–p75, median).

    ``history``: Series by year (observed). ``bands``: DataFrame with ``p05 … p95`` by year
    (year index or ``anio`` column). The fan opens from the last observed value, so the
    projection visibly starts from what happened.
    """
    import matplotlib

    bands = _by_year(bands)
    bands = bands[[c for c in ("p05", "p10", "p25", "p50", "p75", "p90", "p95") if c in bands]].astype(float)
    history = history.sort_index()
    if len(history) and bands.index.min() > history.index.max():
        bands = bands.reindex([history.index.max(), *bands.index])
        bands.iloc[0] = float(history.iloc[-1])
    years = list(history.index) + [y for y in bands.index if y not in set(history.index)]
    low = min(float(history.min()) if len(history) else 0.0, float(bands.min().min()))
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure()
        for lo, hi, label, alpha in FAN_BANDS:
            if lo in bands and hi in bands:
                ax.fill_between(bands.index, bands[lo], bands[hi], color=ACCENT, alpha=alpha,
                                linewidth=0, label=label)
        if "p50" in bands:
            ax.plot(bands.index, bands["p50"], color=ACCENT, linestyle="--", marker="s", markersize=3.5,
                    markerfacecolor="white", linewidth=1.8, label="Mediana (p50)")
        if len(history):
            ax.plot(history.index, history.values, color=INK, linestyle="-", marker="o", markersize=4,
                    linewidth=2, label="Observado")
            _mark_projection(ax, int(history.index.max()), int(max(years)))
        _value_axis(ax, unit, low)
        ax.set_xticks(years)
        ax.tick_params(axis="x", labelrotation=45)
        ax.set_xlabel("Año")
        ax.set_title(title)
        fig.legend(loc="outside lower center", ncols=3)
    return fig


def tornado_chart(table, title: str, unit: str = "quetzales", central: float | None = None,
                  labels: dict[str, str] | None = None,
                  value_text: Callable[[str, float], str] | None = None) -> "Figure":
    """Tornado: how far the outcome moves when each parameter goes to its low or high value.

    ``table`` is :func:`nexos_model.scenarios.sensitivity.tornado`'s (widest swing on top); bars
    start at the all-central outcome (``central``, else ``table.attrs["resultado_central"]``).
    Low values are light outlined bars, high values dark ones; each label shows the range tried,
    written by ``value_text(parameter, value)`` when given (e.g. ``2.36 %``), else as ``0.0236``.
    """
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

    if central is None:
        central = table.attrs.get("resultado_central")
    if central is None:
        central = float((table["resultado_bajo"] + table["resultado_alto"]).mean() / 2)
    rows = table.sort_values("rango", ascending=False, kind="stable").reset_index(drop=True)
    names = labels or {}
    if "etiqueta" in rows:
        names = {**dict(zip(rows["parametro"], rows["etiqueta"])), **names}
    y = list(range(len(rows)))[::-1]  # widest on top
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(SIZE[0], max(2.6, 0.5 * len(rows) + 1.4)), layout="constrained")
        ax = fig.add_subplot()
        ax.barh(y, rows["resultado_bajo"] - central, left=central, height=0.6, color=LIGHT,
                edgecolor=INK, linewidth=0.6, label="Parámetro en su valor bajo")
        ax.barh(y, rows["resultado_alto"] - central, left=central, height=0.6, color=ACCENT,
                edgecolor=INK, linewidth=0.6, label="Parámetro en su valor alto")
        ax.axvline(central, color=INK, linewidth=1.2, label="Resultado central")
        show = value_text or (lambda _p, v: f"{v:g}")
        ax.set_yticks(y, [f"{names.get(p, p)}\n({show(p, lo)} a {show(p, hi)})"
                          for p, lo, hi in zip(rows["parametro"], rows["bajo"], rows["alto"])])
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        if unit == "quetzales":  # as _money_axis, on x: decimals follow the tick step
            ax.xaxis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3, steps=[1, 2, 5, 10]))

            def fmt(value: float, _pos: int) -> str:
                ticks = ax.xaxis.get_majorticklocs()
                step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(value) or 1e6
                return millones(value, 0 if step >= 1e6 else 1 if step >= 1e5 else 2).replace(" millones", "")

            ax.xaxis.set_major_formatter(FuncFormatter(fmt))
            ax.set_xlabel("Millones de quetzales")
        elif unit == "porcentaje":
            ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
            ax.set_xlabel("Porcentaje")
        else:
            ax.set_xlabel(unit[:1].upper() + unit[1:])
        ax.set_title(title)
        fig.legend(loc="outside lower center", ncols=3)
    return fig


def scenario_comparison_chart(table, title: str, unit: str = "quetzales", base: str = "base") -> "Figure":
    """One line per scenario over the years (``escenario, anio, valor``); the base scenario
    first and solid, the others told apart by dash pattern and marker, not colour alone."""
    import matplotlib

    names = list(dict.fromkeys(table["escenario"]))
    if base in names:
        names.remove(base)
        names.insert(0, base)
    years = sorted(table["anio"].unique())
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure()
        for i, name in enumerate(names):
            color, dash, marker = SCENARIO_STYLES[i % len(SCENARIO_STYLES)]
            rows = table.loc[table["escenario"] == name].sort_values("anio")
            ax.plot(rows["anio"], rows["valor"], color=color, linestyle=dash, marker=marker, markersize=4,
                    markerfacecolor=color if i == 0 else "white", linewidth=2 if i == 0 else 1.6,
                    label=f"Escenario {name}")
        _value_axis(ax, unit, float(table["valor"].min()))
        ax.set_xticks(years)
        ax.tick_params(axis="x", labelrotation=45)
        ax.set_xlabel("Año")
        ax.set_title(title)
        # Long scenario names (actualizacion_catastral) fit two to a row; short ones three.
        wide_names = max(len(n) for n in names) > 14
        fig.legend(loc="outside lower center", ncols=min(len(names), 2 if wide_names else 3))
    return fig


# --- Charts of a Monte Carlo run, a scenario comparison and a tornado table --------------------

__all__ += ["fiscal_space", "plan_funding", "revenue_gap", "revenue_streams", "scenario_chart", "schedule",
            "sensitivity_chart", "transfers", "uncertainty_fan"]


def uncertainty_fan(result: "RunResult", concepto: str = "ingresos_propios",
                    municipio: str | None = None) -> "Figure":
    """Fan chart of one outcome from a Monte Carlo run (``RunResult.percentiles``), opening
    from the observed years when the outcome is a MINFIN concept."""
    import pandas as pd

    from nexos_model.report.summary import unit_of

    code = municipio or result.municipios[0]
    table = result.percentiles
    bands = table.loc[(table["municipio"] == code) & (table["concepto"] == concepto)]
    wide = result.wide(code)
    observed = result.annual.loc[result.annual["municipio"] == code, "anio"]
    history = (wide.loc[wide.index <= int(observed.max()), concepto] if concepto in wide.columns
               else pd.Series(dtype=float))
    title = f"{catalog.label(concepto)}: observados y rango proyectado"
    return fan_chart(history, bands, title, unit=unit_of(concepto))


def scenario_chart(comparison, resultado: str = "ingresos_propios") -> "Figure":
    """One outcome over the years in every scenario of a comparison (``Comparison.outcomes``)."""
    from nexos_model.report.summary import unit_of

    rows = comparison.outcomes.loc[comparison.outcomes["resultado"] == resultado]
    label = rows["etiqueta"].iloc[0] if len(rows) else catalog.label(resultado)
    return scenario_comparison_chart(rows[["escenario", "anio", "valor"]], f"{label} por escenario",
                                     unit=unit_of(resultado))


def sensitivity_chart(table, resultado: str = "ingresos_propios", anio: int | None = None) -> "Figure":
    """Tornado of one outcome (a ``tornado_for`` table): which assumptions move it most."""
    from nexos_model.report.summary import unit_of

    from nexos_model.report.summary import parameter_value

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
    import textwrap

    return {k: textwrap.fill(p[-1] if last.count(p[-1]) == 1 else ", ".join(p[-2:]), 34)
            for k, p in parts.items()}
