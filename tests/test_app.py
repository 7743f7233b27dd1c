"""The advisors' app: controls generated from the schema, live views equal to run(), saved scenarios,
links, exports, and the whole thing in a real headless browser (Voilà + Debian chromium).

The fast cases drive the widget-free modules and the widgets in-process; the browser case
(``slow``) starts ``nexos app``'s Voilà server and checks what a user sees against ``run()``.
"""

from __future__ import annotations

import base64
import dataclasses
from html import unescape
import os
import re
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
import yaml

from nexos_model import catalog, run
from nexos_model.app import cartera, charts, levers, scenarios, views
from nexos_model.app.session import Session
from nexos_model.errors import NexosError, ParameterError
from nexos_model.params.schema import Parameters
from nexos_model.wording import quetzales

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"


def _end_value(result, concept="ingresos_propios") -> str:
    """The headline as the app must show it, computed straight from a run."""
    wide = result.wide(result.municipios[0])
    return quetzales(wide.at[int(wide.index.max()), concept])


# --- controls come from the schema ----------------------------------------------------------------

def _schema_roles() -> dict[str, dict]:
    """Dotted key -> JSON-schema node of every property with a ``rol``, read from the exported schema."""
    schema = Parameters.model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    found: dict[str, dict] = {}

    def node_of(node: dict) -> dict:
        if "$ref" in node:
            return defs[node["$ref"].split("/")[-1]]
        for key in ("anyOf", "allOf"):
            for option in node.get(key, []):
                if "$ref" in option:
                    return defs[option["$ref"].split("/")[-1]]
        return node

    def walk(node: dict, path: tuple[str, ...]) -> None:
        for key, prop in node_of(node).get("properties", {}).items():
            if "rol" in prop:
                found[".".join((*path, key))] = prop
            walk(prop, (*path, key))

    walk(schema, ())
    return found


def test_every_field_with_a_role_gets_a_control_with_its_metadata():
    roles = _schema_roles()
    specs = {s.key: s for s in levers.control_specs()}
    assert "tendencia.contraccion" in specs and "macro.inflacion" in specs
    assert set(specs) <= set(roles), "a control for a field without rol"
    for key in set(roles) - set(specs):  # only mappings keyed by name (e.g. sector priorities) have none
        node = roles[key]
        assert node.get("type") == "object" and "minimum" not in node.get("additionalProperties", {}), key
    for key, spec in specs.items():
        node = roles[key]
        assert (spec.label, spec.unit, spec.role) == (node["etiqueta"], node["unidad"], node["rol"]), key
        bounds = node["additionalProperties"] if spec.series else node
        options = [bounds, *bounds.get("anyOf", [])]
        assert spec.ge == next((o["minimum"] for o in options if "minimum" in o), None), key
        assert spec.le == next((o["maximum"] for o in options if "maximum" in o), None), key
        assert spec.optional == any(o.get("type") == "null" for o in options), key


def test_control_spec_kinds_steps_and_css_class():
    specs = {s.key: s for s in levers.control_specs()}
    shrink = specs["tendencia.contraccion"]
    assert (shrink.kind, shrink.ge, shrink.le, shrink.step) == ("slider", 0, 1, 0.01)
    assert shrink.css_class == "nexos-palanca-tendencia-contraccion"
    assert shrink.clean(0.5 + 0.01 + 0.01 + 0.01) == 0.53
    inflation = specs["macro.inflacion"]
    assert inflation.series and inflation.kind == "slider" and (inflation.ge, inflation.le) == (-0.1, 0.5)
    loan = specs.get("deuda.nuevo_prestamo.monto")
    if loan is not None:  # a lever group brings its plain fields along as details
        assert loan.role == "palanca" and {d.key.rsplit(".", 1)[1] for d in loan.details} >= {"plazo"}


def test_layer_of_names_who_set_a_value(params_copy):
    from nexos_model.params.loader import load_parameters

    (params_copy / "escenarios" / "capas.yaml").write_text("tendencia:\n  contraccion: 0.3\n", encoding="utf-8")
    resolved = load_parameters("0901", "capas", {"macro.inflacion": 0.05})
    assert levers.layer_of(resolved, "tendencia.contraccion") == "escenario (capas)"
    assert levers.value_of(resolved.params, "tendencia.contraccion") == 0.3
    assert levers.layer_of(resolved, "macro.inflacion") == "ajuste en la app"
    assert levers.value_of(resolved.params, "macro.inflacion") == 0.05
    assert levers.layer_of(load_parameters("0901", "base"), "macro.inflacion") == "valor por defecto"


# --- saved scenarios and links ------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["../../x", "..", "a/b", "x\\y", "usuarios/../../x", ""])
def test_unsafe_scenario_names_are_refused_in_spanish(text, params_copy):
    with pytest.raises(NexosError) as err:
        scenarios.save_user_scenario(text, "base", {"tendencia.contraccion": 0.3})
    message = err.value.messages[0]
    assert ("no puede llevar" in message) if text else ("escriba un nombre" in message)
    assert not list(params_copy.rglob("x.yaml")) and not (params_copy.parent / "x.yaml").exists()


@pytest.mark.parametrize("text,name", [("Catastro 2028", "catastro_2028"), ("Ñandú-préstamo", "nandu-prestamo"),
                                       ("base", "base")])
def test_scenario_names_are_made_safe(text, name):
    assert scenarios.user_scenario_name(text) == name


def test_saved_scenario_is_a_sparse_overlay_of_its_start(params_copy):
    name, path = scenarios.save_user_scenario("Mi escenario", "optimista", {"tendencia.contraccion": 0.35,
                                                                           "macro.inflacion": 0.05}, "0901")
    assert name == "usuarios/mi_escenario"
    assert path == params_copy / "escenarios" / "usuarios" / "mi_escenario.yaml"
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    start = yaml.safe_load((params_copy / "escenarios" / "optimista.yaml").read_text(encoding="utf-8"))
    expected_keys = set(start) | {"macro"}
    assert set(saved) == expected_keys | {"descripcion"}
    assert saved["tendencia"]["contraccion"] == 0.35 and saved["macro"] == {"inflacion": 0.05}
    for section, values in start.items():  # everything else the start scenario said is kept as it was
        if isinstance(values, dict):
            for key, value in values.items():
                if (section, key) != ("tendencia", "contraccion"):
                    assert saved[section][key] == value
    assert "usuarios/mi_escenario" in scenarios.list_scenarios()
    assert scenarios.list_scenarios()[0] == "base"


def test_invalid_overrides_are_not_saved(params_copy):
    with pytest.raises(ParameterError) as err:
        scenarios.save_user_scenario("malo", "base", {"tendencia.contraccion": 7})
    assert "tendencia.contraccion" in err.value.messages[0] and "fuera de rango" in err.value.messages[0]
    assert not (params_copy / "escenarios" / "usuarios" / "malo.yaml").exists()


def test_saved_scenario_loads_as_usuarios_name(params_copy):
    """Needs params.loader.scenario_path to accept ``usuarios/<nombre>`` (see the app's notes)."""
    overrides = {"tendencia.contraccion": 0.35}
    name, _ = scenarios.save_user_scenario("prueba", "optimista", overrides, "1301")
    assert _end_value(run("1301", name)) == _end_value(run("1301", "optimista", overrides))


def test_links_round_trip():
    query = scenarios.share_query("1301", "usuarios/catastro_2028")
    assert query == "?escenario=usuarios/catastro_2028&municipio=1301"
    assert scenarios.parse_query(query) == {"escenario": "usuarios/catastro_2028", "municipio": "1301"}
    assert scenarios.parse_query("") == {} and scenarios.parse_query("otro=1") == {}


# --- session and views ------------------------------------------------------------------------------------

def test_session_caches_runs_by_settings():
    session = Session("0901", "base", {"tendencia.contraccion": 0.3})
    first = session.result()
    assert session.result() is first
    session.overrides = {"tendencia.contraccion": 0.4}
    assert session.result() is not first
    session.overrides = {"tendencia.contraccion": 0.3}
    assert session.result() is first
    assert session.wide(first) is session.wide(first)


def test_headline_cards_are_run_values():
    overrides = {"tendencia.contraccion": 0.35}
    result, base = run("1301", "pesimista", overrides), run("1301", "base")
    cards = {c.concepto: c for c in views.headline_cards(views.ViewContext(result, base, "1301"))}
    assert cards["ingresos_propios"].valor == _end_value(run("1301", "pesimista", overrides))
    assert cards["ingresos_totales"].valor == _end_value(result, "ingresos_totales")
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
        assert quetzales(first_year["monto"].sum()) in html


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


# --- the widgets, in-process ---------------------------------------------------------------------------------

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
    assert _card(app) == _end_value(run("0901", "base", {"tendencia.contraccion": 0.37}))
    assert "nexos-ajustada" in control.box._dom_classes
    control.input.value = app._reference["tendencia.contraccion"]  # back to the scenario: no adjustment
    assert app.session.overrides == {} and _card(app) == _end_value(run("0901", "base"))


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
        assert _card(app) == _end_value(expected)
        assert app.views["plan"].layout.display != "none" and "Cronograma" in app.views["plan"].value
        plan = expected.plans[app.session.municipio]
        assert quetzales(plan.comparacion["inversion"].iloc[0]) in app.views["plan"].value
    finally:
        app.planning.value = False
    assert app.views["plan"].layout.display == "none"


def test_app_switches_municipality_and_scenario(app):
    app.municipality.value = app._labels["1301"]
    assert app.session.municipio == "1301" and _card(app) == _end_value(run("1301", "base"))
    _control(app, "tendencia.contraccion").input.value = 0.2
    app.scenario.value = "pesimista"  # a new scenario resets the levers to its own values
    assert app.session.overrides == {} and _card(app) == _end_value(run("1301", "pesimista"))
    assert "Huehuetenango" in app.subtitle.value and "pesimista" in app.subtitle.value
    app.apply_query("?municipio=0901&escenario=base")
    assert (app.session.municipio, app.session.escenario) == ("0901", "base")
    app.apply_query("?escenario=no_existe")
    assert "escenario 'no_existe' del enlace desconocido" in unescape(app.message.value)
    assert "Quetzaltenango" in app.summary_text() and _end_value(run("0901", "base")) in app.summary_text()


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
        assert _end_value(run(app.session.municipio, name)) in html
    app.tabs.selected_index = 0


def test_department_narrows_the_municipality_search(app):
    app.department.value = "13"
    assert app.municipality.options and all(o.startswith("13") for o in app.municipality.options)
    app.department.value = ""
    assert len(app.municipality.options) == 340


def test_debouncer_coalesces_a_burst_into_one_call():
    import asyncio

    from nexos_model.app.feedback import Debouncer

    calls: list[int] = []

    async def burst() -> None:
        debounced = Debouncer(lambda: calls.append(1), delay=0.02)
        for _ in range(5):
            debounced()
        await asyncio.sleep(0.1)

    asyncio.run(burst())
    assert calls == [1]
    Debouncer(lambda: calls.append(2))()  # without an event loop: at once
    assert calls == [1, 2]


@pytest.mark.slow
def test_report_export_uses_the_current_settings():
    from nexos_model.app.exports import report_file

    name, content = report_file("html", "1301", "base", {"tendencia.contraccion": 0.3})
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", content.decode("utf-8")))
    assert name == "reporte_1301_base.html" and "Huehuetenango" in text
    # the report's annex lists the app's adjustment, as set by the in-memory layer
    assert re.search(r"tendencia\.contraccion [^|]*? 0\.3 [^|]*?ajustes", text)


def test_excel_export_holds_the_current_settings(tmp_path):
    import openpyxl

    from nexos_model.app.exports import download_link, report_file

    name, content = report_file("xlsx", "1301", "optimista", {"tendencia.contraccion": 0.3})
    assert name == "proyeccion_1301_optimista.xlsx"
    link = download_link(name, content, "xlsx")
    data = base64.b64decode(re.search(r"base64,([^']+)'", link).group(1))
    assert data == content and f"download='{name}'" in link
    (tmp_path / name).write_bytes(content)
    sheet = openpyxl.load_workbook(tmp_path / name, read_only=True).worksheets[0]
    rows = list(sheet.values)
    header = [str(h) for h in rows[0]]
    column = header.index("Ingresos propios")
    wide = run("1301", "optimista", {"tendencia.contraccion": 0.3}).wide("1301")
    last = rows[-1]
    assert last[column] == pytest.approx(wide["ingresos_propios"].iloc[-1], abs=0.01)


def test_nexos_app_refuses_a_busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "nexos_model.cli", "app", "--puerto", str(port)],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"el puerto {port} ya está en uso" in done.stderr and "Traceback" not in done.stderr


# --- in a real browser ----------------------------------------------------------------------------------------

BROWSER_FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _chromium() -> str | None:
    return os.environ.get("NEXOS_CHROMIUM") or shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Voilà serving the app (as ``nexos app`` does) on a copy of ``params/``; yields (url, params)."""
    from nexos_model.app.server import voila_server

    params = tmp_path_factory.mktemp("app") / "params"
    shutil.copytree(ROOT / "params", params, ignore=shutil.ignore_patterns("usuarios"))
    port = _free_port()
    env = {**os.environ, "NEXOS_PARAMETROS": str(params)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEXOS_PARAMETROS", str(params))
        with voila_server(port, env=env):
            yield f"http://127.0.0.1:{port}/", params


def _wait_text(page, selector: str, text: str, timeout: float = 90_000) -> None:
    page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return e && e.innerText.trim() === t; }",
        arg=[selector, text], timeout=timeout)


@pytest.mark.slow
def test_app_in_a_real_browser(served):
    chromium = _chromium()
    if chromium is None:
        pytest.fail("no se encontró chromium: instálelo con scripts/install-system.sh (o NEXOS_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    url, params = served
    headline = ".nexos-resultado-ingresos_propios .nexos-valor"
    lever = ".nexos-palanca-tendencia-contraccion"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=BROWSER_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.goto(url, timeout=120_000)
            _wait_text(page, headline, _end_value(run("0901", "base")))

            # pick a municipality by typing in the searchable box
            page.fill(".nexos-municipio input", "1301 · Huehuetenango (Huehuetenango)")
            page.keyboard.press("Enter")
            _wait_text(page, headline, _end_value(run("1301", "base")))

            # move a lever: the headline must equal run() with the same override
            page.get_by_text("Tendencia", exact=True).click()
            page.click(f"{lever} .noUi-handle")
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "([s]) => document.querySelector(s).closest('.nexos-palanca').classList.contains('nexos-ajustada')",
                arg=[f"{lever} .noUi-handle"], timeout=30_000)
            value = float(page.inner_text(f"{lever} .widget-readout"))
            expected = _end_value(run("1301", "base", {"tendencia.contraccion": value}))
            _wait_text(page, headline, expected)
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(ARTIFACTS / "app_escenario.png"), full_page=False)

            # a path as a name is refused in Spanish; a good name is saved under usuarios/
            save = ".nexos-guardar"
            page.fill(f"{save} input >> nth=0", "../../x")
            page.click(f"{save} button")
            page.wait_for_selector(f"{save} .nexos-error", timeout=30_000)
            assert "no puede llevar '/'" in page.inner_text(f"{save} .nexos-error")
            assert not list(params.parent.rglob("x.yaml"))
            page.fill(f"{save} input >> nth=0", "prueba navegador")
            page.click(f"{save} button")
            page.wait_for_selector(f"{save} .nexos-info", timeout=30_000)
            saved = params / "escenarios" / "usuarios" / "prueba_navegador.yaml"
            assert saved.is_file() and yaml.safe_load(saved.read_text())["tendencia"]["contraccion"] == value

            # the Excel export of these settings downloads
            with page.expect_download(timeout=120_000) as download:
                page.click(".nexos-descargar button >> text=Tablas (Excel)")
                page.click(".nexos-descargar a.nexos-enlace", timeout=120_000)
            assert download.value.suggested_filename == "proyeccion_1301_base.xlsx"

            # the share link reopens the app on the saved scenario, with the lever where it was left
            link = page.get_attribute(f"{save} a.nexos-enlace", "href")
            assert link == "?escenario=usuarios/prueba_navegador&municipio=1301"
            page.goto(url + link, timeout=120_000)
            _wait_text(page, headline, _end_value(run("1301", "usuarios/prueba_navegador")))
            assert expected == _end_value(run("1301", "usuarios/prueba_navegador"))
            assert page.input_value(".nexos-escenario select") == "usuarios/prueba_navegador"
            page.get_by_text("Tendencia", exact=True).click()
            assert float(page.inner_text(f"{lever} .widget-readout")) == value
            assert "escenario (usuarios/prueba_navegador)" in page.inner_text(lever)
        finally:
            browser.close()
