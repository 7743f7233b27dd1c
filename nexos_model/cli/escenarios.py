"""``nexos comparar`` (scenarios side by side) and ``nexos sensibilidad`` (tornado and Sobol')."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_scenario_commands"]


def _command_comparar(args: argparse.Namespace) -> int:
    from nexos_model.io.writers import write_result_tables
    from nexos_model.wording import quetzales
    from nexos_model.scenarios.compare import compare

    names = [n.strip() for n in args.escenarios.split(",") if n.strip()]
    result = compare(args.municipio, names)
    path = Path(args.salida)
    write_result_tables({"resultados": result.outcomes, "cambios": result.changes,
                         "incumplimientos": result.breaches}, path)
    last = int(result.outcomes["anio"].max())
    print(f"Comparación de escenarios para {args.municipio} ({', '.join(names)}): {path}")
    final = result.outcomes.loc[(result.outcomes["anio"] == last)
                                & result.outcomes["resultado"].isin(["ingresos_propios", "espacio_fiscal"])]
    for row in final.itertuples():
        print(f"  {row.escenario:<24} {row.etiqueta} {last}: {quetzales(row.valor)} "
              f"(diferencia con {names[0]}: {quetzales(row.diferencia_base)})")
    return 0


def _command_sensibilidad(args: argparse.Namespace) -> int:
    from nexos_model.io.writers import write_result_tables
    from nexos_model.wording import quetzales
    from nexos_model.scenarios.compare import sobol_for, tornado_for

    table = tornado_for(args.municipio, args.escenario, args.resultado, args.anio)
    sheets = {"tornado": table}
    if args.sobol:
        sheets["sobol"] = sobol_for(args.municipio, args.escenario, args.resultado, args.anio, n=args.sobol,
                                    seed=args.semilla)
    path = Path(args.salida)
    write_result_tables(sheets, path)
    print(f"Sensibilidad de '{args.resultado}' en {table.attrs['anio']} ({args.municipio}, escenario "
          f"'{args.escenario}'); valor central {quetzales(table.attrs['resultado_central'])}: {path}")
    for row in table.head(5).itertuples():
        print(f"  {row.etiqueta}: de {quetzales(row.resultado_bajo)} a {quetzales(row.resultado_alto)}")
    return 0


def add_scenario_commands(subparsers: Any) -> None:
    """Add ``nexos comparar`` and ``nexos sensibilidad``."""
    p = subparsers.add_parser(
        "comparar", help="compara escenarios de un municipio",
        description="Proyecta un municipio bajo varios escenarios y escribe los resultados lado a lado, la "
                    "diferencia con el primero y los cambios de cada escenario respecto de los valores por defecto.")
    p.add_argument("--municipio", required=True, metavar="CÓDIGO", help="código INE (p. ej. 0901)")
    p.add_argument("--escenarios", required=True, metavar="LISTA",
                   help="escenarios separados por comas; el primero es la referencia (p. ej. base,optimista,pesimista)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", help=".xlsx (una hoja por tabla), .csv o .parquet")
    p.set_defaults(func=_command_comparar)

    p = subparsers.add_parser(
        "sensibilidad", help="tornado y Sobol de un resultado",
        description="Mueve cada incertidumbre (p05 y p95) y cada palanca activa, de una en una, y mide el efecto "
                    "sobre un resultado; con --sobol N calcula además los índices de Sobol.")
    p.add_argument("--municipio", required=True, metavar="CÓDIGO", help="código INE (p. ej. 0901)")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", help="escenario (por defecto: base)")
    p.add_argument("--resultado", default="espacio_fiscal", metavar="CONCEPTO",
                   help="resultado a explicar (p. ej. espacio_fiscal, ingresos_propios, iusi, ahorro_corriente)")
    p.add_argument("--anio", type=int, metavar="AÑO", help="año (por defecto: el último proyectado)")
    p.add_argument("--sobol", type=int, default=0, metavar="N", help="muestras para los índices de Sobol (0 = no)")
    p.add_argument("--semilla", type=int, default=2026, metavar="S", help="semilla (por defecto 2026)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", help=".xlsx, .csv o .parquet")
    p.set_defaults(func=_command_sensibilidad)
