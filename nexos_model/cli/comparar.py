"""``nexos comparar``: one municipality under several scenarios, side by side."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nexos_model.analyses.comparison import compare
from nexos_model.cli.flags import municipality, output, text
from nexos_model.io.writers import check_result_path, write_result_tables
from nexos_model.wording import quetzales

__all__ = ["add_parser"]

#: The tables ``nexos comparar`` writes.
TABLES = ("resultados", "cambios", "incumplimientos")


def _command_comparar(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.escenarios.split(",") if n.strip()]
    check_result_path(args.salida, TABLES)
    result = compare(args.municipio, names)
    path = Path(args.salida)
    write_result_tables(dict(zip(TABLES, (result.outcomes, result.changes, result.breaches))), path)
    last = int(result.outcomes["anio"].max())
    print(f"Comparación de escenarios para {args.municipio} ({', '.join(names)}): {path}")
    final = result.outcomes.loc[(result.outcomes["anio"] == last)
                                & result.outcomes["resultado"].isin(["ingresos_propios", "espacio_fiscal"])]
    for row in final.itertuples():
        print(f"  {row.escenario:<24} {row.etiqueta} {last}: {quetzales(row.valor)} "
              f"(diferencia con {names[0]}: {quetzales(row.diferencia_base)})")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos comparar`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "comparar", help=help,
        description="Proyecta un municipio bajo varios escenarios y escribe los resultados lado a lado, la "
                    "diferencia con el primero y los cambios de cada escenario respecto de los valores por defecto.")
    p.add_argument("--municipio", required=True, metavar="CÓDIGO", type=municipality, help="código INE (p. ej. 0901)")
    p.add_argument("--escenarios", required=True, metavar="LISTA", type=text("escenarios separados por comas"),
                   help="escenarios separados por comas; el primero es la referencia (p. ej. base,optimista,pesimista)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", type=output,
                   help=".xlsx (una hoja por tabla), .csv o .parquet")
    p.set_defaults(func=_command_comparar)
    return p
