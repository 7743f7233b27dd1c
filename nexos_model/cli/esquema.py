"""``nexos esquema``: the JSON Schema of the parameters, for YAML editors."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nexos_model.params.schema import Parameters

__all__ = ["add_parser"]


def _command_esquema(args: argparse.Namespace) -> int:
    print(json.dumps(Parameters.model_json_schema(by_alias=True), ensure_ascii=False, indent=2))
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos esquema`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser("esquema", help=help,
                              description="Imprime el JSON Schema de los parámetros (para editores de YAML).")
    p.set_defaults(func=_command_esquema)
    return p
