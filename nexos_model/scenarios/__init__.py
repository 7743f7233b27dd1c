"""Uncertainty and scenarios: distribution specs, seeded Monte Carlo draws, percentile
summaries and sensitivity analysis. Model-independent: the projection calls these with its
own inputs and outcomes.

- :mod:`.distributions`: what a user writes in YAML (``{distribucion: normal, media: ...}``).
- :mod:`.sampling`: seeded, chunkable draws through a Gaussian copula.
- :mod:`.summary`: percentile and probability tables (exact, or streamed by chunks).
- :mod:`.sensitivity`: tornado and Sobol' indices over a vectorized model.
"""

from nexos_model.params.distributions import Spec, central, describe, parse_spec, parse_specs
from nexos_model.scenarios.sampling import (
    BLOCK_SIZE,
    central_sample,
    chunks,
    draw_standard_normals,
    sample,
    sample_chunk,
)
from nexos_model.scenarios.sensitivity import bounds_from_specs, sobol, tornado
from nexos_model.scenarios.summary import (
    COLUMNS,
    PERCENTILES,
    PercentileAccumulator,
    ProbabilityAccumulator,
    percentile_table,
    probability_table,
)

__all__ = [
    "BLOCK_SIZE",
    "COLUMNS",
    "PERCENTILES",
    "PercentileAccumulator",
    "ProbabilityAccumulator",
    "Spec",
    "bounds_from_specs",
    "central",
    "central_sample",
    "chunks",
    "describe",
    "draw_standard_normals",
    "parse_spec",
    "parse_specs",
    "percentile_table",
    "probability_table",
    "sample",
    "sample_chunk",
    "sobol",
    "tornado",
]
