"""Charts drawn straight to SVG text: the chart engine of the reports, the workbooks and the app.

Why not matplotlib: laying out and writing one report chart took it 0.25-0.4 s of CPU, and a
council report has five, which made charts most of the cost of a batch of 340 reports. A chart
here is a :class:`Plot`: marks in data coordinates (rectangles, lines, bands, points, rules,
labels), two axes (years, values or rows of named categories), a title and a legend. Rendering
lays it out and writes the SVG in about a millisecond.

Text stays text (sharp and selectable in the PDF, drawn by the browser's font). Its width is
estimated from DejaVu Sans metrics, which are wider than the usual fallbacks (Liberation Sans,
Arial), so a label measured here never runs into its neighbour. Every mark carries a
``<title>``: hovering a bar or a point shows its exact amount. Series are told apart by tone,
dash pattern and marker, never by hue alone, so a chart reads the same in grey print.

The rendered :class:`Chart` keeps its marks, ticks and legend as data, for tests and callers.

Scope rule: this is a small engine for the charts Nexos draws, not a plotting library. No new
mark type without two callers (two charts that need it); until then, draw with the marks there
are. Its own tests: ``tests/report/test_svg.py`` (tick properties, well-formedness) and a
golden SVG per mark type (``tests/golden/svg/``, rewritten only by ``make golden``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape
from typing import Callable, Sequence

from nexos_model.wording import millones, numero, porcentaje

__all__ = ["ACCENT", "ESTIMATE_SHADE", "INK", "LIGHT", "MID", "SHADE", "TONES", "Axis", "Chart", "Mark", "Plot",
           "nice_ticks", "text_width", "value_labels"]

#: Print-friendly palette: dark, mid and light greys plus one dark accent (still distinct in grey).
INK, MID, LIGHT, ACCENT = "#222222", "#6e6e6e", "#c8c8c8", "#1f4e79"
SHADE = "#f0f0f0"  # the projected years' background
ESTIMATE_SHADE = "#e0e0e0"  # the estimated years' background (past years without data), darker
#: Tones for the parts of a stacked chart, darkest first: distinct in grey print; every part is
#: outlined in ink so the white one still shows.
TONES = (INK, "#5a5a5a", "#8c8c8c", "#b4b4b4", "#dcdcdc", "#ffffff")
#: Dash patterns by matplotlib-style name, in multiples of the line width.
DASHES = {"-": None, "--": (3.5, 1.8), ":": (1.0, 1.6), "-.": (3.5, 1.4, 1.0, 1.4)}

WIDTH = 720.0  # user units: 7.2 in at 100 per inch, the text width of an A4 page with 18 mm margins
PT = 100 / 72  # user units per typographic point
TEXT, TITLE, SMALL = 9 * PT, 10.5 * PT, 8 * PT
FONT = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif"

# Advance widths of DejaVu Sans in em, by character class (the rest: 0.60 lower case, 0.72 upper).
_NARROW = dict.fromkeys(" .,:;'|!ijlI()[]", 0.32) | dict.fromkeys("ftr-", 0.40)
_WIDE = dict.fromkeys("mwMW%", 0.92) | dict.fromkeys("0123456789Q", 0.64)


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width of ``text`` (its longest line) at font ``size``, in user units."""
    def one(line: str) -> float:
        # fsum: exactly rounded, so the layout is the same on every Python (3.12's sum() compensates)
        return math.fsum(_NARROW.get(c) or _WIDE.get(c) or (0.72 if c.isupper() else 0.60) for c in line)

    return max((one(line) for line in text.split("\n")), default=0.0) * size * (1.08 if bold else 1.0)


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round ticks covering [low, high] at most ``count`` intervals apart, steps of 1, 2 or 5 × 10ⁿ
    (never 2.5: a label rounded to one decimal must still state its tick).

    Values closer than a billionth of their size (or than 1e-9: float noise of a flat series,
    or of zero) count as one value, and the axis spans around it: ticks finer than a float can
    tell apart would all print the same label."""
    span = high - low
    if not span > 1e-9 * max(abs(low), abs(high), 1.0):
        centre = (low + high) / 2
        span = abs(centre) if abs(centre) > 1e-9 else 1.0
        low, high = centre - span / 2, centre + span / 2
    raw = span / count
    exp = 10 ** math.floor(math.log10(raw))
    step = next(m * exp for m in (1, 2, 5, 10) if raw <= m * exp * (1 + 1e-9))
    start, stop = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round((start + i) * step, 12) for i in range(stop - start + 1)]


#: Characters XML 1.0 cannot hold, even escaped (C0 controls but tab and line breaks; U+FFFE/F).
_NOT_XML = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


def _escape(text: str) -> str:
    """Text for SVG: XML's special characters escaped, characters XML cannot hold (a vertical
    tab pasted from a spreadsheet) dropped, so the file always parses."""
    return escape(text.translate(_NOT_XML))


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".") if math.isfinite(x) else "0"


def _points(xy: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in xy)


def _dash(dash: str | None, width: float) -> str:
    pattern = DASHES.get(dash or "-")
    return f' stroke-dasharray="{" ".join(_num(p * width) for p in pattern)}"' if pattern else ""


def _tip(tip: str | None) -> str:
    return f"<title>{_escape(tip)}</title>" if tip else ""


def _marker(kind: str, x: float, y: float, size: float, fill: str, stroke: str, tip: str | None = None) -> str:
    """A marker centred on (x, y): o circle, s square, ^ v triangles, D diamond, P plus, | bar."""
    r = size / 2
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="1"'
    if kind == "o":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" {paint}>{_tip(tip)}</circle>'
    shapes = {
        "s": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "^": [(0, -r * 1.15), (r * 1.1, r * 0.8), (-r * 1.1, r * 0.8)],
        "v": [(0, r * 1.15), (r * 1.1, -r * 0.8), (-r * 1.1, -r * 0.8)],
        "D": [(0, -r * 1.3), (r, 0), (0, r * 1.3), (-r, 0)],
        "P": [(-r / 3, -r), (r / 3, -r), (r / 3, -r / 3), (r, -r / 3), (r, r / 3), (r / 3, r / 3),
              (r / 3, r), (-r / 3, r), (-r / 3, r / 3), (-r, r / 3), (-r, -r / 3), (-r / 3, -r / 3)],
    }
    if kind == "|":
        return (f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{_num(y - size)}" y2="{_num(y + size)}" '
                f'stroke="{stroke}" stroke-width="2.6">{_tip(tip)}</line>')
    return f'<polygon points="{_points([(x + dx, y + dy) for dx, dy in shapes[kind]])}" {paint}>{_tip(tip)}</polygon>'


def _text(x: float, y: float, text: str, size: float = TEXT, anchor: str = "start", fill: str = INK,
          weight: str = "", italic: bool = False, valign: str = "baseline", rotate: float = 0) -> str:
    """Text at (x, y); ``valign`` baseline, middle or top; lines split at ``\\n``."""
    lines = text.split("\n")
    lead = size * 1.2
    shift = {"baseline": 0.0, "middle": 0.35 * size - lead * (len(lines) - 1) / 2, "top": 0.8 * size}[valign]
    attrs = f'font-size="{_num(size)}" fill="{fill}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if weight:
        attrs += f' font-weight="{weight}"'
    if italic:
        attrs += ' font-style="italic"'
    if rotate:
        attrs += f' transform="rotate({_num(rotate)} {_num(x)} {_num(y)})"'
    if len(lines) == 1:
        return f'<text x="{_num(x)}" y="{_num(y + shift)}" {attrs}>{_escape(text)}</text>'
    spans = "".join(f'<tspan x="{_num(x)}" dy="{_num(0 if i == 0 else lead)}">{_escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{_num(x)}" y="{_num(y + shift)}" {attrs}>{spans}</text>'


@dataclass(frozen=True)
class Mark:
    """Something drawn, in data coordinates. ``kind``: ``rect`` (x0, x1, y0, y1 per item),
    ``line`` (x, y), ``band`` (x, y0 low, y1 high), ``points`` (x, y), ``rule`` (x or y: one
    value), ``text`` (x, y, texts). ``style`` holds its paint; ``tips`` the hover text of items."""

    kind: str
    label: str
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()
    x0: tuple[float, ...] = ()
    x1: tuple[float, ...] = ()
    y0: tuple[float, ...] = ()
    y1: tuple[float, ...] = ()
    texts: tuple[str, ...] = ()
    tips: tuple[str, ...] = ()
    style: dict = field(default_factory=dict)
    legend: bool = True


@dataclass(frozen=True)
class Axis:
    """One axis: ``years`` (one tick per year, ``labels`` thinned if crowded), ``value`` (round
    ticks; ``unit`` quetzales in millions, ``porcentaje`` for fractions, else plain numbers;
    from zero unless values go below it) or ``rows`` (named categories, first on top)."""

    kind: str
    title: str = ""
    unit: str = "quetzales"
    labels: tuple[str, ...] = ()
    zero: bool = True
    limits: tuple[float, float] | None = None


def value_labels(ticks: Sequence[float], unit: str) -> list[str]:
    """Tick labels in the unit's words, with as many decimals as the step needs (a label
    always states its tick): ``Q 1.5`` (millions), ``20 %``, ``1,250``."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(ticks[0]) or 1.0
    if unit == "quetzales":
        decimals = max(0, -math.floor(math.log10(step / 1e6) + 1e-9))
        return [millones(t, decimals).replace(" millones", "") for t in ticks]
    if unit == "porcentaje":
        decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
        return [porcentaje(t, decimals) for t in ticks]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return [numero(t, decimals) for t in ticks]


@dataclass
class Chart:
    """A rendered chart: its SVG and what it shows, as data (title, legend, axes, marks)."""

    title: str
    svg: str
    width: float
    height: float
    legend: list[str]
    xlabel: str
    ylabel: str
    xticks: list[tuple[float, str]]
    yticks: list[tuple[float, str]]
    marks: list[Mark]
    note: str = ""

    def mark(self, label: str) -> Mark:
        """The first mark with this label (KeyError if none)."""
        for m in self.marks:
            if m.label == label:
                return m
        raise KeyError(label)

    def html(self, caption: str = "") -> str:
        """The chart as an HTML figure (inline SVG), with an optional caption below."""
        cap = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
        return f"<figure class='nexos-grafico'>{self.svg}{cap}</figure>"

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return f"[gráfico: {self.title}]"


@dataclass
class _Scale:
    """Data to user units along one axis: [lo, hi] onto [a, b] (b < a for the vertical axis)."""

    lo: float
    hi: float
    a: float
    b: float

    def __call__(self, v: float) -> float:
        return self.a + (v - self.lo) / ((self.hi - self.lo) or 1.0) * (self.b - self.a)


class Plot:
    """A chart being built: add marks in data coordinates, then :meth:`render`.

    ``x`` and ``y`` are the axes; ``height`` is the plotting area's (rows: per row, see
    ``row_height``). The legend lists the labelled marks in the order they were added.
    """

    def __init__(self, title: str, x: Axis, y: Axis, *, height: float = 250, row_height: float = 26,
                 note: str = ""):
        self.title, self.x, self.y, self.note = title, x, y, note
        self.height, self.row_height = height, row_height
        self.marks: list[Mark] = []
        self.shades: list[tuple[float, float, str, str]] = []

    # --- marks ----------------------------------------------------------------------------------

    def _add(self, kind: str, label: str, legend: bool = True, **data) -> Mark:
        style = data.pop("style")
        tips = tuple(data.pop("tips", ()) or ())
        mark = Mark(kind, label, tips=tips, style=style, legend=legend and bool(label),
                    **{k: tuple(float(v) for v in vs) if k != "texts" else tuple(vs) for k, vs in data.items()})
        self.marks.append(mark)
        return mark

    def rects(self, label: str, x0, x1, y0, y1, fill: str, stroke: str = INK, width: float = 0.8,
              dash: str | None = None, tips: Sequence[str] = (), legend: bool = True) -> Mark:
        """Rectangles between (x0, y0) and (x1, y1): bars of either orientation, Gantt bars."""
        return self._add("rect", label, legend, x0=x0, x1=x1, y0=y0, y1=y1, tips=tips,
                         style={"fill": fill, "stroke": stroke, "width": width, "dash": dash})

    def stack(self, positions: Sequence[float], parts: Sequence[tuple[str, Sequence[float]]],
              tones: Sequence[str] = TONES, width: float = 0.72, vertical: bool = True,
              tip: Callable[[str, float, float], str] | None = None) -> list[Mark]:
        """Stacked bars at ``positions`` (years, or rows when not ``vertical``): each part
        ``(label, values)`` on top of the previous ones; negative values hang below zero."""
        up = [0.0] * len(positions)
        down = [0.0] * len(positions)
        marks = []
        for i, (label, values) in enumerate(parts):
            values = [float(v) if v == v else 0.0 for v in values]
            base = [u if v >= 0 else d for u, d, v in zip(up, down, values)]
            ends = [b + v for b, v in zip(base, values)]
            lo = [p - width / 2 for p in positions]
            hi = [p + width / 2 for p in positions]
            tips = [tip(label, p, v) for p, v in zip(positions, values)] if tip else ()
            coords = (lo, hi, base, ends) if vertical else (base, ends, lo, hi)
            marks.append(self.rects(label, *coords, fill=tones[i % len(tones)], tips=tips))
            up = [u + max(v, 0.0) for u, v in zip(up, values)]
            down = [d + min(v, 0.0) for d, v in zip(down, values)]
        return marks

    def line(self, label: str, x, y, stroke: str = INK, width: float = 2.0, dash: str | None = None,
             marker: str | None = None, marker_size: float = 5.5, marker_fill: str | None = None,
             tips: Sequence[str] = (), legend: bool = True) -> Mark:
        """A line through the finite points (a missing value breaks it), with optional markers."""
        return self._add("line", label, legend, x=x, y=y, tips=tips,
                         style={"stroke": stroke, "width": width, "dash": dash, "marker": marker,
                                "size": marker_size, "marker_fill": marker_fill or stroke})

    def band(self, label: str, x, low, high, fill: str = ACCENT, opacity: float = 0.2,
             tips: Sequence[str] = ()) -> Mark:
        """A filled band between ``low`` and ``high`` over ``x``."""
        return self._add("band", label, x=x, y0=low, y1=high, tips=tips, style={"fill": fill, "opacity": opacity})

    def points(self, label: str, x, y, marker: str = "|", size: float = 9, stroke: str = ACCENT,
               tips: Sequence[str] = ()) -> Mark:
        """Markers without a line (e.g. the potential at the end of a bar)."""
        return self._add("points", label, x=x, y=y, tips=tips,
                         style={"marker": marker, "size": size, "stroke": stroke, "fill": stroke})

    def rule(self, label: str, *, x: float | None = None, y: float | None = None, stroke: str = INK,
             width: float = 1.2, dash: str | None = None, legend: bool = True) -> Mark:
        """A line across the whole plotting area at ``x`` (vertical) or ``y`` (horizontal)."""
        where = {"x": (x,)} if x is not None else {"y": (y,)}
        return self._add("rule", label, legend, **where, style={"stroke": stroke, "width": width, "dash": dash})

    def labels(self, x, y, texts: Sequence[str], size: float = SMALL, fill: str | Sequence[str] = INK,
               anchor: str = "middle", italic: bool = False) -> Mark:
        """Text at data points (centred on them by default); ``fill`` one colour or one per text."""
        return self._add("text", "", False, x=x, y=y, texts=[str(t) for t in texts],
                         style={"size": size, "fill": fill, "anchor": anchor, "italic": italic})

    def shade(self, start: float, end: float, text: str = "", fill: str = SHADE) -> None:
        """A grey background over x from ``start`` to ``end`` (the projected years; the estimated
        ones in :data:`ESTIMATE_SHADE`), captioned."""
        self.shades.append((start, end, text, fill))

    # --- layout ---------------------------------------------------------------------------------

    def _extent(self, axis: str) -> tuple[float, float]:
        values: list[float] = []
        for m in self.marks:
            if m.kind == "rule":
                values += list(getattr(m, axis))
            else:
                values += list(getattr(m, axis)) + list(getattr(m, axis + "0")) + list(getattr(m, axis + "1"))
        values = [v for v in values if math.isfinite(v)]
        return (min(values), max(values)) if values else (0.0, 1.0)

    def _ticks(self, which: str) -> tuple[float, float, list[float], list[str]]:
        """(low, high, tick values, tick labels) of one axis."""
        axis = self.x if which == "x" else self.y
        lo, hi = self._extent(which)
        if axis.kind == "rows":
            n = max(len(axis.labels), 1)
            return -0.5, n - 0.5, list(range(n)), list(axis.labels)
        if axis.kind == "years":
            lo, hi = axis.limits or (math.floor(lo + 0.5), math.ceil(hi - 0.5))
            years = list(range(int(lo), int(hi) + 1))
            return lo - 0.5, hi + 0.5, years, [str(t) for t in years]
        if axis.limits:
            lo, hi = axis.limits
        elif axis.zero:
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        ticks = nice_ticks(lo, hi)
        return ticks[0], ticks[-1], ticks, value_labels(ticks, axis.unit)

    @staticmethod
    def _legend_swatch(m: Mark, x: float, y: float) -> str:
        s = m.style
        if m.kind == "line":
            out = (f'<line x1="{_num(x)}" x2="{_num(x + 24)}" y1="{_num(y)}" y2="{_num(y)}" stroke="{s["stroke"]}" '
                   f'stroke-width="{_num(s["width"])}"{_dash(s["dash"], s["width"])}/>')
            if s["marker"]:
                out += _marker(s["marker"], x + 12, y, s["size"], s["marker_fill"], s["stroke"])
            return out
        if m.kind == "rule":
            return (f'<line x1="{_num(x + 12)}" x2="{_num(x + 12)}" y1="{_num(y - 7)}" y2="{_num(y + 7)}" '
                    f'stroke="{s["stroke"]}" stroke-width="{_num(s["width"])}"{_dash(s["dash"], s["width"])}/>')
        if m.kind == "points":
            return _marker(s["marker"], x + 12, y, s["size"] * 0.8, s["fill"], s["stroke"])
        if m.kind == "band":
            return (f'<rect x="{_num(x)}" y="{_num(y - 6)}" width="24" height="12" fill="{s["fill"]}" '
                    f'fill-opacity="{s["opacity"]}"/>')
        return (f'<rect x="{_num(x + 2)}" y="{_num(y - 6)}" width="20" height="12" fill="{s["fill"]}" '
                f'stroke="{s["stroke"]}" stroke-width="{_num(s["width"])}"{_dash(s["dash"], s["width"])}/>')

    def _legend(self, top: float) -> tuple[list[str], float, list[str]]:
        """Legend entries flowing in centred rows from ``top``: (svg parts, height, labels)."""
        entries = [m for m in self.marks if m.legend]
        sized = [(m, 30 + text_width(m.label, TEXT)) for m in entries]
        rows: list[list[tuple[Mark, float]]] = [[]]
        for m, w in sized:
            if rows[-1] and math.fsum(v + 18 for _, v in rows[-1]) + w > WIDTH - 20:
                rows.append([])
            rows[-1].append((m, w))
        parts: list[str] = []
        for i, row in enumerate(r for r in rows if r):
            total = math.fsum(w for _, w in row) + 18 * (len(row) - 1)
            x, y = (WIDTH - total) / 2, top + 10 + i * 20
            for m, w in row:
                parts.append(self._legend_swatch(m, x, y))
                parts.append(_text(x + 30, y, m.label, valign="middle"))
                x += w + 18
        height = 20 * len([r for r in rows if r]) + 6 if entries else 0
        return parts, height, [m.label for m in entries]

    def render(self) -> Chart:
        """Lay the chart out and write its SVG."""
        xlo, xhi, xt, xl = self._ticks("x")
        ylo, yhi, yt, yl = self._ticks("y")
        # Left margin: the y tick labels (row names may span lines) and the y axis title.
        left = 8 + max((text_width(t, TEXT) for t in yl), default=0) + 6 + (20 if self.y.title else 0)
        left = min(left, WIDTH * 0.5)
        right = 20 + (text_width(xl[-1], TEXT) / 2 if self.x.kind == "value" and xl else 0)
        top = 8 + TITLE * 1.3 + (SMALL * 1.4 if self.note else 0) + 8
        inner = WIDTH - left - right
        # Years (and value ticks) thin out when their labels would touch.
        every = 1
        if xl:
            widest = max(text_width(t, TEXT) for t in xl) + 8
            while len(xl) / every * widest > inner:
                every += 1
        rows = self.y.kind == "rows"
        plot_h = self.row_height * max(len(self.y.labels), 1) + 8 if rows else self.height
        xs = _Scale(xlo, xhi, left, left + inner)
        ys = _Scale(ylo, yhi, top, top + plot_h) if rows else _Scale(ylo, yhi, top + plot_h, top)
        axis_bottom = top + plot_h
        legend_top = axis_bottom + TEXT * 1.6 + (TEXT * 1.5 if self.x.title else 0) + 4

        out: list[str] = []
        for start, end, text, fill in self.shades:
            a, b = xs(max(start, xlo)), xs(min(end, xhi))
            if not b > a:  # wholly outside the axis: nothing to shade (a negative width is invalid SVG)
                continue
            out.append(f'<rect x="{_num(a)}" y="{_num(top)}" width="{_num(b - a)}" height="{_num(plot_h)}" fill="{fill}"/>')
            if text:
                out.append(_text(a + 4, top + 4, text, SMALL, fill=MID, italic=True, valign="top"))
        # Grid along the value axis; the zero line (when inside) stronger.
        if self.y.kind == "value":
            for t in yt:
                out.append(f'<line x1="{_num(left)}" x2="{_num(left + inner)}" y1="{_num(ys(t))}" y2="{_num(ys(t))}" '
                           f'stroke="#dddddd" stroke-width="0.8"/>')
        if self.x.kind in ("value", "years") and rows:
            for t in xt[::every]:
                out.append(f'<line x1="{_num(xs(t))}" x2="{_num(xs(t))}" y1="{_num(top)}" y2="{_num(axis_bottom)}" '
                           f'stroke="#dddddd" stroke-width="0.8"/>')
        for m in self.marks:
            out.extend(self._draw(m, xs, ys, top, axis_bottom, left, left + inner))
        if self.y.kind == "value" and ylo < 0 < yhi:
            out.append(f'<line x1="{_num(left)}" x2="{_num(left + inner)}" y1="{_num(ys(0))}" y2="{_num(ys(0))}" '
                       f'stroke="{INK}" stroke-width="0.9"/>')
        # Spines, ticks and labels.
        out.append(f'<polyline points="{_points([(left, top), (left, axis_bottom), (left + inner, axis_bottom)])}" '
                   f'fill="none" stroke="{INK}" stroke-width="0.9"/>')
        for t, label in list(zip(xt, xl))[::every]:
            x = xs(t)
            out.append(f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{_num(axis_bottom)}" y2="{_num(axis_bottom + 4)}" '
                       f'stroke="{INK}" stroke-width="0.8"/>')
            out.append(_text(x, axis_bottom + 6, label, anchor="middle", valign="top"))
        for t, label in zip(yt, yl):
            y = ys(t)
            if not rows:
                out.append(f'<line x1="{_num(left - 4)}" x2="{_num(left)}" y1="{_num(y)}" y2="{_num(y)}" '
                           f'stroke="{INK}" stroke-width="0.8"/>')
            out.append(_text(left - 7, y, label, anchor="end", valign="middle"))
        if self.x.title:
            out.append(_text(left + inner / 2, axis_bottom + 6 + TEXT * 1.5, self.x.title, anchor="middle",
                             valign="top"))
        if self.y.title:
            out.append(_text(12, top + plot_h / 2, self.y.title, anchor="middle", valign="middle", rotate=-90))
        out.append(_text(8, 8, self.title, TITLE, weight="bold", valign="top"))
        if self.note:
            out.append(_text(8, 8 + TITLE * 1.3, self.note, SMALL, fill=MID, italic=True, valign="top"))
        legend, legend_h, labels = self._legend(legend_top)
        out.extend(legend)
        height = round(legend_top + legend_h + 4, 1)
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(WIDTH)} {_num(height)}" '
               f'width="{_num(WIDTH)}" height="{_num(height)}" font-family="{escape(FONT, quote=False)}" role="img" '
               f'aria-label="{_escape(self.title)}">'
               f'<rect width="100%" height="100%" fill="white"/>{"".join(out)}</svg>')
        return Chart(self.title, svg, WIDTH, height, labels, self.x.title, self.y.title,
                     list(zip(xt, xl))[::every], list(zip(yt, yl)), list(self.marks), self.note)

    @staticmethod
    def _draw(m: Mark, xs: _Scale, ys: _Scale, top: float, bottom: float, left: float, right: float) -> list[str]:
        s = m.style
        tips = m.tips or ("",) * max(len(m.x), len(m.x0), 1)
        if m.kind == "rect":
            out = []
            for a, b, c, d, tip in zip(m.x0, m.x1, m.y0, m.y1, tips):
                x, y = min(xs(a), xs(b)), min(ys(c), ys(d))
                w, h = abs(xs(b) - xs(a)), abs(ys(d) - ys(c))
                if w <= 0 or h <= 0:
                    continue
                stroke = (f' stroke="{s["stroke"]}" stroke-width="{_num(s["width"])}"{_dash(s["dash"], s["width"])}'
                          if s["stroke"] else "")
                out.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
                           f'fill="{s["fill"]}"{stroke}>{_tip(tip)}</rect>')
            return out
        if m.kind == "line":
            runs: list[list[tuple[float, float]]] = [[]]
            for x, y in zip(m.x, m.y):
                if math.isfinite(y):
                    runs[-1].append((xs(x), ys(y)))
                elif runs[-1]:
                    runs.append([])
            out = [f'<polyline points="{_points(r)}" fill="none" stroke="{s["stroke"]}" '
                   f'stroke-width="{_num(s["width"])}" stroke-linejoin="round"{_dash(s["dash"], s["width"])}/>'
                   for r in runs if len(r) > 1]
            if s["marker"]:
                out += [_marker(s["marker"], xs(x), ys(y), s["size"], s["marker_fill"], s["stroke"], tip)
                        for x, y, tip in zip(m.x, m.y, tips) if math.isfinite(y)]
            return out
        if m.kind == "band":
            keep = [(x, a, b) for x, a, b in zip(m.x, m.y0, m.y1) if math.isfinite(a) and math.isfinite(b)]
            outline = [(xs(x), ys(b)) for x, _, b in keep] + [(xs(x), ys(a)) for x, a, _ in keep[::-1]]
            tip = _tip(m.label)
            return [f'<polygon points="{_points(outline)}" fill="{s["fill"]}" fill-opacity="{s["opacity"]}">{tip}</polygon>']
        if m.kind == "points":
            return [_marker(s["marker"], xs(x), ys(y), s["size"], s["fill"], s["stroke"], tip)
                    for x, y, tip in zip(m.x, m.y, tips) if math.isfinite(x) and math.isfinite(y)]
        if m.kind == "rule":
            dash = _dash(s["dash"], s["width"])
            if m.x:
                x = xs(m.x[0])
                return [f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{_num(top)}" y2="{_num(bottom)}" '
                        f'stroke="{s["stroke"]}" stroke-width="{_num(s["width"])}"{dash}/>']
            y = ys(m.y[0])
            return [f'<line x1="{_num(left)}" x2="{_num(right)}" y1="{_num(y)}" y2="{_num(y)}" '
                    f'stroke="{s["stroke"]}" stroke-width="{_num(s["width"])}"{dash}/>']
        fills = s["fill"] if not isinstance(s["fill"], str) else [s["fill"]] * len(m.texts)
        return [_text(xs(x), ys(y), t, s["size"], anchor=s["anchor"], fill=f, italic=s["italic"], valign="middle")
                for x, y, t, f in zip(m.x, m.y, m.texts, fills)]
