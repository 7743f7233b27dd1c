"""Own-source revenue by stream: trend or driver projection, calibration, potential and gap, levers.

Every array is shaped (municipalities, draws, years) unless said otherwise; a deterministic run
has one draw. A stream's history is its share of the MINFIN concepts (``ingresos_propios.flujos``).

- ``tendencia`` streams follow :mod:`nexos_model.revenue.trend` (shrunk median growth, damped
  real growth recomposed with inflation and population).
- ``impulsores`` streams (IUSI, water, boleto de ornato) follow their driver formula from
  :mod:`nexos_model.revenue.drivers`. The base year is reproduced exactly: the unobserved driver
  (collection efficiency, or ornato compliance) is calibrated as observed / revenue at full
  collection; where that ratio exceeds 1, the defaults undercount the base (properties,
  connections, adults), which is scaled up instead and reported. Where it falls outside
  ``ingresos_propios.impulsores.plausibilidad``, the generic defaults say nothing about the
  municipality: the stream follows its trend and its potential and gap are NaN ("sin datos
  suficientes"), never a figure.
- Levers (``palancas``) move a driver from its base-year value to a target along a path; closing
  part of the gap then shows up year by year. The potential is the ROSRA one: full coverage,
  updated valuation, legal or reference rate, full payment.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nexos_model.errors import ParameterError
from nexos_model.fiscal.arrays import compound
from nexos_model.params.revenue_schema import LEVER_DRIVERS, stream_problems
from nexos_model.params.values import Values
from nexos_model.revenue import drivers, levers, potential, trend
from nexos_model.wording import porcentaje

GAP_PARTS = ("coverage_gap", "valuation_gap", "rate_gap", "compliance_gap", "interaction")
CENSUS_YEAR = 2018
#: What a gap or potential is where the calibration is not credible.
NOT_ENOUGH_DATA = "sin datos suficientes"


@dataclass(frozen=True)
class StreamTable:
    """The stream catalog resolved against the concept list: names, methods, fractions (S, C)."""

    names: tuple[str, ...]
    methods: tuple[str, ...]
    fractions: np.ndarray


def stream_table(settings, concepts: list[str]) -> StreamTable:
    """Streams from ``ingresos_propios.flujos``; each own concept must be split exactly once."""
    errors = stream_problems(settings.streams, concepts)
    if errors:
        raise ParameterError([f"ingresos_propios.{e}" for e in errors])
    names = tuple(settings.streams)
    fractions = np.zeros((len(names), len(concepts)))
    for i, name in enumerate(names):
        for concept, share in settings.streams[name].concepts.items():
            fractions[i, concepts.index(concept)] = share
    return StreamTable(names, tuple(settings.streams[n].method for n in names), fractions)


def stream_history(values: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """(M, C, H) concept history -> (M, S, H) stream history; NaN where a used concept is NaN."""
    filled = np.nan_to_num(values)
    out = np.einsum("sc,mch->msh", fractions, filled)
    missing = np.einsum("sc,mch->msh", (fractions > 0).astype(float), np.isnan(values).astype(float))
    return np.where(missing > 0, np.nan, out)


def population_path(census: np.ndarray, years: np.ndarray, historical: float,
                    growth: np.ndarray, last_history_year: int) -> np.ndarray:
    """Population by year (M, D|1, T): the 2018 census grown at the historical rate to the last
    history year, then along the projected growth path (share per year)."""
    at_base = census * (1 + historical) ** (last_history_year - CENSUS_YEAR)
    factor = np.cumprod(1 + np.broadcast_to(growth, np.broadcast_shapes(np.shape(growth), (len(years),))),
                        axis=-1)
    return at_base[:, None, None] * factor


@dataclass
class StreamProjection:
    """What the stream engine returns (arrays (M, D, T) unless said otherwise)."""

    names: tuple[str, ...]
    methods: tuple[str, ...]
    base: np.ndarray  # (M, S) base-year value of each stream (last history year)
    revenue: dict[str, np.ndarray]
    potential: dict[str, np.ndarray] = field(default_factory=dict)  # driver streams only
    gaps: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    calibration: list[dict] = field(default_factory=list)  # one row per municipality and stream
    lever_cost: np.ndarray | None = None  # (M, D|1, T) implementation cost of the levers
    drivers: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    population: np.ndarray | None = None  # (M, D|1, T) the population path the streams used


def trend_paths(history: np.ndarray, years_hist: np.ndarray, national: np.ndarray, v: Values,
                years: np.ndarray, inflation: np.ndarray, pop_growth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Base (M, S) and path (M, D|1, S, T) of every series of ``history`` (M, S, H) by the trend
    method of ``tendencia`` (:mod:`nexos_model.revenue.trend`); ``national`` (S,)."""
    setup = trend_setup(history, years_hist, national, v, years, inflation, pop_growth)
    paths = [setup.path(s) for s in range(setup.base.shape[1])]
    shape = np.broadcast_shapes(*(p.shape for p in paths))
    return setup.base, np.stack([np.broadcast_to(p, shape) for p in paths], axis=2)


@dataclass(frozen=True)
class TrendSetup:
    """What the trend method needs to make each series' path: its base (M, S), its real growth
    (M, D|1, S) before damping, the damping factor of each year ahead (T,) or (1, D, T), the
    nominal factor (1 + inflation)(1 + population) of each year (T,) or (1, D, T), and the
    bounds of the yearly nominal growth, scalars or (1, D, 1); ``horizon``: T.

    ``ultimo_valor`` (the naive benchmark) has no growth at all (``real`` is None)."""

    base: np.ndarray
    horizon: int
    real: np.ndarray | None = None
    decay: np.ndarray | None = None
    nominal: np.ndarray | None = None
    low: np.ndarray | float = -np.inf
    high: np.ndarray | float = np.inf

    def path(self, s: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Series ``s``'s path (M, D|1, T): base × Π_k clip((1 + π_k)(1 + n_k)(1 + real φ^k), 1 + low, 1 + high);
        only the municipalities ``rows`` if given (a row's path depends on that row alone).

        The bounds act on each projected year's nominal growth, so a scenario's ceiling or floor
        (``tendencia.crecimiento_maximo``, ``crecimiento_minimo``) is what every trend series does
        in every year, not only a cap on the history's growth that the damping then erases.
        """
        base = self.base[:, s, None, None] if rows is None else self.base[rows, s, None, None]
        if self.real is None:
            return np.broadcast_to(base, base.shape[:2] + (self.horizon,))
        real = self.real if rows is None else self.real[rows]
        step = self.nominal * (1.0 + real[:, :, s, None] * self.decay)
        bounded = np.broadcast_shapes(step.shape, np.shape(self.low), np.shape(self.high))
        step = np.clip(step, 1.0 + self.low, 1.0 + self.high, out=step if step.shape == bounded else None)
        return np.multiply(base, compound(step, out=step), out=step)  # base (M, 1, 1) fits step (M, ., T)

    def shape(self) -> tuple[int, ...]:
        """The shape of every :meth:`path`: (M, D|1, T)."""
        if self.real is None:
            return (self.base.shape[0], 1, self.horizon)
        return np.broadcast_shapes((self.base.shape[0], 1, 1), self.real.shape[:2] + (1,), np.shape(self.decay),
                                   np.shape(self.nominal), np.shape(self.low), np.shape(self.high))


def _credible_or_trend(credible: np.ndarray, revenue: np.ndarray, setup: TrendSetup, s: int) -> np.ndarray:
    """``np.where(credible, revenue, trend path of series s)`` (credible (M,)), with the trend path
    computed only for the municipalities whose calibration is not credible: the same numbers, a
    new array of its own."""
    out = np.array(np.broadcast_to(revenue, np.broadcast_shapes(np.shape(revenue), setup.shape())))
    rows = np.flatnonzero(~credible)
    if rows.size:
        out[rows] = setup.path(s, rows)
    return out


def trend_setup(history: np.ndarray, years_hist: np.ndarray, national: np.ndarray, v: Values,
                years: np.ndarray, inflation: np.ndarray, pop_growth: np.ndarray) -> TrendSetup:
    """The trend of every series of ``history`` (M, S, H) (see :class:`TrendSetup`): the shrunk
    median growth of its history, bounded, made real with the historical inflation and
    population growth, damped year by year (``tendencia.amortiguacion``) and recomposed with the
    projected inflation and population paths."""
    t = v.params.trend
    own = trend.own_growth(history, years_hist)  # (M, S)
    m, s = own.shape
    if t.method == "ultimo_valor":
        return TrendSetup(trend.base_value(history, years_hist, np.zeros((m, s))), len(years))
    central = trend.shrunk_growth(own, np.broadcast_to(national, own.shape), t.shrinkage, t.growth_min, t.growth_max)
    base = trend.base_value(history, years_hist, central)
    lo, hi = v.scalar("tendencia.crecimiento_minimo"), v.scalar("tendencia.crecimiento_maximo")
    growth = trend.shrunk_growth(own[:, None, :], national, v.scalar("tendencia.contraccion"), lo, hi)  # (M, D, S)
    real = trend.real_growth(growth, v.scalar("macro.inflacion_historica"),
                             v.scalar("macro.crecimiento_poblacion_historico"))
    damping = np.asarray(v.scalar("tendencia.amortiguacion"))
    steps = np.arange(1, len(years) + 1)
    decay = np.power(damping[:, None] if damping.ndim else damping, steps)  # (T,) or (D, T)
    decay = decay[None] if decay.ndim > 1 else decay  # (T,) or (1, D, T)
    nominal = (1 + np.asarray(inflation)) * (1 + np.asarray(pop_growth))  # (T,) or (1, D, T)
    nominal = nominal.reshape((1, -1, len(years))) if nominal.ndim > 1 else nominal
    return TrendSetup(base, len(years), real, decay, nominal, _bound(lo), _bound(hi))


def _bound(value) -> np.ndarray | float:
    """A growth bound as a scalar, or (1, D, 1) when it varies by draw."""
    value = np.asarray(value, dtype=float)
    return float(value) if value.ndim == 0 else value.reshape(1, -1, 1)


def _lever_path(current: np.ndarray, key: str, v: Values, years: np.ndarray) -> np.ndarray:
    """The driver's path: ``current`` (M, D|1, T) raised toward the lever's target if it has one.

    A reform only raises a driver: where the driver is already at or above the target (e.g. a
    collection rate calibrated at 1), the lever changes nothing (see :func:`lever_notes`).
    """
    lever = v.params.levers.active().get(key)
    if lever is None:
        return current
    p = levers.progress(lever.start_year, lever.target_year, years, lever.shape)
    target = v.scalar(f"palancas.{key}.meta")
    return current + np.maximum(target - current, 0.0) * p


def lever_notes(projection: "StreamProjection", v: Values, municipios: list[str]) -> dict[str, list[str]]:
    """Spanish notes on levers whose target is not above the driver's base-year value."""
    notes: dict[str, list[str]] = {c: [] for c in municipios}
    for key, lever in v.params.levers.active().items():
        stream, driver = LEVER_DRIVERS[key]
        factors = projection.drivers.get(stream)
        if factors is None:
            notes_all = (f"palanca {key}: el flujo '{stream}' se proyecta por tendencia; la palanca solo actúa "
                         f"con metodo 'impulsores'")
            for code in municipios:
                notes[code].append(notes_all)
            continue
        start = np.asarray(factors[{"coverage": "coverage", "valuation": "valuation",
                                    "collection": "compliance"}[driver]])
        unit = 12.0 if (stream == "agua" and driver == "valuation") else 1.0
        for i, code in enumerate(municipios):
            current = float(np.broadcast_to(start, (len(municipios),) + start.shape[1:])[i, 0, 0]) / unit
            if stream == "iusi" and driver == "valuation":
                continue  # the valuation ratio drifts with prices; its target is compared year by year
            if lever.target <= current + 1e-12:
                notes[code].append(f"palanca {key}: la meta {lever.target:g} no supera el valor actual "
                                   f"{current:.3g}; no cambia la proyección")
    return notes


def lever_cost(v: Values, years: np.ndarray) -> np.ndarray:
    """Implementation cost of every active lever by projection year (Q), shape (T,)."""
    total = np.zeros(len(years))
    for lever in v.params.levers.active().values():
        if lever.cost > 0:
            span = np.arange(min(years[0], lever.start_year),
                             max(years[-1], lever.start_year + len(lever.cost_profile) - 1) + 1)
            cost = levers.implementation_cost(lever.cost, lever.start_year, span, lever.cost_profile)
            total = total + cost[np.isin(span, years)]
    return total


def _calibrated(name: str, driver: str, observed: np.ndarray, at_full: np.ndarray, municipios: list[str],
                known_base: bool, v: Values, detail: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict]]:
    """Calibrate the unobserved driver so the base year is reproduced: the driver, the base's
    scale, whether it is credible (M,), and (``detail``: the tables') a row reporting every value.

    A calibration is credible (``calibrable``) when the implied value lies within
    ``ingresos_propios.impulsores.plausibilidad`` (cobro implícito mínimo and máximo); otherwise
    the stream follows its trend and its potential and gap are "sin datos suficientes".
    """
    bounds = v.params.own_revenue.drivers.plausibility
    result = drivers.calibrate(np.nan_to_num(np.maximum(observed, 0.0)), at_full)
    value = result["value"]
    usable = np.isfinite(value) & (value >= bounds.min_implied) & (value <= bounds.max_implied)
    scale = np.where(usable, result["base_scale"], 1.0)
    rows = []
    for i, code in enumerate(municipios if detail else ()):
        implied = float(value[i])
        why = ""
        if not usable[i]:
            why = ("sin recaudación en el año base" if implied == 0 else
                   f"cobro implícito {porcentaje(implied, 2)}, fuera de {porcentaje(bounds.min_implied, 0)} a "
                   f"{porcentaje(bounds.max_implied, 0)}: ingresos_propios.impulsores.plausibilidad")
            note = (f"{NOT_ENOUGH_DATA} para estimar su potencial y su brecha con los impulsores supuestos ({why}): "
                    f"se proyecta por tendencia y sus reformas no se pueden valorar")
        elif implied > 1:
            note = (f"con los impulsores supuestos el cobro implícito sería {implied:.2f} (> 1): la base "
                    f"(predios, conexiones o adultos) se multiplica por {implied:.2f} para reproducir el año base")
        else:
            note = ""
        rows.append({"municipio": code, "flujo": name, "impulsor": driver,
                     "valor": float(result["driver"][i]), "valor_implicito": implied,
                     "escala_base": float(scale[i]), "fuera_de_rango": bool(result["out_of_range"][i]),
                     "base_conocida": known_base, "calibrable": bool(usable[i]), "motivo": why, "nota": note})
    return result["driver"], scale, usable, rows


def _market_index(v: Values, years: np.ndarray, inflation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nominal market-value index of property and its yearly growth, (1|1, D|1, T)."""
    growth = (1 + inflation) * (1 + v.scalar("ingresos_propios.impulsores.iusi.crecimiento_real_valor")) - 1
    growth = np.broadcast_to(growth, np.broadcast_shapes(np.shape(growth), (1, 1, len(years))))
    return np.cumprod(1 + growth, axis=-1), growth


def _indexed(share, inflation: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Π_k (1 + share × π_k): a quetzal amount that follows ``share`` of inflation, (1, D|1, T)."""
    step = 1 + np.asarray(share, dtype=float).reshape(-1, 1) * np.asarray(inflation, dtype=float).reshape(
        -1, len(years))
    return np.cumprod(step, axis=-1)[None]


def _iusi(observed, pop_base, pop, v: Values, years, inflation, municipios, detail=True):
    d = v.params.own_revenue.drivers
    s = d.iusi
    shares = np.asarray(s.value_shares)
    market = np.asarray(s.market_values)
    bounds, rates = s.bracket_bounds, s.rates_per_mil
    known = s.properties is not None
    n_base = (np.full(len(pop_base), s.properties) if known
              else pop_base / float(d.persons_per_household) * s.properties_per_household)
    units = n_base[:, None, None] * pop / pop_base[:, None, None]
    coverage0 = v.scalar("ingresos_propios.impulsores.iusi.cobertura_catastral")
    valuation0 = v.scalar("ingresos_propios.impulsores.iusi.factor_avaluo")
    index, growth = _market_index(v, years, inflation)
    indexation = v.scalar("ingresos_propios.impulsores.iusi.indexacion_avaluo")
    drift = np.cumprod((1 + indexation * growth) / (1 + growth), axis=-1)
    valuation = _lever_path(valuation0 * drift, "iusi_avaluo", v, years)
    coverage = _lever_path(coverage0 * np.ones((1, 1, len(years))), "iusi_cobertura", v, years)
    market_t = market * index[..., None]  # (1, D, T, B)
    assessed_t = market_t * np.asarray(valuation)[..., None]
    billed_each = (drivers.iusi_tax(assessed_t, bounds, rates) * shares).sum(axis=-1)
    billed_base = float((drivers.iusi_tax(market * float(np.mean(valuation0)), bounds, rates) * shares).sum())
    full_base = n_base * float(np.mean(coverage0)) * billed_base
    collection0, scale, usable, rows = _calibrated("iusi", "eficiencia_cobro", observed, full_base, municipios, known,
                                                   v, detail)
    collection = _lever_path(collection0[:, None, None] * np.ones((1, 1, len(years))), "iusi_cobro", v, years)
    base_units = units * scale[:, None, None]
    mean_assessed = (assessed_t * shares).sum(axis=-1)
    mean_market = (market_t * shares).sum(axis=-1)
    full_tax = (drivers.iusi_tax(market_t, bounds, rates) * shares).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(mean_assessed > 0, billed_each / mean_assessed, 0.0)
        rate_target = np.where(mean_market > 0, full_tax / mean_market, 0.0)
    factors = dict(base=base_units, coverage=coverage, valuation=mean_assessed, rate=rate,
                   compliance=collection, valuation_target=mean_market, rate_target=rate_target)
    return factors, usable, rows


def _water(observed, pop_base, pop, v: Values, years, inflation, municipios, detail=True):
    d = v.params.own_revenue.drivers
    w = d.water
    known = w.connections is not None
    c_base = (np.full(len(pop_base), w.connections) if known
              else pop_base / float(d.persons_per_household) * w.service_coverage)
    units = c_base[:, None, None] * pop / pop_base[:, None, None]
    ones = np.ones((1, 1, len(years)))
    registration0 = v.scalar("ingresos_propios.impulsores.agua.registro")
    tariff0 = v.scalar("ingresos_propios.impulsores.agua.tarifa_mensual")
    indexed = _indexed(v.scalar("ingresos_propios.impulsores.agua.indexacion_tarifa"), inflation, years)
    full_base = c_base * float(np.mean(registration0)) * float(np.mean(tariff0)) * drivers.MONTHS_PER_YEAR
    collection0, scale, usable, rows = _calibrated("agua", "eficiencia_cobro", observed, full_base, municipios, known,
                                                   v, detail)
    registration = _lever_path(registration0 * ones, "agua_registro", v, years)
    tariff = _lever_path(tariff0 * indexed, "agua_tarifa", v, years)
    collection = _lever_path(collection0[:, None, None] * ones, "agua_cobro", v, years)
    reference = v.scalar("ingresos_propios.impulsores.agua.tarifa_referencia") * ones
    factors = dict(base=units * scale[:, None, None], coverage=registration,
                   valuation=tariff * drivers.MONTHS_PER_YEAR, rate=ones, compliance=collection,
                   valuation_target=np.maximum(reference, tariff) * drivers.MONTHS_PER_YEAR, rate_target=ones)
    return factors, usable, rows


def _ornato(observed, pop_base, pop, v: Values, years, inflation, municipios, detail=True):
    adult_share = v.scalar("ingresos_propios.impulsores.ornato.proporcion_adultos")
    ones = np.ones((1, 1, len(years)))
    fee0 = v.scalar("ingresos_propios.impulsores.ornato.cuota_media")
    full_base = pop_base * float(np.mean(adult_share)) * float(np.mean(fee0))
    compliance0, scale, usable, rows = _calibrated("ornato", "cumplimiento", observed, full_base, municipios, False,
                                                   v, detail)
    indexed = _indexed(v.scalar("ingresos_propios.impulsores.ornato.indexacion_cuota"), inflation, years)
    fee = _lever_path(fee0 * indexed, "ornato_cuota", v, years)
    compliance = _lever_path(compliance0[:, None, None] * ones, "ornato_cumplimiento", v, years)
    factors = dict(base=pop * adult_share * scale[:, None, None], coverage=ones, valuation=fee, rate=ones,
                   compliance=compliance, valuation_target=fee, rate_target=ones)
    return factors, usable, rows


DRIVER_MODELS = {"iusi": _iusi, "agua": _water, "ornato": _ornato}


#: Draws per matrix product in :func:`trend_error`.
ERROR_ROWS = 256
#: Own revenue below which a municipality's trend error stops growing with smallness (the
#: smallest in the bundled data is about Q 82,000; one with none recorded would get an
#: unbounded error).
ERROR_MIN_LEVEL = 50_000.0


def error_scale(own_revenue: np.ndarray, reference: float, elasticity: float) -> np.ndarray:
    """How a municipality's trend error compares with the reference one's, (M,): its last
    observed own revenue over ``incertidumbre.error_tendencia_referencia`` to the power
    −``error_tendencia_elasticidad`` (the backtest's errors are smaller in larger municipalities:
    elasticity ≈ 0.2, so ten times the revenue is about 0.63 times the error)."""
    level = np.maximum(np.nan_to_num(np.asarray(own_revenue, dtype=np.float64)), ERROR_MIN_LEVEL)
    return (level / reference) ** -elasticity


def trend_error(shocks: np.ndarray, sigma: float, tau: float, scale: np.ndarray | None = None) -> np.ndarray:
    """The multiplicative error of a municipality's own revenue, ``exp(s (σ Σ_{k≤t} ε_k + τ h η))``,
    (M, ..., T), in the dtype of ``shocks`` (M, ..., T + 1): standard normals, ``ε_t`` the T yearly
    ones, ``η`` the last; ``s`` the municipality's :func:`error_scale` (1 if ``scale`` is None).

    A random walk of yearly errors (σ = ``incertidumbre.error_tendencia``: each year's surprise
    stays in the level, so the spread grows as √h, as the backtest's errors do: their robust
    spread in logs is 0.175 one year ahead and 0.250 two years ahead, ≈ √2 times) plus an optional
    error in the growth rate that accumulates with the horizon h = 1..T (τ =
    ``incertidumbre.error_crecimiento``). Symmetric in logs, so the median is exactly 1: the
    central projection is the median of the simulated revenue. One error for all the streams of
    a municipality: the backtest measures the total's error, and independent errors per stream
    would, over the years without data, let the mean of the small volatile streams run away
    from their medians and carry the total's upper tail. σ = τ = 0 gives exactly 1 (Monte
    Carlo at zero variance is the deterministic run).

    This is the one place where the noise becomes an error path: another error model changes
    only this function. Monte Carlo computes it in float32, which moves its percentiles by far
    less than 0.1 % (tested against float64).
    """
    years = shocks.shape[-1] - 1
    dtype = shocks.dtype.type
    h = np.arange(1, years + 1, dtype=np.float64)
    # σ Σ_{k≤t} ε_k + τ h_t η for every t at once: the normals of a draw times a (T + 1, T) matrix
    # (σ on and above the diagonal, τ h in the last row), a matrix product that reads the normals
    # once (half the time of elementwise passes). Done in products of ERROR_ROWS draws: BLAS runs
    # a small product on the calling thread, while one big product is split across the cores,
    # which is slower on a busy machine.
    weights = np.zeros((years + 1, years), dtype=dtype)
    weights[:years] = np.triu(np.full((years, years), sigma))
    weights[years] = tau * h
    flat = shocks.reshape(-1, years + 1)
    out = np.empty((len(flat), years), dtype=dtype)
    whole = len(flat) // ERROR_ROWS * ERROR_ROWS
    np.matmul(flat[:whole].reshape(-1, ERROR_ROWS, years + 1), weights,
              out=out[:whole].reshape(-1, ERROR_ROWS, years))
    np.matmul(flat[whole:], weights, out=out[whole:])
    out = out.reshape(shocks.shape[:-1] + (years,))
    if scale is not None:
        out *= np.asarray(scale, dtype=dtype).reshape((-1,) + (1,) * (out.ndim - 1))
    np.exp(out, out=out)
    return out


def project_streams(history: np.ndarray, years_hist: np.ndarray, national_growth: np.ndarray,
                    table: StreamTable, census: np.ndarray, municipios: list[str], v: Values,
                    years: np.ndarray, errors: np.ndarray | None = None, detail: bool = True) -> StreamProjection:
    """Project every stream of ``table`` for municipalities sharing the parameter values ``v``.

    ``history`` (M, S, H) stream history; ``national_growth`` (S,) median growth of each stream;
    ``census`` (M,) 2018 population. ``errors`` (Monte Carlo only): each municipality's
    multiplicative :func:`trend_error` (M, D, T), which every stream's path is multiplied by.
    ``detail=False`` skips the potential and gap decomposition and the calibration's report rows
    (Monte Carlo needs revenue only).
    """
    inflation = v.path("macro.inflacion", years)
    pop_growth = v.path("macro.crecimiento_poblacion", years)
    pop = population_path(census, years, v.params.macro.historical_population_growth, pop_growth,
                          int(years_hist[-1]))
    pop_base = census * (1 + v.params.macro.historical_population_growth) ** (int(years_hist[-1]) - CENSUS_YEAR)
    setup = trend_setup(history, years_hist, national_growth, v, years, inflation, pop_growth)
    out = StreamProjection(table.names, table.methods, setup.base, {}, population=pop)
    for s, (name, method) in enumerate(zip(table.names, table.methods)):
        base = setup.base[:, s]
        if method == "impulsores":
            factors, credible, rows = DRIVER_MODELS[name](base, pop_base, pop, v, years, inflation, municipios, detail)
            out.calibration.extend(rows)
            out.drivers[name] = factors
            usable = credible[:, None, None]
            with np.errstate(over="ignore", invalid="ignore"):
                if detail:
                    gap = potential.gap_decomposition(**{k: factors[k] for k in (
                        "base", "coverage", "valuation", "rate", "compliance", "valuation_target", "rate_target")})
                    path = _credible_or_trend(credible, gap["actual"], setup, s)
                    out.potential[name] = np.where(usable, gap["potential"], np.nan)  # sin datos suficientes
                    out.gaps[name] = {k: np.where(usable, gap[k], np.nan) for k in GAP_PARTS + ("total_gap",)}
                else:
                    path = _credible_or_trend(credible, potential.stream_revenue(
                        *(factors[k] for k in ("base", "coverage", "valuation", "rate", "compliance"))), setup, s)
        else:
            path = setup.path(s)
        if errors is not None:
            path = np.multiply(path, errors, out=path if path.shape == errors.shape and path.base is None else None)
        out.revenue[name] = np.broadcast_to(path, np.broadcast_shapes(np.shape(path), (len(census), 1, len(years))))
    out.lever_cost = lever_cost(v, years)
    return out
