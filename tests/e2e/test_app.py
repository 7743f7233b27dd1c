"""The app as a user sees it: ``nexos app``'s Voilà server in a real headless Chromium, checked
against run().

Every wait is on a condition the page shows (a card's text, a message, a table cell), never a
fixed sleep, so the test holds on a busy machine; the timeouts only bound a hang.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess

import pytest
import yaml

from nexos_model import run
from nexos_model.api import plan_for_run
from nexos_model.io.store import import_exports
from nexos_model.wording import quetzales
from tests.support import BUDGET_YEAR, ROOT, headline_value, synthetic_export

ARTIFACTS = ROOT / "tests" / "artifacts"
BROWSER_FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: How long a step may take on a loaded 2-core machine before the test calls it hung (ms).
SLOW = 180_000
HEADLINE = ".nexos-resultado-ingresos_propios .nexos-valor"
#: Text a user must never read: an identifier (``tendencia_contraccion``) or a path on the server.
IDENTIFIER = re.compile(r"[a-z]+_[a-z_]+")
#: Records, at every frame painted, any English placeholder the widget manager writes while loading.
ENGLISH_WATCH = """
window.__english = [];
const look = () => {
  const text = document.body ? document.body.innerText : '';
  for (const w of ['Loading widget', 'Error displaying widget', 'Loading']) {
    if (text.includes(w) && !window.__english.includes(w)) window.__english.push(w);
  }
  requestAnimationFrame(look);
};
requestAnimationFrame(look);
"""
PATH = re.compile(r"(?:[A-Za-z]:\\|(?<![\w.])/)[\w.-]+(?:[/\\][\w.-]+)+|\b[\w-]+/[\w.-]+\.(?:yaml|yml|csv|xlsx|ipynb|parquet)\b")


def _chromium() -> str | None:
    return os.environ.get("NEXOS_CHROMIUM") or shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Voilà serving the app (as ``nexos app`` does) on a copy of ``params/``, with 1301's
    (synthetic) 2020-2021 imported into its store of data; yields (url, params)."""
    from nexos_model.app.server import voila_server

    folder = tmp_path_factory.mktemp("app")
    params = folder / "params"
    shutil.copytree(ROOT / "params", params, ignore=shutil.ignore_patterns("usuarios", "defaults.yaml"))
    store = folder / "datos"
    import_exports([synthetic_export(folder / "sicoin_1301.csv")], store / "ingresos.parquet")
    port = _free_port()
    env = {**os.environ, "NEXOS_PARAMETROS": str(params), "NEXOS_DATOS": str(store)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEXOS_PARAMETROS", str(params))
        mp.setenv("NEXOS_DATOS", str(store))
        with voila_server(port, env=env):
            yield f"http://127.0.0.1:{port}/", params


def _wait_text(page, selector: str, text: str, timeout: float = SLOW) -> None:
    page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return e && e.innerText.trim() === t; }",
        arg=[selector, text], timeout=timeout)


def _wait_contains(page, selector: str, text: str, timeout: float = SLOW) -> None:
    page.wait_for_function(
        "([s, t]) => [...document.querySelectorAll(s)].some(e => e.innerText.includes(t))",
        arg=[selector, text], timeout=timeout)


def _compared(page) -> str:
    """The budget year's own revenue «en pantalla» (comparison table, whole quetzales: changes
    by a quetzal show)."""
    return page.evaluate("() => document.querySelector('.nexos-vista-comparacion tbody tr td:nth-child(3)')"
                         "?.innerText.replace(/\\u00a0/g, ' ').trim()")


def _wait_compared(page, expected: str) -> None:
    page.wait_for_function(
        "(t) => document.querySelector('.nexos-vista-comparacion tbody tr td:nth-child(3)')"
        "?.innerText.replace(/\\u00a0/g, ' ').trim() === t",
        arg=expected, timeout=SLOW)


def _whole(result, concept: str = "ingresos_propios") -> str:
    code = result.municipios[0]
    return quetzales(round(result.wide(code).at[result.budget_year(code), concept]), 0)


def _open_section(page, title: str, key: str) -> None:
    """Open an accordion section of the controls and wait for the control of ``key``."""
    selector = f".nexos-palanca-{key.replace('.', '-')}"
    if not page.is_visible(selector):
        page.get_by_text(title, exact=True).first.click()
    page.wait_for_selector(selector, state="visible", timeout=SLOW)


def _type(page, selector: str, text: str) -> None:
    box = page.locator(selector)
    box.fill(text)
    box.press("Enter")
    box.press("Tab")  # leave the box: the number is sent on Enter or when the box loses focus


def _no_identifiers_or_paths(page, where: str) -> None:
    text = page.inner_text("body")
    assert not IDENTIFIER.findall(text), (where, sorted(set(IDENTIFIER.findall(text))))
    assert not PATH.findall(text), (where, PATH.findall(text))


@pytest.mark.slow
def test_app_in_a_real_browser(served, tmp_path):
    chromium = _chromium()
    if chromium is None:
        pytest.fail("no se encontró chromium: instálelo con scripts/install-system.sh (o NEXOS_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    url, params = served
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    trend = "tendencia.contraccion"
    coverage = "palancas.iusi_cobertura.meta"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=BROWSER_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True)
            page.set_default_timeout(SLOW)
            page.add_init_script(ENGLISH_WATCH)
            page.goto(url, timeout=SLOW)
            _wait_text(page, HEADLINE, headline_value(run("0901", "base")))
            assert page.evaluate("window.__english") == []  # the loading screens spoke Spanish
            assert str(BUDGET_YEAR) in page.inner_text(".nexos-resultado-ingresos_propios .nexos-titulo")

            # a municipality by its code, then an unknown one: a message, the data stay
            _type(page, ".nexos-municipio input", "1301")
            base = run("1301", "base")
            _wait_text(page, HEADLINE, headline_value(base))
            with pytest.MonkeyPatch.context() as mp:  # run() on the imported data, with no flag
                mp.setenv("NEXOS_DATOS", str(params.parent / "sin_datos"))
                assert headline_value(run("1301", "base")) != page.inner_text(HEADLINE).strip()
            assert "2021" in page.inner_text(".nexos-resultado-autonomia .nexos-detalle")  # the last observed year
            _type(page, ".nexos-municipio input", "Xela")
            _wait_contains(page, ".nexos-mensaje", "No se encontró el municipio «Xela»")
            assert page.inner_text(HEADLINE).strip() == headline_value(base)

            # the budget year's cards and its POA, as the model's plan has them
            for card in ("ingresos_propios", "transferencias", "ingresos_totales", "autonomia", "espacio_fiscal"):
                assert str(BUDGET_YEAR) in page.inner_text(f".nexos-resultado-{card} .nexos-titulo"), card
            _wait_text(page, ".nexos-poa", f"Plan Operativo Anual {BUDGET_YEAR}")
            poa = plan_for_run(base, "1301").poa
            shown = page.inner_text(".nexos-vista-plan")
            assert len(poa) and all(name in shown for name in poa["proyecto"])

            # a slider: the views equal run() with the same adjustment
            _open_section(page, "Tendencia", trend)
            page.click(f".nexos-palanca-{trend.replace('.', '-')} .noUi-handle")
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            box = f".nexos-palanca-{trend.replace('.', '-')} .nexos-numero input"
            page.wait_for_function("(s) => document.querySelector(s).value === '83'", arg=box, timeout=SLOW)
            assert "nexos-ajustada" in page.get_attribute(f".nexos-palanca-{trend.replace('.', '-')}", "class")
            value = 0.83
            slid = run("1301", "base", {trend: value})
            _wait_compared(page, _whole(slid))
            assert page.inner_text(HEADLINE).strip() == headline_value(slid)

            # a percentage typed as the advisor thinks: 85 is 85 %
            _open_section(page, "Reformas (palancas) de ingresos propios", coverage)
            lever = f".nexos-palanca-{coverage.replace('.', '-')}"
            assert "Hoy: 50 %" in page.inner_text(lever)  # the municipality's value beside the target
            page.check(f"{lever} input[type=checkbox] >> nth=0")
            _type(page, f"{lever} .nexos-numero input", "85")
            _wait_contains(page, ".nexos-ajustes li", "Cobertura catastral del IUSI, valor meta: 85 %")
            reform = run("1301", "base", {trend: value, coverage: 0.85})
            _wait_compared(page, _whole(reform))
            assert page.inner_text(HEADLINE).strip() == headline_value(reform)
            # ... and 150 % is refused in Spanish, with the range, and changes nothing
            before = (page.inner_text(".nexos-ajustes"), _compared(page))
            _type(page, f"{lever} .nexos-numero input", "150")
            _wait_contains(page, f"{lever} .nexos-error-campo", "150 % está fuera del rango")
            assert "entre 0 % y 100 %" in page.inner_text(f"{lever} .nexos-error-campo")
            page.wait_for_function("(s) => document.querySelector(s).value === '85'",
                                   arg=f"{lever} .nexos-numero input", timeout=SLOW)
            assert (page.inner_text(".nexos-ajustes"), _compared(page)) == before
            assert "Escenario base + 2 ajustes" in page.inner_text(".nexos-titulo-escenario")
            _no_identifiers_or_paths(page, "Escenario")
            page.locator(".nexos-app").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "app_1366x768.png"))

            # the PDF of these settings names them on its cover and lists the adjustments in words
            with page.expect_download(timeout=SLOW) as download:
                page.click(".nexos-descargar button >> text=Reporte al Concejo (PDF)")
                page.click(".nexos-descargar a.nexos-enlace", timeout=SLOW)
            assert download.value.suggested_filename == "reporte_1301_escenario_base_2_ajustes.pdf"
            pdf = tmp_path / download.value.suggested_filename
            download.value.save_as(pdf)
            text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", "-l", "2", str(pdf), "-"], capture_output=True,
                                                      text=True, check=True).stdout)
            assert "Escenario base + 2 ajustes" in text
            assert "Decisiones y ajustes de esta versión" in text
            assert "Tendencia, peso del crecimiento nacional en la tendencia: 83 %" in text
            assert "Cobertura catastral del IUSI, valor meta: 85 % de predios" in text

            # the other tabs speak the advisor's words too
            for tab, ready in (("Cartera", ".nexos-cartera-fila"), ("Comparar", ".nexos-multiples svg")):
                page.click(f".lm-TabBar-tab >> text={tab}")
                page.wait_for_selector(ready, timeout=SLOW)
                _no_identifiers_or_paths(page, tab)
            page.click(".lm-TabBar-tab >> text=Escenario")

            # a path as a name is refused in Spanish; a good name is saved and becomes what is shown
            save = ".nexos-guardar"
            page.fill(f"{save} input >> nth=0", "../../x")
            page.click(f"{save} button")
            _wait_contains(page, f"{save} .nexos-error", "no puede llevar '/'")
            assert not list(params.parent.rglob("x.yaml"))
            page.fill(f"{save} input >> nth=0", "Prueba navegador")
            page.click(f"{save} button")
            _wait_contains(page, f"{save} .nexos-info", "Guardado como «Prueba navegador»")
            saved = params / "escenarios" / "usuarios" / "prueba_navegador.yaml"
            stored = yaml.safe_load(saved.read_text())
            assert stored["tendencia"]["contraccion"] == value and stored["palancas"]["iusi_cobertura"]["meta"] == 0.85
            _wait_text(page, ".nexos-titulo-escenario", "Prueba navegador")
            link = page.get_attribute(f"{save} a.nexos-enlace", "href")
            assert link == "?escenario=usuarios/prueba_navegador&municipio=1301"

            # saving over it asks first; «Cancelar» keeps the file as it was
            first = saved.read_bytes()
            page.click(f"{save} button")
            _wait_contains(page, ".nexos-pregunta", "Ya existe un escenario guardado como «Prueba navegador»")
            page.click(".nexos-pregunta button >> text=Cancelar")
            page.wait_for_selector(".nexos-pregunta", state="hidden", timeout=SLOW)
            assert saved.read_bytes() == first

            # switching scenario with adjustments asks; «Cancelar» keeps them and the scenario
            page.click(f".nexos-palanca-{trend.replace('.', '-')} .noUi-handle")
            page.keyboard.press("ArrowLeft")
            _wait_text(page, ".nexos-titulo-escenario", "Prueba navegador + 1 ajuste")
            page.select_option(".nexos-escenario select", label="Optimista")
            _wait_contains(page, ".nexos-pregunta", "Tiene 1 ajuste sin guardar sobre «Prueba navegador»")
            page.click(".nexos-pregunta button >> text=Cancelar")
            page.wait_for_selector(".nexos-pregunta", state="hidden", timeout=SLOW)
            assert page.inner_text(".nexos-titulo-escenario").strip() == "Prueba navegador + 1 ajuste"

            # the share link reopens the saved scenario with its values
            page.goto(url + link, timeout=SLOW)
            expected = headline_value(run("1301", "usuarios/prueba_navegador"))
            _wait_text(page, ".nexos-titulo-escenario", "Prueba navegador")
            _wait_text(page, HEADLINE, expected)
            assert expected == headline_value(reform)

            # 800 px wide: the results sit beside the controls, nothing runs off the page
            narrow = browser.new_page(viewport={"width": 800, "height": 1000})
            narrow.set_default_timeout(SLOW)
            narrow.goto(url + link, timeout=SLOW)
            _wait_text(narrow, HEADLINE, expected)
            _wait_text(narrow, ".nexos-poa", f"Plan Operativo Anual {BUDGET_YEAR}")
            overflow = narrow.evaluate("""() => {
                const width = document.documentElement.clientWidth;
                const out = [];
                for (const e of document.querySelectorAll('.nexos-tarjeta, .nexos-vista h3, .nexos-grafico svg, '
                                                            + '.nexos-resultados, .nexos-panel')) {
                    const r = e.getBoundingClientRect();
                    if (r.width > 0 && r.right > width + 1) out.push(e.className.baseVal ?? e.className);
                }
                return out; }""")
            assert overflow == []
            narrow.screenshot(path=str(ARTIFACTS / "app_800x1000.png"))
        finally:
            browser.close()
