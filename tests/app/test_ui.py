"""The app's widgets driven in Python: levers in the advisor's units, the calendar, municipality and
scenario, questions before losing work, stale results, the portfolio, comparison."""

from __future__ import annotations

import re
from html import unescape

import pytest
import yaml

from nexos_model import run
from nexos_model.app import cartera
from nexos_model.wording import millones, quetzales
from tests.support import BUDGET_YEAR, headline_value

IDENTIFIER = re.compile(r"[a-z]+_[a-z_]+")


@pytest.fixture(scope="module")
def app():
    from nexos_model.app.ui import build_app

    return build_app("0901", "base", {})


def _control(app, key):
    return app.panel.control(key)


def _card(app, concept="ingresos_propios") -> str:
    html = app._card_widgets[concept].value
    return re.search(r"<div class='nexos-valor'>(.*?)</div>", html).group(1)


def _text(html: str) -> str:
    return unescape(re.sub(r"<title>.*?</title>|<[^>]+>", " ", html))


def _answer(app, text: str) -> None:
    """Click the button ``text`` of the question on screen."""
    assert app.question.layout.display == "flex", "no question on screen"
    buttons = app.question.children[1].children
    next(b for b in buttons if b.description.startswith(text)).click()


def test_app_moves_a_lever_in_percent_and_shows_run_with_that_override(app):
    control = _control(app, "tendencia.contraccion")
    assert control.input.value == 80 and control.slider.value == 80  # 0.8 shown as 80 %
    control.input.value = 37
    assert app.session.overrides == {"tendencia.contraccion": 0.37}
    assert _card(app) == headline_value(run("0901", "base", {"tendencia.contraccion": 0.37}))
    assert "nexos-ajustada" in control.box._dom_classes
    assert "Escenario base + 1 ajuste" in app.subtitle.value
    assert "Tendencia, peso del crecimiento nacional en la tendencia: 37 %" in _text(app.subtitle.value)
    control.input.value = 80  # back to the scenario: no adjustment
    assert app.session.overrides == {} and _card(app) == headline_value(run("0901", "base"))


def test_a_value_out_of_range_is_refused_in_spanish_and_changes_nothing(app):
    control = _control(app, "palancas.iusi_cobertura.meta")
    assert "Hoy: 50 % de predios" in control.label.value
    control.switch.value = True
    assert control.input.value == 50  # a reform starts from today's value, never from 0
    control.input.value = 85
    assert app.session.overrides == {"palancas.iusi_cobertura.meta": 0.85}
    shown = app.views["comparacion"].value
    control.input.value = 150
    assert "150 % está fuera del rango; se esperaba un valor entre 0 % y 100 %" in unescape(control.error.value)
    assert control.input.value == 85 and app.session.overrides == {"palancas.iusi_cobertura.meta": 0.85}
    assert app.views["comparacion"].value == shown
    control.switch.value = False
    assert app.session.overrides == {}


def test_the_loan_rate_moves_its_distribution_along(app):
    amount, rate = _control(app, "deuda.nuevo_prestamo.monto"), _control(app, "deuda.nuevo_prestamo.tasa")
    assert "debe quedar pagado en 2027" in amount.note.value and rate.input.value == 8
    amount.input.value = 5_000_000
    rate.input.value = 7.5
    assert "nexos-error" not in app.message.value, app.message.value
    expected = run("0901", "base", app.session.full_overrides())
    space = expected.fiscal_space
    assert _card(app, "espacio_fiscal") == millones(space.loc[space["anio"] == BUDGET_YEAR, "monto"].sum(), 2)
    spec = expected.parameters["0901"].params.uncertainty.distributions["deuda.nuevo_prestamo.tasa"]
    assert spec["moda"] == pytest.approx(0.075)
    app._reset()
    assert app.session.overrides == {}


def test_the_budget_year_and_the_plan_length_drive_every_card(app):
    assert app.budget_year.value == BUDGET_YEAR and app.plan_length.value == 4
    for concept, card in app._card_widgets.items():
        assert str(BUDGET_YEAR) in card.value, concept
    app.budget_year.value = BUDGET_YEAR + 1
    expected = run("0901", "base", {"calendario.anio_presupuesto": BUDGET_YEAR + 1})
    assert _card(app) == headline_value(expected) and f"Ingresos propios {BUDGET_YEAR + 1}" in app._card_widgets[
        "ingresos_propios"].value
    assert f"Plan Operativo Anual {BUDGET_YEAR + 1}" in app.views["plan"].value
    app.plan_length.value = 2
    assert f"plan (POM) {BUDGET_YEAR + 1}-{BUDGET_YEAR + 2}" in app.subtitle.value
    app._reset()
    assert app.budget_year.value == BUDGET_YEAR and app.session.overrides == {}


def test_app_simulations_add_the_fan_chart(app):
    if app.simulations is None:
        pytest.skip("run() no acepta simulaciones todavía")
    app.simulations.value = 100
    assert app.views["abanico"].layout.display != "none" and "<title>Entre p10 y p90</title>" in app.views["abanico"].value
    assert "p10-p90" in app._card_widgets["ingresos_propios"].value
    app.simulations.value = 0
    assert app.views["abanico"].layout.display == "none"


def test_the_poa_of_the_budget_year_is_the_models_plan(app):
    plan = app.session.plan(app.session.result())
    html = app.views["plan"].value
    assert f"Plan Operativo Anual {BUDGET_YEAR}" in html and plan.years[0] == BUDGET_YEAR
    assert all(name in unescape(html) for name in plan.poa["proyecto"])
    if app.planning is None:
        return
    app.planning.value = True
    try:
        expected = run(app.session.municipio, app.session.escenario, app.session.overrides or None, planificar=True)
        assert _card(app) == headline_value(expected)
        made = expected.plans[app.session.municipio]
        assert quetzales(round(made.poa["total"].iloc[0]), 0) in unescape(app.views["plan"].value).replace("\xa0", " ")
    finally:
        app.planning.value = False


def test_app_switches_municipality_and_asks_before_dropping_adjustments(app):
    app.municipality.value = app._labels["1301"]
    assert app.session.municipio == "1301" and _card(app) == headline_value(run("1301", "base"))
    _control(app, "tendencia.contraccion").input.value = 20
    app.scenario.value = "pesimista"  # adjustments on screen: the app asks
    assert app.session.escenario == "base" and app.scenario.value == "base"
    assert "Tiene 1 ajuste sin guardar sobre «Escenario base»" in app.question.children[0].value
    _answer(app, "Llevar mis ajustes")
    assert (app.session.escenario, app.session.overrides) == ("pesimista", {"tendencia.contraccion": 0.2})
    assert _card(app) == headline_value(run("1301", "pesimista", {"tendencia.contraccion": 0.2}))
    app.scenario.value = "optimista"
    _answer(app, "Descartar")
    assert (app.session.escenario, app.session.overrides) == ("optimista", {})
    assert "Huehuetenango" in app.subtitle.value and "Optimista" in app.subtitle.value
    app.apply_query("?municipio=0901&escenario=base")
    assert (app.session.municipio, app.session.escenario) == ("0901", "base")
    app.apply_query("?escenario=no_existe")
    message = _text(app.message.value)
    assert "El enlace pide un escenario que no existe aquí" in message and not IDENTIFIER.search(message)
    assert "Quetzaltenango" in app.summary_text() and headline_value(run("0901", "base")) in app.summary_text()


def test_an_unknown_or_partial_municipality_gets_a_message(app):
    shown = _card(app)
    app.municipality.value = "Xela"
    assert "No se encontró el municipio «Xela»" in unescape(app.message.value) and _card(app) == shown
    app.municipality.value = "9999"
    assert "No hay un municipio con el código 9999" in unescape(app.message.value)
    app.municipality.value = "Huehue"
    assert app.session.municipio == "1301"  # one name starts so: it opens
    app.municipality.value = "San"
    assert "coincide con" in unescape(app.message.value) and all("San" in o for o in app.municipality.options)
    app.municipality.value = app._labels["0901"]
    assert app.session.municipio == "0901"


def test_department_narrows_the_list_and_never_heads_another_departments_data(app):
    app.department.value = "13"
    assert app.municipality.options and all(o.startswith("13") for o in app.municipality.options)
    assert app.session.municipio == "1301" and "cabecera" in unescape(app.message.value)
    app.department.value = ""
    assert len(app.municipality.options) == 340
    app.municipality.value = app._labels["0901"]


def test_a_result_left_by_an_error_is_marked(app):
    app.session.overrides = {"palancas.iusi_cobertura.meta": 0.9, "palancas.iusi_cobertura.anio_inicio": 2031,
                             "palancas.iusi_cobertura.anio_meta": 2030}
    app.refresh()
    message = _text(app.message.value)
    assert "debe ser posterior a" in message and not IDENTIFIER.search(message) and "/" not in message
    assert "nexos-desactualizado" in app.results._dom_classes and "configuración anterior" in app.stale.value
    app._reset()
    assert "nexos-desactualizado" not in app.results._dom_classes and app.stale.value == ""


def test_saving_asks_before_replacing_and_then_shows_the_saved_scenario(app, params_copy):
    from nexos_model.app.feedback import guarded

    app.save_name.value = "../../x"
    guarded(app.save_message, app._save)  # what the «Guardar escenario» button does
    assert "no puede llevar '/'" in unescape(app.save_message.value) and "nexos-error" in app.save_message.value
    assert not list(params_copy.parent.rglob("x.yaml"))
    _control(app, "tendencia.contraccion").input.value = 30
    app.save_name.value = "Reforma catastral Huehue 2027"
    app._save()
    path = params_copy / "escenarios" / "usuarios" / "reforma_catastral_huehue_2027.yaml"
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["tendencia"]["contraccion"] == 0.3
    assert app.session.escenario == "usuarios/reforma_catastral_huehue_2027" and app.session.overrides == {}
    assert "Reforma catastral Huehue 2027" in app.subtitle.value and "params/" not in app.save_message.value
    before = path.read_bytes()
    _control(app, "tendencia.contraccion").input.value = 40
    app._save()
    assert "Ya existe un escenario guardado como «Reforma catastral Huehue 2027»" in app.question.children[0].value
    _answer(app, "Cancelar")
    assert path.read_bytes() == before and app.session.overrides == {"tendencia.contraccion": 0.4}
    app._save()
    _answer(app, "Reemplazarlo")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["tendencia"]["contraccion"] == 0.4
    assert app.session.overrides == {}
    app.scenario.value = "base"


def test_cartera_edits_and_replans(app):
    app.tabs.selected_index = 1
    tab = app.cartera
    assert tab is not None and tab.rows and "Programa" not in app.message.value
    assert "Cronograma" in tab.results.value, tab.message.value
    assert not IDENTIFIER.search(_text(tab.results.value)) and "/" not in _text(tab.origin.value)
    assert not any(IDENTIFIER.search(r.cells["fuentes"].value) for r in tab.rows)  # sources by their names
    n = len(tab.rows)
    tab.rows[0].cells["costo_total"].value = "mucho"
    tab._guard(tab.compute)
    assert "«Costo total (Q)»: debe ser un número" in unescape(tab.message.value)
    tab._drop(tab.rows[0])
    tab._guard(tab.compute)
    assert len(tab.rows) == n - 1 and "nexos-error" not in tab.message.value
    projects = cartera.projects_from_rows([(r.original, r.values()) for r in tab.rows])
    expected = cartera.plan(app.session.result(), app.session.municipio, projects=projects)
    assert quetzales(round(expected.comparacion["inversion"].iloc[0]), 0) in tab.results.value.replace("&nbsp;", " ")
    app.tabs.selected_index = 0


def test_compare_tab_lists_scenarios_by_label_in_the_budget_year(app):
    app.tabs.selected_index = 2
    html = unescape(app.compare_html.value).replace("\xa0", " ")
    for name, label in (("base", "Escenario base"), ("optimista", "Optimista"), ("pesimista", "Pesimista")):
        assert f"<td>{label}</td>" in html
        result = run(app.session.municipio, name)
        assert quetzales(round(result.wide("0901").at[BUDGET_YEAR, "ingresos_propios"]), 0) in html
    assert f"Ingresos propios {BUDGET_YEAR}" in html and "nexos-multiples" in html
    assert not IDENTIFIER.search(_text(app.compare_html.value))
    app.compare_boxes["optimista"].value = False
    assert "<td>Optimista</td>" not in unescape(app.compare_html.value)
    app.tabs.selected_index = 0
