"""``nexos app [--puerto N]``: serve the advisors' app (:mod:`nexos_model.app.server`) until Ctrl+C."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from nexos_model.app.server import DEFAULT_PORT, voila_server
from nexos_model.cli.flags import integer
from nexos_model.params.loader import params_folders

__all__ = ["add_parser"]


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # a terminated `nexos app` still stops its Voilà server


def _command_app(args: argparse.Namespace) -> int:
    signal.signal(signal.SIGTERM, _stop)
    with voila_server(args.puerto, log=sys.stderr if args.registro else None) as proc:
        print(f"Nexos: la app está en http://127.0.0.1:{args.puerto}/ (Ctrl+C para terminar).")
        print("Un enlace como http://127.0.0.1:%d/?municipio=0901&escenario=base abre un municipio y "
              "escenario." % args.puerto)
        print(f"Los escenarios que guarde la app van a {params_folders().writable / 'escenarios' / 'usuarios'}/.")
        try:
            return proc.wait()
        except KeyboardInterrupt:
            print("app detenida")
            return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos app`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "app", help=help,
        description="Sirve la app de escenarios (workbooks/app_escenarios.ipynb) con Voilà en "
                    "http://127.0.0.1:PUERTO/, con kernels precalentados. Un enlace "
                    "?municipio=0901&escenario=usuarios/mi_escenario abre la app en ese municipio y escenario.")
    p.add_argument("--puerto", type=integer(1, 65535, "un puerto"), default=DEFAULT_PORT, metavar="N",
                   help=f"puerto local (por defecto: {DEFAULT_PORT})")
    p.add_argument("--registro", action="store_true", help="mostrar el registro de Voilà en la terminal")
    p.set_defaults(func=_command_app)
    return p
