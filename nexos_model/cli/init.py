"""``nexos init CARPETA``: create a working folder (:mod:`nexos_model.io.working_folder`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nexos_model.io.working_folder import create_working_folder
from nexos_model.cli import flags

__all__ = ["add_parser"]


def _command_init(args: argparse.Namespace) -> int:
    folder = Path(args.carpeta)
    done = create_working_folder(folder)
    created = [d for d in done if d.created]
    kept = [d for d in done if not d.created]
    print(f"Carpeta de trabajo {folder}: {len(created)} archivos y carpetas nuevos"
          + (f", {len(kept)} ya existían (no se tocaron)" if kept else "") + ".")
    for item in created:
        print(f"  {item.path}{'/' if item.path.is_dir() else ''}")
    print(f"Desde ella, `nexos` usa sus parámetros (params/) encima de los de Nexos: cd {folder} && nexos info")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos init`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "init", help=help,
        description="Crea una carpeta de trabajo: params/ (sus valores por defecto, copias de los escenarios "
                    "para editar, guías para municipios y carteras, los esquemas para el editor), workbooks/ "
                    "(los cuadernos) y datos/. Los comandos ejecutados desde ella leen params/ encima de los "
                    "parámetros incluidos en Nexos. Nunca sobrescribe un archivo que ya existe.")
    p.add_argument("carpeta", metavar="CARPETA", type=flags.folder, help="carpeta a crear (o a completar)")
    p.set_defaults(func=_command_init)
    return p
