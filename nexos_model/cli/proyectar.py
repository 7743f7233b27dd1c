"""``nexos proyectar``: the projection of one or many municipalities under a scenario."""

from __future__ import annotations

import argparse
from typing import Any

from nexos_model.api import TABLE_NAMES, run
from nexos_model.cli.flags import assignment, data_flags, draws, municipality, output, scenario, seed
from nexos_model.io.writers import check_result_path, write_result_tables
from nexos_model.report.summary import headline_lines
from nexos_model.wording import anio_rango, quetzales

__all__ = ["add_parser"]


def _command_proyectar(args: argparse.Namespace) -> int:
    check_result_path(args.salida, TABLE_NAMES)  # every file of the set, before the run
    result = run(args.municipio, args.escenario, overrides=args.set or None,
                 datos=args.datos, solo_datos=args.solo_datos, simulaciones=args.simulaciones,
                 semilla=args.semilla, planificar=not args.sin_plan)
    tables = result.tables()
    written = write_result_tables(tables, args.salida, family=TABLE_NAMES)
    spans = tables["proyeccion"].groupby("tipo", sort=False)["anio"].agg(["min", "max"])
    kinds = "; ".join(f"{kind} {anio_rango(int(row['min']), int(row['max']))}" for kind, row in spans.iterrows())
    print(f"Proyección de {len(result.municipios)} municipio(s), escenario '{args.escenario}' ({kinds}; "
          f"presupuesto que se prepara: {result.budget_year()}):")
    for item in written:
        print(f"  {item}")
    if len(result.municipios) == 1:
        for line in headline_lines(result):
            print(f"  {line}")
    if not args.sin_plan:
        loans = sum(float(p.efecto["desembolso_prestamo"].sum()) for p in result.plans.values() if p is not None)
        print(f"  Con el plan de inversión de cada municipio (su O&M, sus préstamos nuevos {quetzales(loans)} y "
              f"su servicio de la deuda están en la proyección y el espacio fiscal; --sin-plan lo omite).")
    if args.simulaciones:
        print(f"  Monte Carlo: {args.simulaciones} simulaciones, semilla {args.semilla} (percentiles p05-p95 y "
              f"probabilidades en las tablas 'percentiles' y 'probabilidades').")
    for code, notes in result.notes.items():
        for note in notes:
            print(f"  aviso {code}: {note}")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos proyectar`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser("proyectar", help=help,
                              description="Proyecta los ingresos de uno o varios municipios bajo un escenario "
                                          "y escribe la tabla (.csv, .xlsx o .parquet según la extensión).")
    p.add_argument("--municipio", required=True, metavar="CÓDIGO", type=municipality,
                   help="código INE (p. ej. 0901), lista separada por comas, depto:DD o 'todos'")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", type=scenario,
                   help="escenario (por defecto: base)")
    p.add_argument("--set", action="append", metavar="CLAVE=VALOR", type=assignment,
                   help="ajuste de un parámetro, p. ej. --set tendencia.contraccion=0.3 (repetible)")
    data_flags(p)
    p.add_argument("--simulaciones", type=draws, default=0, metavar="N",
                   help="simulaciones de Monte Carlo (0 = solo la proyección central)")
    p.add_argument("--semilla", type=seed, default=2026, metavar="S", help="semilla de Monte Carlo (por defecto 2026)")
    p.add_argument("--sin-plan", action="store_true",
                   help="proyectar sin el plan de inversión (por defecto se programa la cartera de cada municipio "
                        "y su O&M, sus préstamos y su servicio de la deuda entran en la proyección)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", type=output,
                   help="archivo de resultados (.csv, .xlsx o .parquet)")
    p.set_defaults(func=_command_proyectar)
    return p
