"""JupyterLab for analysts (``nexos cuadernos``, ``make lab``): the workbooks folder opened on
127.0.0.1 with the project's kernel registered under a clear name.

The kernel ``nexos`` ("Nexos (Python 3.x)") runs this environment's Python, so a notebook
started from JupyterLab's launcher imports this installation of Nexos. It is registered in this
environment (``sys.prefix``), never in the user's home folder; the workbooks themselves keep
the standard ``python3`` kernel, which Papermill finds in any environment where Nexos is installed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from nexos_model.errors import NexosError

__all__ = ["KERNEL_NAME", "kernel_display_name", "lab_command", "register_kernel", "workbooks_folder"]

KERNEL_NAME = "nexos"
DEFAULT_PORT = 8888


def kernel_display_name() -> str:
    return f"Nexos (Python {sys.version_info.major}.{sys.version_info.minor})"


def register_kernel() -> Path:
    """Install (or refresh) the ``nexos`` kernel spec of this environment; its folder."""
    if importlib.util.find_spec("jupyterlab") is None or importlib.util.find_spec("ipykernel") is None:
        raise NexosError("JupyterLab no está instalado en este entorno: pip install 'nexos-model[notebooks]'")
    from ipykernel.kernelspec import install  # lazy: optional dependency (the notebooks extra)

    return Path(install(kernel_name=KERNEL_NAME, display_name=kernel_display_name(), prefix=sys.prefix))


def workbooks_folder(given: str | Path | None = None) -> Path:
    """The folder JupyterLab opens: the one given, else ``./workbooks`` (a working folder or a checkout)."""
    folder = Path(given) if given else Path("workbooks")
    if not folder.is_dir():
        hint = "" if given else ("; cree una carpeta de trabajo con `nexos init CARPETA` y ejecute el comando "
                                 "desde ella, o indique otra con --carpeta")
        raise NexosError(f"{folder}: la carpeta no existe{hint}")
    return folder.resolve()


def lab_command(folder: Path, port: int = DEFAULT_PORT, browser: bool = True) -> list[str]:
    """The JupyterLab command line: ``folder`` on 127.0.0.1:``port`` (Jupyter's token protects it)."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               # no calls home: a municipal office may be offline, and nothing needs them
               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container or CI: Jupyter refuses root unless told
        command.append("--allow-root")
    return command if browser else [*command, "--no-browser"]
