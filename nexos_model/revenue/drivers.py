"""Driver models of own-source revenue: IUSI, water, boleto de ornato, and base-year calibration.

Every function is pure and vectorized. Arguments broadcast with numpy rules over leading axes
(draws, municipalities) and a trailing years axis: pass a value that is constant over years as
shape ``(..., 1)`` or a scalar. The one exception is :func:`iusi_by_bracket`, whose per-bracket
arrays carry one more trailing axis (brackets) after the years axis.

Driver values (coverage, collection rates, tariffs) are validated where parameters are loaded;
here only the legal schedules (IUSI brackets, ornato fee shares) are checked, because a bad
schedule gives silently wrong numbers.
"""

from __future__ import annotations

import numpy as np

from nexos_model.errors import ParameterError

# Decreto 15-98 (Ley del IUSI) art. 11 [C: domain.md §a]. Documented defaults for the parameter
# layer: no function below reads them; each takes ``bounds`` and ``rates_per_mil`` explicitly.
#   value ≤ Q2,000 exempt; Q2,000.01–20,000: 2‰; Q20,000.01–70,000: 6‰; over Q70,000: 9‰.
IUSI_BOUNDS = (2_000.0, 20_000.0, 70_000.0)
IUSI_RATES_PER_MIL = (0.0, 2.0, 6.0, 9.0)

MONTHS_PER_YEAR = 12


# --------------------------------------------------------------------------------------------
# IUSI


def _iusi_schedule(bounds, rates_per_mil) -> tuple[np.ndarray, np.ndarray]:
    """Check and return the bracket schedule as 1-D float arrays (every problem at once)."""
    errors: list[str] = []
    b = np.asarray(bounds, dtype=float).reshape(-1)
    r = np.asarray(rates_per_mil, dtype=float).reshape(-1)
    if b.size == 0 or not np.all(np.isfinite(b)) or np.any(b <= 0) or np.any(np.diff(b) <= 0):
        errors.append(
            f"iusi.limites_tramos: deben ser montos positivos y crecientes "
            f"(valor dado: {b.tolist()})"
        )
    if r.size != b.size + 1:
        errors.append(
            f"iusi.tasas_por_millar: debe haber una tasa más que límites "
            f"(valor dado: {r.size} tasas para {b.size} límites)"
        )
    if not np.all(np.isfinite(r)) or np.any(r < 0):
        errors.append(f"iusi.tasas_por_millar: deben ser ≥ 0 (valor dado: {r.tolist()})")
    if errors:
        raise ParameterError(errors)
    return b, r


def iusi_rate_per_mil(value, bounds, rates_per_mil) -> np.ndarray:
    """Rate (por millar) of the bracket a property of assessed ``value`` (Q) falls in.

    Brackets are closed above: value ≤ bounds[0] gets rates[0], bounds[0] < value ≤ bounds[1]
    gets rates[1], ..., value > bounds[-1] gets rates[-1] (Decreto 15-98 art. 11 reads
    "hasta Q2,000.00", "Q2,000.01 a Q20,000.00", ...). The value is rounded to the centavo before
    the lookup so floating-point fuzz (20,000.000000001) cannot move a property up a bracket.
    """
    b, r = _iusi_schedule(bounds, rates_per_mil)
    v = np.round(np.asarray(value, dtype=float), 2)
    index = np.searchsorted(b, v, side="left")  # how many bounds lie strictly below the value
    return r[index]


def iusi_tax(value, bounds, rates_per_mil, marginal: bool = False) -> np.ndarray:
    """Annual IUSI of one property of assessed ``value`` (Q/year), Decreto 15-98 art. 11.

    Legal reading (``marginal=False``, the default): the rate of the property's bracket applies
    to its WHOLE assessed value, tax = value × rate(value) / 1000. This is how the law's table is
    applied in practice (a Q100,000 property pays 9‰ × 100,000 = Q900, not Q606). It has cliffs
    at the bounds: Q20,000.00 pays Q40, Q20,000.01 pays Q120.

    ``marginal=True`` is the alternative (income-tax-like) reading, kept for comparison: each
    rate applies only to the slice of value inside its bracket,
    tax = Σ_k rate_k × clip(value − lower_k, 0, upper_k − lower_k) / 1000.
    """
    b, r = _iusi_schedule(bounds, rates_per_mil)
    v = np.asarray(value, dtype=float)
    if not marginal:
        return v * iusi_rate_per_mil(v, b, r) / 1000.0
    lower = np.concatenate(([0.0], b))
    width = np.concatenate((np.diff(lower), [np.inf]))
    slices = np.clip(v[..., None] - lower, 0.0, width)
    return np.sum(slices * r, axis=-1) / 1000.0


def iusi_by_bracket(
    properties,
    mean_value,
    bounds,
    rates_per_mil,
    coverage,
    collection_rate,
    valuation_factor=1.0,
    marginal: bool = False,
) -> dict[str, np.ndarray]:
    """IUSI billed and collected by value bracket (Q/year), Decreto 15-98 art. 11.

    ``properties`` (count) and ``mean_value`` (Q, assessed) have shape (..., brackets): the last
    axis is the cadastre's brackets. ``coverage`` (share of properties in the cadastre and
    billed), ``collection_rate`` (collected / billed) and ``valuation_factor`` (updated
    appraisal / current appraisal) have the leading shape (...) and apply to every bracket.

        value     = mean_value × valuation_factor
        billed_k  = properties_k × coverage × iusi_tax(value_k)
        collected = billed × collection_rate

    The rate is looked up from the UPDATED value, so a re-appraisal that lifts a bracket's mean
    across a bound moves it to the higher rate. Using the mean value's rate for every property
    of a bracket is an approximation: exact when values within a bracket stay in it.

    Returns ``billed_by_bracket``, ``collected_by_bracket``, ``rate_per_mil`` (shape
    (..., brackets)) and the totals ``billed``, ``collected`` (shape (...)).
    """
    n = np.asarray(properties, dtype=float)
    factor = np.asarray(valuation_factor, dtype=float)[..., None]
    value = np.asarray(mean_value, dtype=float) * factor
    tax_each = iusi_tax(value, bounds, rates_per_mil, marginal=marginal)
    billed = n * np.asarray(coverage, dtype=float)[..., None] * tax_each
    collected = billed * np.asarray(collection_rate, dtype=float)[..., None]
    return {
        "billed_by_bracket": billed,
        "collected_by_bracket": collected,
        "rate_per_mil": iusi_rate_per_mil(value, bounds, rates_per_mil),
        "billed": billed.sum(axis=-1),
        "collected": collected.sum(axis=-1),
    }


# --------------------------------------------------------------------------------------------
# Water and other metered services (tasas / venta de servicios, 11200 / 14200 [NC mapping])


def water_revenue(connections, monthly_tariff, collection_rate) -> np.ndarray:
    """Water revenue collected (Q/year) = connections × monthly_tariff (Q) × 12 × collection_rate.

    Tariffs are set by each Concejo (Código Municipal art. 72, servicios públicos) [NC article].
    """
    return (
        np.asarray(connections, dtype=float)
        * np.asarray(monthly_tariff, dtype=float)
        * MONTHS_PER_YEAR
        * np.asarray(collection_rate, dtype=float)
    )


def connections_path(base_connections, household_growth, years_ahead) -> np.ndarray:
    """Connections grown with households: base × (1 + household_growth)^years_ahead (count).

    ``years_ahead`` is the trailing years axis (0 at the base year, so the base is reproduced);
    ``household_growth`` is an annual rate (0.02 = 2% a year).
    """
    return np.asarray(base_connections, dtype=float) * (
        1.0 + np.asarray(household_growth, dtype=float)
    ) ** np.asarray(years_ahead, dtype=float)


# --------------------------------------------------------------------------------------------
# Boleto de ornato (Ley del Impuesto de Ornato Municipal, Decreto 121-96 [NC decree number])


def ornato_revenue(population, adult_share, compliance, mean_fee) -> np.ndarray:
    """Boleto de ornato collected (Q/year) = population × adult_share × compliance × mean_fee.

    ``adult_share``: share of residents liable (adults; the law's age limits are [NC]);
    ``compliance``: share of the liable who buy the boleto; ``mean_fee`` (Q): average fee paid,
    see :func:`mean_fee_from_schedule`.
    """
    return (
        np.asarray(population, dtype=float)
        * np.asarray(adult_share, dtype=float)
        * np.asarray(compliance, dtype=float)
        * np.asarray(mean_fee, dtype=float)
    )


def mean_fee_from_schedule(fees, shares) -> np.ndarray:
    """Mean ornato fee (Q) = Σ fee_k × share_k over the income classes of the schedule.

    Decreto 121-96 [NC] sets fees from Q4 to Q150 by monthly income; the exact classes are not
    confirmed, so the schedule is a parameter. ``shares`` (last axis = classes) is the share of
    payers in each class and must sum to 1; an exempt class is a fee of 0.
    """
    f = np.asarray(fees, dtype=float)
    s = np.asarray(shares, dtype=float)
    errors: list[str] = []
    if f.shape[-1:] != s.shape[-1:]:
        errors.append(
            f"ornato.participaciones: debe haber una por cuota "
            f"(valor dado: {s.shape[-1:]} participaciones para {f.shape[-1:]} cuotas)"
        )
    else:
        if np.any(f < 0) or not np.all(np.isfinite(f)):
            errors.append(f"ornato.cuotas: deben ser montos ≥ 0 (valor dado: {f.tolist()})")
        if np.any(s < 0) or not np.allclose(s.sum(axis=-1), 1.0, atol=1e-9):
            errors.append(
                f"ornato.participaciones: deben ser ≥ 0 y sumar 1 "
                f"(suma dada: {np.round(s.sum(axis=-1), 6).tolist()})"
            )
    if errors:
        raise ParameterError(errors)
    return np.sum(f * s, axis=-1)


# --------------------------------------------------------------------------------------------
# Calibration to the observed base year


def calibrate(observed, potential_at_full_rate) -> dict[str, np.ndarray]:
    """Implied unobserved driver = observed / potential_at_full_rate (a share, e.g. collection).

    ``potential_at_full_rate`` is the stream's revenue with that driver at 1 (e.g. IUSI billed,
    water at full collection). Returns:

    - ``value``: the raw ratio (NaN never: 0/0 gives 0; x/0 with x > 0 gives inf);
    - ``out_of_range``: True where ``value`` is outside [0, 1]; the default drivers are then
      inconsistent with the data and the caller must report it;
    - ``driver``: ``value`` clamped to [0, 1], the value to use;
    - ``base_scale``: factor for a LINEAR base driver (number of properties, connections,
      population; never the valuation, whose bracket rates make IUSI non-linear) so that
      driver × potential × base_scale == observed. It is 1 in range, ``value`` above 1 (the
      cadastre/base is undercounted), NaN where no scaling can reproduce the data (observed < 0,
      or observed > 0 with zero potential).

    Applied as documented, the base year reproduces the observed revenue.
    """
    obs = np.asarray(observed, dtype=float)
    pot = np.asarray(potential_at_full_rate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a tiny potential gives inf: out of range
        value = np.where(pot > 0, obs / np.where(pot > 0, pot, 1.0),
                         np.where(obs > 0, np.inf, np.where(obs < 0, -np.inf, 0.0)))
    out_of_range = (value < 0) | (value > 1)
    driver = np.clip(value, 0.0, 1.0)
    with np.errstate(invalid="ignore"):
        base_scale = np.where(value > 1, value, 1.0)
    base_scale = np.where((value < 0) | np.isinf(value), np.nan, base_scale)
    return {
        "value": value,
        "out_of_range": out_of_range,
        "driver": driver,
        "base_scale": base_scale,
    }
