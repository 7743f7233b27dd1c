"""Static charts for the council report: matplotlib (Agg), Spanish text, legible in grey print.

Every chart is a plain function ``chart(result, municipio=None) -> Figure`` registered in
:data:`CHARTS`; a new chart (fiscal space, investment plan) is one more function and one more
entry. Series are told apart by line style, markers and tone, never by hue alone, so the
report reads the same on a black-and-white printer. Figures are built with
``matplotlib.figure.Figure`` (no pyplot state), so nothing leaks between calls or threads.
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


def _money_axis(ax: "Axes") -> None:
    """Y ticks in millions of quetzales, with as many decimals as the tick step needs."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, min_n_ticks=3))

    def fmt(value: float, _pos: int) -> str:
        ticks = ax.yaxis.get_majorticklocs()
        step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(value) or 1e6
        decimals = 0 if step >= 1e6 else 1 if step >= 1e5 else 2
        return millones(value, decimals).replace(" millones", "")

    ax.yaxis.set_major_formatter(FuncFormatter(fmt))
    ax.set_ylabel("Millones de quetzales")
    ax.set_ylim(bottom=0)


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


#: Charts by name: ``name -> (Spanish caption, function)``. Add new charts here.
CHARTS: dict[str, tuple[str, Callable[..., "Figure"]]] = {
    "ingresos_propios": ("Ingresos propios observados y proyectados", own_revenue),
    "composicion": ("Composición de los ingresos", composition),
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
