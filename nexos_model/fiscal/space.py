"""The yearly fiscal space: own revenue, transfers by source, spending, debt and what is left to
invest, by funding source, under the earmarks. Pure: arrays in, arrays out.

Arrays are (municipalities, draws, years). The aporte constitucional and IVA-PAZ are allocated
by the Código Municipal art. 119 formula across all 340 municipalities (``NationalContext``):
a municipality that raises its own revenue raises its share of the 25 % criterion and lowers the
others' by the same total, the others following their projected paths.

Accounting identity, every year (checked by the tests):

    own revenue + transfers + loan proceeds + unfunded (deficit)
        = operating spending + debt service + fiscal space for investment (all sources)

Funding order: debt service first from ``deuda.fuente_pago`` (INFOM loans are advances on the
aporte), then operating spending from the sources in ``gasto.funcionamiento.orden_financiamiento``
(own revenue first). What the rules check is how much of each earmarked source operation used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from nexos_model.errors import ParameterError
from nexos_model.fiscal import debt
from nexos_model.fiscal.spending import operating_base, operating_paths
from nexos_model.fiscal.terms import term_last_year
from nexos_model.params.fiscal_schema import TRANSFER_SOURCES
from nexos_model.params.values import Values

#: Funding sources of the investment plan (same order as ``nexos_model.investment.project.FUENTES``).
#: Vehicle tax, petroleum and other transfers are pooled with own revenue as freely usable money.
SPACE_SOURCES = ("codede", "iva_paz", "aporte_constitucional", "prestamo_infom", "propios")
POOLED_INTO_OWN = ("otras", "petroleo", "circulacion_vehiculos")


@dataclass(frozen=True)
class NationalFigures:
    """National figures known by year, used instead of a parameter in the years they cover.

    ``aporte_totals``: the aporte constitucional's national total (Q) of each year from the first
    to the last published one (years between two published totals interpolated); ``inflation``:
    observed consumer-price inflation (fraction, INE annual average) by year.
    """

    aporte_totals: Mapping[int, float] = field(default_factory=dict)
    inflation: Mapping[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class NationalContext:
    """The art. 119 inputs of every municipality: population, aldeas, own revenue paths.

    ``own`` (N, K) is each municipality's own-source revenue over ``years`` (K): history up to
    its last data year, then its projection under the default parameters. ``figures``: the
    national figures known by year (published aporte totals, observed inflation).
    """

    municipios: tuple[str, ...]
    population: np.ndarray
    aldeas: np.ndarray
    aldeas_estimated: np.ndarray
    years: np.ndarray
    own: np.ndarray
    figures: NationalFigures = field(default_factory=NationalFigures)

    def rows(self, codes: list[str]) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.municipios)}
        return np.array([index[c] for c in codes])


def total(parts) -> np.ndarray:
    """``sum(parts)`` of arrays, with the same rounding (0 + a is a), added in place into one
    new array instead of a temporary per term."""
    parts = list(parts)
    out = np.zeros(np.broadcast_shapes(*(np.shape(p) for p in parts)))
    for part in parts:
        out += part
    return out


def pool_path(base_amount: float, base_year: int, v: Values, key: str, years: np.ndarray) -> np.ndarray:
    """National pool over ``years``, (D|1, K): the base-year amount (a number, or one per draw)
    compounded forward (and discounted backward) by the growth of ``transferencias.<key>.crecimiento``
    of each year."""
    span = np.arange(min(base_year, int(years[0])), max(base_year, int(years[-1])) + 1)
    growth = np.asarray(v.path(f"transferencias.{key}.crecimiento", span), dtype=float)
    logs = np.log1p(growth.reshape(-1, len(span)))  # (D|1, S): growth into each span year
    cum = np.cumsum(logs, axis=-1)
    at_base = cum[:, [int(np.searchsorted(span, base_year))]]
    level = np.reshape(base_amount, (-1, 1)) * np.exp(cum - at_base)
    return level[:, np.searchsorted(span, years)]


def aporte_pool(totals: Mapping[int, float], v: Values, years: np.ndarray) -> np.ndarray:
    """The aporte constitucional's national pool over ``years``, (D|1, K).

    A year with a known total (``NationalFigures.aporte_totals``) takes it; after the last known
    year the pool grows by ``transferencias.aporte_constitucional.crecimiento`` of each year (the
    growth of the State's ordinary revenue, of which the aporte is 10 %, Constitución art. 257),
    and before the first known year it is discounted by it (:func:`pool_path`).
    """
    if not totals:
        raise ParameterError("transferencias.aporte_constitucional: no hay totales nacionales publicados "
                             "(se esperaba al menos un año con su monto)")
    years = np.asarray(years, dtype=int)
    first, last = min(totals), max(totals)
    key = "aporte_constitucional"
    out = np.array(pool_path(totals[last], last, v, key, years))
    early = years < first
    if early.any():
        out[:, early] = pool_path(totals[first], first, v, key, years[early])
    inside = (years >= first) & (years <= last)
    out[:, inside] = [totals[int(y)] for y in years[inside]]
    return out


def formula_shares(own: np.ndarray, rows: np.ndarray, ctx: NationalContext, weights: dict, lag: int,
                   years: np.ndarray) -> dict[str, np.ndarray]:
    """Each municipality's share of a pool by art. 119, per criterion, (M, D, T).

    ``own`` (M, D, K) is the group's own revenue over ``ctx.years`` (its scenario path); every
    other municipality keeps ``ctx.own``. Year y uses own revenue of y − ``lag`` (the Comisión de
    Cálculo Matemático works on the previous year's figures). The same formula as
    :func:`nexos_model.fiscal.transfers.allocate_art119` (checked against it in the tests), written so
    that only the group's rows vary by draw: the 25 % criterion's denominator is the others'
    per-cápita sum (fixed) plus the group's (drawn). A denominator of 0 splits in equal parts.
    """
    n = len(ctx.municipios)
    others = np.ones(n, dtype=bool)
    others[rows] = False
    k = np.searchsorted(ctx.years, years - lag)
    pop = ctx.population
    per_capita_others = (np.maximum(ctx.own[others][:, k], 0.0) / pop[others, None]).sum(axis=0)  # (T,)
    group_pc = np.maximum(own[:, :, k], 0.0) / pop[rows, None, None]  # (M, D, T)
    denominator = per_capita_others + group_pc.sum(axis=0)  # (D, T)
    own_share = np.divide(group_pc, denominator, out=np.full(group_pc.shape, 1.0 / n), where=denominator > 0)
    total_aldeas = ctx.aldeas.sum()
    aldeas = ctx.aldeas[rows] / total_aldeas if total_aldeas > 0 else np.full(len(rows), 1.0 / n)
    shape = group_pc.shape
    return {
        "partes_iguales": np.full(shape, weights["partes_iguales"] / n),
        "poblacion": np.broadcast_to((weights["poblacion"] * pop[rows] / pop.sum())[:, None, None], shape),
        "ingresos_propios_per_capita": weights["ingresos_propios_per_capita"] * own_share,
        "aldeas_caserios": np.broadcast_to((weights["aldeas_caserios"] * aldeas)[:, None, None], shape),
    }


@dataclass
class FiscalInputs:
    """One group of municipalities sharing parameter values: what the fiscal core needs."""

    municipios: list[str]
    years: np.ndarray  # (T,) projection years
    own_full: np.ndarray  # (M, D|1, K) own revenue over ctx.years (history + projection)
    own: np.ndarray  # (M, D|1, T) own revenue in the projection years
    transfers_base: np.ndarray  # (M, 2) last history year: public current (16200), capital (17200)
    donations: np.ndarray  # (M, D|1, T) other transfers (donations), trend-projected
    lever_cost: np.ndarray  # (T,) or (M, D, T)
    om_cost: np.ndarray | None = None  # (M, D|1, T) O&M of the investment plan, if any
    plan_debt: dict[str, np.ndarray] | None = None  # the plan's new loans: intereses, amortizacion, desembolso (T,)


@dataclass
class FiscalResult:
    lines: dict[str, np.ndarray]  # concept -> (M, D, T)
    space: dict[str, np.ndarray]  # funding source -> (M, D, T)
    used_for_operation: dict[str, np.ndarray]
    aporte_parts: dict[str, np.ndarray]
    notes: dict[str, list[str]] = field(default_factory=dict)
    capacity: dict[str, np.ndarray] = field(default_factory=dict)  # monto, plazo by start year (M, D, T)
    new_loan_last_year: int | None = None
    donations: np.ndarray | None = None  # (M, D, T) the part of 'otras' that is donations


def iva_base_amount(v: Values) -> np.ndarray | float:
    """The national IVA-PAZ of its base year (Q, per draw when the points are drawn):
    ``puntos_iva / 12 × recaudacion_iva_base`` (no published yearly amount exists: an estimate)."""
    points = np.ravel(v.scalar("transferencias.iva_paz.puntos_iva"))
    amount = points / 12.0 * v.params.transfers.iva_paz.vat_collected
    return float(amount[0]) if amount.size == 1 else amount


def _grow(base: np.ndarray, v: Values, key: str, years: np.ndarray) -> np.ndarray:
    """(M, D|1) base-year amounts compounded by ``transferencias.<key>.crecimiento``, (M, D, T)."""
    growth = np.asarray(v.path(f"transferencias.{key}.crecimiento", years)).reshape(-1, len(years))
    return base[:, :, None] * np.cumprod(1 + growth, axis=-1)[None]


def project_transfers(inputs: FiscalInputs, ctx: NationalContext, v: Values, last_year: int, detail: bool = True):
    """Transfers by source (M, D, T), the aporte's parts by criterion (``detail``), and notes."""
    t_cfg = v.params.transfers
    years = inputs.years
    rows = ctx.rows(inputs.municipios)
    weights = dict(t_cfg.aporte.weights)
    axis = np.concatenate(([last_year], years))
    shares = formula_shares(inputs.own_full, rows, ctx, weights, t_cfg.aporte.revenue_lag, axis)
    total_share = total(shares.values())
    national_aporte = aporte_pool(ctx.figures.aporte_totals, v, axis)
    iva_pool = pool_path(iva_base_amount(v), t_cfg.iva_paz.base_year, v, "iva_paz", axis)
    aporte = national_aporte[None] * total_share  # (M, D, 1 + T): the last data year, then projection
    iva = iva_pool[None] * total_share
    aporte_parts = ({name: share[..., 1:] * national_aporte[None, :, 1:] for name, share in shares.items()}
                    if detail else {})

    # The data's public transfers in the last year, minus the formula's aporte and IVA-PAZ, is what
    # the other sources were; it is split by their shares and grown at their own rates.
    current, capital = inputs.transfers_base[:, 0], inputs.transfers_base[:, 1]
    booked = current + capital
    formula_base = aporte[:, :, 0] + iva[:, :, 0]  # (M, D)
    residual = np.maximum(booked[:, None] - formula_base, 0.0)
    ratio = np.divide(residual, booked[:, None], out=np.zeros_like(residual), where=booked[:, None] > 0)
    notes = {c: [] for c in inputs.municipios}
    mean_base = formula_base.mean(axis=1)
    for i in np.flatnonzero(booked < mean_base):
        notes[inputs.municipios[i]].append(
            f"{last_year}: las transferencias registradas (Q {booked[i]:,.2f}) son menores que el aporte "
            f"constitucional y el IVA-PAZ que da la fórmula del art. 119 (Q {float(mean_base[i]):,.2f}); "
            f"las demás transferencias se proyectan en cero.")
    out = {"aporte_constitucional": aporte[..., 1:], "iva_paz": iva[..., 1:]}
    for key, cfg in t_cfg.shared().items():
        base = (cfg.share_current * current[:, None] + cfg.share_capital * capital[:, None]) * ratio
        out[key] = _grow(base, v, key, years)
    out["otras"] = out["otras"] + inputs.donations
    base_year = {"aporte_constitucional": aporte[..., 0], "iva_paz": iva[..., 0]}  # (M, D) per draw
    return out, aporte_parts, notes, base_year


def _loan_service(loan, years: np.ndarray, amount, rate=None) -> debt.AnnualDebtService:
    return debt.debt_service_by_year(amount, loan.rate if rate is None else rate, loan.term, loan.grace,
                                     loan.method, loan.payments_per_year, years, loan.start_year,
                                     disbursement=loan.disbursement)


def project_fiscal(inputs: FiscalInputs, ctx: NationalContext, v: Values, last_year: int,
                   detail: bool = True) -> FiscalResult:
    """Transfers, spending, debt, the funding of operation and the fiscal space by source.
    ``detail=False`` (Monte Carlo) skips what only the tables use: the borrowing capacity and
    the aporte's split by criterion."""
    years = inputs.years
    p = v.params
    shape = np.broadcast_shapes(inputs.own.shape, (len(inputs.municipios), v.n_draws, len(years)))
    by_source, aporte_parts, notes, formula_base = project_transfers(inputs, ctx, v, last_year, detail)
    by_source = {k: np.broadcast_to(a, shape) for k, a in by_source.items()}
    own = np.broadcast_to(inputs.own, shape)

    # Spending
    own_base = inputs.own_full[:, :, int(np.searchsorted(ctx.years, last_year))]  # (M, D)
    base = operating_base(own_base, formula_base["aporte_constitucional"], formula_base["iva_paz"], v)
    lines = operating_paths(base, v, years)
    lines["costo_reformas"] = np.broadcast_to(inputs.lever_cost, shape)
    lines["operacion_mantenimiento"] = (np.zeros(shape) if inputs.om_cost is None
                                        else np.broadcast_to(inputs.om_cost, shape))
    operating = total(np.broadcast_to(lines[k], shape) for k in
                    ("gasto_personal", "gasto_bienes_servicios", "costo_reformas", "operacion_mantenimiento"))
    lines = {k: np.broadcast_to(a, shape) for k, a in lines.items()}
    lines["gasto_funcionamiento"] = operating

    # Debt: existing loans and the scenario's new loan
    interest = np.zeros(shape)
    principal = np.zeros(shape)
    proceeds = np.zeros(shape)
    for loan in p.debt.existing:
        service = _loan_service(loan, years, loan.amount)
        interest = interest + service.interest[None]
        principal = principal + service.amortization[None]
    new = p.debt.new_loan
    new_amount = v.scalar("deuda.nuevo_prestamo.monto")
    if np.any(np.asarray(new_amount) > 0):
        service = _loan_service(new, years, np.ravel(new_amount), np.ravel(v.scalar("deuda.nuevo_prestamo.tasa")))
        interest = interest + service.interest[None]
        principal = principal + service.amortization[None]
        proceeds = proceeds + service.disbursement[None]
    if inputs.plan_debt is not None:
        interest = interest + inputs.plan_debt["intereses"]
        principal = principal + inputs.plan_debt["amortizacion"]
        proceeds = proceeds + inputs.plan_debt["desembolso"]
    service_total = interest + principal
    lines.update(intereses=interest, amortizacion=principal, servicio_deuda=service_total,
                 desembolso_prestamo=proceeds)

    # Funding: debt service first from its source, then operation in the legal order.
    available = {"propios": own.copy(), **{k: np.array(a) for k, a in by_source.items()}}
    used_op = {k: np.zeros(shape) for k in available}
    need = service_total.copy()
    for source in (p.debt.payment_source, "propios"):
        take = np.minimum(need, available[source])
        available[source] -= take
        need -= take
    unfunded = need
    need = operating.copy()
    for source in p.spending.operating.funding_order:
        take = np.minimum(need, available[source])
        available[source] -= take
        used_op[source] += take
        need -= take
    unfunded = unfunded + need
    lines["deficit"] = unfunded

    space = {
        "codede": available["codede"],
        "iva_paz": available["iva_paz"],
        "aporte_constitucional": available["aporte_constitucional"],
        "prestamo_infom": proceeds,
        "propios": available["propios"] + total(available[k] for k in POOLED_INTO_OWN),
    }
    for source in TRANSFER_SOURCES:
        lines[source if source != "otras" else "otras_transferencias"] = by_source[source]
    lines["transferencias_total"] = total(by_source.values())
    lines["ingresos_propios_total"] = own
    lines["espacio_fiscal"] = total(space.values())
    free = own + by_source["otras"] + by_source["petroleo"] + \
        p.rules.aporte_operating_max * by_source["aporte_constitucional"] + \
        p.rules.iva_paz_operating_max * by_source["iva_paz"]
    lines["ahorro_corriente"] = free - (operating - lines["costo_reformas"]) - interest
    ordinary = own + by_source["aporte_constitucional"] + by_source["iva_paz"]
    lines["ingresos_ordinarios"] = ordinary
    capacity = borrowing_capacity(ordinary, service_total, v, years) if detail else {}
    return FiscalResult(lines, space, used_op, aporte_parts, notes, capacity,
                        new.start_year + new.term - 1 if np.any(np.asarray(new_amount) > 0) else None)


def borrowing_capacity(ordinary: np.ndarray, service: np.ndarray, v: Values, years: np.ndarray) -> dict:
    """Largest new INFOM loan that could start in each year (M, D, T): its service keeps the
    debt-service ratio within ``reglas.servicio_deuda_maximo`` in every year of the loan, under
    ``deuda.plazo_maximo`` and the council's term in course that year (its last full year,
    :func:`nexos_model.fiscal.terms.term_last_year` from ``calendario``), at
    ``deuda.tasa_capacidad`` with the amortization method and payments per year of
    ``deuda.nuevo_prestamo`` (the terms the investment plan's loans use too).

    Same rule as :func:`nexos_model.fiscal.debt.borrowing_capacity` (checked against it in the tests),
    computed for every start year at once: a loan's service per quetzal does not depend on its
    start year, so each term's schedule is computed once and slid along the years.
    """
    p = v.params
    limit = v.scalar("reglas.servicio_deuda_maximo")
    room = np.maximum(limit * ordinary - service, 0.0)  # (M, D, T)
    n = len(years)
    amount = np.zeros(room.shape)
    term = np.zeros(room.shape)
    loan = p.debt.new_loan
    term_ends = term_last_year(years, p.calendar.term_start, p.calendar.term_length)
    for length in range(1, p.debt.max_term + 1):
        unit = debt.debt_service_by_year(1.0, p.debt.capacity_rate, length, 0, loan.method, loan.payments_per_year,
                                         np.arange(length) + int(years[0]), int(years[0]))
        per_quetzal = (unit.interest + unit.amortization)[0]  # (length,)
        for k in range(n - length + 1):
            if int(years[k]) + length - 1 > term_ends[k]:
                continue
            window = room[..., k:k + length] / np.where(per_quetzal > 0, per_quetzal, np.inf)
            best = np.maximum(window.min(axis=-1), 0.0)
            better = best > amount[..., k] + 1e-9 * np.abs(amount[..., k])
            amount[..., k] = np.where(better, best, amount[..., k])
            term[..., k] = np.where(better, length, term[..., k])
    return {"monto": amount, "plazo": term}
