"""``nexos calidad``: what is doubtful in the data, by municipality, year and line."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nexos_model.api import resolve_municipios
from nexos_model.cli.flags import data_flags, municipality, output
from nexos_model.diagnostics.quality import diagnose
from nexos_model.io.history import load_history
from nexos_model.io.writers import check_result_path, write_table
from nexos_model.params.loader import load_parameters

__all__ = ["add_parser"]


def _command_calidad(args: argparse.Namespace) -> int:
    if args.salida:
        check_result_path(args.salida, ["calidad"])
    settings = load_parameters(None, "base").params
    history = load_history(args.datos, args.solo_datos)
    years = sorted(history["anio"].unique().tolist())  # expected years: those of the whole file
    if args.municipio:
        codes = resolve_municipios(args.municipio)
        history = history.loc[history["municipio"].isin(codes)]
    findings = diagnose(history, years, settings.quality.outlier_factor,
                        settings.quality.outlier_floor, settings.projection.measure)
    if args.salida:
        write_table(findings, Path(args.salida))
        print(f"{len(findings)} observaciones escritas en {args.salida}")
    else:
        for row in findings.itertuples():
            print(f"{row.municipio} {row.anio} {row.tipo}: {row.mensaje}")
        print(f"{len(findings)} observaciones en {history['municipio'].nunique()} municipios")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos calidad`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser("calidad", help=help,
                              description="Lista, por municipio, año y línea, lo dudoso de los datos: años "
                                          "faltantes, montos negativos, líneas duplicadas y valores implausibles.")
    p.add_argument("--municipio", metavar="CÓDIGO", type=municipality,
                   help="código INE, lista separada por comas o depto:DD")
    data_flags(p)
    p.add_argument("--salida", metavar="ARCHIVO", type=output, help="escribir las observaciones (.csv, .xlsx, .parquet)")
    p.set_defaults(func=_command_calidad)
    return p
