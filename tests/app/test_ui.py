"""The app's widgets driven in Python: levers, simulations, the plan, municipality and scenario, the portfolio, comparison."""

from __future__ import annotations

import re
from html import unescape

import pytest

from nexos_model import run
from nexos_model.app import cartera
from nexos_model.wording import quetzales
from tests.support import headline_value


@pytest.fixture(scope="module")
def app():
    from nexos_model.app.ui import build_app

    return build_app("0901", "base", {})


def _control(app, key):
    return app.panel.control(key)


def _card(app, concept="ingresos_propios") -> str:
    html = app._card_widgets[concept].value
    return re.search(r"<div class='nexos-valor'>(.*?)</div>", html).group(1)


def test_app_moves_a_lever_and_shows_run_with_that_override(app):
    control = _control(app, "tendencia.contraccion")
    control.input.value = 0.37
    assert app.session.overrides == {"tendencia.contraccion": 0.37}
    assert _card(app) == headline_value(run("0901", "base", {"tendencia.contraccion": 0.37}))
    assert "nexos-ajustada" in control.box._dom_classes
    control.input.value = app._reference["tendencia.contraccion"]  # back to the scenario: no adjustment
    assert app.session.overrides == {} and _card(app) == headline_value(run("0901", "base"))


def test_app_simulations_add_the_fan_chart(app):
    if app.simulations is None:
        pytest.skip("run() no acepta simulaciones todavía")
    app.simulations.value = 100
    assert app.views["abanico"].layout.display != "none" and "<title>Entre p10 y p90</title>" in app.views["abanico"].value
    assert "p10-p90" in app._card_widgets["ingresos_propios"].value
    app.simulations.value = 0
    assert app.views["abanico"].layout.display == "none"


def test_app_can_feed_the_investment_plan_into_the_projection(app):
    if app.planning is None:
        pytest.skip("run() no programa la cartera todavía")
    app.planning.value = True
    try:
        expected = run(app.session.municipio, app.session.escenario, app.session.overrides or None, planificar=True)
        assert _card(app) == headline_value(expected)
        assert app.views["plan"].layout.display != "none" and "Cronograma" in app.views["plan"].value
        plan = expected.plans[app.session.municipio]
        assert quetzales(plan.comparacion["inversion"].iloc[0]) in app.views["plan"].value
    finally:
        app.planning.value = False
    assert app.views["plan"].layout.display == "none"


def test_app_switches_municipality_and_scenario(app):
    app.municipality.value = app._labels["1301"]
    assert app.session.municipio == "1301" and _card(app) == headline_value(run("1301", "base"))
    _control(app, "tendencia.contraccion").input.value = 0.2
    app.scenario.value = "pesimista"  # a new scenario resets the levers to its own values
    assert app.session.overrides == {} and _card(app) == headline_value(run("1301", "pesimista"))
    assert "Huehuetenango" in app.subtitle.value and "pesimista" in app.subtitle.value
    app.apply_query("?municipio=0901&escenario=base")
    assert (app.session.municipio, app.session.escenario) == ("0901", "base")
    app.apply_query("?escenario=no_existe")
    assert "escenario 'no_existe' del enlace desconocido" in unescape(app.message.value)
    assert "Quetzaltenango" in app.summary_text() and headline_value(run("0901", "base")) in app.summary_text()


def test_app_refuses_a_path_as_scenario_name(app, params_copy):
    from nexos_model.app.feedback import guarded

    app.save_name.value = "../../x"
    guarded(app.save_message, app._save)  # what the «Guardar escenario» button does
    assert "no puede llevar '/'" in unescape(app.save_message.value)
    assert "nexos-error" in app.save_message.value
    assert not list(params_copy.parent.rglob("x.yaml"))


def test_cartera_edits_and_replans(app):
    app.tabs.selected_index = 1
    tab = app.cartera
    assert tab is not None and tab.rows and "Programa" not in app.message.value
    assert "Cronograma" in tab.results.value, tab.message.value
    n = len(tab.rows)
    tab.rows[0].cells["costo_total"].value = "mucho"
    tab._guard(tab.compute)
    assert "costo_total: debe ser un número" in tab.message.value
    tab._drop(tab.rows[0])
    tab._guard(tab.compute)
    assert len(tab.rows) == n - 1 and "nexos-error" not in tab.message.value
    projects = cartera.projects_from_rows([(r.original, r.values()) for r in tab.rows])
    expected = cartera.plan(app.session.result(), app.session.municipio, projects=projects)
    assert quetzales(expected.comparacion["inversion"].iloc[0]) in tab.results.value
    app.tabs.selected_index = 0


def test_compare_tab_lists_scenarios_side_by_side(app):
    app.tabs.selected_index = 2
    html = app.compare_html.value
    for name in ("base", "optimista", "pesimista"):
        assert f"<td>{name}</td>" in html
        assert headline_value(run(app.session.municipio, name)) in html
    app.tabs.selected_index = 0


def test_department_narrows_the_municipality_search(app):
    app.department.value = "13"
    assert app.municipality.options and all(o.startswith("13") for o in app.municipality.options)
    app.department.value = ""
    assert len(app.municipality.options) == 340
