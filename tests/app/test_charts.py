"""The app's charts: valid SVG with exact tooltips, stacks that reach the total."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from nexos_model.app import charts


def test_line_chart_is_valid_svg_with_exact_tooltips():
    years, values = [2019, 2020, 2021], [1_000_000.0, float("nan"), 3_000_000.5]
    html = charts.line_chart(years, [("Serie", values)], "Título", divider=2019)
    svg = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6])
    ns = "{http://www.w3.org/2000/svg}"
    points = [c for c in svg.iter(f"{ns}circle") if c.find(f"{ns}title") is not None]  # not the legend's
    assert len(points) == 2  # the missing year is a gap, not a zero
    assert "2021 · Serie: Q 3,000,000.50" in html
    assert charts.nice_ticks(0, 3_000_000.5)[-1] >= 3_000_000.5


def test_bar_chart_stacks_to_the_total():
    html = charts.bar_chart([2020], [("A", [2e6]), ("B", [3e6])], "t")
    svg = ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6])
    bars = [r for r in svg.iter("{http://www.w3.org/2000/svg}rect") if r.find("{http://www.w3.org/2000/svg}title") is not None]
    assert [b.find("{http://www.w3.org/2000/svg}title").text for b in bars] == ["2020 · A: Q 2,000,000.00",
                                                                              "2020 · B: Q 3,000,000.00"]
    heights = [float(r.get("height")) for r in bars]
    assert heights[1] / heights[0] == pytest.approx(1.5, rel=1e-2)
    top_of_a, bottom_of_b = float(bars[0].get("y")), float(bars[1].get("y")) + heights[1]
    assert bottom_of_b == pytest.approx(top_of_a, abs=0.11)  # B sits on A
