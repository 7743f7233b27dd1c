"""The live views' charts: lines (with an optional band) and stacked bars over years.

Thin adapters over the report's engine (:mod:`nexos_model.report.svg`), so the app and the
council report draw the same way (a chart takes a few milliseconds: a slider move redraws
every view well under 0.25 s). On screen the series take :data:`COLOURS`, distinct hues that
also differ in lightness; every point and bar carries a tooltip with its exact amount in
quetzales; the estimated and the projected years are shaded, as in the report.
"""

from __future__ import annotations

from typing import Sequence

from nexos_model.report.figures import MONEY, mark_projection, money_tip, money_tips
from nexos_model.report.svg import Axis, Plot, nice_ticks

__all__ = ["COLOURS", "bar_chart", "line_chart", "nice_ticks"]

#: Line styles (dash, marker) told apart without colour, for charts whose lines may overlap
#: (scenarios side by side).
STYLES = (("-", "o"), ("--", "s"), (":", "^"), ("-.", "D"), ("--", "v"), (":", "P"), ("-", "s"), ("--", "o"))
#: Series colours on screen, in order.
COLOURS = ("#1f4e79", "#e6892e", "#6aa84f", "#a64d79", "#9fc5e8", "#555555", "#f1c232", "#45818e",
           "#cc4125", "#b4a7d6", "#93c47d", "#bbbbbb")


def _plot(title: str, years: Sequence[int], divider: int | None, budget: int | None = None) -> Plot:
    """``divider``: the last observed year; ``budget``: the budget year (the years between are estimates)."""
    plot = Plot(title, Axis("years"), MONEY, height=220)
    if divider is not None and min(years) <= divider:  # the observed years, captioned too
        plot.shade(min(years) - 0.5, divider + 0.5, "observado", fill="#ffffff")
    if divider is not None and (divider in years or (budget is not None and min(years) > divider)):
        mark_projection(plot, divider, max(years), budget)
    return plot


def line_chart(years: Sequence[int], series: Sequence[tuple[str, Sequence[float]]], title: str,
               divider: int | None = None, band: tuple[str, Sequence[float], Sequence[float]] | None = None,
               dashed: Sequence[int] = (), budget: int | None = None, styled: bool = False) -> str:
    """Lines over years (NaN = gap); ``band`` = (label, low, high) drawn behind the lines;
    the series numbered in ``dashed`` are dashed; ``styled`` gives each series its own dash and
    marker (:data:`STYLES`: lines that overlap stay apart); years after
    ``divider`` (the last observed) are shaded, those before ``budget`` as estimates."""
    if not years or not series:
        return ""
    plot = _plot(title, years, divider, budget)
    if band:
        plot.band(band[0], years, band[1], band[2], fill=COLOURS[0], opacity=0.25)
    for i, (label, values) in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        dash, marker = STYLES[i % len(STYLES)] if styled else ("--" if i in dashed else None, "o")
        plot.line(label, years, values, stroke=colour, width=2.2, dash=dash, marker=marker,
                  marker_size=6 if styled else 5, marker_fill="white" if styled and i % 2 else None,
                  tips=money_tips(label, years, values))
    return plot.render().html()


def bar_chart(years: Sequence[int], parts_by_label: Sequence[tuple[str, Sequence[float]]], title: str,
              divider: int | None = None, budget: int | None = None, first_tone: str | None = None) -> str:
    """Stacked bars by year (positive parts stack up; a negative value is drawn below zero),
    shaded as :func:`line_chart`; ``first_tone`` sets the first part apart (observed years' total)."""
    if not years or not parts_by_label:
        return ""
    plot = _plot(title, years, divider, budget)
    tones = (first_tone, *COLOURS) if first_tone else COLOURS
    plot.stack([int(y) for y in years], parts_by_label, tones=tones, tip=money_tip)
    return plot.render().html()
