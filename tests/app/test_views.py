"""What the app shows comes from the run: the budget year's cards, tables in whole quetzales,
views hidden when the result lacks them, rules in red, fan and risk with simulations."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from nexos_model import catalog, run
from nexos_model.app import views
from nexos_model.wording import quetzales
from tests.support import BUDGET_YEAR, headline_value


def test_headline_cards_are_the_budget_years_run_values():
    overrides = {"tendencia.contraccion": 0.35}
    result, base = run("1301", "pesimista", overrides), run("1301", "base")
    cards = {c.concepto: c for c in views.headline_cards(views.ViewContext(result, base, "1301"))}
    assert cards["ingresos_propios"].valor == headline_value(result)
    assert cards["ingresos_totales"].valor == headline_value(result, "ingresos_totales")
    assert all(str(BUDGET_YEAR) in c.titulo for c in cards.values())
    wide, ref = result.wide("1301"), base.wide("1301")
    diff = wide.at[BUDGET_YEAR, "ingresos_propios"] - ref.at[BUDGET_YEAR, "ingresos_propios"]
    assert quetzales(round(abs(diff)), 0) in cards["ingresos_propios"].detalle  # under a million: in quetzales
    assert re.fullmatch(r"Q [\d,]+\.\d\d millones", cards["ingresos_propios"].valor)
    space = result.fiscal_space
    plan = space.loc[space["anio"].between(BUDGET_YEAR, BUDGET_YEAR + 3), "monto"].sum()
    assert cards["espacio_fiscal"].valor == views.card_amount(space.loc[space["anio"] == BUDGET_YEAR, "monto"].sum())
    assert f"plan {BUDGET_YEAR}-{BUDGET_YEAR + 3}: {views.card_amount(plan)}" in cards["espacio_fiscal"].detalle


def test_tables_show_whole_quetzales_and_the_budget_year():
    assert views.whole("Q 1,234,567.89 y -Q 3.50") == "Q 1,234,568 y -Q 4"
    html = views.table_html([{"Concepto": "IUSI", f"{BUDGET_YEAR} (presupuesto)": "Q 10.49", "Nota": "texto"}],
                            highlight=f"{BUDGET_YEAR} (presupuesto)")
    assert "<td class='nexos-anio-presupuesto'>Q&nbsp;10</td>" in html and "class='nexos-texto'>texto" in html
    assert html.startswith("<table class='nexos-tabla'>")  # a cell's mark never replaces the table's class
    ctx = views.ViewContext(run("0901"), None, "0901")
    own = views.own_revenue_view(ctx)
    assert f"{BUDGET_YEAR} (presupuesto)" in own and "Observado (total, 2016-2019)" in own
    assert not re.search(r"Q&nbsp;[\d,]+\.\d\d<", own)


def test_views_hide_what_the_result_lacks_and_show_broken_rules_in_red():
    result = run("0901")
    ctx = views.ViewContext(dataclasses.replace(result, fiscal_space=None, rules=None), None, "0901")
    assert views.fiscal_space_view(ctx) is None and views.rules_view(ctx) is None
    assert views.comparison_view(ctx) is None and views.fan_view(ctx) is None and views.plan_view(ctx) is None
    assert views.optional(object(), "plans") is None and views.optional(result, "plans") is None
    rules = result.rules.copy()
    rules.loc[rules.index[0], "cumple"] = False
    rules.loc[rules.index[0], "mensaje"] = "2020: No cumple: prueba"
    html = views.rules_view(views.ViewContext(dataclasses.replace(result, rules=rules), None, "0901"))
    first = rules.iloc[0]
    row = re.search(rf"<tr class='nexos-incumple nexos-regla-{first['regla']}'>.*?</tr>", html).group(0)
    assert "✘" in row and str(first["articulo"]) in row
    assert "No cumple: prueba" in html and html.count("nexos-incumple") >= 2
    assert f"<th class='nexos-anio-presupuesto' title='el presupuesto que se prepara'>{BUDGET_YEAR}</th>" in html
    html = views.fiscal_space_view(views.ViewContext(result, None, "0901"))
    space = result.fiscal_space
    budget = space.loc[space["anio"] == BUDGET_YEAR, "monto"].sum()
    assert quetzales(round(budget), 0).replace(" ", "&nbsp;") in html
    assert f"Años del plan {BUDGET_YEAR}-{BUDGET_YEAR + 3}" in html


def test_the_plan_view_shows_the_poa_of_the_budget_year():
    result = run("0901")
    from nexos_model.api import plan_for_run

    plan = plan_for_run(result, "0901")
    html = views.plan_view(views.ViewContext(result, None, "0901", plan_of=lambda r: plan))
    assert f"Plan Operativo Anual {BUDGET_YEAR}" in html and f"Plan multianual (POM) {BUDGET_YEAR}-{BUDGET_YEAR + 3}" in html
    for name in plan.poa["proyecto"]:
        assert name in html


def test_fan_and_risk_views_appear_with_simulations():
    result = run("0901")
    assert views.fan_view(views.ViewContext(result, None, "0901")) is None
    proj = result.projection.loc[result.projection["concepto"] == "ingresos_propios"]
    pct = pd.DataFrame({"municipio": "0901", "anio": proj["anio"].to_numpy(), "concepto": "ingresos_propios",
                        "p10": proj["valor"].to_numpy() * 0.9, "p50": proj["valor"].to_numpy(),
                        "p90": proj["valor"].to_numpy() * 1.1})
    probs = pd.DataFrame({"municipio": "0901", "anio": [2020, 2021], "evento": "deficit", "probabilidad": [0.05, 0.6]})
    simulated = dataclasses.replace(result, percentiles=pct, probabilities=probs)
    ctx = views.ViewContext(simulated, None, "0901")
    fan = views.fan_view(ctx)
    assert "<title>Entre p10 y p90</title></polygon>" in fan and "p10-p90" in fan
    top = float(pct.loc[pct["anio"] == BUDGET_YEAR, "p90"].iloc[0])
    assert views.card_amount(top) in views.headline_cards(ctx)[0].detalle
    risk = views.risk_view(ctx)
    assert catalog.label("deficit") in risk and "<td class='nexos-incumple'>60 %</td>" in risk
    assert "<td class='nexos-cumple'>5 %</td>" in risk


def test_scenarios_side_by_side_in_the_budget_year_with_small_multiples():
    results = {"Escenario base": run("0901"), "Optimista": run("0901", "optimista")}
    html = views.scenarios_view(results, "0901", reference="Escenario base")
    assert f"presupuesto {BUDGET_YEAR}" in html and html.count("class='nexos-multiple'") == 1
    own = results["Optimista"].wide("0901").at[BUDGET_YEAR, "ingresos_propios"]
    assert quetzales(round(own), 0).replace(" ", "&nbsp;") in html
