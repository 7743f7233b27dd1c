"""Multi-criteria project score used to prioritise the portfolio.

Each criterion is an index from 0 (worst) to 1 (best); a project's score is
``Σ_c peso_c × indice_c``. With weights that sum to 1 the score lies in [0, 1].

* ``alineacion``: PDM-OT alignment score / 5.
* ``costo_por_beneficiario``: lower is better. On a log scale, because costs per
  beneficiary of municipal works span orders of magnitude:
  ``(ln max - ln cpb) / (ln max - ln min)`` over the portfolio's projects with
  beneficiaries (1 if they all cost the same); 0 for a project with no beneficiaries.
* ``prioridad_sector``: the council's priority of the project's sector (0..1; sectors
  not listed get ``PRIORIDAD_POR_DEFECTO``).
* ``avance_resultados``: with targets, ``min(1, Σ_r aporte_r / |meta_r - linea_base_r|)``
  (share of the gaps the project closes, the contribution converted to the indicator's unit
  by ``denominador`` where given); without targets, the project's contribution relative to
  the portfolio's largest contribution to the same result (best result counts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from nexos_model.errors import ParameterError
from nexos_model.investment.project import Project
from nexos_model.investment.targets import parse_targets

CRITERIA: tuple[str, ...] = ("alineacion", "costo_por_beneficiario", "prioridad_sector", "avance_resultados")
DEFAULT_WEIGHTS: dict[str, float] = {
    "alineacion": 0.35,
    "costo_por_beneficiario": 0.25,
    "prioridad_sector": 0.20,
    "avance_resultados": 0.20,
}
PRIORIDAD_POR_DEFECTO = 0.5


def check_weights(weights: Mapping[str, Any] | None) -> dict[str, float]:
    """Weights by criterion (missing ones 0 when some are given; defaults when none)."""
    if weights is None:
        return dict(DEFAULT_WEIGHTS)
    errors = []
    out = {c: 0.0 for c in CRITERIA}
    for key, value in weights.items():
        if key not in CRITERIA:
            errors.append(
                f"pesos.{key}: criterio desconocido (valor dado: {value!r}; se esperaba: uno de {', '.join(CRITERIA)})"
            )
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not np.isfinite(number) or number < 0:
            errors.append(f"pesos.{key}: fuera de rango (valor dado: {value!r}; se esperaba: un número >= 0)")
            continue
        out[key] = number
    if not errors and sum(out.values()) <= 0:
        errors.append(f"pesos: todos son cero (valor dado: {dict(weights)}; se esperaba: al menos un peso > 0)")
    if errors:
        raise ParameterError(errors)
    return out


def _check_priority(priority: Mapping[str, Any] | None) -> dict[str, float]:
    errors, out = [], {}
    for sector, value in (priority or {}).items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not 0 <= number <= 1:
            errors.append(
                f"prioridad_sector.{sector}: fuera de rango (valor dado: {value!r}; se esperaba: entre 0 y 1)"
            )
        out[sector] = number
    if errors:
        raise ParameterError(errors)
    return out


def cost_per_beneficiary_index(projects: Sequence[Project]) -> np.ndarray:
    """Log-scale index 0..1 of cost per beneficiary (1 = cheapest per person served)."""
    cost = np.array([p.total_cost for p in projects], dtype=float)
    people = np.array([p.beneficiaries for p in projects], dtype=float)
    index = np.zeros(len(projects))
    served = people > 0
    if served.any():
        log_cpb = np.log(cost[served] / people[served])
        lo, hi = log_cpb.min(), log_cpb.max()
        index[served] = 1.0 if hi - lo < 1e-12 else (hi - log_cpb) / (hi - lo)
    return index


def results_index(projects: Sequence[Project], results_targets: Mapping[str, Any] | None) -> np.ndarray:
    """Index 0..1 of each project's contribution to the strategic results."""
    targets = parse_targets(results_targets)
    index = np.zeros(len(projects))
    if targets:
        for i, p in enumerate(projects):
            closed = sum(t.share_of_gap(p.results.get(r, 0.0)) for r, t in targets.items())
            index[i] = min(1.0, closed)
        return index
    names = sorted({r for p in projects for r in p.results})
    for r in names:
        best = max(p.results.get(r, 0.0) for p in projects)
        if best > 0:
            index = np.maximum(index, [p.results.get(r, 0.0) / best for p in projects])
    return index


def score_projects(
    projects: Sequence[Project],
    weights: Mapping[str, Any] | None = None,
    sector_priority: Mapping[str, Any] | None = None,
    results_targets: Mapping[str, Any] | None = None,
    default_priority: float = PRIORIDAD_POR_DEFECTO,
) -> pd.DataFrame:
    """Score table, one row per project (portfolio order).

    ``default_priority`` is the priority of sectors absent from ``sector_priority``
    (``inversion.prioridad_otros_sectores``).

    Columns: ``proyecto, sector``, for each criterion ``indice_<c>`` (0..1) and ``<c>``
    (its contribution, ``peso × indice``), and ``puntaje`` (the sum of contributions).
    """
    w = check_weights(weights)
    priority = _check_priority(sector_priority)
    indices = {
        "alineacion": np.array([p.alignment / 5.0 for p in projects]),
        "costo_por_beneficiario": cost_per_beneficiary_index(projects),
        "prioridad_sector": np.array([priority.get(p.sector, default_priority) for p in projects]),
        "avance_resultados": results_index(projects, results_targets),
    }
    contributions = {c: w[c] * indices[c] for c in CRITERIA}
    return pd.DataFrame({
        "proyecto": [p.name for p in projects],
        "sector": [p.sector for p in projects],
        **{f"indice_{c}": indices[c] for c in CRITERIA},
        **contributions,
        "puntaje": np.nansum([contributions[c] for c in CRITERIA], axis=0),  # in CRITERIA order
    })


__all__ = ["CRITERIA", "DEFAULT_WEIGHTS", "check_weights", "score_projects"]
