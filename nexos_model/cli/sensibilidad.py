"""``nexos sensibilidad``: tornado and Sobol' indices of an outcome."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nexos_model.analyses.sensitivity import sobol_for, tornado_for
from nexos_model.cli.flags import draws, municipality, output, scenario, seed, text, year
from nexos_model.io.writers import check_result_path, write_result_tables
from nexos_model.wording import quetzales

__all__ = ["add_parser"]


def _command_sensibilidad(args: argparse.Namespace) -> int:
    check_result_path(args.salida, ["tornado", "sobol"])
    table = tornado_for(args.municipio, args.escenario, args.resultado, args.anio)
    sheets = {"tornado": table}
    if args.sobol:
        sheets["sobol"] = sobol_for(args.municipio, args.escenario, args.resultado, args.anio, n=args.sobol,
                                    seed=args.semilla)
    path = Path(args.salida)
    write_result_tables(sheets, path, family=["tornado", "sobol"])
    print(f"Sensibilidad de '{args.resultado}' en {table.attrs['anio']} ({args.municipio}, escenario "
          f"'{args.escenario}'); valor central {quetzales(table.attrs['resultado_central'])}: {path}")
    for row in table.head(5).itertuples():
        print(f"  {row.etiqueta}: de {quetzales(row.resultado_bajo)} a {quetzales(row.resultado_alto)}")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos sensibilidad`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "sensibilidad", help=help,
        description="Mueve cada incertidumbre (p05 y p95) y cada palanca activa, de una en una, y mide el efecto "
                    "sobre un resultado; con --sobol N calcula además los índices de Sobol.")
    p.add_argument("--municipio", required=True, metavar="CÓDIGO", type=municipality, help="código INE (p. ej. 0901)")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", type=scenario,
                   help="escenario (por defecto: base)")
    p.add_argument("--resultado", default="espacio_fiscal", metavar="CONCEPTO", type=text("un concepto de resultado"),
                   help="resultado a explicar (p. ej. espacio_fiscal, ingresos_propios, iusi, ahorro_corriente)")
    p.add_argument("--anio", type=year, metavar="AÑO", help="año (por defecto: el último proyectado)")
    p.add_argument("--sobol", type=draws, default=0, metavar="N", help="muestras para los índices de Sobol (0 = no)")
    p.add_argument("--semilla", type=seed, default=2026, metavar="S", help="semilla (por defecto 2026)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", type=output, help=".xlsx, .csv o .parquet")
    p.set_defaults(func=_command_sensibilidad)
    return p
