"""``nexos validar``: check parameter, portfolio and data files, collecting every problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from nexos_model.errors import NexosError
from nexos_model.io.portfolio import PORTFOLIO_SUFFIXES, load_portfolio
from nexos_model.io.sicoin import read_revenue_export
from nexos_model.params.loader import validate_file

__all__ = ["add_parser"]


def validate_paths(paths: list[Path]) -> list[str]:
    """Spanish messages for every problem in every file (empty when all are valid)."""
    problems: list[str] = []
    for path in paths:
        try:
            if not path.exists():
                raise NexosError(f"{path}: el archivo no existe")
            if path.parent.name == "carteras" and path.suffix.lower() in PORTFOLIO_SUFFIXES:
                load_portfolio(path)  # a project portfolio, validated like parameters
            elif path.suffix.lower() in {".yaml", ".yml"}:
                validate_file(path)
            elif path.suffix.lower() in {".csv", ".xlsx", ".xls", ".txt"}:
                read_revenue_export(path)
            else:
                raise NexosError(f"{path}: tipo de archivo no reconocido (se esperaba .yaml, .csv o .xlsx)")
        except NexosError as exc:
            problems.extend(exc.messages)
    return problems


def _command_validar(args: argparse.Namespace) -> int:
    problems = validate_paths([Path(p) for p in args.rutas])
    for path in args.rutas:
        if not any(m.startswith(str(path)) for m in problems):
            print(f"{path}: correcto")
    if problems:
        for message in problems:
            print(message, file=sys.stderr)
        return 1
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos validar`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser("validar", help=help,
                              description="Valida archivos de parámetros (YAML) o de datos (CSV/XLSX); "
                                          "lista todos los errores y termina con estado 1 si hay alguno.")
    p.add_argument("rutas", nargs="+", metavar="RUTA", help="archivos a validar")
    p.set_defaults(func=_command_validar)
    return p
