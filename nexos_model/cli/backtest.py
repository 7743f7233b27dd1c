"""``nexos backtest``: the projection's error on years already observed, beside the naive forecast."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nexos_model.analyses.backtest import backtest, error_summary, interval_coverage, naive_forecast
from nexos_model.cli.flags import assignment, draws, input_file, output, scenario, seed, year
from nexos_model.io.writers import check_result_path, write_table
from nexos_model.wording import porcentaje

__all__ = ["add_parser"]


def _command_backtest(args: argparse.Namespace) -> int:
    check_result_path(args.salida, ["backtest"])
    table = backtest(args.hasta, args.escenario, overrides=args.set or None, datos=args.datos,
                     simulaciones=args.simulaciones, semilla=args.semilla)
    naive = naive_forecast(table, args.hasta, args.datos)
    write_table(table, Path(args.salida))
    ours, base = error_summary(table), error_summary(naive).set_index("concepto")
    print(f"Backtest desde datos hasta {args.hasta}, años {table['anio'].min()}-{table['anio'].max()}, "
          f"{table['municipio'].nunique()} municipios: {args.salida}")
    print(f"{'concepto':<55} {'casos':>6} {'error mediano':>14} {'±10 %':>8} {'ingenuo':>9} {'±10 %':>8}")
    for row in ours.itertuples():
        ref = base.loc[row.concepto]
        print(f"{row.etiqueta:<55} {row.casos:>6} {porcentaje(row.mdape):>14} {porcentaje(row.dentro_10):>8} "
              f"{porcentaje(ref.mdape):>9} {porcentaje(ref.dentro_10):>8}")
    print("error mediano = mediana del error porcentual absoluto; ingenuo = repetir el último valor")
    if args.simulaciones:
        for row in interval_coverage(table).itertuples():
            print(f"Ingresos propios {row.anio}: el valor real cayó dentro de la banda p10-p90 en "
                  f"{porcentaje(row.dentro_p10_p90)} de {row.casos} municipios (meta ≈ 80 %; debajo "
                  f"{porcentaje(row.debajo)}, encima {porcentaje(row.encima)}).")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos backtest`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser("backtest", help=help,
                              description="Proyecta todos los municipios con datos hasta un año y compara con lo "
                                          "observado después; escribe municipio, concepto, anio, prediccion, real "
                                          "e imprime el error frente al pronóstico ingenuo (último valor).")
    p.add_argument("--hasta", required=True, type=year, metavar="AÑO", help="último año de datos usado (p. ej. 2018)")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", type=scenario,
                   help="escenario (por defecto: base)")
    p.add_argument("--set", action="append", metavar="CLAVE=VALOR", type=assignment,
                   help="ajuste de un parámetro (repetible)")
    p.add_argument("--datos", metavar="ARCHIVO", type=input_file, help="exportación propia sobre los datos incluidos")
    p.add_argument("--simulaciones", type=draws, default=0, metavar="N",
                   help="con N > 0, mide cuántas veces el valor real cae en la banda p10-p90")
    p.add_argument("--semilla", type=seed, default=2026, metavar="S", help="semilla de Monte Carlo")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", type=output,
                   help="archivo de resultados (.csv, .xlsx o .parquet)")
    p.set_defaults(func=_command_backtest)
    return p
