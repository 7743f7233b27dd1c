"""Revenue potential and gap of a multiplicative stream, ROSRA-style (UN-Habitat).

A stream is modelled as

    revenue = base × coverage × valuation × rate × compliance

with ``base`` the taxable universe (properties, connections, liable adults), ``coverage`` the
share of it in the register/billed, ``valuation`` the assessed value (or tariff level) per unit,
``rate`` the effective rate and ``compliance`` collected / billed. The potential is the
revenue with full coverage and compliance and valuation and rate at their targets:

    potential = base × 1 × valuation_target × rate_target × 1

(UN-Habitat, Rapid Own-Source Revenue Analysis, ROSRA). For IUSI the bracket schedule makes the
effective rate depend on valuation; pass the effective rate at each valuation (billed /
covered assessed value) and read the split between valuation and rate gaps as approximate.

All functions are pure and broadcast with numpy rules (leading draws/municipality axes,
trailing years axis).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

GAP_FACTORS = ("coverage", "valuation", "rate", "compliance")


def stream_revenue(base, coverage, valuation, rate, compliance) -> np.ndarray:
    """revenue = base × coverage × valuation × rate × compliance (Q/year), multiplied left to right;
    once the product is a new array of the final shape, the rest is multiplied into it in place."""
    factors = [np.asarray(f, dtype=float) for f in (base, coverage, valuation, rate, compliance)]
    shape = np.broadcast_shapes(*(f.shape for f in factors))
    out = factors[0]
    for factor in factors[1:]:
        done = out is not factors[0] and isinstance(out, np.ndarray) and out.shape == shape
        out = np.multiply(out, factor, out=out if done else None)
    return out


def gap_decomposition(
    base, coverage, valuation, rate, compliance, valuation_target, rate_target
) -> dict[str, np.ndarray]:
    """Split potential − actual into one gap per factor plus their interaction (Q/year).

    Each single-factor gap is the revenue with that factor at its target (coverage and
    compliance at 1) and the others at their actual values, minus actual:

        coverage_gap   = actual × (1 / coverage − 1)
        valuation_gap  = actual × (valuation_target / valuation − 1)
        rate_gap       = actual × (rate_target / rate − 1)
        compliance_gap = actual × (1 / compliance − 1)
        interaction    = total_gap − Σ single gaps,   total_gap = potential − actual

    so the parts add up to ``total_gap`` exactly (by construction). Each gap is computed by
    re-evaluating the product, never by dividing, so a factor at 0 is handled (its own gap is the
    whole revenue it would bring alone; the others are 0). Returns ``coverage_gap``,
    ``valuation_gap``, ``rate_gap``, ``compliance_gap``, ``interaction``, ``total_gap``,
    ``potential``, ``actual``.
    """
    actual_factors = dict(coverage=coverage, valuation=valuation, rate=rate, compliance=compliance)
    targets = dict(coverage=1.0, valuation=valuation_target, rate=rate_target, compliance=1.0)
    actual = stream_revenue(base, **actual_factors)
    potential = stream_revenue(base, **targets)
    out: dict[str, np.ndarray] = {}
    for factor in GAP_FACTORS:
        moved = {**actual_factors, factor: targets[factor]}
        out[f"{factor}_gap"] = stream_revenue(base, **moved) - actual
    total_gap = potential - actual
    out["interaction"] = total_gap - sum(out[f"{f}_gap"] for f in GAP_FACTORS)
    out["total_gap"] = total_gap
    out["potential"] = potential
    out["actual"] = actual
    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()))
    return {k: np.broadcast_to(v, shape).copy() for k, v in out.items()}


def per_capita(values, population):
    """Amount per inhabitant (Q/person) = value / population; NaN where population ≤ 0.

    ``values`` is an array or a mapping of arrays (e.g. the result of
    :func:`gap_decomposition`); a mapping gives a mapping with the same keys.
    """
    if isinstance(values, Mapping):
        return {k: per_capita(v, population) for k, v in values.items()}
    v = np.asarray(values, dtype=float)
    pop = np.asarray(population, dtype=float)
    safe = np.where(pop > 0, pop, 1.0)
    return np.where(pop > 0, v / safe, np.nan)
