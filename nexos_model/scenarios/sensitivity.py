"""Which assumption matters most: one-at-a-time tornado and Sobol' global indices.

Both take a ``model(inputs) -> outcome`` vectorized over a batch axis: ``inputs`` maps each
parameter name to a 1-D array (one value per row) and the outcome is one number per row. So a
whole tornado is one call with ``2k + 1`` rows and a Sobol' analysis is three calls (scipy's
A, B and AB matrices), not thousands of model runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import sobol_indices

from nexos_model.params.distributions import parse_specs

__all__ = ["bounds_from_specs", "sobol", "tornado"]

Model = Callable[[dict[str, np.ndarray]], np.ndarray]


def _outcome(model: Model, inputs: dict[str, np.ndarray], rows: int) -> np.ndarray:
    """Call the model once and check it gave one number per row."""
    result = np.asarray(model(inputs), dtype=float)
    if result.size != rows or (result.ndim and result.shape[0] != rows):
        raise ValueError(f"model must return one outcome per row: expected {rows}, got shape {result.shape}")
    return result.reshape(rows)


def tornado(
    model: Model,
    central: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
) -> pd.DataFrame:
    """One-at-a-time swings: each parameter at its low and high value, all others central.

    Row 0 of the batch is everything central, rows ``1..k`` set one parameter low, rows
    ``k+1..2k`` set it high. Columns: ``parametro, bajo, alto, resultado_bajo, resultado_alto,
    rango`` (``|resultado_alto − resultado_bajo|``), widest swing first. The all-central
    outcome is in ``table.attrs["resultado_central"]`` (the bar's base in a tornado chart).
    """
    missing = [name for name in bounds if name not in central]
    if missing:
        raise ValueError(f"no central value for {missing}")
    names = list(bounds)
    k = len(names)
    rows = 2 * k + 1
    inputs = {name: np.full(rows, float(value)) for name, value in central.items()}
    for i, name in enumerate(names):
        low, high = bounds[name]
        inputs[name][1 + i] = low
        inputs[name][1 + k + i] = high
    result = _outcome(model, inputs, rows)
    table = pd.DataFrame({
        "parametro": names,
        "bajo": [float(bounds[n][0]) for n in names],
        "alto": [float(bounds[n][1]) for n in names],
        "resultado_bajo": result[1 : 1 + k],
        "resultado_alto": result[1 + k :],
    })
    table["rango"] = (table["resultado_alto"] - table["resultado_bajo"]).abs()
    table = table.sort_values("rango", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs["resultado_central"] = float(result[0])
    return table


def bounds_from_specs(specs: Mapping[str, Any], low: float = 0.05, high: float = 0.95) -> dict[str, tuple[float, float]]:
    """Low/high values of each uncertainty for a tornado: its ``low`` and ``high`` quantiles
    (p05 and p95 by default). A zero-variance spec gives ``(central, central)``."""
    parsed = parse_specs(specs)
    out = {}
    for name, spec in parsed.items():
        lo, hi = spec.ppf(np.array([low, high]))
        out[name] = (float(lo), float(hi))
    return out


def sobol(
    model: Model,
    specs: Mapping[str, Any],
    n: int,
    seed: int,
    fixed: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """First-order and total Sobol' indices of each uncertainty (``scipy.stats.sobol_indices``).

    The uncertainties vary over their marginals, independently (Sobol' indices assume
    independent inputs, so any correlation is ignored here); ``fixed`` holds the other inputs
    (levers) at given values. ``n`` is rounded up to a power of two (Sobol' balance); the model
    sees ``n·(d + 2)`` rows in three calls. Columns ``parametro, primer_orden, total``, largest
    total first. First order: share of the outcome's variance explained by the parameter alone;
    total: including its interactions.
    """
    parsed = parse_specs(specs)
    names = list(parsed)
    n = 1 << max(0, int(n - 1).bit_length())
    fixed = dict(fixed or {})

    def func(x: np.ndarray) -> np.ndarray:  # scipy passes (d, rows)
        rows = x.shape[1]
        inputs = {name: np.full(rows, float(v)) for name, v in fixed.items()}
        inputs.update({name: x[i] for i, name in enumerate(names)})
        return _outcome(model, inputs, rows)[None, :]

    result = sobol_indices(func=func, n=n, dists=[parsed[name] for name in names], rng=np.random.default_rng(seed))
    table = pd.DataFrame({
        "parametro": names,
        "primer_orden": np.atleast_1d(result.first_order).reshape(-1),
        "total": np.atleast_1d(result.total_order).reshape(-1),
    })
    table = table.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)
    table.attrs["simulaciones"] = n
    return table
