"""Parameter values as the model core reads them: validated, with uncertainties replaced by draws.

A deterministic run reads plain numbers; a Monte Carlo run replaces some parameters (by their
dotted Spanish key, e.g. ``macro.inflacion``) with arrays of draws. Both go through the same
accessor, so every formula in the core is written once and broadcasts over a draws axis: a drawn
value comes back shaped ``(1, draws, 1)``, for arrays shaped (municipalities, draws, years).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from nexos_model.params.keys import lookup
from nexos_model.params.schema import Parameters


def year_path(series: Mapping[int, float], years: np.ndarray) -> np.ndarray:
    """A year-keyed parameter as a path: each year takes the latest key at or before it."""
    keys = np.array(sorted(series))
    values = np.array([series[k] for k in keys], dtype=float)
    index = np.searchsorted(keys, years, side="right") - 1
    return values[np.clip(index, 0, None)]


class Values:
    """``params`` with the parameters named in ``draws`` replaced by arrays of draws, and the
    year series named in ``known`` replaced, in the years they cover, by observed values.

    ``known`` holds what is no longer an assumption (the inflation of a year already measured):
    it beats both the parameter and its draws in its years, so Monte Carlo never redraws the past.
    """

    def __init__(self, params: Parameters, draws: Mapping[str, np.ndarray] | None = None,
                 known: Mapping[str, Mapping[int, float]] | None = None):
        self.params = params
        self.draws = {k: np.asarray(v, dtype=float) for k, v in (draws or {}).items()}
        self.n_draws = max((v.size for v in self.draws.values()), default=1)
        self.known = {k: dict(v) for k, v in (known or {}).items() if v}

    def with_known(self, known: Mapping[str, Mapping[int, float]]) -> "Values":
        """The same values with the observed series ``known`` on top (see the class docstring)."""
        out = Values(self.params, known={**self.known, **known})
        out.draws, out.n_draws = self.draws, self.n_draws
        return out

    def scalar(self, key: str) -> float | np.ndarray:
        """A number, or its draws shaped (1, draws, 1)."""
        if key in self.draws:
            return self.draws[key].reshape(1, -1, 1)
        return float(lookup(self.params, key))

    def path(self, key: str, years: np.ndarray) -> np.ndarray:
        """A year series over ``years``: shape (years,), or (1, draws, years) when drawn.

        A drawn year series is one value per draw held over all years (the draw replaces the
        whole path), which is how its uncertainty is specified; years with a known (observed)
        value take it instead, in every draw.
        """
        years = np.asarray(years)
        if key in self.draws:
            path = np.broadcast_to(self.draws[key].reshape(1, -1, 1), (1, self.n_draws, len(years)))
        else:
            value = lookup(self.params, key)
            path = year_path(value, years) if isinstance(value, Mapping) else np.full(len(years), float(value))
        observed = self.known.get(key)
        if observed:
            hit = np.isin(years, list(observed))
            if hit.any():
                path = np.array(path, dtype=float)
                path[..., hit] = [observed[int(y)] for y in years[hit]]
        return path
