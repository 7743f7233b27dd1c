"""``nexos aporte`` (art. 119 allocation of a pool) and ``nexos prestamo`` (a loan's schedule)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["add_fiscal_commands", "aporte_allocation"]


def aporte_allocation(year: int, pool: float) -> pd.DataFrame:
    """The art. 119 allocation of ``pool`` quetzales among all municipalities for ``year``.

    Own revenue per cápita is that of ``year`` − ``rezago_ingresos`` (observed if in the data,
    else projected under the defaults). Parts are rounded to the centavo and add up exactly to
    each municipality's total, to each criterion's total and to the pool.
    """
    from nexos_model.api import _prepared_bundled
    from nexos_model.errors import NexosError
    from nexos_model.io.bundled import load_municipalities
    from nexos_model.params.loader import load_parameters
    from nexos_model.fiscal import transfers

    params = load_parameters(None, None).params
    q, aporte = params.quality, params.transfers.aporte
    prepared = _prepared_bundled(params.projection.measure, q.outlier_factor, q.outlier_floor,
                                 q.flagged_values == "excluir")
    ctx, _ = prepared.context(params.projection.horizon)
    source_year = year - aporte.revenue_lag
    if not ctx.years[0] <= source_year <= ctx.years[-1]:
        raise NexosError(f"--anio {year}: se necesitan los ingresos propios de {source_year} y hay datos o "
                         f"proyección de {ctx.years[0]} a {ctx.years[-1]} (se esperaba un año de "
                         f"{ctx.years[0] + aporte.revenue_lag} a {ctx.years[-1] + aporte.revenue_lag})")
    if not (np.isfinite(pool) and pool >= 0):
        raise NexosError(f"--monto {pool}: se esperaba un monto en quetzales ≥ 0")
    own = ctx.own[:, int(np.searchsorted(ctx.years, source_year))]
    parts = transfers.allocate_art119(pool, ctx.population, np.maximum(own, 0.0), ctx.aldeas, dict(aporte.weights))
    rounded = transfers.allocation_in_quetzales(parts, pool)
    table = load_municipalities().set_index("municipio").loc[list(ctx.municipios)]
    out = pd.DataFrame({
        "municipio": list(ctx.municipios),
        "nombre": table["nombre"].to_numpy(),
        "departamento": table["departamento"].to_numpy(),
        "poblacion": ctx.population,
        f"ingresos_propios_{source_year}": own,
        "ingresos_propios_per_capita": own / ctx.population,
        "aldeas_caserios": ctx.aldeas.astype(int),
        "aldeas_estimadas": ctx.aldeas_estimated,
        **{criterion: rounded[criterion][0] for criterion in transfers.ART119_CRITERIA},
        "total": rounded["total"][0],
    })
    out.insert(0, "anio", year)
    return out


def _command_aporte(args: argparse.Namespace) -> int:
    from nexos_model.io.writers import write_table
    from nexos_model.wording import quetzales

    table = aporte_allocation(args.anio, args.monto)
    write_table(table, Path(args.salida))
    print(f"Aporte constitucional {args.anio}: {quetzales(args.monto)} repartidos entre {len(table)} municipios "
          f"(Código Municipal art. 119): {args.salida}")
    print(f"  suma de las asignaciones: {quetzales(table['total'].sum())}; "
          f"aldeas y caseríos estimados en {int(table['aldeas_estimadas'].sum())} municipios (sin dato propio)")
    return 0


def _disbursements(text: str | None) -> dict[int, float] | None:
    """``'2021:0.6,2022:0.4'`` -> ``{2021: 0.6, 2022: 0.4}``."""
    from nexos_model.errors import NexosError

    if not text:
        return None
    out = {}
    for item in text.split(","):
        year, _, share = item.partition(":")
        try:
            out[int(year)] = float(share)
        except ValueError:
            raise NexosError(f"--desembolsos {text!r}: se esperaba AÑO:FRACCIÓN separados por comas "
                             f"(p. ej. 2021:0.6,2022:0.4)") from None
    return out


def _command_prestamo(args: argparse.Namespace) -> int:
    from nexos_model.fiscal.debt import annual_debt_service, loan_schedule
    from nexos_model.io.writers import write_table, write_tables
    from nexos_model.wording import quetzales

    schedule = loan_schedule(args.monto, args.tasa, args.plazo, args.gracia, args.metodo,
                             args.pagos_por_anio, args.anio, disbursement=_disbursements(args.desembolsos))
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


def add_fiscal_commands(subparsers: Any) -> None:
    """Add ``nexos aporte`` and ``nexos prestamo``."""
    p = subparsers.add_parser(
        "aporte", help="reparte un monto de aporte constitucional entre los 340 municipios (art. 119)",
        description="Reparte el monto dado entre todos los municipios con la fórmula del Código Municipal "
                    "art. 119 (35 %% partes iguales, 30 %% población, 25 %% ingresos propios per cápita, "
                    "10 %% aldeas y caseríos) y escribe la parte de cada criterio, al centavo.")
    p.add_argument("--anio", required=True, type=int, metavar="AÑO", help="año de la asignación")
    p.add_argument("--monto", required=True, type=float, metavar="Q", help="monto a distribuir en quetzales")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", help="archivo de resultados (.csv, .xlsx, .parquet)")
    p.set_defaults(func=_command_aporte)

    p = subparsers.add_parser(
        "prestamo", help="calendario de pagos de un préstamo (INFOM: francés o alemán)",
        description="Escribe el calendario de pagos de un préstamo: intereses, amortización, cuota y saldo "
                    "por período, y resume el servicio por año.")
    p.add_argument("--monto", required=True, type=float, metavar="Q", help="monto del préstamo en quetzales")
    p.add_argument("--tasa", required=True, type=float, metavar="r", help="tasa anual como fracción (0.08 = 8 %%)")
    p.add_argument("--plazo", required=True, type=int, metavar="AÑOS", help="plazo en años, incluida la gracia")
    p.add_argument("--gracia", default=0, type=int, metavar="AÑOS", help="años de gracia (solo intereses)")
    p.add_argument("--metodo", default="frances", choices=["frances", "aleman"],
                   help="frances: cuota nivelada; aleman: amortización constante")
    p.add_argument("--pagos-por-anio", default=12, type=int, choices=[1, 2, 4, 12], metavar="N",
                   help="pagos por año: 1, 2, 4 o 12 (por defecto 12)")
    p.add_argument("--anio", default=2021, type=int, metavar="AÑO", help="año del desembolso (por defecto 2021)")
    p.add_argument("--desembolsos", metavar="AÑO:FRACCIÓN,...",
                   help="desembolsos por año dentro de la gracia, p. ej. 2021:0.6,2022:0.4 (por defecto todo el primer año)")
    p.add_argument("--salida", required=True, metavar="ARCHIVO", help="archivo (.csv, .xlsx con hoja por año, .parquet)")
    p.set_defaults(func=_command_prestamo)
