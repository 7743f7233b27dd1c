"""Array helpers of the model's hot paths: the same results as numpy's general functions, bit for
bit, at a fraction of their cost on the (municipalities, draws, years) arrays of Monte Carlo."""

from __future__ import annotations

import numpy as np

#: Below this many values ``np.cumprod`` is as fast (the loop's per-year calls dominate).
_LOOP_FROM = 4096


def compound(factors: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Π_{k≤t} factors[..., k] along the last (years) axis: ``np.cumprod(factors, axis=-1)`` bit
    for bit (the same products in the same order). On large arrays it multiplies year by year
    (T strided products over all rows) instead of numpy's short accumulation per row, ~2.5×
    faster on (340, 128, 17). ``out`` may be ``factors`` itself (in place)."""
    factors = np.asarray(factors)
    if factors.size < _LOOP_FROM or factors.ndim == 0:
        return np.cumprod(factors, axis=-1, out=out)
    if out is None:
        out = np.array(factors, copy=True)
    elif out is not factors:
        np.copyto(out, factors)
    for t in range(1, out.shape[-1]):
        np.multiply(out[..., t - 1], out[..., t], out=out[..., t])
    return out


def nanmedian_last(values: np.ndarray) -> np.ndarray:
    """Median over the last axis ignoring NaN (NaN where all are NaN); ``np.nanmedian`` bit for
    bit, but fast on the short series here (numpy's masked-array path dominated run times)."""
    values = np.asarray(values)
    if 0 < values.shape[-1] <= len(_NETWORKS):
        return nanmedian_columns([values[..., i] for i in range(values.shape[-1])])
    ordered = np.sort(values, axis=-1)  # NaN sorts last
    count = np.sum(~np.isnan(values), axis=-1)
    low = np.clip((count - 1) // 2, 0, None)[..., None]
    high = np.clip(count // 2, 0, values.shape[-1] - 1)[..., None]
    median = 0.5 * (np.take_along_axis(ordered, low, -1) + np.take_along_axis(ordered, high, -1))[..., 0]
    return np.where(count > 0, median, np.nan)


#: Compare-exchange pairs that sort 1, 2 or 3 values.
_NETWORKS = ((), ((0, 1),), ((0, 1), (1, 2), (0, 1)))


def nanmedian_columns(columns: list[np.ndarray]) -> np.ndarray:
    """:func:`nanmedian_last` of up to three series given as separate arrays (the values of each
    position), the same numbers: sorted by a compare-exchange network with NaN last (``fmin``
    keeps the number, ``maximum`` the NaN) instead of ``np.sort`` over rows of 2 or 3 values,
    then the same middle values and the same 0.5 (a + b)."""
    cols = [np.asarray(c, dtype=float) for c in columns]
    for i, j in _NETWORKS[len(cols) - 1]:
        cols[i], cols[j] = np.fmin(cols[i], cols[j]), np.maximum(cols[i], cols[j])
    count = sum((~np.isnan(c)).astype(np.int64) for c in columns)
    count = np.asarray(count)
    low = np.choose(np.clip((count - 1) // 2, 0, None), cols)
    high = np.choose(np.clip(count // 2, 0, len(cols) - 1), cols)
    return np.where(count > 0, 0.5 * (low + high), np.nan)
