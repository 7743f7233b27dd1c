"""``nexos municipios``: the bundled municipalities with their INE code and 2018 population."""

from __future__ import annotations

import argparse
from typing import Any

from nexos_model.io.bundled import load_municipalities

__all__ = ["add_parser"]


def _department(value: str) -> str:
    """``--departamento``: a department code 01-22 (``9`` is ``09``)."""
    code = value.strip().zfill(2)
    if code not in set(load_municipalities()["departamento_codigo"]):
        raise argparse.ArgumentTypeError(f"departamento '{value[:40]}' desconocido (se esperaba un código de 01 a 22)")
    return code


def _command_municipios(args: argparse.Namespace) -> int:
    table = load_municipalities()
    if args.departamento:
        table = table.loc[table["departamento_codigo"] == args.departamento]
    for row in table.itertuples():
        print(f"{row.municipio}  {row.nombre} ({row.departamento})  población 2018: {row.poblacion:,}")
    print(f"{len(table)} municipios")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos municipios`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser("municipios", help=help,
                              description="Lista los 340 municipios con su código INE y población del Censo 2018.")
    p.add_argument("--departamento", metavar="CÓDIGO", type=_department, help="solo los de un departamento (p. ej. 09)")
    p.set_defaults(func=_command_municipios)
    return p
