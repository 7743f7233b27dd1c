"""``nexos planificar``: the investment plan of one municipality and scenario (POM and POA)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nexos_model.api import run, single_municipio
from nexos_model.cli.flags import assignment, input_file, municipality, output, scenario
from nexos_model.errors import NexosError
from nexos_model.investment.plan import InvestmentPlan
from nexos_model.io.excel import write_excel
from nexos_model.io.files import atomic_files, check_output
from nexos_model.io.portfolio import load_portfolio
from nexos_model.io.writers import check_result_path, write_table
from nexos_model.report.chromium import CHART_FORMATS, chromium_path, write_chart
from nexos_model.report.gantt import gantt_chart
from nexos_model.wording import anio_rango, porcentaje, quetzales

__all__ = ["MONEY_COLUMNS", "PERCENT_COLUMNS", "add_parser", "write_plan"]

#: Columns of the plan's tables that hold quetzales or fractions (for the Excel formats).
MONEY_COLUMNS = frozenset({
    "costo_total", "costo_operacion_anual", "espacio", "inversion", "operacion", "saldo", "monto", "total",
    "codede", "iva_paz", "aporte_constitucional", "prestamo_infom", "propios", "operacion_mantenimiento",
    "desembolso_prestamo", "intereses", "amortizacion", "servicio_deuda", "saldo_deuda", "operacion_propios",
    "operacion_aporte_constitucional", "operacion_iva_paz",
})
PERCENT_COLUMNS = frozenset({"uso", "avance_brecha"})


def write_plan(plan: InvestmentPlan, path: Path) -> Path:
    """All sheets to an ``.xlsx``; the schedule alone to ``.csv`` or ``.parquet``. Atomic."""
    if path.suffix.lower() == ".xlsx":
        return write_excel(plan.tables(), path, money_columns=MONEY_COLUMNS, percent_columns=PERCENT_COLUMNS)
    return write_table(plan.cronograma, path)


def _summary(plan: InvestmentPlan) -> list[str]:
    """What the council reads first, in Spanish."""
    best, ranked = plan.optimo, plan.orden
    invested = float(best.cronograma["costo_total"].sum())
    lines = [
        f"Plan de inversión de {plan.municipio}, escenario '{plan.escenario}', "
        f"{anio_rango(plan.years[0], plan.years[-1])} ({plan.cartera}):",
        f"  óptimo (MILP, {best.estado}): {len(best.cronograma)} de {len(plan.projects)} proyectos, "
        f"{quetzales(invested)}, valor {best.objetivo:.3f}",
        f"  orden de puntaje: {len(ranked.cronograma)} proyectos, "
        f"{quetzales(float(ranked.cronograma['costo_total'].sum()))}, valor {ranked.objetivo:.3f}; "
        f"ganancia del óptimo {porcentaje(plan.comparison.ganancia_pct / 100)}",
        f"  POA {plan.years[0]}: {len(best.poa)} proyecto(s), {quetzales(float(best.poa['total'].sum()))}",
    ]
    effect = plan.efecto
    if len(effect) and effect["servicio_deuda"].sum() > 0:
        lines.append(f"  préstamo nuevo: {quetzales(float(effect['desembolso_prestamo'].sum()))}, servicio total "
                     f"{quetzales(float(effect['servicio_deuda'].sum()))}")
    if len(effect):
        lines.append(f"  operación y mantenimiento de lo construido: "
                     f"{quetzales(float(effect['operacion_mantenimiento'].iloc[-1]))} al año "
                     f"(en {int(effect['anio'].iloc[-1])})")
    lines += [f"  aviso: {a}" for a in plan.avisos]
    return lines


def _command_planificar(args: argparse.Namespace) -> int:
    codes = [single_municipio(args.municipio, "el plan")]
    salida = check_result_path(args.salida, ["cronograma"])[0]
    figure = Path(args.grafico) if args.grafico else None
    if figure is not None:
        if figure.suffix.lower() not in CHART_FORMATS:
            raise NexosError(f"--grafico {figure}: extensión no admitida (se esperaba {', '.join(CHART_FORMATS)})")
        if figure.resolve() == salida.resolve():
            raise NexosError(f"--grafico {figure}: es el mismo archivo que --salida; elija otro nombre")
        check_output(figure)
        if figure.suffix.lower() != ".svg":
            chromium_path()  # fail before the slow part
    if args.cartera:
        load_portfolio(args.cartera)  # every problem of the file now, not after the run
    # the plan of the run, fed back into its projection (the same plan as the report and the app)
    result = run(codes[0], args.escenario, overrides=args.set or None, planificar=True, cartera=args.cartera)
    plan = result.plans[codes[0]]
    with atomic_files([salida] + ([figure] if figure is not None else [])) as staged:  # both or neither
        write_plan(plan, staged[salida])
        if figure is not None:
            write_chart(gantt_chart(plan), staged[figure])
    for line in _summary(plan):
        print(line)
    print(f"Escrito: {salida}" + (f" y {args.grafico}" if args.grafico else ""))
    return 0


def add_parser(subparsers: Any, help: str) -> argparse.ArgumentParser:
    """Add ``nexos planificar`` to the ``nexos`` command's subparsers; returns its parser."""
    p = subparsers.add_parser(
        "planificar", help=help,
        description="Elige los proyectos de la cartera y su año de inicio para aprovechar el espacio fiscal "
                    "por fuente y año (optimización entera con scipy), y lo compara con llenar por orden de "
                    "puntaje. Escribe un .xlsx con las hojas cronograma, financiamiento, no_financiados, poa, "
                    "puntajes, resultados, comparacion y efecto_proyeccion, o solo el cronograma en .csv o "
                    ".parquet. La cartera por defecto es params/carteras/<código>.yaml|csv|xlsx; si no hay, "
                    "una ilustrativa.")
    p.add_argument("--municipio", required=True, metavar="CÓDIGO", type=municipality,
                   help="código INE del municipio (p. ej. 0901)")
    p.add_argument("--escenario", default="base", metavar="NOMBRE", type=scenario, help="escenario (por defecto: base)")
    p.add_argument("--cartera", metavar="ARCHIVO", type=input_file, help="cartera de proyectos (.yaml, .csv o .xlsx)")
    p.add_argument("--set", action="append", metavar="CLAVE=VALOR", type=assignment,
                   help="ajuste de un parámetro, p. ej. --set calendario.anio_presupuesto=2028 o --set "
                        "calendario.anios_plan=5 (repetible)")
    p.add_argument("--grafico", metavar="ARCHIVO", type=output,
                   help="también el cronograma como gráfico de Gantt (.svg, .pdf o .png)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", type=output,
                   help="archivo del plan (.xlsx, .csv o .parquet)")
    p.set_defaults(func=_command_planificar)
    return p
