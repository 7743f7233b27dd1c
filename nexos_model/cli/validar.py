"""``nexos validar``: check parameter and data files, collecting every problem."""

from __future__ import annotations

from pathlib import Path

from nexos_model.errors import NexosError
from nexos_model.io.readers import read_revenue_export
from nexos_model.params.loader import validate_file


def validate_paths(paths: list[Path]) -> list[str]:
    """Spanish messages for every problem in every file (empty when all are valid)."""
    problems: list[str] = []
    for path in paths:
        try:
            if not path.exists():
                raise NexosError(f"{path}: el archivo no existe")
            if path.parent.name == "carteras" and path.suffix.lower() in {".yaml", ".yml", ".csv", ".xlsx"}:
                from nexos_model.investment.portfolio import load_portfolio

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
