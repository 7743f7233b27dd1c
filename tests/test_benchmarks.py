"""The benchmarks stay runnable (``make bench``): their floors count what the run does."""

from __future__ import annotations

import numpy as np

from benchmarks import bench_montecarlo as bench
from nexos_model.params.uncertainty import uncertainty_specs
from nexos_model.scenarios.montecarlo import OUTCOMES, simulate, trend_streams


def test_the_floors_count_the_normals_drawn_and_the_cells_summarised():
    inputs, params, ctx, growth = bench._setup(["0901", "1301"])
    draws = 96
    years = bench._years(inputs, params)
    trend = trend_streams(inputs.municipios, bench.SEED, years)
    drawn = len(uncertainty_specs(params)) * draws + len(trend.keys) * draws * int(np.prod(trend.shape))
    assert bench.normals_needed(inputs, params, draws) == drawn
    sim = simulate(inputs, params, ctx, growth, draws, bench.SEED)
    assert bench.summary_cells(inputs, params) == len(sim.percentiles) == len(OUTCOMES) * 2 * years
    by_percentile, by_sort = bench.plain_summary_seconds(bench.SUMMARY_BLOCK + 3, 50)  # two blocks
    assert by_percentile > 0 and by_sort > 0
    assert bench.floor_seconds(1000) > 0
