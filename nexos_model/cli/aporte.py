"""``nexos aporte``: the art. 119 allocation of a pool of aporte constitucional among all municipalities."""

from __future__ import annotations

import argparse
from typing import Any

from nexos_model.analyses.aporte import aporte_allocation, note_lines
from nexos_model.cli.flags import number, output, year
from nexos_model.io.writers import check_result_path, write_result_tables
from nexos_model.params.loader import MAX_PARAMETER
from nexos_model.wording import quetzales

__all__ = ["add_parser"]


def _command_aporte(args: argparse.Namespace) -> int:
    check_result_path(args.salida, ["aporte", "notas"])
    table, notes = aporte_allocation(args.anio, args.monto)
    written = write_result_tables({"aporte": table, "notas": notes}, args.salida)
    print(f"Aporte constitucional {args.anio}: {quetzales(table.attrs['monto'])} repartidos entre {len(table)} "
          f"municipios (Código Municipal art. 119): {', '.join(map(str, written))}")
    print(f"  monto: {table.attrs['origen']}")
    print(f"  suma de las asignaciones: {quetzales(table['total'].sum())}; población (Censo 2018): "
          f"{int(round(table['poblacion'].sum())):,}; aldeas y caseríos estimados en "
          f"{int(table['aldeas_estimadas'].sum())} municipios (sin dato propio)")
    if len(notes):
        print(f"  {len(notes)} municipio(s) con ingresos propios reemplazados (registrado frente a usado):")
        for line in note_lines(notes):
            print(f"  nota: {line}")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos aporte`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "aporte", help=help,
        description="Reparte el aporte del año (o el monto dado) entre todos los municipios con la fórmula del Código Municipal "
                    "art. 119 (35 %% partes iguales, 30 %% población, 25 %% ingresos propios per cápita, "
                    "10 %% aldeas y caseríos) y escribe, al centavo, las entradas de la fórmula (poblacion, "
                    "ingresos propios registrados y usados, aldeas) y las partes parte_iguales, "
                    "parte_poblacion, parte_ingresos, parte_aldeas y total; los ingresos propios reemplazados "
                    "van en las notas (hoja 'notas' o archivo <salida>_notas).")
    p.add_argument("--anio", required=True, type=year, metavar="AÑO", help="año de la asignación")
    p.add_argument("--monto", type=number(0, MAX_PARAMETER, "un monto en quetzales", low_open=True), metavar="Q",
                   help="monto a distribuir en quetzales (por defecto: el total nacional publicado del año; "
                        "después del último publicado, ese total crecido con los ingresos ordinarios del Estado)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", type=output,
                   help="archivo de resultados (.csv, .xlsx, .parquet)")
    p.set_defaults(func=_command_aporte)
    return p
