"""Serving the advisors' app with Voilà on 127.0.0.1 (what ``nexos app`` runs).

Voilà runs ``workbooks/app_escenarios.ipynb`` with preheated kernels (the app's imports and
first computation happen before anyone opens the page), tracebacks hidden from the page, and
the ``nexos_app`` template (``templates/nexos_app/``: Voilà's lab template with Spanish loading
text). :func:`voila_server` is the one way to start it: the command, the tests and the
benchmark all use it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator, Mapping

from nexos_model.errors import NexosError
from nexos_model.io.bundled import TEMPLATES_DIR, WORKBOOKS_DIR
from nexos_model.io.store import STORE_VARIABLE, store_dir
from nexos_model.params.loader import PARAMS_ENV, params_folders

APP_WORKBOOK = WORKBOOKS_DIR / "app_escenarios.ipynb"
TEMPLATE = "nexos_app"
DEFAULT_PORT = 8866
POOL_SIZE = 2

__all__ = ["APP_WORKBOOK", "DEFAULT_PORT", "POOL_SIZE", "voila_command", "voila_server", "wait_for_port"]


def voila_command(port: int, notebook: Path = APP_WORKBOOK, preheat: bool = True,
                  pool_size: int = POOL_SIZE) -> list[str]:
    """The Voilà command line for the app on 127.0.0.1:``port``."""
    command = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=False",
               f"--template={TEMPLATE}", "--theme=light", "--VoilaExporter.language_code=es"]
    if preheat:
        command += ["--preheat_kernel=True", f"--pool_size={pool_size}"]
    return command


def _template_root(folder: Path) -> Path:
    """A Jupyter data folder holding ``voila/templates/nexos_app`` (Voilà looks for templates there)."""
    shutil.copytree(TEMPLATES_DIR / TEMPLATE, folder / "voila" / "templates" / TEMPLATE)
    return folder


def params_environment(environment: Mapping[str, str]) -> str:
    """``NEXOS_PARAMETROS`` for the app's kernels, which run in the packaged workbooks folder: the
    caller's parameter folders, explicitly, the one where the app saves scenarios first (created
    if missing, e.g. ``./params`` where ``nexos app`` was started)."""
    folders = params_folders(environ=environment)
    folders.writable.mkdir(parents=True, exist_ok=True)
    return os.pathsep.join(dict.fromkeys(str(f) for f in (folders.writable, *folders.user)))


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 60.0) -> float:
    """Seconds until 127.0.0.1:``port`` accepts connections; NexosError if Voilà exits or times out."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if not port_is_free(port):
            return time.perf_counter() - start
        if proc is not None and proc.poll() is not None:
            raise NexosError(f"Voilà terminó antes de abrir el puerto {port} (código {proc.returncode})")
        time.sleep(0.05)
    raise NexosError(f"Voilà no abrió el puerto {port} en {timeout:g} s")


@contextlib.contextmanager
def voila_server(port: int, env: Mapping[str, str] | None = None, preheat: bool = True,
                 pool_size: int = POOL_SIZE, log: Any = None, notebook: Path = APP_WORKBOOK) -> Iterator[subprocess.Popen]:
    """Start Voilà for the app, wait for its port, yield the process; stop it (only it) on exit."""
    if not port_is_free(port):
        raise NexosError(f"el puerto {port} ya está en uso (elija otro con --puerto)")
    with tempfile.TemporaryDirectory(prefix="nexos-voila-") as folder:
        environment = dict(os.environ if env is None else env)
        paths = [str(_template_root(Path(folder))), environment.get("JUPYTER_PATH", "")]
        environment["JUPYTER_PATH"] = os.pathsep.join(p for p in paths if p)
        environment[PARAMS_ENV] = params_environment(environment)
        # Voilà's kernels run in workbooks/: they must read the user's datos/, not one there.
        environment[STORE_VARIABLE] = str(store_dir(environment).resolve())
        proc = subprocess.Popen(voila_command(port, notebook, preheat, pool_size), env=environment,
                                cwd=str(notebook.parent), stdin=subprocess.DEVNULL,
                                stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
        try:
            wait_for_port(port, proc)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
