"""Small inline SVG charts for the live views: lines (with an optional band) and stacked bars.

Why not the report's matplotlib figures: drawing one takes ~0.3 s, and a slider move must
redraw every view in well under 0.25 s. These charts are plain SVG text (about 1 ms each),
coloured by CSS classes (``nexos-serie-<i>``), with a ``<title>`` tooltip on every point or bar
giving the exact amount in quetzales. Axes are in millions of quetzales; the projected years
are shaded, as in the report.
"""

from __future__ import annotations

import math
from html import escape
from typing import Sequence

from nexos_model.report.formatting import numero, quetzales

W, H = 660, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 14, 22, 30


def _finite(values: Sequence[float]) -> list[float]:
    return [float(v) for v in values if v is not None and math.isfinite(float(v))]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (low <= 0 <= high is kept when given)."""
    span = high - low if high > low else (abs(high) or 1.0)
    raw = span / count
    exp = 10 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1, 2, 2.5, 5, 10) if raw <= m * exp)
    start = math.floor(low / step) * step
    stop = math.ceil(high / step) * step
    n = int(round((stop - start) / step))
    return [start + i * step for i in range(n + 1)]


class _Frame:
    """Scales and axes of one chart: years on x, quetzales on y."""

    def __init__(self, years: Sequence[int], low: float, high: float, bars: bool):
        self.years = [int(y) for y in years]
        self.ticks = nice_ticks(min(0.0, low), max(0.0, high))
        self.y0, self.y1 = self.ticks[0], self.ticks[-1]
        self.bars = bars
        self.slot = (W - LEFT - RIGHT) / max(1, len(self.years) if bars else len(self.years) - 1)

    def x(self, i: int) -> float:
        return LEFT + self.slot * (i + 0.5 if self.bars else i)

    def y(self, value: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - (value - self.y0) / ((self.y1 - self.y0) or 1.0))

    def axes(self, divider: int | None) -> list[str]:
        out = []
        if divider is not None and divider in self.years and self.years[-1] > divider:
            i = self.years.index(divider)
            x = (self.x(i) + self.x(i + 1)) / 2
            out.append(f'<rect class="nexos-proyeccion" x="{x:.1f}" y="{TOP}" width="{W - RIGHT - x:.1f}" '
                       f'height="{H - TOP - BOTTOM}"/>')
            out.append(f'<text class="nexos-eje" x="{x + 4:.1f}" y="{TOP + 12}">proyección</text>')
        for t in self.ticks:
            y = self.y(t)
            out.append(f'<line class="nexos-rejilla" x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
            out.append(f'<text class="nexos-eje" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                       f'{numero(t / 1e6, 1 if self.y1 - self.y0 < 1e7 else 0)}</text>')
        every = max(1, math.ceil(len(self.years) / 12))
        for i, year in enumerate(self.years):
            if i % every == 0:
                out.append(f'<text class="nexos-eje" x="{self.x(i):.1f}" y="{H - BOTTOM + 16}" '
                           f'text-anchor="middle">{year}</text>')
        out.append(f'<text class="nexos-eje" x="6" y="{TOP - 8}">Millones de Q</text>')
        return out


def _figure(svg_parts: list[str], labels: Sequence[str], title: str) -> str:
    """The chart as a figure: title, SVG, and an HTML legend (it wraps; SVG text does not)."""
    svg = (f'<svg class="nexos-svg" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" '
           f'xmlns="http://www.w3.org/2000/svg">' + "".join(svg_parts) + "</svg>")
    legend = "".join(f'<span class="nexos-clave"><i class="nexos-muestra nexos-serie-{i}"></i>{escape(label)}</span>'
                     for i, label in enumerate(labels))
    return (f'<figure class="nexos-grafico"><figcaption>{escape(title)}</figcaption>{svg}'
            f'<div class="nexos-leyenda">{legend}</div></figure>')


def line_chart(years: Sequence[int], series: Sequence[tuple[str, Sequence[float]]], title: str,
               divider: int | None = None, band: tuple[str, Sequence[float], Sequence[float]] | None = None,
               dashed: Sequence[int] = ()) -> str:
    """Lines over years (NaN = gap); ``band`` = (label, low, high) drawn behind the first line."""
    everything = [v for _, values in series for v in _finite(values)]
    if band:
        everything += _finite(band[1]) + _finite(band[2])
    if not everything or not years:
        return ""
    frame = _Frame(years, min(everything), max(everything), bars=False)
    parts = frame.axes(divider)
    labels = [label for label, _ in series]
    if band:
        label, low, high = band
        top = [(frame.x(i), frame.y(v)) for i, v in enumerate(high) if math.isfinite(v)]
        bottom = [(frame.x(i), frame.y(v)) for i, v in enumerate(low) if math.isfinite(v)][::-1]
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in top + bottom)
        parts.append(f'<polygon class="nexos-banda" points="{points}"><title>{escape(label)}</title></polygon>')
    for i, (label, values) in enumerate(series):
        segment: list[str] = []
        style = " nexos-discontinua" if i in dashed else ""
        runs: list[list[str]] = []
        for j, v in enumerate(values):
            if v is None or not math.isfinite(float(v)):
                if segment:
                    runs.append(segment)
                segment = []
                continue
            segment.append(f"{frame.x(j):.1f},{frame.y(float(v)):.1f}")
            parts.append(f'<circle class="nexos-serie-{i}" cx="{frame.x(j):.1f}" cy="{frame.y(float(v)):.1f}" '
                         f'r="2.6"><title>{years[j]} · {escape(label)}: {quetzales(v)}</title></circle>')
        if segment:
            runs.append(segment)
        parts.extend(f'<polyline class="nexos-linea nexos-serie-{i}{style}" points="{" ".join(run)}"/>'
                     for run in runs)
    return _figure(parts, labels, title)


def bar_chart(years: Sequence[int], parts_by_label: Sequence[tuple[str, Sequence[float]]], title: str,
              divider: int | None = None) -> str:
    """Stacked bars by year (positive parts stack up; a negative value is drawn below zero)."""
    n = len(years)
    if not n or not parts_by_label:
        return ""
    tops = [sum(max(0.0, float(values[j])) for _, values in parts_by_label) for j in range(n)]
    lows = [sum(min(0.0, float(values[j])) for _, values in parts_by_label) for j in range(n)]
    frame = _Frame(years, min(lows), max(tops) or 1.0, bars=True)
    out = frame.axes(divider)
    width = frame.slot * 0.72
    up, down = [0.0] * n, [0.0] * n
    for i, (label, values) in enumerate(parts_by_label):
        for j, v in enumerate(values):
            v = float(v)
            if not math.isfinite(v) or v == 0:
                continue
            base = up[j] if v > 0 else down[j]
            y_a, y_b = frame.y(base), frame.y(base + v)
            if v > 0:
                up[j] += v
            else:
                down[j] += v
            out.append(f'<rect class="nexos-serie-{i}" x="{frame.x(j) - width / 2:.1f}" y="{min(y_a, y_b):.1f}" '
                       f'width="{width:.1f}" height="{abs(y_b - y_a):.1f}"><title>{years[j]} · {escape(label)}: '
                       f'{quetzales(v)}</title></rect>')
    return _figure(out, [label for label, _ in parts_by_label], title)
