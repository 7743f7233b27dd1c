"""The Gantt chart of a plan: Spanish and grey."""

from __future__ import annotations

from nexos_model.investment.plan import plan_investment
from tests.investment.support import settings, small_plan


def test_gantt_chart_is_spanish_and_grey():
    from nexos_model.report.gantt import gantt_chart

    projects, space, years, _ = small_plan()
    plan = plan_investment(projects, space, years, settings(), municipio="0901", effect_years=range(2026, 2030))
    chart = gantt_chart(plan)
    bars = [m for m in chart.marks if m.kind == "rect"]
    assert sum(len(m.x0) for m in bars) == len(plan.cronograma)
    for mark in bars:  # grey tones only: the chart reads the same on a black-and-white printer
        fill = mark.style["fill"]
        assert fill[1:3] == fill[3:5] == fill[5:7]
    table = plan.cronograma.sort_values(["inicio", "fin", "proyecto"], ignore_index=True)
    assert [label for _, label in chart.yticks] == table["proyecto"].tolist()
    # Each bar spans its project's execution years (edges half a year out, like the year ticks).
    starts = sorted(x + 0.5 for m in bars for x in m.x0)
    assert starts == sorted(table["inicio"].astype(float))
    assert chart.title.startswith("Cronograma de inversión 2026-2027, municipio 0901")
    assert chart.legend == ["Ejecución, proyecto obligatorio", "Ejecución", "Operación y mantenimiento"]
