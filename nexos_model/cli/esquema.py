"""``nexos esquema``: the JSON Schema of the parameter files (or of a portfolio), for YAML editors."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nexos_model.io.portfolio import portfolio_json_schema
from nexos_model.params.schema import overlay_json_schema

__all__ = ["add_parser", "schema_text"]


def schema_text(cartera: bool = False) -> str:
    """The schema as ``nexos esquema`` prints it (and as ``params/esquema_*.json`` hold it)."""
    schema = portfolio_json_schema() if cartera else overlay_json_schema()
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def _command_esquema(args: argparse.Namespace) -> int:
    print(schema_text(args.cartera), end="")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos esquema`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "esquema", help=help,
        description="Imprime el JSON Schema de los archivos de parámetros (defaults, municipio, escenario: "
                    "cada clave es opcional, un valor por año se escribe como número o como {2027: 0.05}), "
                    "o con --cartera el de una cartera de proyectos. Los archivos incluidos lo citan en su "
                    "primera línea (# yaml-language-server: $schema=...), así un editor valida mientras se escribe.")
    p.add_argument("--cartera", action="store_true", help="el esquema de una cartera (params/carteras/<código>.yaml)")
    p.set_defaults(func=_command_esquema)
    return p
