"""The yearly fiscal space: own revenue, transfers by source, spending, debt and what is left to
invest, by funding source, under the earmarks. Pure: arrays in, arrays out.

Arrays are (municipalities, draws, years). The aporte constitucional and IVA-PAZ are allocated
by the Código Municipal art. 119 formula across all 340 municipalities (``NationalContext``):
a municipality that raises its own revenue raises its share of the 25 % criterion and lowers the
others' by the same total, the others following their projected paths.

Accounting identity, every year (checked by the tests):

    own revenue + transfers + loan proceeds + unfunded (deficit)
        = operating spending + debt service + own fiscal space + CODEDE funds assigned to projects

Funding order: debt service first from ``deuda.fuente_pago`` (INFOM loans are advances on the
aporte), then operating spending from the sources in ``gasto.funcionamiento.orden_financiamiento``
(own revenue first), each up to the share the law leaves free before any goes beyond it, then the O&M of the investment plan from the free money of the sources the
plan chose for it. What the rules check is how much of each earmarked source operation used.

What is left splits, as a DAFIM reads it, into free-use money, money earmarked for investment,
loan proceeds and CODEDE funds (``DESTINOS``; :func:`free_share_left`); the municipality's own
fiscal space (``espacio_fiscal``) is the first three: CODEDE funds are assigned by the
departmental council to projects and are shown apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

from nexos_model.errors import ParameterError
from nexos_model.fiscal import debt
from nexos_model.fiscal.spending import operating_base, operating_paths
from nexos_model.fiscal.terms import term_last_year
from nexos_model.fiscal.transfers import robust_level
from nexos_model.params.fiscal_schema import TRANSFER_SOURCES
from nexos_model.params.values import Values

#: Funding sources of the investment plan (same order as ``nexos_model.investment.project.FUENTES``).
#: Vehicle tax, petroleum and other transfers are booked by the plan under ``propios`` (the
#: portfolio's source "propios y otras transferencias"); the fiscal space keeps them apart.
SPACE_SOURCES = ("codede", "iva_paz", "aporte_constitucional", "prestamo_infom", "propios")
POOLED_INTO_OWN = ("otras", "petroleo", "circulacion_vehiculos")
#: Where money left for investment may go, as a DAFIM reads it: ``libre`` (own revenue left after
#: operation and debt, and the free share of transfers: it may also pay operation), ``inversion``
#: (earmarked for investment by law: the aporte's 90 %, IVA-PAZ's 75 %, vehicle tax, petroleum),
#: ``prestamo`` (loan proceeds, investment only) and ``codede`` (assigned by the departmental
#: council to specific projects: outside the municipality's own space).
DESTINOS = ("libre", "inversion", "prestamo", "codede")
#: Sources of the fiscal space, in the order a DAFIM lists them.
SPACE_DETAIL_SOURCES = ("propios", "otras", "aporte_constitucional", "iva_paz", "circulacion_vehiculos", "petroleo",
                        "prestamo_infom", "codede")


def plan_source(source: str) -> str:
    """The investment plan's funding source (``SPACE_SOURCES``) that books money of ``source``."""
    return "propios" if source in POOLED_INTO_OWN else source


def earmark(source: str, v: Values) -> float:
    """The share of a source that the law reserves for investment (fraction), from its sourced
    parameter: the aporte 1 − ``reglas.aporte_funcionamiento_maximo`` (Constitución art. 257),
    IVA-PAZ 1 − ``reglas.iva_paz_funcionamiento_maximo``, the other transfers their
    ``transferencias.<fuente>.inversion_minima``; own revenue has none (0)."""
    p = v.params
    if source == "propios":
        return 0.0
    if source == "aporte_constitucional":
        return 1.0 - p.rules.aporte_operating_max
    if source == "iva_paz":
        return 1.0 - p.rules.iva_paz_operating_max
    return p.transfers.shared()[source].investment_min_share


def free_share_left(revenue: np.ndarray, debt_paid: np.ndarray, operating_used: np.ndarray, left: np.ndarray,
                    earmarked: float) -> np.ndarray:
    """The part of a source's money left that is still of free use (Q).

    free = clip((1 − m) R − u − max(0, d − m R), 0, L): of revenue R with earmark m, operation
    used u (from the free share: what the law allows it), debt service d (first from the
    earmarked share: loans pay for investment) and L left in all. The rest of L (L − free) is
    earmarked for investment. When operation used more than the free share (a rule breach the
    rules report), nothing free is left.
    """
    return _free_left(free_share(revenue, debt_paid, earmarked), operating_used, left)


def free_share(revenue: np.ndarray, debt_paid: np.ndarray, earmarked: float) -> tuple[np.ndarray, np.ndarray]:
    """The parts of :func:`free_share_left` fixed once the debt is paid: (1 − m) R and max(0, d − m R)."""
    return (1.0 - earmarked) * revenue, np.maximum(debt_paid - earmarked * revenue, 0.0)


def _fixed_share(revenue: np.ndarray, debt_paid: np.ndarray | None,
                 earmarked: float) -> tuple[np.ndarray | None, np.ndarray | None]:
    """:func:`free_share` without the passes that cannot change a value: (1 − 0) R is R itself;
    for a source that paid no debt (``debt_paid`` None) whose revenue is finite and not negative,
    max(0, 0 − m R) is +0 everywhere, which subtracts nothing (None), and so is (1 − 1) R (None)."""
    if debt_paid is None and np.min(revenue) >= 0 and np.max(revenue) < np.inf:  # not so with a NaN
        return (None if earmarked == 1 else revenue if earmarked == 0 else (1.0 - earmarked) * revenue), None
    kept = revenue if earmarked == 0 else (1.0 - earmarked) * revenue
    over = np.multiply(earmarked, revenue)
    np.subtract(0.0 if debt_paid is None else debt_paid, over, out=over)
    return kept, np.maximum(over, 0.0, out=over)


def _free_left(share: tuple[np.ndarray | None, np.ndarray | None], operating_used: np.ndarray | None,
               left: np.ndarray) -> np.ndarray:
    """:func:`free_share_left` from its fixed parts (:func:`free_share`, :func:`_fixed_share`), a new
    array; ``operating_used`` None (nothing used yet) and a part None (zero) take no pass."""
    kept, over = share
    if kept is None:
        kept = np.zeros(np.shape(left))
    free = None if operating_used is None else np.asarray(np.subtract(kept, operating_used))
    if over is not None:
        free = np.asarray(np.subtract(kept, over)) if free is None else np.subtract(free, over, out=free)
    ceiling = np.asarray(np.maximum(left, 0.0))
    return np.clip(kept if free is None else free, 0.0, ceiling, out=ceiling if free is None else free)


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
    shape = np.broadcast_shapes(*(np.shape(p) for p in parts))
    if len(parts) < 2:
        return np.add(0.0, parts[0], out=np.empty(shape)) if parts else np.zeros(shape)
    out = np.empty(shape)
    np.add(parts[0], parts[1], out=out, dtype=np.float64)  # 0 + a + b, one pass fewer
    for part in parts[2:]:
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
    # the gathered years are an array of their own: each step in place (its memory order, the
    # gather's, sets the order of the sum over municipalities below: kept as it was)
    group_pc = own[:, :, k]
    np.maximum(group_pc, 0.0, out=group_pc)
    np.divide(group_pc, pop[rows, None, None], out=group_pc)  # (M, D, T)
    denominator = per_capita_others + group_pc.sum(axis=0)  # (D, T)
    positive = denominator > 0
    own_share = np.divide(group_pc, denominator, out=group_pc if positive.all() else np.full(group_pc.shape, 1.0 / n),
                          where=positive)
    total_aldeas = ctx.aldeas.sum()
    aldeas = ctx.aldeas[rows] / total_aldeas if total_aldeas > 0 else np.full(len(rows), 1.0 / n)
    shape = group_pc.shape
    return {
        "partes_iguales": np.broadcast_to(weights["partes_iguales"] / n, shape),
        "poblacion": np.broadcast_to((weights["poblacion"] * pop[rows] / pop.sum())[:, None, None], shape),
        "ingresos_propios_per_capita": np.multiply(weights["ingresos_propios_per_capita"], own_share, out=own_share),
        "aldeas_caserios": np.broadcast_to((weights["aldeas_caserios"] * aldeas)[:, None, None], shape),
    }


@dataclass
class FiscalInputs:
    """One group of municipalities sharing parameter values: what the fiscal core needs."""

    municipios: list[str]
    years: np.ndarray  # (T,) projection years
    own_full: np.ndarray  # (M, D|1, K) own revenue over ctx.years (history + projection)
    own: np.ndarray  # (M, D|1, T) own revenue in the projection years
    transfers_history: np.ndarray  # (M, 2, H) public current (16200) and capital (17200) transfers, NaN = missing
    history_years: np.ndarray  # (H,) the years of ``transfers_history`` (the last is the base year)
    donations: np.ndarray  # (M, D|1, T) other transfers (donations), trend-projected
    lever_cost: np.ndarray  # (T,) or (M, D, T)
    plan_om: dict[str, np.ndarray] | None = None  # plan source -> O&M of the investment plan it pays (T,)
    plan_debt: dict[str, np.ndarray] | None = None  # the plan's new loans: intereses, amortizacion, desembolso (T,)


@dataclass
class FiscalResult:
    lines: dict[str, np.ndarray]  # concept -> (M, D, T)
    space: dict[str, np.ndarray]  # the plan's funding source (SPACE_SOURCES) -> (M, D, T)
    used_for_operation: dict[str, np.ndarray]
    aporte_parts: dict[str, np.ndarray]
    notes: dict[str, list[str]] = field(default_factory=dict)
    capacity: dict[str, np.ndarray] = field(default_factory=dict)  # monto, plazo by start year (M, D, T)
    new_loan_last_year: int | None = None
    donations: np.ndarray | None = None  # (M, D, T) the part of 'otras' that is donations
    space_detail: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)  # (fuente, destino) -> (M, D, T)


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
    # the last data year (M, D), then the projection (M, D, T) as arrays of their own: contiguous
    # (a slice of one (M, D, 1 + T) array would make every later pass run row by row)
    aporte, iva = (np.multiply(pool[None, :, 1:], total_share[..., 1:]) for pool in (national_aporte, iva_pool))
    base_year = {"aporte_constitucional": national_aporte[None, :, 0] * total_share[..., 0],
                 "iva_paz": iva_pool[None, :, 0] * total_share[..., 0]}  # (M, D) per draw
    aporte_parts = ({name: share[..., 1:] * national_aporte[None, :, 1:] for name, share in shares.items()}
                    if detail else {})

    # The data's public transfers, minus the formula's aporte and IVA-PAZ, is what the other
    # sources were; each year's remainder is split by their shares, and each source starts from
    # the median of its last years carried to the base year (robust_level: one year's jump is
    # not compounded), then grows at its own rate.
    history_years = inputs.history_years
    # the history's own revenue is the same in every draw: its shares are computed once (M, 1, H)
    hist_shares = formula_shares(inputs.own_full[:, :1], rows, ctx, weights, t_cfg.aporte.revenue_lag, history_years)
    hist_share = total(hist_shares.values())  # (M, D, H)
    hist_pool = (aporte_pool(ctx.figures.aporte_totals, v, history_years)
                 + pool_path(iva_base_amount(v), t_cfg.iva_paz.base_year, v, "iva_paz", history_years))
    formula_hist = hist_pool[None] * hist_share  # (M, D, H): aporte + IVA-PAZ by the formula
    current, capital = (np.maximum(inputs.transfers_history[:, i, None, :], 0.0) for i in (0, 1))  # (M, 1, H)
    booked = current + capital
    residual = np.maximum(booked - formula_hist, 0.0)
    ratio = np.divide(residual, booked, out=np.zeros(residual.shape), where=booked > 0)
    ratio = np.where(np.isfinite(booked), ratio, np.nan)
    notes = {c: [] for c in inputs.municipios}
    last_booked, mean_base = booked[:, 0, -1], formula_hist[..., -1].mean(axis=1)
    for i in np.flatnonzero(last_booked < mean_base):
        notes[inputs.municipios[i]].append(
            f"{last_year}: las transferencias registradas (Q {last_booked[i]:,.2f}) son menores que el aporte "
            f"constitucional y el IVA-PAZ que da la fórmula del art. 119 (Q {float(mean_base[i]):,.2f}); "
            f"las demás transferencias se proyectan en cero.")
    window = t_cfg.level_years
    out = {"aporte_constitucional": aporte, "iva_paz": iva}
    levels, last_values = {}, {}
    for key, cfg in t_cfg.shared().items():
        yearly = (cfg.share_current * current + cfg.share_capital * capital) * ratio  # (M, D, H)
        growth = np.asarray(v.path(f"transferencias.{key}.crecimiento", history_years)).reshape(-1, len(history_years))
        carry = np.cumprod((1 + growth)[:, ::-1], axis=-1)[:, ::-1] / (1 + growth)  # Π_{j>y} (1 + g_j), (D|1, H)
        level, _ = robust_level(yearly, carry[None], window)  # (M, D)
        levels[key], last_values[key] = level, np.nan_to_num(yearly[..., -1])
        out[key] = _grow(level, v, key, years)
    start = total(levels.values()).mean(axis=1)
    last = total(last_values.values()).mean(axis=1)
    first_year = int(history_years[max(0, len(history_years) - window)])
    for i, code in enumerate(inputs.municipios if detail else ()):
        if start[i] > 0.005 or last[i] > 0.005:
            notes[code].append(
                f"Transferencias distintas del aporte y el IVA-PAZ (CODEDE, circulación de vehículos, petróleo y "
                f"otras): se parte de Q {start[i]:,.2f}, la mediana de {first_year}-{last_year} llevada a {last_year} "
                f"con el crecimiento de cada fuente (el último año registró Q {last[i]:,.2f}); un salto de un solo "
                f"año no se proyecta (transferencias.anios_nivel = {window}).")
    out["otras"] = out["otras"] + inputs.donations
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
    plan_om = {k: np.broadcast_to(a, shape) for k, a in (inputs.plan_om or {}).items()}
    lines["operacion_mantenimiento"] = total(plan_om.values()) if plan_om else np.broadcast_to(0.0, shape)
    running = total(np.broadcast_to(lines[k], shape) for k in
                    ("gasto_personal", "gasto_bienes_servicios", "costo_reformas"))
    operating = running + lines["operacion_mantenimiento"] if plan_om else running  # R + 0 is R
    lines = {k: np.broadcast_to(a, shape) for k, a in lines.items()}
    lines["gasto_funcionamiento"] = operating

    # Debt: existing loans and the scenario's new loan, the same for every municipality of the
    # group: (1, D|1, T) until they meet a municipality's money
    interest = np.zeros((1, 1, len(years)))
    principal = np.zeros((1, 1, len(years)))
    proceeds = np.zeros((1, 1, len(years)))
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
    lines.update({k: np.broadcast_to(a, shape) for k, a in (("intereses", interest), ("amortizacion", principal),
                                                            ("servicio_deuda", service_total),
                                                            ("desembolso_prestamo", proceeds))})

    # Funding: debt service first from its source, then operation in the legal order, then the
    # O&M of the investment plan from the free money of the sources the plan chose.
    revenue = {"propios": own, **by_source}
    payers = (p.debt.payment_source, "propios")
    order = p.spending.operating.funding_order
    members = {bucket: [k for k in order if plan_source(k) == bucket] or [bucket] for bucket in plan_om}
    spent = {*payers, *order, *(k for names in members.values() for k in names)}
    # a source that pays nothing keeps its revenue (no copy); nothing paid or used is None, not zeros
    available = {k: np.array(a) if k in spent else a for k, a in revenue.items()}
    used_op: dict[str, np.ndarray | None] = dict.fromkeys(available)
    debt_paid: dict[str, np.ndarray | None] = dict.fromkeys(available)
    marks = {k: earmark(k, v) for k in available}
    need = np.broadcast_to(service_total, shape)
    for i, source in enumerate(payers):
        take = np.minimum(need, available[source])
        available[source] -= take
        debt_paid[source] = take if debt_paid[source] is None else debt_paid[source] + take
        need = need - take if i == 0 else np.subtract(need, take, out=need)  # an array of its own
    unfunded = need
    shares = {k: _fixed_share(revenue[k], debt_paid[k], marks[k]) for k in available}  # fixed from here on

    def pay(amount: np.ndarray, sources, free_only: bool) -> np.ndarray:
        """Operation paid from ``sources`` in turn (their free money only, or all they have left);
        ``amount`` (an array of the caller's own) is what is left unpaid on return."""
        if not free_only and _pay_where_owed(amount, [available[k] for k in sources], [used_op[k] for k in sources]):
            return amount
        for source in sources:
            left, used = available[source], used_op[source]
            room = _free_left(shares[source], used, left) if free_only else None
            take = np.minimum(amount, left if room is None else room, out=room)
            left -= take
            used_op[source] = take if used is None else np.add(used, take, out=used)
            amount -= take
        return amount

    # operation takes each source's free share first (what the law allows), in the legal order;
    # only what is still unpaid goes beyond a free share (a breach the rules report)
    unfunded += pay(pay(running.copy(), order, free_only=True), order, free_only=False)
    for bucket, amount in plan_om.items():
        left = pay(amount.copy(), members[bucket], free_only=True)
        unfunded += pay(left, order, free_only=False)  # beyond the plan's room (a Monte Carlo draw)
    lines["deficit"] = unfunded

    detail_space: dict[tuple[str, str], np.ndarray] = {}
    for source in SPACE_DETAIL_SOURCES:
        if source == "prestamo_infom":
            detail_space[(source, "prestamo")] = lines["desembolso_prestamo"]
            continue
        if source == "codede":
            detail_space[(source, "codede")] = available[source]
            continue
        if marks[source] == 1 and shares[source][1] is None and used_op[source] is None:
            detail_space[(source, "inversion")] = available[source]  # no free share: L − clip(+0, 0, L) is L
            continue
        free = _free_left(shares[source], used_op[source], available[source])
        if marks[source] < 1:
            detail_space[(source, "libre")] = free
        if marks[source] > 0:
            detail_space[(source, "inversion")] = available[source] - free
    zero = np.broadcast_to(0.0, shape)
    used_op = {k: zero if used is None else used for k, used in used_op.items()}
    space = {bucket: total(a for (k, _), a in detail_space.items() if plan_source(k) == bucket)
             for bucket in SPACE_SOURCES}
    for source in TRANSFER_SOURCES:
        lines[source if source != "otras" else "otras_transferencias"] = by_source[source]
    lines["transferencias_total"] = total(by_source.values())
    lines["ingresos_propios_total"] = own
    for destino in ("libre", "inversion"):
        lines[f"espacio_{destino}"] = total(a for (_, d), a in detail_space.items() if d == destino)
    fiscal_space = np.add(lines["espacio_libre"], lines["espacio_inversion"])
    lines["espacio_fiscal"] = np.add(fiscal_space, proceeds, out=fiscal_space)
    free = total(shares[k][0] for k in revenue if k != "codede" and shares[k][0] is not None)  # (1 − m) R, + 0
    spent_on_operation = np.subtract(operating, lines["costo_reformas"])
    np.subtract(free, spent_on_operation, out=free)
    lines["ahorro_corriente"] = np.subtract(free, interest, out=free)
    ordinary = own + by_source["aporte_constitucional"] + by_source["iva_paz"]
    lines["ingresos_ordinarios"] = ordinary
    capacity = borrowing_capacity(ordinary, service_total, v, years) if detail else {}
    return FiscalResult(lines, space, used_op, aporte_parts, notes, capacity,
                        new.start_year + new.term - 1 if np.any(np.asarray(new_amount) > 0) else None,
                        space_detail=detail_space)


def _pay_where_owed(amount: np.ndarray, lefts: list[np.ndarray], useds: list[np.ndarray | None]) -> bool:
    """Operation paid from all that each source has left (``lefts``, in turn), as ``pay`` does,
    but only in the cells where some is still owed (after the free shares, usually few):
    elsewhere every source takes min(0, L) = 0 when no money left is negative. True if done
    here (in place), False if the caller must do it over all cells (money left negative
    somewhere, or owed in many cells)."""
    arrays = [amount, *lefts, *useds]
    if any(a is None or not a.flags.c_contiguous for a in arrays) or not all(np.min(a) >= 0 for a in lefts):
        return False
    cells = np.flatnonzero(amount)
    if cells.size > amount.size // 8:
        return False
    owed = amount.reshape(-1)[cells]
    for left, used in zip(lefts, useds):
        have = left.reshape(-1)[cells]
        take = np.minimum(owed, have)
        left.reshape(-1)[cells] = have - take
        used.reshape(-1)[cells] += take  # type: ignore[union-attr]  # not None: checked above
        owed -= take
    amount.reshape(-1)[cells] = owed
    return True


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
