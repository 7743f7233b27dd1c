"""The report's charts: Spanish, grey-safe, well-formed SVG with amounts in quetzales; the
uncertainty charts (fan, tornado, scenario comparison) show the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nexos_model.report.figures import fan_chart, scenario_comparison_chart, tornado_chart
from nexos_model.scenarios.sensitivity import tornado
from nexos_model.scenarios.summary import percentile_table
from tests.support import BUDGET_YEAR


def _grey(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_report_charts_are_spanish_and_grey_safe(pesimista):
    from nexos_model.report import figures

    titles = {name: figures.chart(name, pesimista).title for name in figures.CHARTS}
    assert titles["espacio_fiscal"] == "Espacio fiscal para inversión por fuente de financiamiento"
    assert titles["brechas"] == f"Recaudación y brechas hasta el potencial, {BUDGET_YEAR}"
    assert titles["transferencias"] == "Transferencias del Gobierno Central por fuente"
    # Stacked parts differ in lightness (what a grey printer keeps), not in hue alone.
    grey = sorted(map(_grey, figures.TONES))
    assert min(b - a for a, b in zip(grey, grey[1:])) > 0.1
    chart = figures.fiscal_space(pesimista)
    assert chart.legend == ["CODEDE", "IVA-PAZ", "Aporte constitucional", "Préstamo INFOM",
                            "Ingresos propios y de libre uso"]
    years = BUDGET_YEAR + 10 - 2020  # estimated and projected
    assert sum(len(m.x0) for m in chart.marks if m.kind == "rect") == 5 * years  # five sources
    nonzero = sum(v != 0 for m in chart.marks if m.kind == "rect" for v in (b - a for a, b in zip(m.y0, m.y1)))
    assert chart.ylabel == "Millones de quetzales" and chart.svg.count("<rect") >= nonzero  # zero parts not drawn
    # Each stack of bars reaches the year's total fiscal space (parts sum to the whole).
    from nexos_model.report.summary import space_by_source

    table = space_by_source(pesimista, "0901")
    positive = table.clip(lower=0).sum(axis=1).to_numpy()
    tops = [max(ends) for ends in zip(*(m.y1 for m in chart.marks if m.kind == "rect"))]
    assert tops == pytest.approx(positive)


def test_chart_svg_is_well_formed_and_says_amounts_in_quetzales(pesimista):
    import xml.etree.ElementTree as ET

    from nexos_model.report import figures

    for name in figures.CHARTS:
        chart = figures.chart(name, pesimista)
        root = ET.fromstring(chart.svg)  # valid XML: embeds in HTML and opens as a file
        assert root.tag.endswith("svg") and float(root.get("height")) == pytest.approx(chart.height)
    chart = figures.own_revenue(pesimista)
    tips = chart.mark("Observado (SICOIN GL)").tips
    assert tips and all(t.startswith("20") and ": Q " in t for t in tips)  # hover: exact Q amounts
    for value, label in chart.yticks:  # each label states its tick, in millions of quetzales
        assert float(label.removeprefix("Q ").replace(",", "")) == pytest.approx(value / 1e6)
    assert chart.yticks[0] == (0, "Q 0")


YEARS = list(range(2020, 2030))


def _svg(chart, path):
    """Write the chart as a file and check it parses as SVG."""
    import xml.etree.ElementTree as ET

    path.write_text(chart.svg, encoding="utf-8")
    assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    return chart


@pytest.fixture
def bands():
    growth = np.random.default_rng(0).normal(0.03, 0.05, size=(4000, len(YEARS)))
    return percentile_table(12.2e6 * np.exp(np.cumsum(growth, axis=1)), {"anio": YEARS})


def test_fan_chart(tmp_path, bands):
    history = pd.Series([10e6, 11e6, 11.5e6, 12.2e6], index=[2016, 2017, 2018, 2019])
    title = "Ingresos propios: observados y rango proyectado"
    chart = _svg(fan_chart(history, bands, title, unit="quetzales"), tmp_path / "abanico.svg")
    assert chart.title == title
    assert chart.legend == ["Intervalo del 90 % (p05 a p95)", "Intervalo del 80 % (p10 a p90)",
                            "Intervalo del 50 % (p25 a p75)", "Mediana (p50)", "Observado"]
    assert (chart.xlabel, chart.ylabel) == ("Año", "Millones de quetzales")
    # The median line opens from the last observed value and then follows p50.
    median = chart.mark("Mediana (p50)")
    assert list(median.x) == [2019, *YEARS]
    assert median.y[0] == 12.2e6
    np.testing.assert_allclose(median.y[1:], bands["p50"])
    outer = chart.mark("Intervalo del 90 % (p05 a p95)")
    np.testing.assert_allclose(outer.y1[1:], bands["p95"])
    assert chart.yticks[0][0] == 0 and chart.yticks[-1][0] >= bands["p95"].max()


def test_fan_chart_of_a_fraction_and_a_negative_range(tmp_path):
    bands = pd.DataFrame({"anio": YEARS, **{c: np.linspace(-0.2, 0.1, len(YEARS)) + k * 0.02
                                               for k, c in enumerate(["p05", "p10", "p25", "p50", "p75", "p90", "p95"])}})
    chart = _svg(fan_chart(pd.Series(dtype=float), bands, "Espacio fiscal como porcentaje del ingreso",
                           unit="porcentaje"), tmp_path / "fraccion.svg")
    assert chart.ylabel == "Porcentaje"
    assert chart.yticks[0][0] <= -0.2
    assert all(label.endswith(" %") for _, label in chart.yticks)
    assert "-20 %" in [label for _, label in chart.yticks]


def test_tornado_chart(tmp_path):
    table = tornado(lambda x: 1e6 * (30 * x["inflacion"] - 2 * x["cobertura"] + x["tasa"]),
                    {"inflacion": 0.04, "cobertura": 0.5, "tasa": 1.0},
                    {"inflacion": (0.02, 0.06), "cobertura": (0.3, 0.7), "tasa": (0.8, 1.3)})
    title = "Espacio fiscal 2030: sensibilidad a cada supuesto"
    chart = _svg(tornado_chart(table, title, labels={"inflacion": "Inflación", "cobertura": "Cobertura catastral"}),
                 tmp_path / "tornado.svg")
    assert chart.title == title
    assert chart.legend == ["Parámetro en su valor bajo", "Parámetro en su valor alto", "Resultado central"]
    assert chart.xlabel == "Millones de quetzales"
    # Rows top to bottom, widest swing first: inflación (1.2 M), cobertura (0.8 M), tasa (0.5 M).
    assert [label for _, label in chart.yticks] == [
        "Inflación\n(0.02 a 0.06)", "Cobertura catastral\n(0.3 a 0.7)", "tasa\n(0.8 a 1.3)"]
    low = chart.mark("Parámetro en su valor bajo")
    assert low.x0[0] == pytest.approx(1.2e6) and low.x1[0] - low.x0[0] == pytest.approx(-0.6e6)
    assert chart.mark("Resultado central").x == pytest.approx((1.2e6,))
    assert "Q 1.2" in [label for _, label in chart.xticks]


def test_scenario_comparison_chart(tmp_path):
    rows = [(name, year, 1e6 * (1 + g) ** i - 1.1e6)
            for name, g in [("optimista", 0.05), ("base", 0.03), ("pesimista", -0.01)]
            for i, year in enumerate(YEARS)]
    table = pd.DataFrame(rows, columns=["escenario", "anio", "valor"])
    title = "Espacio fiscal por escenario"
    chart = _svg(scenario_comparison_chart(table, title), tmp_path / "escenarios.svg")
    assert chart.title == title
    assert chart.legend == ["Escenario base", "Escenario optimista", "Escenario pesimista"]
    assert (chart.xlabel, chart.ylabel) == ("Año", "Millones de quetzales")
    styles = {m.label: (m.style["dash"], m.style["marker"]) for m in chart.marks if m.kind == "line"}
    assert len(set(styles.values())) == 3  # told apart without colour
    assert chart.yticks[0][0] < table["valor"].min() < 0  # negative space is not cut off at zero
    for value, label in chart.yticks:  # every label states its tick (no 0.15 shown as 0.2)
        assert float(label.replace("Q", "").replace(" ", "")) == pytest.approx(value / 1e6)


def test_estimated_years_are_drawn_apart_from_observed_and_projected(pesimista):
    """The years without data before the budget are shaded darker and labelled «estimado»; own
    revenue draws them as a dotted line of open circles between the observed and projected lines."""
    from nexos_model.report import figures
    from nexos_model.report.svg import ESTIMATE_SHADE, SHADE

    chart = figures.own_revenue(pesimista)
    assert chart.legend[:3] == ["Observado (SICOIN GL)", "Estimado (años sin datos cargados)",
                                "Proyectado: Pesimista"]
    estimated = chart.mark("Estimado (años sin datos cargados)")
    assert list(estimated.x) == list(range(2019, BUDGET_YEAR))  # joins the last observed year
    assert estimated.style["dash"] == ":" and estimated.style["marker_fill"] == "white"
    assert list(chart.mark("Proyectado: Pesimista").x)[0] == BUDGET_YEAR - 1
    for name in ("ingresos_propios", "composicion", "transferencias", "espacio_fiscal"):
        svg = figures.chart(name, pesimista).svg
        assert f'fill="{ESTIMATE_SHADE}"' in svg and f'fill="{SHADE}"' in svg, name
        assert ">estimado<" in svg and ">proyección<" in svg, name
