"""What the app shows comes from the run: headline cards, views, rules in red, fan and risk with simulations."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from nexos_model import catalog, run
from nexos_model.app import views
from nexos_model.wording import quetzales
from tests.support import headline_value


def test_headline_cards_are_run_values():
    overrides = {"tendencia.contraccion": 0.35}
    result, base = run("1301", "pesimista", overrides), run("1301", "base")
    cards = {c.concepto: c for c in views.headline_cards(views.ViewContext(result, base, "1301"))}
    assert cards["ingresos_propios"].valor == headline_value(run("1301", "pesimista", overrides))
    assert cards["ingresos_totales"].valor == headline_value(result, "ingresos_totales")
    wide, ref = result.wide("1301"), base.wide("1301")
    end = int(wide.index.max())
    diff = wide.at[end, "ingresos_propios"] - ref.at[end, "ingresos_propios"]
    assert quetzales(abs(diff)) in cards["ingresos_propios"].detalle
    assert re.fullmatch(r"Q [\d,]+\.\d\d", cards["ingresos_propios"].valor)


def test_views_hide_what_the_result_lacks_and_show_broken_rules_in_red():
    result = run("0901")
    ctx = views.ViewContext(dataclasses.replace(result, fiscal_space=None, rules=None), None, "0901")
    assert views.fiscal_space_view(ctx) is None and views.rules_view(ctx) is None
    assert views.comparison_view(ctx) is None and views.fan_view(ctx) is None
    assert views.optional(object(), "plans") is None and views.optional(result, "plans") is None
    if result.rules is not None:
        rules = result.rules.copy()
        rules.loc[rules.index[0], "cumple"] = False
        rules.loc[rules.index[0], "mensaje"] = "2020: No cumple: prueba"
        html = views.rules_view(views.ViewContext(dataclasses.replace(result, rules=rules), None, "0901"))
        first = rules.iloc[0]
        row = re.search(rf"<tr class='nexos-incumple nexos-regla-{first['regla']}'>.*?</tr>", html).group(0)
        assert "✘" in row and str(first["articulo"]) in row
        assert "No cumple: prueba" in html and html.count("nexos-incumple") >= 2
    if result.fiscal_space is not None:
        html = views.fiscal_space_view(views.ViewContext(result, None, "0901"))
        space = result.fiscal_space
        first_year = space.loc[space["anio"] == space["anio"].min()]
        own = first_year.loc[first_year["destino"] != "codede", "monto"].sum()
        assert quetzales(own) in html  # the municipality's own space; CODEDE apart
        assert quetzales(first_year.loc[first_year["destino"] == "codede", "monto"].sum()) in html


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
    end = int(pct["anio"].max())
    top = float(pct.loc[pct["anio"] == end, "p90"].iloc[0])
    assert quetzales(top) in views.headline_cards(ctx)[0].detalle
    risk = views.risk_view(ctx)
    assert catalog.label("deficit") in risk and "<td class='nexos-incumple'>60 %</td>" in risk
    assert "<td class='nexos-cumple'>5 %</td>" in risk
