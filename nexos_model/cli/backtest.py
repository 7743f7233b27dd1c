"""``nexos backtest``: the projection's error on years already observed, beside the naive forecast."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from nexos_model.analyses.backtest import (
    backtest,
    calibrate_error,
    error_summary,
    fit_error_elasticity,
    interval_coverage,
    naive_forecast,
    skill,
)
from nexos_model.cli.flags import assignment, draws, input_file, numbers, output, scenario, seed, year
from nexos_model.errors import NexosError
from nexos_model.io.writers import check_result_path, write_table
from nexos_model.wording import porcentaje, quetzales

__all__ = ["add_parser"]


def _points(x: float) -> str:
    """A difference of percentages in points, with its sign: ``+1.4``, ``−0.8``."""
    return f"{x * 100:+.1f}".replace("-", "−")


def _ahead(h: int) -> str:
    return f"{h} año{'s' if h > 1 else ''} adelante"


def _skill_lines(table, naive, until: int) -> list[str]:
    """Own revenue's error per year ahead, with its bootstrap interval, beside the naive forecast's."""
    lines = []
    for row in skill(table, naive, until).itertuples():
        verdict = ("el modelo erra menos" if row.ventaja_baja > 0 else
                   "el ingenuo erra menos" if row.ventaja_alta < 0 else
                   "los datos no distinguen al modelo del ingenuo")
        lines.append(
            f"Ingresos propios, {_ahead(row.horizonte)} ({row.anio}, {row.casos} municipios): error mediano "
            f"{porcentaje(row.mdape)} (IC 90 % {porcentaje(row.mdape_bajo)} a {porcentaje(row.mdape_alto)}) "
            f"frente a {porcentaje(row.mdape_ingenuo)} del ingenuo (IC 90 % {porcentaje(row.ingenuo_bajo)} a "
            f"{porcentaje(row.ingenuo_alto)}); ventaja del modelo {_points(row.ventaja)} puntos "
            f"(IC 90 % {_points(row.ventaja_baja)} a {_points(row.ventaja_alta)}): {verdict}.")
    return lines


def _calibration(args: argparse.Namespace) -> int:
    if not args.simulaciones:
        raise NexosError("--calibrar: se necesitan simulaciones (p. ej. --simulaciones 1000)")
    if args.verificar is None or args.verificar == args.hasta:
        raise NexosError(f"--verificar: se esperaba otro año de datos que --hasta {args.hasta} (la muestra "
                         f"que verifica no puede ser la que calibra)")
    table = calibrate_error(args.hasta, args.verificar, args.calibrar, args.simulaciones, args.semilla, args.escenario,
                            args.datos)
    write_table(table, Path(args.salida))
    print(f"Calibración de incertidumbre.error_tendencia: banda p10-p90 de los ingresos propios (meta ≈ 80 %); "
          f"calibra con datos hasta {args.hasta}, verifica con datos hasta {args.verificar}: {args.salida}")
    for row in table.itertuples():
        mark = "  ← elegido" if row.elegido else ""
        print(f"  σ = {row.error_tendencia:g}, {row.muestra} (hasta {row.hasta}), {_ahead(row.horizonte)} "
              f"({row.anio}): {porcentaje(row.cobertura)} (debajo {porcentaje(row.debajo)}, encima "
              f"{porcentaje(row.encima)}; por tamaño: pequeños {porcentaje(row.cobertura_pequeños)}, medianos "
              f"{porcentaje(row.cobertura_medianos)}, grandes {porcentaje(row.cobertura_grandes)}){mark}")
    return 0


def _error_fit(args: argparse.Namespace) -> int:
    years = [args.hasta] + ([args.verificar] if args.verificar not in (None, args.hasta) else [])
    table = pd.DataFrame([fit_error_elasticity(year, args.escenario, args.datos) for year in years])
    write_table(table, Path(args.salida))
    print(f"Ajuste de incertidumbre.error_tendencia_elasticidad (error de los ingresos propios según el tamaño "
          f"del municipio): {args.salida}")
    for row in table.itertuples():
        print(f"  datos hasta {row.hasta} ({row.casos} casos): elasticidad {row.elasticidad:.2f} (IC 90 % "
              f"{row.elasticidad_baja:.2f} a {row.elasticidad_alta:.2f}); error robusto por año de un municipio "
              f"con {quetzales(row.referencia, 0)} de ingresos propios: {row.error_robusto_referencia:.3f} "
              f"(la calibración con --calibrar lo ajusta a la cobertura del 80 %)")
    return 0


def _command_backtest(args: argparse.Namespace) -> int:
    check_result_path(args.salida, ["backtest"])
    if args.calibrar and args.ajustar_error:
        raise NexosError("--calibrar y --ajustar-error: use uno a la vez (primero --ajustar-error, luego --calibrar)")
    if args.ajustar_error:
        return _error_fit(args)
    if args.calibrar:
        return _calibration(args)
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
    for line in _skill_lines(table, naive, args.hasta):
        print(line)
    if args.simulaciones:
        for row in interval_coverage(table).itertuples():
            print(f"Ingresos propios, {_ahead(int(row.anio) - args.hasta)} ({row.anio}): el valor real cayó dentro "
                  f"de la banda p10-p90 en {porcentaje(row.dentro_p10_p90)} de {row.casos} municipios (meta ≈ 80 %; "
                  f"debajo {porcentaje(row.debajo)}, encima {porcentaje(row.encima)}).")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos backtest`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser("backtest", help=help,
                              description="Proyecta todos los municipios con datos hasta un año y compara con lo "
                                          "observado después; escribe municipio, concepto, anio, prediccion, real "
                                          "e imprime el error frente al pronóstico ingenuo (último valor), con su "
                                          "intervalo bootstrap por años de anticipación. Con --ajustar-error, estima "
                                          "cómo baja el error con el tamaño del municipio; con --calibrar, elige "
                                          "incertidumbre.error_tendencia en una muestra y lo verifica en otra.")
    p.add_argument("--hasta", required=True, type=year, metavar="AÑO", help="último año de datos usado (p. ej. 2018)")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", type=scenario,
                   help="escenario (por defecto: base)")
    p.add_argument("--set", action="append", metavar="CLAVE=VALOR", type=assignment,
                   help="ajuste de un parámetro (repetible)")
    p.add_argument("--datos", metavar="ARCHIVO", type=input_file, help="exportación propia sobre los datos incluidos")
    p.add_argument("--simulaciones", type=draws, default=0, metavar="N",
                   help="con N > 0, mide cuántas veces el valor real cae en la banda p10-p90")
    p.add_argument("--semilla", type=seed, default=2026, metavar="S", help="semilla de Monte Carlo")
    p.add_argument("--calibrar", metavar="σ,σ,...", type=numbers(0, 5, "valores de σ"),
                   help="valores de incertidumbre.error_tendencia a probar con datos hasta --hasta (p. ej. "
                        "0.4,0.45,0.5,0.55); escribe la cobertura de cada uno")
    p.add_argument("--verificar", type=year, metavar="AÑO",
                   help="con --calibrar o --ajustar-error: otro último año de datos donde verificar (p. ej. 2018)")
    p.add_argument("--ajustar-error", action="store_true",
                   help="estima cuánto baja el error de tendencia con el tamaño del municipio "
                        "(incertidumbre.error_tendencia_elasticidad)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", type=output,
                   help="archivo de resultados (.csv, .xlsx o .parquet)")
    p.set_defaults(func=_command_backtest)
    return p
