"""Policy levers over time: the path of a driver the Concejo decides to move, and its cost.

A lever moves a driver (cadastral coverage, collection rate, tariff, ...) from its ``current``
value to a ``target``. The progress p(year) is 0 up to and including ``start_year`` (the year
work starts, the driver still at its current value), 1 from ``target_year`` on (target reached
exactly in that year and held), and in between:

- ``"lineal"``: p = (year − start) / (target − start);
- ``"s"``: logistic L(x) = 1 / (1 + e^(−k (x − 1/2))), x = (year − start) / (target − start),
  normalised p = (L(x) − L(0)) / (L(1) − L(0)) so it is exactly 0 at start and 1 at target;
- ``"escalones"``: equal jumps of 1/n at each of the n years in ``steps`` (default: every year
  after start, which equals "lineal" at whole years); the last step must be ``target_year``.

value(year) = current + (target − current) × p(year). The path lies between current and target
and is monotone. Inputs are validated; errors raise ParameterError with Spanish messages naming
the ``palanca.*`` field.
"""

from __future__ import annotations

import numpy as np

from nexos_model.errors import ParameterError
from nexos_model.fiscal.checks import finite_array

SHAPES = ("lineal", "s", "escalones")
S_STEEPNESS = 10.0  # k of the logistic: about 7% of the way done after a quarter of the period


def _years_array(years, errors: list[str]) -> np.ndarray:
    y = np.asarray(years)
    if y.ndim != 1 or y.size == 0 or not np.all(np.isfinite(y.astype(float))) \
            or np.any(np.asarray(y, dtype=float) % 1 != 0) or np.any(np.diff(y) <= 0):
        errors.append(
            f"palanca.anios: deben ser años enteros crecientes (valor dado: {np.ravel(y).tolist()})"
        )
        return np.array([], dtype=int)
    return y.astype(int)


def progress(start_year: int, target_year: int, years, shape: str = "lineal", steps=None,
             steepness: float = S_STEEPNESS) -> np.ndarray:
    """Share of the move done in each year, p ∈ [0, 1], shape (len(years),). See module doc."""
    errors: list[str] = []
    y = _years_array(years, errors)
    if not isinstance(start_year, (int, np.integer)):
        errors.append(f"palanca.anio_inicio: debe ser un año entero (valor dado: {start_year!r})")
    if not isinstance(target_year, (int, np.integer)):
        errors.append(f"palanca.anio_meta: debe ser un año entero (valor dado: {target_year!r})")
    elif isinstance(start_year, (int, np.integer)) and target_year <= start_year:
        errors.append(
            f"palanca.anio_meta: debe ser posterior a anio_inicio {start_year} "
            f"(valor dado: {target_year})"
        )
    if shape not in SHAPES:
        errors.append(f"palanca.forma: debe ser una de {', '.join(SHAPES)} (valor dado: {shape!r})")
    if steps is not None and shape != "escalones":
        errors.append(
            f"palanca.escalones: solo se usa con forma 'escalones' (forma dada: {shape!r})"
        )
    if not (steepness > 0):
        errors.append(f"palanca.pendiente: debe ser > 0 (valor dado: {steepness})")
    if errors:
        raise ParameterError(errors)

    x = np.clip((y - start_year) / (target_year - start_year), 0.0, 1.0)
    if shape == "lineal":
        return x
    if shape == "s":
        logistic = lambda t: 1.0 / (1.0 + np.exp(-steepness * (t - 0.5)))  # noqa: E731
        p = (logistic(x) - logistic(0.0)) / (logistic(1.0) - logistic(0.0))
        return np.where(x >= 1.0, 1.0, np.where(x <= 0.0, 0.0, p))
    # escalones
    if steps is None:
        step_years = np.arange(start_year + 1, target_year + 1)
    else:
        step_years = np.asarray(steps).reshape(-1)
        bad = (
            step_years.size == 0
            or np.any(np.asarray(step_years, dtype=float) % 1 != 0)
            or np.any(np.diff(step_years) <= 0)
            or step_years[0] <= start_year
            or step_years[-1] != target_year
        )
        if bad:
            raise ParameterError([
                f"palanca.escalones: deben ser años crecientes posteriores a anio_inicio "
                f"{start_year}, el último igual a anio_meta {target_year} "
                f"(valor dado: {step_years.tolist()})"
            ])
    done = np.sum(y[:, None] >= step_years[None, :], axis=1)
    return done / step_years.size


def lever_path(current, target, start_year: int, target_year: int, years, shape: str = "lineal",
               steps=None) -> np.ndarray:
    """Driver value by year = current + (target − current) × p(year) (unit of the driver).

    ``current`` and ``target`` have the leading shape (...) (draws, municipalities) or are
    scalars; the result has shape (..., len(years)). ``years`` is the projection's 1-D year
    axis. p is 0 up to ``start_year``, exactly 1 in and after ``target_year``; see the module
    docstring for the shapes "lineal", "s" and "escalones".
    """
    errors: list[str] = []
    c = finite_array(current, "palanca.valor_actual", errors)
    t = finite_array(target, "palanca.valor_meta", errors)
    if errors:
        raise ParameterError(errors)
    p = progress(start_year, target_year, years, shape=shape, steps=steps)
    c, t = np.broadcast_arrays(c, t)
    path = c[..., None] + (t - c)[..., None] * p
    # Exact at the ends (no rounding from c + (t − c) × 1).
    path = np.where(p >= 1.0, t[..., None], path)
    return np.where(p <= 0.0, c[..., None], path)


def implementation_cost(total_cost, start_year: int, years, profile=(1.0,)) -> np.ndarray:
    """Cost of a lever by year (Q) = total_cost × profile[i] in year start_year + i, else 0.

    ``profile`` holds non-negative shares summing to 1 (e.g. [0.5, 0.3, 0.2] for a cadastre
    update paid over three years). ``total_cost`` has the leading shape (...); the result has
    shape (..., len(years)). Every year of the profile must lie on the ``years`` axis, so no cost
    is silently dropped.
    """
    errors: list[str] = []
    y = _years_array(years, errors)
    cost = finite_array(total_cost, "palanca.costo_total", errors)
    if np.any(np.asarray(cost)[np.isfinite(cost)] < 0):
        errors.append("palanca.costo_total: debe ser ≥ 0")
    shares = finite_array(profile, "palanca.perfil_costo", errors).reshape(-1)
    if shares.size == 0 or np.any(shares < 0) or not np.isclose(shares.sum(), 1.0, atol=1e-9):
        errors.append(
            f"palanca.perfil_costo: las participaciones deben ser ≥ 0 y sumar 1 "
            f"(valor dado: {shares.tolist()})"
        )
    if not isinstance(start_year, (int, np.integer)):
        errors.append(f"palanca.anio_inicio: debe ser un año entero (valor dado: {start_year!r})")
    elif y.size and shares.size:
        cost_years = start_year + np.arange(shares.size)
        missing = sorted(set(cost_years.tolist()) - set(y.tolist()))
        if missing:
            errors.append(
                f"palanca.perfil_costo: los años {missing} quedan fuera de los años proyectados "
                f"{int(y[0])}–{int(y[-1])}"
            )
    if errors:
        raise ParameterError(errors)
    by_year = np.zeros(y.size)
    by_year[np.searchsorted(y, start_year + np.arange(shares.size))] = shares
    return np.asarray(cost, dtype=float)[..., None] * by_year
