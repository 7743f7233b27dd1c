"""``nexos cuadernos``: open the workbooks in JupyterLab (:mod:`nexos_model.app.lab`)."""

from __future__ import annotations

import argparse
import os
import subprocess
from typing import Any

from nexos_model.app.lab import DEFAULT_PORT, kernel_display_name, lab_command, register_kernel, workbooks_folder
from nexos_model.cli import flags

__all__ = ["add_parser"]


def _command_cuadernos(args: argparse.Namespace) -> int:
    folder = workbooks_folder(args.carpeta)
    register_kernel()
    print(f"Nexos: JupyterLab en http://127.0.0.1:{args.puerto}/lab con {folder} y el kernel "
          f"«{kernel_display_name()}» (Ctrl+C para terminar).", flush=True)
    command = lab_command(folder, args.puerto, browser=not args.sin_navegador)
    if os.name == "posix":  # JupyterLab takes this process over: Ctrl+C and signals reach it directly
        os.execv(command[0], command)
    return subprocess.call(command)


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos cuadernos`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "cuadernos", help=help,
        description="Abre JupyterLab en http://127.0.0.1:PUERTO/ con la carpeta de cuadernos (por defecto "
                    "./workbooks, la de una carpeta de trabajo creada con `nexos init`) y registra el kernel "
                    f"«{kernel_display_name()}» de este entorno.")
    p.add_argument("--carpeta", metavar="CARPETA", type=flags.folder, help="carpeta que se abre (por defecto: ./workbooks)")
    p.add_argument("--puerto", type=int, default=DEFAULT_PORT, metavar="N",
                   help=f"puerto local (por defecto: {DEFAULT_PORT})")
    p.add_argument("--sin-navegador", action="store_true", help="no abrir el navegador")
    p.set_defaults(func=_command_cuadernos)
    return p
