"""Declared roles and the uncertainty specs of a parameter set.

Every field's metadata may carry ``rol``: ``incertidumbre`` (sampled in Monte Carlo) or
``palanca`` (a council decision). ``incertidumbre.distribuciones`` maps a dotted Spanish key to
a distribution; this module checks that the key is declared an uncertainty, fills in the mean
of a normal or lognormal from the parameter's value, and checks that the distribution's central
value equals the parameter's value (so the deterministic run is Monte Carlo at central values).
"""

from __future__ import annotations

from typing import Any, Mapping

from nexos_model.errors import ParameterError
from nexos_model.params.distributions import parse_specs
from nexos_model.params.keys import declared, lookup

CENTER_TOLERANCE = 1e-9


def _value(params: Any, key: str) -> float:
    value = lookup(params, key)
    if isinstance(value, Mapping):
        distinct = set(value.values())
        if len(distinct) != 1:
            raise ValueError(f"{key}: tiene valores distintos por año ({dict(value)}); una distribución "
                             f"reemplaza la serie completa, así que se espera un solo valor")
        return float(next(iter(distinct)))
    return float(value)


def _filled(raw: Mapping[str, Any], center: float) -> dict[str, Any]:
    spec = dict(raw)
    if spec.get("distribucion") in ("normal", "lognormal") and "media" not in spec:
        spec["media"] = center
    return spec


def uncertainty_specs(params: Any) -> dict[str, Any]:
    """The parsed distribution of every declared uncertainty, centred on its parameter's value."""
    raw = params.uncertainty.distributions
    filled = {key: _filled(spec, _value(params, key)) for key, spec in raw.items()}
    return parse_specs(filled, "incertidumbre.distribuciones")


def correlations(params: Any) -> dict[tuple[str, str], float]:
    return {(c.first, c.second): c.rho for c in params.uncertainty.correlations}


def uncertainty_problems(params: Any) -> list[str]:
    """Every problem with ``incertidumbre`` at once (Spanish), or [] if it is usable."""
    problems: list[str] = []
    allowed = set(declared(type(params), "incertidumbre"))
    raw = params.uncertainty.distributions
    for key in raw:
        if key not in allowed:
            problems.append(f"incertidumbre.distribuciones.{key}: no es un parámetro declarado como "
                            f"incertidumbre (se esperaba uno de: {', '.join(sorted(allowed))})")
    for pair in params.uncertainty.correlations:
        for name in (pair.first, pair.second):
            if name not in raw:
                problems.append(f"incertidumbre.correlaciones: '{name}' no tiene distribución en "
                                f"incertidumbre.distribuciones")
    if problems:
        return problems
    try:
        specs = uncertainty_specs(params)
    except (ValueError, ParameterError) as exc:
        return list(getattr(exc, "messages", [str(exc)]))
    for key, spec in specs.items():
        value = _value(params, key)
        if abs(spec.central() - value) > CENTER_TOLERANCE * max(1.0, abs(value)):
            problems.append(f"incertidumbre.distribuciones.{key}: su valor central {spec.central():.6g} difiere "
                            f"del valor del parámetro {value:.6g}; ajuste la distribución (o omita la media en "
                            f"normal y lognormal) para que coincidan")
    return problems


#: The fields of a distribution spec that place it (the others give its spread or shape).
LOCATION_FIELDS = ("media", "moda", "minimo", "maximo")


def recentred(raw: Mapping[str, Any], shift: float) -> dict[str, Any]:
    """A distribution spec moved by ``shift``: every location field (``media``, ``moda``,
    ``minimo``, ``maximo``) plus ``shift``, so its central value moves by exactly ``shift`` and
    its spread stays (a translation moves the mean of every family by the same amount)."""
    return {k: (v + shift if k in LOCATION_FIELDS and isinstance(v, (int, float)) else v) for k, v in raw.items()}


def centred_specs(params: Any, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """For each key of ``values`` (new values of uncertain parameters) whose distribution in
    ``params`` places its own centre (a triangular, a normal with ``media``...), that spec moved
    to the new value: the overlay that keeps "the deterministic run is Monte Carlo at central
    values" when someone changes such a parameter (the app's controls, ``--set``)."""
    raw = params.uncertainty.distributions
    out: dict[str, dict[str, Any]] = {}
    for key, value in values.items():
        spec = raw.get(key)
        if spec is None or not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if spec.get("distribucion") in ("normal", "lognormal") and "media" not in spec:
            continue  # its mean is the parameter's value already
        shift = float(value) - _value(params, key)
        if shift:
            out[key] = recentred(spec, shift)
    return out


#: Where a sampled parameter's distribution sits among the flat keys of adjustments (moved with its
#: value, it is no adjustment of its own).
DISTRIBUTIONS = "incertidumbre.distribuciones"


def with_centred_distributions(overrides: Mapping[str, Any], params: Any) -> dict[str, Any]:
    """Flat adjustments (``{"deuda.nuevo_prestamo.tasa": 0.07}``) plus, for each changed value
    whose distribution in ``params`` places its own centre, that distribution moved to the new
    value (:func:`centred_specs`) unless the adjustments give one themselves: so a ``--set``, an
    app control or a notebook's override of the loan's rate is taken, not refused, and the
    deterministic run stays Monte Carlo at central values."""
    out = dict(overrides)
    given = dict(out.get(DISTRIBUTIONS) or {})
    values = {k: v for k, v in out.items() if not k.startswith(DISTRIBUTIONS)}
    moved = {k: v for k, v in centred_specs(params, values).items() if k not in given}
    if moved:
        out[DISTRIBUTIONS] = {**given, **moved}
    return out
