"""Golden SVGs of the chart engine: one specimen chart per mark type, stored in ``tests/golden/svg/``.

Each specimen draws one mark type the way the reports use it, with the awkward cases of that
mark (a missing value, a negative part, text with ``&`` and ``<``, several lines, every marker
shape). Stored with a line break between elements so ``git diff`` shows the element that
changed; the SVG itself is one line. ``make golden`` rewrites them; ``test_golden_svg.py``
compares the engine's output with them character for character.
"""

from __future__ import annotations

import math
from pathlib import Path

from nexos_model.report.svg import ACCENT, INK, LIGHT, MID, Axis, Chart, Plot

DIRECTORY = Path(__file__).resolve().parent / "svg"
YEARS = list(range(2016, 2026))
NAN = math.nan


def rect() -> Chart:
    """Horizontal bars on named rows (as the tornado and the Gantt): bars from a centre, a dashed
    outline, a zero-width bar not drawn, hover text with XML's characters."""
    plot = Plot("Rectángulos: sensibilidad del espacio fiscal", Axis("value", "Millones de quetzales"),
                Axis("rows", labels=("Inflación", "Crecimiento del aporte", "Tasa INFOM\n(préstamos nuevos)")),
                note="Barras desde el resultado central; una barra de ancho cero no se dibuja")
    plot.rects("Valor bajo", [10e6, 10e6, 10e6], [7.5e6, 9.2e6, 10e6], [-0.3, 0.7, 1.7], [0.3, 1.3, 2.3],
               fill=INK, tips=["Inflación 3 %: Q 7.5 millones", "Aporte < 4 % & CODEDE", "sin efecto"])
    plot.rects("Valor alto", [10e6, 10e6, 10e6], [12.25e6, 10.6e6, 10.4e6], [-0.3, 0.7, 1.7], [0.3, 1.3, 2.3],
               fill=LIGHT, dash="--", tips=["Inflación 5 %", "Aporte 6 %", "Tasa 9.5 %"])
    return plot.render()


def stack() -> Chart:
    """Stacked bars over years (as the revenue by source): a negative part hangs below zero, a
    missing value counts as zero, the projected years shaded."""
    plot = Plot("Barras apiladas: ingresos por fuente", Axis("years", "Año"), Axis("value", "Millones de quetzales"))
    plot.shade(2021.5, 2025.5, "proyección")
    plot.stack(YEARS, [("Ingresos propios", [3e6, 3.2e6, 3.1e6, 3.5e6, 3.6e6, 3.9e6, 4.1e6, 4.3e6, 4.6e6, 4.8e6]),
                       ("Aporte constitucional", [9e6] * 5 + [NAN] + [10e6] * 4),
                       ("Ajustes", [-1e6, -0.5e6, 0, 0, 0.4e6, 0, -0.2e6, 0, 0, 0])],
               tip=lambda label, year, value: f"{label} {year:.0f}: Q {value:,.2f}")
    return plot.render()


def line() -> Chart:
    """Lines over years (as observed vs projected): markers, a dashed line, a gap where a value is
    missing, a percentage axis not starting at zero."""
    plot = Plot("Líneas: autonomía financiera", Axis("years"), Axis("value", "Porcentaje", "porcentaje", zero=False))
    plot.line("Observado", YEARS[:4], [0.081, 0.092, NAN, 0.104], marker="o", tips=["2016", "2017", "", "2019"])
    plot.line("Proyectado", YEARS[3:], [0.104, 0.11, 0.115, 0.121, 0.124, 0.13, 0.133], stroke=ACCENT, width=1.8,
              dash="--", marker="s", marker_size=5)
    plot.line("Mediana del departamento", YEARS, [0.075] * len(YEARS), stroke=MID, width=1.2, dash="-.")
    return plot.render()


def band() -> Chart:
    """Bands of a fan chart (p05-p95 and p25-p75) with the median: a missing year breaks nothing,
    values below zero put the zero line inside the plot."""
    plot = Plot("Bandas: espacio fiscal, Monte Carlo", Axis("years"), Axis("value", "Millones de quetzales"))
    years = YEARS[4:]
    plot.band("p05-p95", years, [-2e6, -1.5e6, NAN, 0.2e6, 0.5e6, 1e6], [4e6, 5e6, 6e6, 7e6, 8e6, 9.5e6], opacity=0.15)
    plot.band("p25-p75", years, [0.5e6, 1e6, 1.6e6, 2.2e6, 2.9e6, 3.5e6], [2.5e6, 3.2e6, 4e6, 4.8e6, 5.6e6, 6.5e6],
              opacity=0.3)
    plot.line("Mediana (p50)", years, [1.5e6, 2.1e6, 2.8e6, 3.5e6, 4.2e6, 5e6], stroke=ACCENT, dash="--", marker="s")
    return plot.render()


def points() -> Chart:
    """Markers without a line (as the potential at the end of a bar): every marker shape."""
    shapes = ("|", "o", "s", "^", "v", "D", "P")
    plot = Plot("Puntos: cada forma de marcador", Axis("value", "Personas", "personas"),
                Axis("rows", labels=tuple(f"marcador {s}" for s in shapes)))
    for i, shape in enumerate(shapes):
        plot.points(f"Forma {shape}", [1000 + 450 * i], [i], marker=shape, stroke=INK if i % 2 else ACCENT,
                    tips=[f"{1000 + 450 * i:,} personas"])
    return plot.render()


def rule() -> Chart:
    """Rules across the plot (as the central result, the end of the observed years): one
    vertical, one horizontal, two dash patterns, both in the legend."""
    plot = Plot("Reglas: límites y referencias", Axis("years"), Axis("value", "Fracción", "porcentaje"))
    plot.line("Servicio de la deuda / ingresos", YEARS, [0.05, 0.08, 0.12, 0.2, 0.24, 0.22, 0.18, 0.15, 0.12, 0.1],
              marker="o")
    plot.rule("Límite legal (25 %)", y=0.25, dash=":", stroke=INK)
    plot.rule("Último año observado", x=2019.5, dash="-.", stroke=MID, width=1)
    return plot.render()


def text() -> Chart:
    """Text at data points (as amounts on Gantt bars): centred, several lines, one colour per
    label, italic, characters XML escapes."""
    plot = Plot("Texto: montos sobre las barras", Axis("years", limits=(2020, 2024)), Axis("rows", labels=("A", "B", "C")))
    plot.rects("Proyectos", [2019.5, 2020.5, 2022.5], [2020.5, 2022.5, 2024.5], [-0.3, 0.7, 1.7], [0.3, 1.3, 2.3],
               fill=LIGHT)
    plot.labels([2020, 2021.5, 2023.5], [0, 1, 2], ["Q 1.2 M", "Q 3.4 M\n(2 años)", "Agua & <drenaje>"],
                fill=[INK, INK, MID])
    plot.labels([2022], [0], ["Ningún proyecto más cabe"], italic=True, fill=MID)
    return plot.render()


SPECIMENS = {f.__name__: f for f in (rect, stack, line, band, points, rule, text)}


def readable(svg: str) -> str:
    """The SVG with one element per line (the break goes between ``>`` and ``<`` only, so the
    text content is unchanged), ending with a line break."""
    return svg.replace("><", ">\n<") + "\n"


def path(name: str) -> Path:
    return DIRECTORY / f"{name}.svg"


def regenerate() -> list[Path]:
    """Rewrite every golden SVG (``make golden``)."""
    DIRECTORY.mkdir(parents=True, exist_ok=True)
    written = []
    for name, specimen in SPECIMENS.items():
        path(name).write_text(readable(specimen().svg), encoding="utf-8")
        written.append(path(name))
    return written
