"""The app as a user sees it: ``nexos app``'s Voilà server in a real headless Chromium, checked against run()."""

from __future__ import annotations

import os
import shutil
import socket

import pytest
import yaml

from nexos_model import run
from nexos_model.io.store import import_exports
from tests.support import ROOT, headline_value, synthetic_export


ARTIFACTS = ROOT / "tests" / "artifacts"


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
    """Voilà serving the app (as ``nexos app`` does) on a copy of ``params/``, with 1301's
    (synthetic) 2020-2021 imported into its store of data; yields (url, params)."""
    from nexos_model.app.server import voila_server

    folder = tmp_path_factory.mktemp("app")
    params = folder / "params"
    shutil.copytree(ROOT / "params", params, ignore=shutil.ignore_patterns("usuarios"))
    store = folder / "datos"
    import_exports([synthetic_export(folder / "sicoin_1301.csv")], store / "ingresos.parquet")
    port = _free_port()
    env = {**os.environ, "NEXOS_PARAMETROS": str(params), "NEXOS_DATOS": str(store)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEXOS_PARAMETROS", str(params))
        mp.setenv("NEXOS_DATOS", str(store))
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
            _wait_text(page, headline, headline_value(run("0901", "base")))

            # pick a municipality by typing in the searchable box
            page.fill(".nexos-municipio input", "1301 · Huehuetenango (Huehuetenango)")
            page.keyboard.press("Enter")
            _wait_text(page, headline, headline_value(run("1301", "base")))
            # ... which is run() on the imported data, with no flag: not what the bundled data alone give
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("NEXOS_DATOS", str(params.parent / "sin_datos"))
                assert headline_value(run("1301", "base")) != page.inner_text(headline).strip()
            assert "2021" in page.inner_text(".nexos-resultado-autonomia .nexos-detalle")  # the last observed year

            # move a lever: the headline must equal run() with the same override
            page.get_by_text("Tendencia", exact=True).click()
            page.click(f"{lever} .noUi-handle")
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            page.wait_for_function(
                "([s]) => document.querySelector(s).closest('.nexos-palanca').classList.contains('nexos-ajustada')",
                arg=[f"{lever} .noUi-handle"], timeout=30_000)
            value = float(page.inner_text(f"{lever} .widget-readout"))
            expected = headline_value(run("1301", "base", {"tendencia.contraccion": value}))
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
            _wait_text(page, headline, headline_value(run("1301", "usuarios/prueba_navegador")))
            assert expected == headline_value(run("1301", "usuarios/prueba_navegador"))
            assert page.input_value(".nexos-escenario select") == "usuarios/prueba_navegador"
            page.get_by_text("Tendencia", exact=True).click()
            assert float(page.inner_text(f"{lever} .widget-readout")) == value
            assert "escenario (usuarios/prueba_navegador)" in page.inner_text(lever)
        finally:
            browser.close()
