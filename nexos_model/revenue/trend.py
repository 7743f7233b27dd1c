"""Trend projection of revenue series: shrunk median growth from a short, noisy history.

Why this method: the history is 4 years, some values are flagged as doubtful and excluded, and a
single bad year dominates a least-squares slope. The median of year-on-year log growth ignores one
outlier, and shrinking it toward the national median growth of the same concept (weight
``shrinkage``) keeps a municipality's own signal while damping noise; bounds stop a freak year
from compounding for a decade. ``ultimo_valor`` (naive, no growth) is kept as the benchmark.

Nominal growth is decomposed as (1 + g) = (1 + inflation)(1 + population)(1 + real): the history
gives g, the historical inflation and population growth parameters turn it into real growth, and
the projection recomposes it with the projected inflation and population paths. Real growth is
damped (Gardner & McKenzie's damped trend: the k-th year ahead gets φ^k of it) because the
backtest (``nexos backtest``) shows that undamped 4-year trends lose to the naive forecast.
The bounds ``tendencia.crecimiento_minimo``/``maximo`` then act on every projected year's nominal
growth (``revenue.streams.TrendSetup``): the damping pulls every series toward inflation plus
population, and without them a scenario's belief ("at most 4 % nominal") would never reach the
output.

All functions are vectorized over leading axes: values have shape (..., years).
"""

from __future__ import annotations

import warnings

import numpy as np

from nexos_model.fiscal.arrays import nanmedian_last


def log_growth_pairs(values: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Annualized log growth between each valid value and the previous valid one.

    ``values`` (..., t) with NaN for excluded/missing; result (..., t) with NaN where undefined
    (first valid value, or a non-positive value at either end).
    """
    out = np.full(values.shape, np.nan)
    last_value = np.full(values.shape[:-1], np.nan)
    last_year = np.full(values.shape[:-1], np.nan)
    for t in range(values.shape[-1]):
        v = values[..., t]
        valid = ~np.isnan(v)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            growth = (np.log(v) - np.log(last_value)) / (years[t] - last_year)
        usable = valid & (v > 0) & (last_value > 0)
        out[..., t] = np.where(usable, growth, np.nan)
        last_value = np.where(valid, v, last_value)
        last_year = np.where(valid, years[t], last_year)
    return out


def own_growth(values: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Median annual growth (as a rate, not a log) of each series; NaN where none is measurable."""
    median = nanmedian_last(log_growth_pairs(values, years))
    with np.errstate(over="ignore"):  # absurd jumps overflow to inf; the growth bounds clip them
        return np.expm1(median)


def national_growth(values: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Median across municipalities (axis 0) of each municipality's own growth; 0 where unknown."""
    growth = own_growth(values, years)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(growth, axis=0)
    return np.nan_to_num(median, nan=0.0)


def shrunk_growth(
    own: np.ndarray, target: np.ndarray, shrinkage: float, low: float, high: float
) -> np.ndarray:
    """g = (1 - w) × own + w × target, bounded to [low, high]; the target stands in where own is NaN."""
    own = np.where(np.isnan(own), target, own)
    return np.clip((1.0 - shrinkage) * own + shrinkage * target, low, high)


def base_value(values: np.ndarray, years: np.ndarray, growth: np.ndarray) -> np.ndarray:
    """The value at the last history year: the last valid value, grown to that year if older.

    A series with no valid value at all has base 0 (nothing to project).
    """
    valid = ~np.isnan(values)
    has_any = valid.any(axis=-1)
    last_index = values.shape[-1] - 1 - np.argmax(valid[..., ::-1], axis=-1)
    last = np.take_along_axis(values, last_index[..., None], axis=-1)[..., 0]
    gap = years[-1] - years[last_index]
    return np.where(has_any, np.nan_to_num(last) * (1.0 + growth) ** gap, 0.0)


def real_growth(nominal: np.ndarray, inflation: float, population: float) -> np.ndarray:
    """Real per-year growth in (1 + g) = (1 + inflation)(1 + population)(1 + real)."""
    return (1.0 + nominal) / ((1.0 + inflation) * (1.0 + population)) - 1.0
