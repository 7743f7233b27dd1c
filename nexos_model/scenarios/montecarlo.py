"""Monte Carlo: the same projection (``projection.project_arrays``) over a draws axis.

Draws come in chunks (memory stays bounded for any number of simulations and municipalities);
within a chunk every municipality of the group shares the parameter draws, so the coupled art.
119 formula stays correct draw by draw. Two sources of randomness:

- parameters declared as uncertainties (``incertidumbre.distribuciones``), through a Gaussian
  copula with ``incertidumbre.correlaciones``;
- the trend error of each municipality's own revenue (one for all its streams, independent
  across municipalities): a random walk of yearly errors from the last year with data
  (``incertidumbre.error_tendencia``: the band widens as √h, as the backtest's errors do), smaller
  in larger municipalities (``incertidumbre.error_tendencia_elasticidad``), plus an optional error
  in its growth rate (``incertidumbre.error_crecimiento``); the elasticity is fitted with
  ``nexos backtest --ajustar-error``, σ calibrated with ``nexos backtest --calibrar`` on one
  hold-out and checked on the other.

Seeded and reproducible; the chunk size does not change the draws (see ``scenarios.sampling``).
A municipality's trend errors are its own variables (``tendencia:<code>``), so they are
the same whether it runs alone or among all 340.

**Where the time goes** (340 municipalities × 17 years × 10,000 draws, 79 chunks of 128 draws,
``make bench`` on this shared 2-core machine): 21.6 s in all, 22.1 s of CPU, peak 1.43 GB. The
61 M normals (one error path per municipality and draw) take about numpy's 0.6 s, drawn in a
helper thread behind the model. The model takes ~160 ms a chunk: the fiscal core ~70 % (the
transfers and their art. 119 shares, the funding of operation by source and the free shares, the
sums of lines), the streams' paths and driver formulas ~25 %; the per-chunk summary ~40 ms and
the final percentile merge ~3 s. Nearly all of it is numpy passes over (M, D, T) float64 arrays
(float64 because a zero-variance run must equal the deterministic one exactly): fusing those
passes into one kernel is what is left to win (issue 20's goal, ≤ 3× the time of the normals,
was set when the run drew 734 M of them, one per stream). ``make bench`` also times the plain
summary (numpy reading the seven percentiles off the run's 520 M outcome values): ~8 s by one
sort per cell, ~14× the normals' time, so the run (~19.5 s) is ~2.3× normals + plain summary.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from nexos_model.errors import NexosError
from nexos_model.fiscal.rules import breach_flags
from nexos_model.params.uncertainty import correlations, uncertainty_specs
from nexos_model.params.values import Values
from nexos_model.projection import (ModelArrays, ProjectionInputs, own_revenue_base, project_arrays,
                                    projection_years)
from nexos_model.revenue.streams import error_scale, trend_error
from nexos_model.scenarios.sampling import NormalStreams, chunks, sample_chunk
from nexos_model.scenarios.summary import COLUMNS, PercentileAccumulator, ProbabilityAccumulator

#: The outcomes summarised by default (concepts of the projection).
OUTCOMES = ("ingresos_propios", "iusi", "transferencias", "aporte_constitucional", "gasto_funcionamiento",
            "servicio_deuda", "ahorro_corriente", "espacio_fiscal", "deficit")
#: Events whose probability is reported per year: unfunded spending and each legal rule broken.
EVENTS = ("deficit",)


@dataclass
class Simulation:
    percentiles: pd.DataFrame  # municipio, anio, concepto, p05..p95, media
    probabilities: pd.DataFrame  # municipio, anio, evento, probabilidad
    draws: int
    seed: int


def trend_streams(municipios: Sequence[str], seed: int, years: int) -> NormalStreams:
    """The standard normals of the trend errors: one variable per municipality, named
    ``tendencia:<code>`` (a municipality's errors do not depend on the group it runs in),
    ``years + 1`` float32 normals per draw (``streams.trend_error``'s ε_1..ε_T, η)."""
    return NormalStreams([f"tendencia:{code}" for code in municipios], seed, shape=(years + 1,), dtype=np.float32)


def error_scales(inputs: ProjectionInputs, params) -> np.ndarray:
    """Each municipality's trend-error scale (M,) (``streams.error_scale``), from its own revenue
    in the last history year (``projection.own_revenue_base``)."""
    u = params.uncertainty
    return error_scale(own_revenue_base(inputs, Values(params)), u.trend_error_reference, u.trend_error_elasticity)


def chunk_errors(normals: NormalStreams, start: int, stop: int, scales: np.ndarray, params,
                 dtype: type = np.float32) -> np.ndarray:
    """Each municipality's multiplicative trend error (``streams.trend_error``) for draws
    [start, stop), (M, stop − start, T), in ``dtype``, from the trend normals ``normals``
    (:func:`trend_streams`) and the municipalities' ``scales`` (:func:`error_scales`)."""
    shocks = np.empty((len(normals.keys), stop - start, *normals.shape), dtype=normals.dtype)
    normals.fill(shocks, start)
    u = params.uncertainty
    return trend_error(shocks if shocks.dtype == dtype else shocks.astype(dtype), u.trend_error, u.growth_error,
                       scales)


def chunk_arrays(inputs: ProjectionInputs, params, ctx, stream_growth, start: int, stop: int, seed: int,
                 errors: np.ndarray, plan_om=None, plan_debt=None) -> ModelArrays:
    """The model for draws [start, stop) of the group ``inputs``, given the trend errors of those
    draws, ``errors`` (M, stop − start, T) (:func:`chunk_errors`)."""
    specs = uncertainty_specs(params)
    draws = {k: v.reshape(-1) for k, v in sample_chunk(specs, start, stop, seed, correlations(params) or None).items()}
    v = Values(params, draws)
    v.n_draws = stop - start
    return project_arrays(inputs, v, ctx, stream_growth, errors=errors, plan_om=plan_om, plan_debt=plan_debt,
                          detail=False)


#: Municipality-draws per chunk: about 0.3 GB of model lines at most.
CELLS_PER_CHUNK = 50_000


def default_chunk(n_municipios: int) -> int:
    """Draws per chunk: about ``CELLS_PER_CHUNK`` municipality-draws, a multiple of 64 (so the
    percentile summary's groups of draws, a power of two, divide it)."""
    return max(64, CELLS_PER_CHUNK // n_municipios // 64 * 64)


def simulate(inputs: ProjectionInputs, params, ctx, stream_growth, n: int, seed: int,
             outcomes: tuple[str, ...] = OUTCOMES, chunk: int | None = None, plan_om=None,
             plan_debt=None, dtype: type = np.float32) -> Simulation:
    """Percentiles of ``outcomes`` and event probabilities over ``n`` draws, chunk by chunk.

    The chunk size does not change the result (draws are keyed by block, not by chunk); by
    default it keeps about ``CELLS_PER_CHUNK`` municipality-draws in memory at once.
    """
    if n < 1:
        raise NexosError(f"--simulaciones {n}: se esperaba un número entero de 1 o más")
    acc = PercentileAccumulator(n)
    events = ProbabilityAccumulator()
    years = None
    rule_names: list[str] = []
    chunk = chunk or default_chunk(len(inputs.municipios))
    horizon = len(projection_years(inputs, Values(params)))  # the estimated and the projected years
    normals = trend_streams(inputs.municipios, seed, horizon)
    scales = error_scales(inputs, params)
    spans = list(chunks(n, chunk))
    # Two stages on the two cores: a helper thread draws the next chunk's normals and turns them
    # into trend errors (numpy releases the GIL for both) while this one runs the model on the
    # current chunk and summarises it. The helper fills the chunks in order, as one loop would:
    # the same draws, bit for bit.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nexos-normales") as helper:
        pending = helper.submit(chunk_errors, normals, *spans[0], scales, params, dtype)
        for i, (start, stop) in enumerate(spans):
            errors = pending.result()
            if i + 1 < len(spans):
                pending = helper.submit(chunk_errors, normals, *spans[i + 1], scales, params, dtype)
            arrays = chunk_arrays(inputs, params, ctx, stream_growth, start, stop, seed, errors, plan_om, plan_debt)
            del errors
            years = arrays.years
            acc.add([arrays.lines[o] for o in outcomes], draws_axis=1)  # cells (O, M, T), no stacked copy
            flags = breach_flags(arrays.fiscal, Values(params), years)
            rule_names = list(flags)
            events.add([arrays.lines["deficit"] > 0.005, *flags.values()], draws_axis=1)  # (E, M, T)
    municipios, years = list(inputs.municipios), years.astype(int).tolist()
    percentiles = _by_municipality(acc.table({"concepto": list(outcomes), "municipio": municipios, "anio": years}))
    probabilities = _by_municipality(events.table({"evento": ["deficit", *rule_names], "municipio": municipios,
                                                   "anio": years}))
    return Simulation(percentiles[["municipio", "anio", "concepto", *COLUMNS, "media"]],
                      probabilities[["municipio", "anio", "evento", "probabilidad"]], n, seed)


def _by_municipality(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of a (what, municipio, anio) product table reordered municipality first:
    (municipio, what, anio), the order of the other tables."""
    codes, years = table["municipio"].nunique(), table["anio"].nunique()
    order = np.arange(len(table)).reshape(-1, codes, years).transpose(1, 0, 2).reshape(-1)
    return table.iloc[order].reset_index(drop=True)
