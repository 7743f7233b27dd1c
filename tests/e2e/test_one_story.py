"""One true story: the plan lives inside its fiscal space, and every face tells the same numbers.

- Over all 340 municipalities (``base``): the investment plan never programmes more of a source,
  in any year, than the space left after its own loans' debt service and the O&M of what it
  builds (the space of ``run(..., planificar=True)``, which has them), and it breaks no legal
  rule that the municipality did not already break without it.
- For the five Western Highlands capitals and 20 other municipalities, under ``base`` and the
  ``actualizacion_catastral`` reform: the council report's fiscal-space table, the app's
  fiscal-space table and ``run(..., planificar=True)`` agree to the quetzal (the app shows whole
  quetzales), and the app's card (in millions with two decimals) shows the same budget-year and
  plan figures.
"""

from __future__ import annotations

import pytest

from nexos_model import run
from nexos_model.app.session import Session
from nexos_model.app.views import ViewContext, card_amount, fiscal_space_view, headline_cards
from nexos_model.fiscal.space import plan_source
from nexos_model.io.bundled import load_municipalities
from nexos_model.report import notebook as nb
from nexos_model.report import summary
from nexos_model.wording import quetzales

CAPITALS = ("0901", "1301", "1201", "0801", "1401")
#: Twenty more: one or two per department, large and small, urban and rural.
OTHERS = ("0101", "0115", "0201", "0301", "0404", "0502", "0607", "0706", "0910", "1004",
          "1103", "1215", "1319", "1421", "1508", "1605", "1709", "1802", "2005", "2207")
CENT = 0.005


#: The 340 municipalities in four parts, so that the test workers share them.
PARTS = 4


def municipalities(part: int) -> list[str]:
    return load_municipalities()["municipio"].tolist()[part::PARTS]


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
def test_the_plan_stays_inside_the_space_left_after_it_and_breaks_no_rule(part):
    """For every municipality (a quarter of the 340 per case), ``base``: programmed funding by
    source and year <= the space left after the plan's own debt service and O&M; no legal rule
    broken that the municipality kept without the plan; no spending without a source."""
    codes = municipalities(part)
    planned, unplanned = run(codes, "base", planificar=True), run(codes, "base")
    space = planned.fiscal_space.assign(fuente=planned.fiscal_space["fuente"].map(plan_source))
    left = space.groupby(["municipio", "anio", "fuente"])["monto"].sum()
    over = []
    for code, plan in planned.plans.items():
        funding = plan.financiamiento_proyectos.groupby(["anio", "fuente"])["monto"].sum()
        for (year, source), amount in funding.items():
            room = left.get((code, year, source), 0.0)
            if amount > room + CENT:
                over.append(f"{code} {year} {source}: programa {amount:,.2f}, queda {room:,.2f}")
    assert len(planned.plans) == len(codes) and not over, over[:10]
    assert sum(len(p.cronograma) for p in planned.plans.values()) > len(codes)  # plans are not empty
    key = ["municipio", "anio", "regla"]
    before = set(map(tuple, unplanned.rules.loc[~unplanned.rules["cumple"], key].to_numpy().tolist()))
    after = set(map(tuple, planned.rules.loc[~planned.rules["cumple"], key].to_numpy().tolist()))
    assert after <= before, sorted(after - before)[:10]
    assert (planned.projection.query("concepto == 'deficit'")["valor"] <= CENT).all()


def test_the_parts_cover_the_340_once():
    codes = [c for part in range(PARTS) for c in municipalities(part)]
    assert len(codes) == len(set(codes)) == 340


@pytest.fixture(scope="module")
def truth():
    """``run(..., planificar=True)`` of the 25 municipalities, once per scenario."""
    cache = {}

    def get(escenario):
        if escenario not in cache:
            cache[escenario] = run(list(CAPITALS + OTHERS), escenario, planificar=True)
        return cache[escenario]
    return get


@pytest.mark.slow
@pytest.mark.parametrize("escenario", ["base", "actualizacion_catastral"])
@pytest.mark.parametrize("municipio", CAPITALS + OTHERS)
def test_report_app_and_run_tell_the_same_fiscal_space(truth, municipio, escenario):
    truth = truth(escenario)
    own = truth.projection.query("municipio == @municipio and concepto == 'espacio_fiscal'").set_index("anio")[
        "valor"]
    # the council report: the workbook's run and its fiscal-space table
    report_run = nb.load_run(municipio, escenario)
    table = summary.fiscal_space_table(report_run).set_index("Año")["Espacio propio"]
    assert table.to_dict() == {str(y): quetzales(summary.whole(v), 0) for y, v in own.items()}  # whole quetzales
    assert nb.load_plan(report_run).financiamiento_proyectos.equals(truth.plans[municipio].financiamiento_proyectos)
    # the app: its card (the budget year, and the plan's years in the detail) and its table (each plan year)
    session = Session(municipio, escenario)
    ctx = ViewContext(session.result(), None, municipio)
    budget, plan = truth.budget_year(municipio), ctx.plan_years
    assert plan[0] == budget and len(plan) == 4
    card = {c.concepto: c for c in headline_cards(ctx)}["espacio_fiscal"]
    assert card.valor == card_amount(own.at[budget])
    assert f"plan {plan[0]}-{plan[-1]}: {card_amount(own.loc[plan].sum())}" in card.detalle
    html = fiscal_space_view(ctx)
    for year in plan:
        assert quetzales(round(own.at[year]), 0).replace(" ", "&nbsp;") in html, year
    # the Excel sheet (the capitals)
    if municipio not in CAPITALS:
        return
    sheets, _ = summary.excel_tables(report_run)
    sheet = sheets["Espacio fiscal"]
    assert quetzales(sheet.loc[sheet["Uso"] != summary.DESTINO_NAMES["codede"], "Espacio"].sum()) == \
        quetzales(own.sum())
