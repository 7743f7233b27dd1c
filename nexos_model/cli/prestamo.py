"""``nexos prestamo``: a loan's payment schedule (INFOM: French or German amortization)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from nexos_model.errors import NexosError
from nexos_model.fiscal.debt import annual_debt_service, loan_schedule
from nexos_model.cli.flags import YEARS, integer, number, output, year
from nexos_model.io.writers import check_result_path, write_table, write_tables
from nexos_model.params.calendar_schema import default_budget_year, reference_date
from nexos_model.params.loader import MAX_PARAMETER
from nexos_model.params.problems import shown
from nexos_model.wording import quetzales

__all__ = ["add_parser"]


def _disbursements(text: str | None) -> dict[int, float] | None:
    """``'2027:0.6,2028:0.4'`` -> ``{2027: 0.6, 2028: 0.4}``."""
    if not text:
        return None
    out = {}
    for item in text.split(","):
        year, _, share = item.partition(":")
        try:
            when, fraction = int(year), float(share)
        except ValueError:
            when, fraction = 0, math.nan
        if not (YEARS[0] <= when <= YEARS[1] and 0 <= fraction <= 1):
            raise NexosError(f"--desembolsos {shown(text)}: se esperaba AÑO:FRACCIÓN separados por comas, "
                             f"con fracciones entre 0 y 1 (p. ej. 2027:0.6,2028:0.4)") from None
        out[when] = fraction
    return out


def _command_prestamo(args: argparse.Namespace) -> int:
    check_result_path(args.salida, ["calendario"])
    year = args.anio if args.anio is not None else default_budget_year(reference_date())
    schedule = loan_schedule(args.monto, args.tasa, args.plazo, args.gracia, args.metodo,
                             args.pagos_por_anio, year, disbursement=_disbursements(args.desembolsos))
    annual = annual_debt_service(schedule)
    path = Path(args.salida)
    if path.suffix.lower() == ".xlsx":
        write_tables({"calendario": schedule, "por_anio": annual}, path)
    else:
        write_table(schedule, path)
    print(f"Préstamo de {quetzales(args.monto)} al {args.tasa * 100:.2f} % anual, {args.plazo} años "
          f"({args.gracia} de gracia), sistema {args.metodo}, {args.pagos_por_anio} pagos por año: {path}")
    for row in annual.itertuples():
        print(f"  {row.anio}: intereses {quetzales(row.interes)}, amortización {quetzales(row.amortizacion)}, "
              f"saldo {quetzales(row.saldo_final)}")
    print(f"  total de intereses: {quetzales(annual['interes'].sum())}")
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos prestamo`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "prestamo", help=help,
        description="Escribe el calendario de pagos de un préstamo: intereses, amortización, cuota y saldo "
                    "por período, y resume el servicio por año.")
    p.add_argument("--monto", required=True, type=number(0, MAX_PARAMETER, "un monto en quetzales", low_open=True),
                   metavar="Q", help="monto del préstamo en quetzales")
    p.add_argument("--tasa", required=True, type=number(0, 1, "una tasa anual como fracción"), metavar="r",
                   help="tasa anual como fracción (0.08 = 8 %%)")
    p.add_argument("--plazo", required=True, type=integer(1, 50, "un plazo en años"), metavar="AÑOS",
                   help="plazo en años, incluida la gracia")
    p.add_argument("--gracia", default=0, type=integer(0, 49, "años de gracia"), metavar="AÑOS",
                   help="años de gracia (solo intereses)")
    p.add_argument("--metodo", default="frances", choices=["frances", "aleman"],
                   help="frances: cuota nivelada; aleman: amortización constante")
    p.add_argument("--pagos-por-anio", default=12, type=integer(1, 12, "pagos por año"), choices=[1, 2, 4, 12],
                   metavar="N",
                   help="pagos por año: 1, 2, 4 o 12 (por defecto 12)")
    p.add_argument("--anio", type=year, metavar="AÑO",
                   help="año del desembolso (por defecto el del presupuesto que se prepara: el año siguiente a hoy)")
    p.add_argument("--desembolsos", metavar="AÑO:FRACCIÓN,...",
                   help="desembolsos por año dentro de la gracia, p. ej. 2027:0.6,2028:0.4 (por defecto todo el primer año)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", type=output,
                   help="archivo (.csv, .xlsx con hoja por año, .parquet)")
    p.set_defaults(func=_command_prestamo)
    return p
