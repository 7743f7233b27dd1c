"""Argument checks shared by the pure formula modules: collect every problem, raise once."""

from __future__ import annotations

import numpy as np


def finite_array(value, field: str, errors: list[str]) -> np.ndarray:
    """``value`` as a float array; appends a Spanish message to ``errors`` if it is not finite numbers."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        errors.append(f"{field}: no es numérico (valor dado: {value!r}; se esperaba: un número)")
        return np.asarray(np.nan)
    if not np.all(np.isfinite(arr)):
        errors.append(f"{field}: hay valores vacíos o infinitos (se esperan números finitos)")
    return arr
