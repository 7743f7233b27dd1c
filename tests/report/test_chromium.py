"""A chart alone in a file: SVG as drawn, PDF and PNG printed by Chromium."""

from __future__ import annotations

import pytest

from nexos_model.errors import NexosError


def test_a_chart_alone_as_svg_pdf_and_png(tmp_path, pesimista):
    import xml.etree.ElementTree as ET

    from pypdf import PdfReader

    from nexos_model.report import figures
    from nexos_model.report.chromium import write_chart

    chart = figures.fiscal_space(pesimista)
    svg, pdf, png = (write_chart(chart, tmp_path / f"espacio.{ext}") for ext in ("svg", "pdf", "png"))
    assert ET.parse(svg).getroot().get("aria-label") == chart.title
    assert "Espacio fiscal para inversión" in PdfReader(pdf).pages[0].extract_text()  # text stays text
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (2 * 720, 2 * round(chart.height + 0.49))  # twice the chart's size
    with pytest.raises(NexosError, match="extensión no admitida para un gráfico"):
        write_chart(chart, tmp_path / "espacio.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["espacio.pdf", "espacio.png", "espacio.svg"]
