"""Municipal loans: amortisation schedules, debt service by year and borrowing capacity.

Pure functions: no file I/O, no printing. One formula per function, vectorized over a draws
axis, so the deterministic tables (``loan_schedule``) and the Monte Carlo path
(``debt_service_by_year``) share a single implementation (``_period_flows``).

Conventions (documented once, used everywhere):

* ``annual_rate`` is a nominal annual rate as a fraction (0.08 = 8 %); the rate per period is
  ``annual_rate / payments_per_year``.
* ``term_years`` includes the grace period. The loan is taken at the start of ``start_year``;
  period ``k`` (1..n, ``n = term_years * payments_per_year``) is paid at the end of the period,
  in calendar year ``start_year + (k - 1) // payments_per_year``. So a 3-year annual loan taken
  in 2024 is paid in 2024, 2025 and 2026, and its last payment year is
  ``start_year + term_years - 1``.
* Grace: interest only, no principal. Disbursements (shares of the principal) happen at the
  start of the first period of their year and only inside the grace period (the first year if
  there is no grace); amortisation then runs on the full disbursed amount.
* Schedule identity: ``saldo_inicial = saldo_final(previous) + desembolso`` (the balance on
  which the period's interest accrues) and ``saldo_final = saldo_inicial - amortizacion``.

Legal context (shared/domain.md, section c): Código Municipal, Título VI "Crédito público"
(arts. ~110-115, numbering not confirmed); INFOM lends at about 8 % and does not lend past the
borrowing mayor's 4-year term except for self-financing projects. Any numeric cap on debt
service is a parameter applied by the caller, never hard-coded here.
"""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Mapping, NamedTuple

import numpy as np
import pandas as pd

from nexos_model.errors import ParameterError

METHODS = ("frances", "aleman")
PAYMENTS_PER_YEAR = (1, 2, 4, 12)
SCHEDULE_COLUMNS = [
    "periodo",
    "anio",
    "saldo_inicial",
    "desembolso",
    "interes",
    "amortizacion",
    "cuota",
    "saldo_final",
]
_SHARE_TOLERANCE = 1e-9


class AnnualDebtService(NamedTuple):
    """Debt service per calendar year, each array shaped (n_draws, n_years), in quetzales."""

    interest: np.ndarray
    amortization: np.ndarray
    balance: np.ndarray  # outstanding balance at the end of each year
    disbursement: np.ndarray  # loan proceeds received in each year


# --------------------------------------------------------------------------------------------
# Validation (every problem reported at once, in Spanish, naming the field)
# --------------------------------------------------------------------------------------------


def _is_whole(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, Integral):
        return True
    return isinstance(value, Real) and math.isfinite(value) and float(value).is_integer()


def _term_errors(term_years, grace_years, method, payments_per_year) -> list[str]:
    errors = []
    term_ok = _is_whole(term_years) and term_years >= 1
    if not term_ok:
        errors.append(
            f"prestamo.plazo: debe ser un número entero de años, al menos 1 año "
            f"(valor dado: {term_years!r})"
        )
    if not (_is_whole(grace_years) and grace_years >= 0):
        errors.append(
            f"prestamo.periodo_gracia: debe ser un número entero de años, 0 o más "
            f"(valor dado: {grace_years!r})"
        )
    elif term_ok and grace_years >= term_years:
        errors.append(
            f"prestamo.periodo_gracia: debe ser menor que el plazo de {int(term_years)} años, "
            f"que lo incluye (valor dado: {grace_years!r})"
        )
    if method not in METHODS:
        errors.append(
            f"prestamo.metodo: método de amortización desconocido (valor dado: {method!r}; "
            f"valores válidos: {', '.join(METHODS)})"
        )
    if not _is_whole(payments_per_year) or payments_per_year not in PAYMENTS_PER_YEAR:
        errors.append(
            f"prestamo.pagos_por_anio: debe ser 1, 2, 4 o 12 (valor dado: {payments_per_year!r})"
        )
    return errors


def _amount_errors(principal, annual_rate) -> list[str]:
    errors = []
    for field, value, label in (
        ("prestamo.monto", principal, "el monto"),
        ("prestamo.tasa_interes", annual_rate, "la tasa"),
    ):
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            errors.append(f"{field}: debe ser un número (valor dado: {value!r})")
            continue
        shown = value if arr.ndim == 0 else f"mínimo {np.nanmin(arr) if arr.size else 'vacío'}"
        if arr.size == 0:
            errors.append(f"{field}: no hay valores (valor dado: arreglo vacío)")
        elif not np.all(np.isfinite(arr)):
            errors.append(f"{field}: debe ser un número finito (valor dado: {shown})")
        elif np.any(arr < 0):
            errors.append(f"{field}: {label} no puede ser negativo (valor dado: {shown})")
        elif field == "prestamo.tasa_interes" and np.any(arr > 1):
            # A rate written in percent (8 instead of 0.08) is the usual slip.
            errors.append(
                f"prestamo.tasa_interes: se expresa como fracción anual, 0.08 = 8 % "
                f"(valor dado: {shown})"
            )
    return errors


def _disbursement_by_period(
    disbursement: Mapping | None,
    term_years: int,
    grace_years: int,
    payments_per_year: int,
    start_year: int,
) -> np.ndarray:
    """Share of the principal disbursed at the start of each period, shape (n_periods,)."""
    shares = np.zeros(term_years * payments_per_year)
    if disbursement is None:
        shares[0] = 1.0
        return shares
    last_year = start_year + max(grace_years, 1) - 1
    errors = []
    if not isinstance(disbursement, Mapping) or not disbursement:
        raise ParameterError(
            f"prestamo.desembolso: debe ser un diccionario {{año: proporción}} no vacío "
            f"(valor dado: {disbursement!r})"
        )
    total = 0.0
    for year, share in disbursement.items():
        if not _is_whole(year) or not start_year <= year <= last_year:
            errors.append(
                f"prestamo.desembolso: el año {year!r} está fuera del período de desembolso "
                f"(valor esperado: de {start_year} a {last_year}, dentro del período de gracia)"
            )
            continue
        if not isinstance(share, Real) or not math.isfinite(share) or share < 0:
            errors.append(
                f"prestamo.desembolso.{year}: la proporción debe ser un número entre 0 y 1 "
                f"(valor dado: {share!r})"
            )
            continue
        shares[(int(year) - start_year) * payments_per_year] += float(share)
        total += float(share)
    if not errors and abs(total - 1.0) > _SHARE_TOLERANCE:
        errors.append(
            f"prestamo.desembolso: las proporciones deben sumar 1 (valor dado: suma {total:.6g})"
        )
    if errors:
        raise ParameterError(errors)
    return shares


def _validate(principal, annual_rate, term_years, grace_years, method, payments_per_year):
    errors = _amount_errors(principal, annual_rate) + _term_errors(
        term_years, grace_years, method, payments_per_year
    )
    if errors:
        raise ParameterError(errors)


# --------------------------------------------------------------------------------------------
# Formulas
# --------------------------------------------------------------------------------------------


def level_payment(balance, rate, periods):
    """French (level) instalment that repays ``balance`` in ``periods`` payments.

    cuota = B * r / (1 - (1 + r) ** -n), and B / n when r = 0. Same value as
    ``-numpy_financial.pmt(r, n, B)``. ``rate`` is per period; arrays broadcast.
    """
    balance = np.asarray(balance, dtype=float)
    rate = np.asarray(rate, dtype=float)
    safe_rate = np.where(rate == 0, 1.0, rate)
    # 1 - (1 + r)^-n via expm1/log1p: exact for tiny r, where the naive form rounds to 0.
    annuity = np.where(
        rate == 0, periods, -np.expm1(-periods * np.log1p(safe_rate)) / safe_rate
    )
    return balance / annuity


def _period_flows(principal, rate_per_period, n_periods, grace_periods, method, shares):
    """Per-period loan flows, each array shaped (n_draws, n_periods).

    interes_k = r * saldo_inicial_k; during grace amortizacion_k = 0 (cuota = interes).
    After grace, French: cuota = level_payment(saldo after grace, r, n - g) and
    amortizacion = cuota - interes; German: amortizacion = saldo after grace / (n - g).
    The last period repays whatever is left, so the balance closes at exactly zero.
    """
    n_draws = principal.shape[0]
    # Filled period by period as (n_periods, n_draws) so each write is contiguous.
    flows = {name: np.zeros((n_periods, n_draws)) for name in SCHEDULE_COLUMNS[2:]}
    balance = np.zeros(n_draws)
    level = np.zeros(n_draws)
    remaining = n_periods - grace_periods
    for k in range(n_periods):
        disbursed = principal * shares[k]
        opening = balance + disbursed
        interest = rate_per_period * opening
        if k == grace_periods:  # amortisation starts on the full disbursed balance
            level = (
                level_payment(opening, rate_per_period, remaining)
                if method == "frances"
                else opening / remaining
            )
        if k < grace_periods:
            amortization = np.zeros(n_draws)
        elif k == n_periods - 1:
            amortization = opening
        elif method == "frances":
            amortization = level - interest
        else:
            amortization = level
        balance = opening - amortization
        flows["saldo_inicial"][k] = opening
        flows["desembolso"][k] = disbursed
        flows["interes"][k] = interest
        flows["amortizacion"][k] = amortization
        flows["cuota"][k] = interest + amortization
        flows["saldo_final"][k] = balance
    return {name: np.ascontiguousarray(values.T) for name, values in flows.items()}


def _as_draws(principal, annual_rate):
    principal, annual_rate = np.broadcast_arrays(
        np.atleast_1d(np.asarray(principal, dtype=float)),
        np.atleast_1d(np.asarray(annual_rate, dtype=float)),
    )
    if principal.ndim != 1:
        raise ParameterError(
            f"prestamo.monto: se espera un número o un arreglo de una dimensión por simulación "
            f"(valor dado: arreglo de forma {principal.shape})"
        )
    return principal, annual_rate


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def debt_service_by_year(
    principal,
    annual_rate,
    term_years: int,
    grace_years: int,
    method: str,
    payments_per_year: int,
    years,
    start_year: int,
    disbursement: Mapping | None = None,
) -> AnnualDebtService:
    """Interest, amortisation, end-of-year balance and proceeds of one loan per calendar year.

    ``principal`` and ``annual_rate`` are scalars or arrays of shape (n_draws,) (broadcast);
    every returned array has shape (n_draws, len(years)). Years outside the loan are zero.
    Each year sums its periods' flows from ``_period_flows`` (see the module docstring for
    timing). Unit: quetzales. Source: amortisation arithmetic; INFOM terms, domain.md c.
    """
    _validate(principal, annual_rate, term_years, grace_years, method, payments_per_year)
    term_years, grace_years = int(term_years), int(grace_years)
    shares = _disbursement_by_period(
        disbursement, term_years, grace_years, int(payments_per_year), start_year
    )
    principal, annual_rate = _as_draws(principal, annual_rate)
    m = int(payments_per_year)
    flows = _period_flows(
        principal, annual_rate / m, term_years * m, grace_years * m, method, shares
    )
    n_draws = principal.shape[0]

    def by_loan_year(values, how):
        per_year = values.reshape(n_draws, term_years, m)
        return per_year.sum(axis=2) if how == "sum" else per_year[:, :, -1]

    years = np.asarray(years, dtype=int)
    offset = years - start_year
    inside = (offset >= 0) & (offset < term_years)
    columns = offset[inside]

    def on_calendar(loan_years):
        out = np.zeros((n_draws, years.size))
        out[:, inside] = loan_years[:, columns]
        return out

    return AnnualDebtService(
        interest=on_calendar(by_loan_year(flows["interes"], "sum")),
        amortization=on_calendar(by_loan_year(flows["amortizacion"], "sum")),
        balance=on_calendar(by_loan_year(flows["saldo_final"], "last")),
        disbursement=on_calendar(by_loan_year(flows["desembolso"], "sum")),
    )


def loan_schedule(
    principal: float,
    annual_rate: float,
    term_years: int,
    grace_years: int = 0,
    method: str = "frances",
    payments_per_year: int = 1,
    start_year: int = 2020,
    disbursement: Mapping[int, float] | None = None,
) -> pd.DataFrame:
    """Amortisation table of one loan: one row per payment period.

    Columns: periodo (1..n), anio, saldo_inicial, desembolso, interes, amortizacion, cuota,
    saldo_final. interes = (annual_rate / payments_per_year) * saldo_inicial; French ("frances")
    keeps cuota level after grace (= numpy_financial.pmt on the post-grace balance over the
    remaining periods), German ("aleman") keeps amortizacion level; grace years pay interest
    only; ``disbursement`` = {year: share of principal}, shares summing to 1. Nothing rounded.
    """
    if np.ndim(principal) or np.ndim(annual_rate):
        raise ParameterError(
            "prestamo.monto: loan_schedule describe un solo préstamo; para simulaciones use "
            "debt_service_by_year (valor dado: arreglo)"
        )
    _validate(principal, annual_rate, term_years, grace_years, method, payments_per_year)
    term_years, grace_years = int(term_years), int(grace_years)
    shares = _disbursement_by_period(
        disbursement, term_years, grace_years, int(payments_per_year), start_year
    )
    principal_arr, rate_arr = _as_draws(principal, annual_rate)
    m = int(payments_per_year)
    n = term_years * m
    flows = _period_flows(principal_arr, rate_arr / m, n, grace_years * m, method, shares)
    periods = np.arange(1, n + 1)
    table = {"periodo": periods, "anio": start_year + (periods - 1) // m}
    table.update({name: values[0] for name, values in flows.items()})
    return pd.DataFrame(table, columns=SCHEDULE_COLUMNS)


def annual_debt_service(schedule: pd.DataFrame) -> pd.DataFrame:
    """Debt service by calendar year from a ``loan_schedule`` table.

    servicio = interes + amortizacion (sums over the year's periods); saldo_final is the
    balance after the year's last payment; desembolso = proceeds received in the year.
    """
    grouped = schedule.sort_values("periodo").groupby("anio", sort=True)
    annual = grouped[["desembolso", "interes", "amortizacion"]].sum()
    annual["servicio"] = annual["interes"] + annual["amortizacion"]
    annual["saldo_final"] = grouped["saldo_final"].last()
    return annual.reset_index()[
        ["anio", "desembolso", "interes", "amortizacion", "servicio", "saldo_final"]
    ]


def borrowing_capacity(
    debt_service_room,
    annual_rate,
    max_term_years: int,
    grace_years: int,
    method: str,
    payments_per_year: int,
    years,
    start_year: int,
    term_limit_year: int | None = None,
) -> dict:
    """Largest new loan whose yearly service fits the room in every year.

    ``debt_service_room`` (quetzales, by year aligned with ``years``; shape (n_years,) or
    (n_draws, n_years)) is computed by the caller as limit share x relevant revenue - existing
    service. Service is linear in the principal for a fixed term, so for each admissible term
    T: monto(T) = min over loan years of room / service_per_quetzal(T), floored at 0. The term
    is at most ``max_term_years``, must keep the last payment year <= ``term_limit_year``
    (INFOM does not lend past the borrowing mayor's term, domain.md c) and inside ``years``
    (room beyond the horizon is unknown), and must exceed ``grace_years``. Returns the term
    with the largest monto (the shortest on ties):
    {"monto": ..., "plazo": years, "anio_limitante": the binding year}. Zero room -> monto 0.
    If no term is admissible: monto 0, plazo 0, anio_limitante None (NaN for arrays).
    """
    errors = [
        message.replace("prestamo.plazo:", "prestamo.plazo_maximo:")
        for message in _amount_errors(0.0, annual_rate)
        + _term_errors(max_term_years, 0, method, payments_per_year)
    ]
    if not (_is_whole(grace_years) and grace_years >= 0):
        errors.append(
            f"prestamo.periodo_gracia: debe ser un número entero de años, 0 o más "
            f"(valor dado: {grace_years!r})"
        )
    years = np.asarray(years, dtype=int)
    room = np.asarray(debt_service_room, dtype=float)
    if room.shape[-1:] != years.shape or room.ndim not in (1, 2):
        errors.append(
            f"espacio_servicio_deuda: debe tener un valor por año de 'years' "
            f"(valor dado: forma {room.shape}, esperada ({years.size},) o (simulaciones, "
            f"{years.size}))"
        )
    if errors:
        raise ParameterError(errors)

    scalar_out = room.ndim == 1 and np.ndim(annual_rate) == 0
    room2d = np.atleast_2d(room)
    n_draws = np.broadcast_shapes(room2d.shape[:1], np.shape(np.atleast_1d(annual_rate)))[0]

    longest = int(max_term_years)
    if term_limit_year is not None:
        longest = min(longest, int(term_limit_year) - start_year + 1)
    known = set(years.tolist())
    terms = [
        t
        for t in range(int(grace_years) + 1, longest + 1)
        if known.issuperset(range(start_year, start_year + t))
    ]

    best_amount = np.zeros(n_draws)
    best_term = np.zeros(n_draws, dtype=int)
    best_year = np.full(n_draws, np.nan)
    for term in terms:
        service = debt_service_by_year(
            1.0, annual_rate, term, grace_years, method, payments_per_year, years, start_year
        )
        per_quetzal = np.broadcast_to(
            service.interest + service.amortization, (n_draws, years.size)
        )
        ratio = np.full((n_draws, years.size), np.inf)
        np.divide(
            np.broadcast_to(room2d, (n_draws, years.size)),
            per_quetzal,
            out=ratio,
            where=per_quetzal > 0,
        )
        lowest = ratio.min(axis=1)
        # Binding year: the first year within rounding noise of the minimum (a French loan
        # against constant room binds equally in every year; report the first).
        binding = np.argmax(ratio <= (lowest + 1e-9 * np.abs(lowest))[:, None], axis=1)
        amount = np.maximum(lowest, 0.0)
        better = (amount > best_amount) | (best_term == 0)
        best_amount = np.where(better, amount, best_amount)
        best_term = np.where(better, term, best_term)
        best_year = np.where(better, years[binding], best_year)

    if scalar_out:
        year = None if np.isnan(best_year[0]) else int(best_year[0])
        return {"monto": float(best_amount[0]), "plazo": int(best_term[0]), "anio_limitante": year}
    return {"monto": best_amount, "plazo": best_term, "anio_limitante": best_year}
