"""Benchmark: how fast the advisors' app answers.

Measured (wall seconds; the machine is shared, so compare within a run):

1. In a fresh process: importing the app (``nexos_model.app.ui``: ipywidgets, pandas, the model),
   and building it for one municipality (the first ``run()`` prepares the bundled history of
   all 340 municipalities). With Voilà's preheated kernels both happen before the page is asked for.
2. In-process, deterministic runs: a lever change (typed in percent, as the advisor does) to
   the cards and every view redrawn (``run()`` plus the views), several distinct values so no
   cache helps; then the views drawn right after (indicators, and the budget year's POA: the
   investment plan ``plan_for_run`` programmes with scipy's MILP); and ``run()`` alone.
3. In a real browser (Debian chromium via Playwright, Voilà with ``--preheat_kernel=True
   --pool_size=2`` once the pool is filled): opening the page to the first headline shown, and
   a slider key press to the changed headline on screen (two steps: the budget year's own
   revenue moves by about Q 70,000, which its card in millions with two decimals shows).

Run: ``python -m benchmarks.bench_app [--cambios 8] [--sin-navegador]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

KEY = "tendencia.contraccion"
HEADLINE = ".nexos-resultado-ingresos_propios .nexos-valor"
BROWSER_FLAGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

_FRESH = """
import time
t0 = time.perf_counter()
import nexos_model.app.ui
t1 = time.perf_counter()
app = nexos_model.app.ui.build_app("0901", "base", {})
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def fresh_process() -> tuple[float, float]:
    """(import seconds, build-and-first-view seconds) in a new interpreter."""
    done = subprocess.run([sys.executable, "-c", _FRESH], capture_output=True, text=True, check=True)
    imports, build = (float(x) for x in done.stdout.split())
    return imports, build


def lever_latency(changes: int) -> dict[str, list[float]]:
    """Seconds from a lever change to the views redrawn, for ``changes`` distinct values.

    ``cards``: headline cards and every view but the deferred ones (what the browser gets first);
    ``all``: with the deferred views too (indicators); ``plan``: the investment plan and its POA,
    which the app draws in a worker thread right after (the controls stay live meanwhile);
    ``run``: ``run()`` alone for such a change.
    """
    from nexos_model.api import run
    from nexos_model.app.ui import build_app

    app = build_app("0901", "base", {})
    control = app.panel.control(KEY)
    app._deferred = lambda: None  # draw the deferred and background views by hand below, to time each phase
    background = app._schedule_background
    app._schedule_background = lambda key, ctx: None
    values = [round(5 + 90 * i / max(1, changes - 1)) for i in range(changes)]  # percent, as typed
    out: dict[str, list[float]] = {k: [] for k in ("cards", "all", "plan", "run", "cards_cpu", "all_cpu",
                                                   "plan_cpu", "run_cpu")}
    for value in values:
        start, cpu = time.perf_counter(), time.process_time()
        control.input.value = value  # no event loop here: the debouncer recomputes at once
        out["cards"].append(time.perf_counter() - start)
        out["cards_cpu"].append(time.process_time() - cpu)
        app._draw_deferred()
        out["all"].append(time.perf_counter() - start)
        out["all_cpu"].append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        background(app._shown_key, app._context(app.session.result()))  # no event loop: at once
        out["plan"].append(time.perf_counter() - start)
        out["plan_cpu"].append(time.process_time() - cpu)
    for value in values:
        start, cpu = time.perf_counter(), time.process_time()
        run("0901", "base", {KEY: value / 100 + 0.001})
        out["run"].append(time.perf_counter() - start)
        out["run_cpu"].append(time.process_time() - cpu)
    return out


def _kernels(pid: int) -> list[int]:
    """Process ids of the kernels Voilà started (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"ipykernel" in cmd:
            out.append(int(entry.name))
    return out


def _cpu(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_pool(pid: int, size: int, timeout: float = 180.0) -> float:
    """Seconds until ``size`` kernels exist and are idle (preheated: waiting for a visitor)."""
    start, quiet_since, last = time.perf_counter(), None, None
    while time.perf_counter() - start < timeout:
        kernels = _kernels(pid)
        cpu = sum(_cpu(k) for k in kernels)
        if len(kernels) >= size and last is not None and abs(cpu - last) < 0.02:
            quiet_since = quiet_since or time.perf_counter()
            if time.perf_counter() - quiet_since > 1.5:
                return quiet_since - start
        else:
            quiet_since = None
        last = cpu
        time.sleep(0.25)
    raise TimeoutError("el grupo de kernels precalentados no quedó listo")


def browser(changes: int) -> dict[str, float | list[float]]:
    """First interactive view and key-press-to-headline latency in headless chromium."""
    from playwright.sync_api import sync_playwright

    from nexos_model.app.server import POOL_SIZE, voila_server

    chromium = os.environ.get("NEXOS_CHROMIUM") or shutil.which("chromium")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out: dict[str, float | list[float]] = {}
    start = time.perf_counter()
    with voila_server(port) as proc:
        out["puerto"] = time.perf_counter() - start
        out["grupo_listo"] = out["puerto"] + wait_for_pool(proc.pid, POOL_SIZE)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium, args=BROWSER_FLAGS)
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
            out["respuesta"] = time.perf_counter() - start
            page.wait_for_load_state("load")
            out["pagina_cargada"] = time.perf_counter() - start  # Voilà's JavaScript loaded
            page.wait_for_selector(HEADLINE, timeout=120_000)
            out["primera_vista"] = time.perf_counter() - start
            page.get_by_text("Tendencia", exact=True).click()
            handle = ".nexos-palanca-tendencia-contraccion .noUi-handle"
            box = ".nexos-palanca-tendencia-contraccion .nexos-numero input"
            # the section is built and shows its value: then the handle takes the keys
            page.wait_for_function("(s) => document.querySelector(s)?.value === '80'", arg=box, timeout=120_000)
            page.locator(handle).focus()
            latencies = []
            for i in range(changes):
                before = page.inner_text(HEADLINE)
                start = time.perf_counter()
                page.keyboard.press("ArrowLeft" if i % 2 else "ArrowRight")
                page.keyboard.press("ArrowLeft" if i % 2 else "ArrowRight")
                page.wait_for_function("([s, t]) => document.querySelector(s).innerText !== t",
                                       arg=[HEADLINE, before], timeout=60_000)
                latencies.append(time.perf_counter() - start)
            out["tecla_a_titular"] = latencies
            b.close()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cambios", type=int, default=8, help="cambios de palanca medidos")
    parser.add_argument("--sin-navegador", action="store_true", help="omitir la medición en chromium")
    args = parser.parse_args(argv if argv is not None else [])
    imports, build = fresh_process()
    print(f"proceso nuevo: importar la app {imports:.2f} s; construirla con su primera vista (0901) {build:.2f} s")
    lat = lever_latency(args.cambios)
    med = statistics.median
    print(f"carga del sistema (1 min): {os.getloadavg()[0]:.1f} en {os.cpu_count()} núcleos")
    print(f"palanca → vistas redibujadas (en proceso, determinista, {len(lat['run'])} cambios; mediana de "
          f"reloj / de CPU del proceso): tarjetas, tablas y gráficos {med(lat['cards']) * 1000:.0f} / "
          f"{med(lat['cards_cpu']) * 1000:.0f} ms, todas con indicadores {med(lat['all']) * 1000:.0f} / "
          f"{med(lat['all_cpu']) * 1000:.0f} ms; después, en segundo plano, el plan y su POA "
          f"{med(lat['plan']) * 1000:.0f} / {med(lat['plan_cpu']) * 1000:.0f} ms; run() solo "
          f"{med(lat['run']) * 1000:.0f} / {med(lat['run_cpu']) * 1000:.0f} ms")
    chromium = os.environ.get("NEXOS_CHROMIUM") or shutil.which("chromium")
    if args.sin_navegador or chromium is None:
        print("navegador: omitido" + ("" if chromium else " (no hay chromium: scripts/install-system.sh)"))
        return
    out = browser(max(3, args.cambios // 2))
    keys = out["tecla_a_titular"]
    print(f"Voilà: puerto abierto en {out['puerto']:.1f} s, grupo de 2 kernels precalentados listo en "
          f"{out['grupo_listo']:.1f} s")
    print(f"navegador: respuesta {out['respuesta']:.2f} s, página cargada (JavaScript de Voilà) "
          f"{out['pagina_cargada']:.2f} s, primera vista interactiva {out['primera_vista']:.2f} s (carga del "
          f"sistema {os.getloadavg()[0]:.1f}); tecla en el deslizador → titular "
          f"cambiado: mediana {med(keys) * 1000:.0f} ms, máx {max(keys) * 1000:.0f} ms ({len(keys)} cambios)")


if __name__ == "__main__":
    main(sys.argv[1:])
