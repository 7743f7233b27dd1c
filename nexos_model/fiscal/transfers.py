"""Central-government transfers to municipalities: aporte constitucional, IVA-PAZ and the rest.

Legal sources:

- Constitución Política de la República de Guatemala, art. 257: the aporte (situado)
  constitucional is 10% of the Presupuesto General de Ingresos Ordinarios del Estado; at least
  90% funds programmes and projects (education, preventive health, infrastructure, public
  services) and up to 10% may fund operating expenses.
- Código Municipal (Decreto 12-2002) art. 119, reformed by Decreto 22-2010: the distribution
  among municipalities, 35% in equal parts, 30% by population, 25% by ingresos propios per cápita,
  10% by number of aldeas y caseríos. Computed yearly by the Comisión de Cálculo Matemático
  (SEGEPLAN chair). The same criteria are usually cited for IVA-PAZ [NC].

All amounts are nominal quetzales (GTQ). Every function is pure (no file, no printing) and
vectorized over a leading draws axis, so a deterministic run is the Monte Carlo path at central
values. Inputs are validated and every problem is reported at once as a
:class:`~nexos_model.errors.ParameterError` with Spanish messages naming the field.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from nexos_model.errors import ParameterError
from nexos_model.fiscal.arrays import nanmedian_columns
from nexos_model.fiscal.checks import finite_array

WEIGHT_TOLERANCE = 1e-9

# Código Municipal art. 119 (reformed by Decreto 22-2010): the four criteria. Their weights are
# parameters (``transferencias.aporte_constitucional.ponderaciones`` in params/defaults.yaml),
# checked to the centavo against the official 2010 table in the tests.
ART119_CRITERIA: tuple[str, ...] = ("partes_iguales", "poblacion", "ingresos_propios_per_capita", "aldeas_caserios")


# --------------------------------------------------------------------------------------------
# Validation helpers: collect every problem, raise once.


def _check_non_negative(arr: np.ndarray, field: str, errors: list[str]) -> None:
    finite = arr[np.isfinite(arr)]
    if finite.size and finite.min() < 0:
        errors.append(
            f"{field}: hay valores negativos (mínimo dado {finite.min():,.2f}, se espera ≥ 0)"
        )


def _raise_if(errors: list[str]) -> None:
    if errors:
        raise ParameterError(errors)


# --------------------------------------------------------------------------------------------
# Art. 119 distribution


def _shares(values: np.ndarray) -> np.ndarray:
    """Each value's share of its row total (last axis); equal shares where the total is 0.

    Why equal parts for a zero total: a criterion nobody scores on (no municipality with own
    revenue, or no aldea count) should neither vanish from the pool nor silently follow another
    criterion such as population; splitting it equally is the neutral reading of the law, and the
    35% criterion already uses equal parts.
    """
    total = values.sum(axis=-1, keepdims=True)
    n = values.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = values / total
    return np.where(total > 0, shares, 1.0 / n)


def validate_art119_weights(weights: Mapping[str, float]) -> list[str]:
    """Spanish messages for an art. 119 weights mapping; empty when valid."""
    errors: list[str] = []
    keys = set(weights)
    missing = [k for k in ART119_CRITERIA if k not in keys]
    unknown = sorted(keys - set(ART119_CRITERIA))
    if missing:
        errors.append(f"pesos: faltan criterios {missing} (se esperan {list(ART119_CRITERIA)})")
    if unknown:
        errors.append(f"pesos: criterios desconocidos {unknown} (se esperan {list(ART119_CRITERIA)})")
    values = {}
    for key in ART119_CRITERIA:
        if key in weights:
            try:
                values[key] = float(weights[key])
            except (TypeError, ValueError):
                errors.append(f"pesos.{key}: no es numérico (valor dado {weights[key]!r})")
                continue
            if not np.isfinite(values[key]) or not 0 <= values[key] <= 1:
                errors.append(f"pesos.{key}: fuera de rango (valor dado {values[key]}, se espera 0 a 1)")
    if not errors:
        total = sum(values.values())
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            errors.append(f"pesos: deben sumar 1 (suma dada {total:.10g}, se espera 1)")
    return errors


def allocate_art119(
    pool,
    population,
    own_revenue,
    aldeas_caserios,
    weights: Mapping[str, float],
) -> dict[str, np.ndarray]:
    """Split the national pool among municipalities by the four art. 119 criteria.

    Formula (Código Municipal art. 119, reformed by Decreto 22-2010; checked to the centavo on the
    official 2010 "Cálculo matemático" table), for draw d and municipality i of n::

        partes_iguales_i              = w_eq  × pool_d / n
        poblacion_i                   = w_pop × pool_d × pop_i / Σ_j pop_j
        ingresos_propios_per_capita_i = w_own × pool_d × (own_di/pop_i) / Σ_j (own_dj/pop_j)
        aldeas_caserios_i             = w_ald × pool_d × a_i / Σ_j a_j
        total_i                       = sum of the four parts

    The own-revenue denominator is the **sum of per-cápita values** (Q36,592.68 in 2010), not total
    revenue over total population. ``pool`` is the amount split by the formula: in 2010 it was
    the year's aporte minus payments already made; that subtraction is the caller's.

    Parameters (GTQ for money, persons, counts):
        pool: scalar or (n_draws,), ≥ 0.
        population: (n_mun,), > 0 (a per-cápita value needs a population).
        own_revenue: ingresos propios (ordinarios), (n_mun,) or (n_draws, n_mun), ≥ 0.
        aldeas_caserios: (n_mun,), ≥ 0 (see :func:`estimate_aldeas_caserios`).
        weights: mapping with exactly the keys of :data:`ART119_CRITERIA`, summing to 1 (±1e-9).

    Edge case: if in a draw every municipality's own revenue is 0 (or every aldea count is 0),
    that criterion's money is split in **equal parts**, never dropped and never moved to
    population; see :func:`_shares`.

    Returns:
        dict with keys ``partes_iguales``, ``poblacion``, ``ingresos_propios_per_capita``,
        ``aldeas_caserios`` and ``total``, each (n_draws, n_mun) in GTQ (n_draws = 1 when neither
        ``pool`` nor ``own_revenue`` has a draws axis). Parts sum to the pool per draw up to
        float rounding; use :func:`allocation_in_quetzales` for a table exact to the centavo.

    Raises:
        ParameterError: weights not summing to 1, negative or non-finite inputs, zero
            population, mismatched lengths; all problems listed at once.
    """
    errors = validate_art119_weights(weights)
    pool_a = finite_array(pool, "monto_a_distribuir", errors)
    pop = finite_array(population, "poblacion", errors)
    own = finite_array(own_revenue, "ingresos_propios", errors)
    ald = finite_array(aldeas_caserios, "aldeas_caserios", errors)

    if pool_a.ndim > 1:
        errors.append(
            f"monto_a_distribuir: forma {pool_a.shape} (se espera un número o (simulaciones,))"
        )
    if pop.ndim != 1 or pop.size == 0:
        errors.append(f"poblacion: forma {pop.shape} (se espera un valor por municipio)")
    if ald.ndim != 1:
        errors.append(f"aldeas_caserios: forma {ald.shape} (se espera un valor por municipio)")
    if own.ndim not in (1, 2):
        errors.append(
            f"ingresos_propios: forma {own.shape} (se espera (municipios,) o (simulaciones, municipios))"
        )
    _check_non_negative(pool_a, "monto_a_distribuir", errors)
    _check_non_negative(own, "ingresos_propios", errors)
    _check_non_negative(ald, "aldeas_caserios", errors)
    finite_pop = pop[np.isfinite(pop)]
    if finite_pop.size and finite_pop.min() <= 0:
        errors.append(
            f"poblacion: hay municipios sin población (mínimo dado {finite_pop.min():,.0f}, "
            "se espera > 0 para calcular ingresos per cápita)"
        )
    _raise_if(errors)

    n_mun = pop.size
    if ald.size != n_mun:
        errors.append(f"aldeas_caserios: {ald.size} valores para {n_mun} municipios en poblacion")
    if own.shape[-1] != n_mun:
        errors.append(f"ingresos_propios: {own.shape[-1]} municipios, poblacion tiene {n_mun}")
    n_draws = {int(pool_a.size)} if pool_a.ndim == 1 else set()
    if own.ndim == 2:
        n_draws.add(own.shape[0])
    if len(n_draws) > 1:
        errors.append(
            f"monto_a_distribuir: {pool_a.size} simulaciones, ingresos_propios tiene {own.shape[0]}"
        )
    _raise_if(errors)

    pool_col = np.atleast_1d(pool_a)[:, None]  # (n_draws or 1, 1)
    own_2d = np.atleast_2d(own)  # (n_draws or 1, n_mun)
    n_out = max(pool_col.shape[0], own_2d.shape[0])
    shape = (n_out, n_mun)
    w = {k: float(weights[k]) for k in ART119_CRITERIA}

    parts = {
        "partes_iguales": np.broadcast_to(w["partes_iguales"] * pool_col / n_mun, shape),
        "poblacion": w["poblacion"] * pool_col * _shares(pop)[None, :],
        "ingresos_propios_per_capita": w["ingresos_propios_per_capita"]
        * pool_col
        * _shares(own_2d / pop[None, :]),
        "aldeas_caserios": w["aldeas_caserios"] * pool_col * _shares(ald)[None, :],
    }
    out = {k: np.array(np.broadcast_to(v, shape), dtype=float) for k, v in parts.items()}
    out["total"] = sum(out[k] for k in ART119_CRITERIA)
    return out


# --------------------------------------------------------------------------------------------
# Rounding to centavos


def _largest_remainder(quotas: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Integer apportionment of ``target`` units (per row) by largest remainder (Hamilton).

    Each entry gets floor(quota); the units still missing go one each to the largest fractional
    remainders. Ties go to the larger quota, then to the lower index, so the result is
    deterministic and never gives a smaller quota more units than a larger one.
    ``quotas`` (..., n) float; ``target`` (...) int. Requires 0 ≤ target − Σ floor ≤ n.
    """
    floors = np.floor(quotas)
    remainders = quotas - floors
    missing = np.asarray(np.asarray(target, dtype=np.int64) - floors.sum(axis=-1).astype(np.int64))
    index = np.broadcast_to(np.arange(quotas.shape[-1]), quotas.shape)
    # lexsort: last key is primary -> by remainder desc, then quota desc, then index asc.
    order = np.lexsort((index, -quotas, -remainders), axis=-1)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(quotas.shape[-1]), order.shape), -1)
    bonus = rank < missing[..., None]
    return floors.astype(np.int64) + bonus


def _to_cents(amounts: np.ndarray, total: np.ndarray, field: str) -> np.ndarray:
    """Integer centavos of ``amounts`` (…, n) summing exactly to round(total × 100) per row."""
    quotas = amounts * 100.0
    target = np.rint(np.asarray(total, dtype=float) * 100.0).astype(np.int64)
    target = np.broadcast_to(target, quotas.shape[:-1])
    gap = np.abs(quotas.sum(axis=-1) - target)
    if np.any(gap >= 1.0):
        worst = float(gap.max()) / 100
        raise ParameterError(
            [f"{field}: los montos no suman el total (diferencia dada Q{worst:,.4f}, "
             "se espera menos de un centavo)"]
        )
    return _largest_remainder(quotas, target)


def round_to_centavos(amounts, total) -> np.ndarray:
    """Round amounts to centavos so that they still add up exactly to ``total``.

    Largest-remainder rounding at Q0.01: each amount is truncated to the centavo and the
    centavos still missing to reach round(total, 2) go one each to the largest truncated
    remainders (ties: larger amount first, then lower index). Each result is within one centavo
    of its input, and the sum is exact in integer centavos (the float sum matches up to float
    representation, ~1e-7 for billions).

    Example: Q100 in three equal parts -> 33.34, 33.33, 33.33. In the official 2010 table every
    municipality is printed with the same equal part Q1,428,715.03, which over 333 municipalities
    exceeds the component Q475,762,103.98 by Q1.01; this function keeps the sum instead, so
    equal parts can differ by one centavo.

    Args:
        amounts: GTQ, shape (n,) or (..., n); rounding runs along the last axis.
        total: GTQ, scalar or shape (...,); must equal the row sum of ``amounts`` to within one
            centavo (it is itself rounded to centavos first, half to even).

    Raises:
        ParameterError: non-finite values, or amounts that do not add up to ``total``.
    """
    errors: list[str] = []
    x = finite_array(amounts, "montos", errors)
    t = finite_array(total, "total", errors)
    if x.ndim == 0:
        errors.append("montos: se espera una lista de montos, no un número")
    _raise_if(errors)
    return _to_cents(x, t, "montos") / 100.0


def allocation_in_quetzales(parts: Mapping[str, np.ndarray], pool) -> dict[str, np.ndarray]:
    """The art. 119 table rounded to centavos, consistent in both directions.

    Steps (all largest remainder, :func:`round_to_centavos`): (1) the four criterion totals are
    rounded so they add up to the pool; (2) each criterion's municipal parts are rounded so they
    add up to its rounded total; (3) each municipality's total is the sum of its rounded parts.
    So rows add up to the municipal totals, columns to the criterion totals, and everything to
    the pool, exactly in centavos. On the 2010 pool the criterion totals come out as the four
    published components.

    Args:
        parts: output of :func:`allocate_art119` (only the four criteria are read).
        pool: GTQ, scalar or (n_draws,), the same pool that produced ``parts``.

    Returns:
        dict with the same keys as ``parts`` (criteria and ``total``), arrays (n_draws, n_mun) of
        amounts with two decimals.
    """
    errors: list[str] = []
    missing = [k for k in ART119_CRITERIA if k not in parts]
    if missing:
        errors.append(f"partes: faltan criterios {missing}")
    pool_a = finite_array(pool, "monto_a_distribuir", errors)
    _raise_if(errors)
    stacked = np.stack([np.atleast_2d(np.asarray(parts[k], dtype=float)) for k in ART119_CRITERIA])
    # stacked: (4, n_draws, n_mun)
    criterion_totals = np.moveaxis(stacked.sum(axis=-1), 0, -1)  # (n_draws, 4)
    pool_rows = np.broadcast_to(np.atleast_1d(pool_a), criterion_totals.shape[:-1])
    criterion_cents = _to_cents(criterion_totals, pool_rows, "monto_a_distribuir")
    out: dict[str, np.ndarray] = {}
    total_cents = np.zeros(stacked.shape[1:], dtype=np.int64)
    for c, key in enumerate(ART119_CRITERIA):
        cents = _largest_remainder(stacked[c] * 100.0, criterion_cents[:, c])
        total_cents += cents
        out[key] = cents / 100.0
    out["total"] = total_cents / 100.0
    return out


# --------------------------------------------------------------------------------------------
# Aldeas y caseríos fallback


def _is_count(value) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return number.is_integer() and number >= 0


def estimate_aldeas_caserios(
    rural_population,
    urban_population,
    national_count: int,
    known=None,
    minimum: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Estimate each municipality's number of aldeas y caseríos (input of the 10% criterion).

    Per-municipality counts were not found as data (domain.md §g), so this is the documented
    fallback, and every estimated value must be shown as an estimate (second return value).

    Formula: with E the municipalities without a known count and R = national_count − Σ known,
    each i in E gets ``minimum + LR_i`` where LR apportions R − minimum × |E| units in proportion
    to rural population (Censo 2018) by largest remainder, so the counts are integers that add up
    to ``national_count`` exactly (14,796 in the 2010 table). If the municipalities in E have no
    rural population at all, total population (rural + urban) is used instead, and if that is
    zero too, equal parts.

    Why a floor of 1 (``minimum``): aldeas and caseríos are administrative categories of
    populated places, while the census urban/rural split follows urban criteria; 26 of the 340
    municipalities have zero rural population in the 2018 census (Guatemala, Quetzaltenango,
    San Pedro La Laguna, ...) yet cities such as Guatemala still list aldeas in their territory
    [NC]. A pure proportional rule would give them 0 and drop them from the 10% criterion, a
    value the data cannot support; 1 keeps them in at a cost to the others of 26 units out of
    14,796 (0.2%). It is not "the cabecera": the cabecera municipal is a category of its own
    and not counted as an aldea or caserío. Pass ``minimum=0`` for the pure proportional rule.

    Args:
        rural_population, urban_population: persons, shape (n_mun,), ≥ 0.
        national_count: national total of aldeas + caseríos, integer ≥ 0.
        known: optional (n_mun,) counts known locally (e.g. from a municipality file), NaN where
            unknown; known values are kept as given and are not flagged.
        minimum: floor for each estimated municipality (default 1).

    Returns:
        ``(counts, estimated)``: int64 counts (n_mun,) summing to ``national_count``, and a
        boolean mask, True where the count is an estimate that reports must flag.

    Monotone: among estimated municipalities, more rural population never gives fewer aldeas.
    """
    errors: list[str] = []
    rural = finite_array(rural_population, "poblacion_rural", errors)
    urban = finite_array(urban_population, "poblacion_urbana", errors)
    _check_non_negative(rural, "poblacion_rural", errors)
    _check_non_negative(urban, "poblacion_urbana", errors)
    if rural.ndim != 1 or rural.size == 0:
        errors.append(f"poblacion_rural: forma {rural.shape} (se espera un valor por municipio)")
    elif urban.shape != rural.shape:
        errors.append(
            f"poblacion_urbana: {urban.size} valores, poblacion_rural tiene {rural.size}"
        )
    if not _is_count(national_count):
        errors.append(
            f"numero_aldeas_y_caserios: valor dado {national_count!r} (se espera un entero ≥ 0)"
        )
    if not _is_count(minimum):
        errors.append(f"minimo_aldeas: valor dado {minimum!r} (se espera un entero ≥ 0)")
    if known is None:
        known_a = np.full(rural.shape, np.nan)
    else:
        known_a = np.asarray(known, dtype=float)
        if known_a.shape != rural.shape:
            errors.append(f"aldeas_conocidas: {known_a.size} valores, poblacion_rural tiene {rural.size}")
        else:
            given = known_a[~np.isnan(known_a)]
            if np.any(given < 0) or np.any(given != np.floor(given)) or np.any(np.isinf(given)):
                errors.append(
                    "aldeas_conocidas: hay valores no enteros o negativos (se esperan enteros ≥ 0)"
                )
    _raise_if(errors)

    estimated = np.isnan(known_a)
    n_est = int(estimated.sum())
    remaining = int(national_count) - int(known_a[~estimated].sum())
    to_share = remaining - int(minimum) * n_est
    if n_est == 0 and remaining != 0:
        errors.append(
            f"aldeas_conocidas: suman {int(known_a.sum())}, el total nacional es {int(national_count)}"
        )
    elif to_share < 0:
        errors.append(
            f"numero_aldeas_y_caserios: valor dado {int(national_count)} no alcanza para el mínimo "
            f"de {int(minimum)} por municipio estimado (se espera ≥ {int(national_count) - to_share})"
        )
    _raise_if(errors)

    counts = np.where(estimated, 0, np.nan_to_num(known_a)).astype(np.int64)
    if n_est:
        weights = rural[estimated]
        if weights.sum() == 0:
            weights = rural[estimated] + urban[estimated]
        share = _shares(weights)
        counts[estimated] = int(minimum) + _largest_remainder(share * to_share, np.int64(to_share))
    return counts, estimated


# --------------------------------------------------------------------------------------------
# Robust starting level of a transfer booked in the data


def robust_level(values: np.ndarray, carry: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The starting level of a transfer series: the median of its last ``window`` observed years,
    each carried to the last year by the transfer's own growth.

    level = median_{y in the last ``window`` years with data} ( value_y × carry_y ),
    carry_y = Π_{j = y+1..last} (1 + growth_j)   (1 for the last year)

    Why: a single year's jump (a one-off capital transfer: 17200 rose 52 % in Huehuetenango from
    2018 to 2019) would otherwise be compounded for the whole projection; the median of three
    years ignores one outlier year in either direction. ``values`` (..., H) in quetzales, NaN
    where the year is missing; ``carry`` broadcastable to it. Returns the level (...) and the
    number of years it used (...), 0 where there is no data (level 0).
    """
    full = np.broadcast_shapes(np.shape(values), np.shape(carry))
    values = np.broadcast_to(np.asarray(values, dtype=float), full)
    carry = np.broadcast_to(np.asarray(carry, dtype=float), full)
    # only the last years are carried, one array per year (the median takes them as columns)
    carried = [values[..., y] * carry[..., y] for y in range(max(0, full[-1] - window), full[-1])] if window > 0 else []
    if not carried:
        return np.zeros(full[:-1]), np.zeros(full[:-1], dtype=int)
    used = sum(np.isfinite(c).astype(int) for c in carried)
    level = nanmedian_columns(carried)  # all-NaN rows: level 0 below
    return np.where(used > 0, level, 0.0), np.asarray(used)
