"""Fan chart, tornado and scenario comparison: they render to PNG, speak Spanish, and show the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from nexos_model.report.figures import fan_chart, scenario_comparison_chart, tornado_chart
from nexos_model.scenarios import percentile_table, tornado

YEARS = list(range(2020, 2030))


def _png(fig, path):
    fig.savefig(path, format="png", dpi=80)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    FigureCanvasAgg(fig).draw()  # lay out the ticks so their labels can be read
    return fig.axes[0]


def _texts(fig, ax):
    legend = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    return legend, ax.get_xlabel(), ax.get_ylabel()


@pytest.fixture
def bands():
    growth = np.random.default_rng(0).normal(0.03, 0.05, size=(4000, len(YEARS)))
    return percentile_table(12.2e6 * np.exp(np.cumsum(growth, axis=1)), {"anio": YEARS})


def test_fan_chart(tmp_path, bands):
    history = pd.Series([10e6, 11e6, 11.5e6, 12.2e6], index=[2016, 2017, 2018, 2019])
    title = "Ingresos propios: observados y rango proyectado"
    fig = fan_chart(history, bands, title, unit="quetzales")
    ax = _png(fig, tmp_path / "abanico.png")
    assert ax.get_title() == title
    legend, xlabel, ylabel = _texts(fig, ax)
    assert legend == ["Intervalo del 90 % (p05 a p95)", "Intervalo del 80 % (p10 a p90)",
                      "Intervalo del 50 % (p25 a p75)", "Mediana (p50)", "Observado"]
    assert (xlabel, ylabel) == ("Año", "Millones de quetzales")
    # The median line opens from the last observed value and then follows p50.
    median = ax.get_lines()[0]
    assert list(median.get_xdata()) == [2019, *YEARS]
    assert median.get_ydata()[0] == 12.2e6
    np.testing.assert_allclose(median.get_ydata()[1:], bands["p50"])
    assert ax.get_ylim()[0] == 0 and ax.get_ylim()[1] >= bands["p95"].max()


def test_fan_chart_of_a_fraction_and_a_negative_range(tmp_path):
    bands = pd.DataFrame({"anio": YEARS, **{c: np.linspace(-0.2, 0.1, len(YEARS)) + k * 0.02
                                               for k, c in enumerate(["p05", "p10", "p25", "p50", "p75", "p90", "p95"])}})
    fig = fan_chart(pd.Series(dtype=float), bands, "Espacio fiscal como porcentaje del ingreso", unit="porcentaje")
    ax = _png(fig, tmp_path / "fraccion.png")
    assert ax.get_ylabel() == "Porcentaje"
    assert ax.get_ylim()[0] <= -0.2
    assert any(t.get_text().endswith("%") for t in ax.get_yticklabels())


def test_tornado_chart(tmp_path):
    table = tornado(lambda x: 1e6 * (30 * x["inflacion"] - 2 * x["cobertura"] + x["tasa"]),
                    {"inflacion": 0.04, "cobertura": 0.5, "tasa": 1.0},
                    {"inflacion": (0.02, 0.06), "cobertura": (0.3, 0.7), "tasa": (0.8, 1.3)})
    title = "Espacio fiscal 2030: sensibilidad a cada supuesto"
    fig = tornado_chart(table, title, labels={"inflacion": "Inflación", "cobertura": "Cobertura catastral"})
    ax = _png(fig, tmp_path / "tornado.png")
    assert ax.get_title() == title
    legend, xlabel, _ = _texts(fig, ax)
    assert legend == ["Resultado central", "Parámetro en su valor bajo", "Parámetro en su valor alto"]
    assert xlabel == "Millones de quetzales"
    by_height = sorted(zip(ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]), reverse=True)
    # Widest swing on top: inflación (1.2 M), cobertura (0.8 M), tasa (0.5 M).
    assert [label for _, label in by_height] == [
        "Inflación\n(0.02 a 0.06)", "Cobertura catastral\n(0.3 a 0.7)", "tasa\n(0.8 a 1.3)"]
    low_bars, high_bars = ax.containers
    top_low = low_bars.patches[0]
    assert top_low.get_x() == pytest.approx(1.2e6) and top_low.get_width() == pytest.approx(-0.6e6)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "Q 1.2" in ticks


def test_scenario_comparison_chart(tmp_path):
    rows = [(name, year, 1e6 * (1 + g) ** i - 1.1e6)
            for name, g in [("optimista", 0.05), ("base", 0.03), ("pesimista", -0.01)]
            for i, year in enumerate(YEARS)]
    table = pd.DataFrame(rows, columns=["escenario", "anio", "valor"])
    title = "Espacio fiscal por escenario"
    fig = scenario_comparison_chart(table, title)
    ax = _png(fig, tmp_path / "escenarios.png")
    assert ax.get_title() == title
    legend, xlabel, ylabel = _texts(fig, ax)
    assert legend == ["Escenario base", "Escenario optimista", "Escenario pesimista"]
    assert (xlabel, ylabel) == ("Año", "Millones de quetzales")
    styles = {line.get_label(): (line.get_linestyle(), line.get_marker()) for line in ax.get_lines()}
    assert len(set(styles.values())) == 3  # told apart without colour
    assert ax.get_ylim()[0] < table["valor"].min() < 0  # negative space is not cut off at zero
    ticks = ax.yaxis.get_majorticklocs()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for value, label in zip(ticks, labels):  # every label states its tick (no 0.15 shown as 0.2)
        assert float(label.replace("Q", "").replace(" ", "")) == pytest.approx(value / 1e6)
