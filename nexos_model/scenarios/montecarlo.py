"""Monte Carlo: the same projection (``projection.project_arrays``) over a draws axis.

Draws come in chunks (memory stays bounded for any number of simulations and municipalities);
within a chunk every municipality of the group shares the parameter draws, so the coupled art.
119 formula stays correct draw by draw. Two sources of randomness:

- parameters declared as uncertainties (``incertidumbre.distribuciones``), through a Gaussian
  copula with ``incertidumbre.correlaciones``;
- the trend error of each own-revenue stream, independent across streams and municipalities:
  a transitory yearly error (``incertidumbre.error_tendencia``) plus an error in its growth rate
  (``incertidumbre.error_crecimiento``), calibrated with ``nexos backtest --simulaciones``.

Seeded and reproducible; the chunk size does not change the draws (see ``scenarios.sampling``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nexos_model.errors import NexosError
from nexos_model.fiscal.rules import breach_flags
from nexos_model.params.uncertainty import correlations, uncertainty_specs
from nexos_model.params.values import Values
from nexos_model.projection import ModelArrays, ProjectionInputs, project_arrays, projection_years
from nexos_model.revenue.streams import stream_table
from nexos_model.scenarios.sampling import chunks, draw_standard_normals, sample_chunk
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


def trend_shocks(stream_names: tuple[str, ...], municipios: tuple[str, ...], start: int, stop: int, seed: int,
                 years: int) -> tuple[np.ndarray, np.ndarray]:
    """Standard normals for draws [start, stop), keyed by stream name: the yearly noise
    (M, D, S, T) and the growth-rate error (M, D, S) of each stream."""
    z = draw_standard_normals([f"tendencia:{name}" for name in stream_names], stop - start, seed,
                              start=start, shape=(len(municipios), years + 1))  # (S, D, M, T + 1)
    return z[..., :years].transpose(2, 1, 0, 3), z[..., years].transpose(2, 1, 0)


def chunk_arrays(inputs: ProjectionInputs, values_params, ctx, stream_growth, start: int, stop: int, seed: int,
                 om_cost=None, plan_debt=None) -> ModelArrays:
    """The model for draws [start, stop) of the group ``inputs``."""
    specs = uncertainty_specs(values_params)
    draws = {k: v.reshape(-1) for k, v in sample_chunk(specs, start, stop, seed, correlations(values_params) or None).items()}
    names = stream_table(values_params.own_revenue, list(inputs.concepts)).names
    v = Values(values_params, draws)
    shocks = trend_shocks(names, inputs.municipios, start, stop, seed, len(projection_years(inputs, v)))
    v.n_draws = stop - start
    return project_arrays(inputs, v, ctx, stream_growth, shocks=shocks, om_cost=om_cost, plan_debt=plan_debt,
                          detail=False)


#: Municipality-draws per chunk: about 0.3 GB of model lines at most.
CELLS_PER_CHUNK = 50_000


def simulate(inputs: ProjectionInputs, params, ctx, stream_growth, n: int, seed: int,
             outcomes: tuple[str, ...] = OUTCOMES, chunk: int | None = None, om_cost=None,
             plan_debt=None) -> Simulation:
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
    chunk = chunk or max(64, CELLS_PER_CHUNK // len(inputs.municipios))
    for start, stop in chunks(n, chunk):
        arrays = chunk_arrays(inputs, params, ctx, stream_growth, start, stop, seed, om_cost, plan_debt)
        years = arrays.years
        cube = np.stack([np.asarray(arrays.lines[o]) for o in outcomes], axis=2)  # (M, D, O, T)
        acc.add(np.moveaxis(cube, 1, 0))
        flags = breach_flags(arrays.fiscal, Values(params), years)
        rule_names = list(flags)
        event = np.stack([np.asarray(arrays.lines["deficit"]) > 0.005] + [flags[r] for r in rule_names], axis=2)
        events.add(np.moveaxis(event, 1, 0))
    labels = {"municipio": list(inputs.municipios), "concepto": list(outcomes), "anio": years.astype(int).tolist()}
    percentiles = acc.table(labels)[["municipio", "anio", "concepto", *COLUMNS, "media"]]
    probabilities = events.table({"municipio": list(inputs.municipios), "evento": ["deficit", *rule_names],
                                  "anio": years.astype(int).tolist()})[["municipio", "anio", "evento", "probabilidad"]]
    return Simulation(percentiles, probabilities, n, seed)
