"""``nexos info``: the version, and which folders and optional tools this installation uses."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

from nexos_model import __version__
from nexos_model.errors import NexosError
from nexos_model.io.bundled import DATA_DIR, TEMPLATES_DIR, WORKBOOKS_DIR
from nexos_model.params.loader import PARAMS_ENV, params_folders, scenario_names
from nexos_model.report.chromium import chromium_path

__all__ = ["add_parser"]

#: Optional tools: (what they give, module, extra that installs them).
OPTIONAL = (
    ("cuadernos, reportes y lotes (Papermill)", "papermill", "notebooks"),
    ("JupyterLab (nexos cuadernos)", "jupyterlab", "notebooks"),
    ("app de escenarios (Voilà)", "voila", "notebooks"),
    ("PDF de los lotes en un solo navegador (Playwright)", "playwright", "notebooks"),
    ("clúster Dask (nexos lote --motor dask)", "distributed", "cluster"),
)


def _command_info(args: argparse.Namespace) -> int:
    print(f"Nexos {__version__} (Python {sys.version.split()[0]}, {sys.prefix})")
    folders = params_folders()
    print("Parámetros, de mayor a menor prioridad (los defaults y municipios se superponen; un escenario "
          "o una cartera se toma de la primera carpeta que lo tiene):")
    local = Path("params")
    print(f"  ./params: {local.absolute() if local.is_dir() else 'no existe (cree una con `nexos init CARPETA`)'}")
    print(f"  {PARAMS_ENV}: {os.environ.get(PARAMS_ENV) or 'no definida'}")
    print(f"  incluidos en Nexos: {folders.packaged}")
    print(f"Escenarios: {', '.join(scenario_names(folders))}")
    print(f"Escenarios guardados desde la app: {folders.writable / 'escenarios' / 'usuarios'}")
    local_workbooks = Path("workbooks")
    print(f"Cuadernos: {local_workbooks.absolute() if local_workbooks.is_dir() else WORKBOOKS_DIR}"
          + (f" (incluidos: {WORKBOOKS_DIR})" if local_workbooks.is_dir() else ""))
    print(f"Plantillas de reporte: {TEMPLATES_DIR}")
    print(f"Datos incluidos: {DATA_DIR}")
    try:
        print(f"Chromium (PDF): {chromium_path()}")
    except NexosError as exc:
        print(f"Chromium (PDF): {exc.messages[0]}")
    print("Extras instalados:")
    for what, module, extra in OPTIONAL:
        found = importlib.util.find_spec(module) is not None
        print(f"  {'sí' if found else 'no'}: {what}" + ("" if found else f" (pip install 'nexos-model[{extra}]')"))
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos info`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser("info", help=help,
                              description="Muestra la versión, las carpetas de parámetros en uso (./params, "
                                          f"{PARAMS_ENV} y los incluidos), los escenarios disponibles, "
                                          "dónde están los cuadernos y plantillas, y qué extras están instalados.")
    p.set_defaults(func=_command_info)
    return p
