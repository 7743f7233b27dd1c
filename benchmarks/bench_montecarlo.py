"""Monte Carlo speed and memory against the physical floor, measured side by side in one run.

1. All municipalities × 10 years × 10,000 draws, full projection to percentiles, against **the
   floor**: plain ``numpy.random.default_rng().standard_normal`` drawing as many normals as the
   run needs (7 uncertainties plus one per municipality and year + 1, per draw), in float32 as
   the run draws its trend normals (faster than float64), in 20 M slices, in this process. Goal: within 3× of the floor. For reference it also times the
   project's own RNG (``NormalStreams``, the same variables and chunks the run draws), so the two
   ratios cannot be mistaken for each other. The floor is timed before and after the run and
   the faster time is used (the ratio errs high on a noisy machine, never low).
   It also times **the plain summary**: numpy reading the run's seven percentiles off as many
   values as the run summarises (its outcomes × municipalities × years × draws, float32, one row
   of draws per cell), the faster of ``numpy.percentile`` and one ``numpy.sort`` per row. No
   implementation that reports those percentiles can beat normals + summary, so the run's ratio
   to that sum says how much the model itself costs.
2. The run's peak memory (peak RSS of a child process that only does the run; goal < 2 GB) and
   its CPU time: the run draws the normals in a helper thread while the model runs (two cores),
   so its CPU time against the floor says what the wall-clock ratio owes to the second core.
3. One municipality: the deterministic core (goal < 20 ms) and 10,000 draws (< 300 ms).

Run with ``make bench`` or ``python -m benchmarks.bench_montecarlo [--draws N]``.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

SEED = 2026
#: Slice of the floor's draws: what a plain script would use (80 MB of float32).
FLOOR_SLICE = 20_000_000


def _setup(codes=None):
    from nexos_model.api import prepared_default as _prepared_default
    from nexos_model.params.loader import load_parameters
    from nexos_model.projection import end_year, subset

    params = load_parameters(None, "base").params
    q = params.quality
    prepared = _prepared_default(params.projection.measure, q.outlier_factor, q.outlier_floor,
                                 q.flagged_values == "excluir")
    ctx, growth = prepared.context(end_year(params.calendar))
    inputs = prepared.inputs if codes is None else subset(prepared.inputs, codes)
    return inputs, params, ctx, growth


def _years(inputs, params) -> int:
    """How many years the model projects (estimated and projected)."""
    from nexos_model.params.values import Values
    from nexos_model.projection import projection_years

    return len(projection_years(inputs, Values(params)))


def normals_needed(inputs, params, draws: int) -> int:
    """How many standard normals a Monte Carlo run of ``draws`` draws: per draw, one per
    uncertainty and T + 1 per municipality (its own-revenue trend error)."""
    from nexos_model.params.uncertainty import uncertainty_specs

    per_draw = len(uncertainty_specs(params)) + len(inputs.municipios) * (_years(inputs, params) + 1)
    return draws * per_draw


def floor_seconds(count: int, seed: int = SEED) -> float:
    """Seconds for plain numpy to draw ``count`` float32 standard normals (the run's trend
    normals' type), in 20 M slices."""
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    left = count
    while left > 0:
        rng.standard_normal(min(left, FLOOR_SLICE), dtype=np.float32)
        left -= FLOOR_SLICE
    return time.perf_counter() - start


#: Cells per block of the plain summary's values: 80 MB of float32 at 10,000 draws.
SUMMARY_BLOCK = 2_000


def summary_cells(inputs, params) -> int:
    """How many cells (outcome, municipality, year) the run summarises over its draws."""
    from nexos_model.scenarios.montecarlo import OUTCOMES

    return len(OUTCOMES) * len(inputs.municipios) * _years(inputs, params)


def plain_summary_seconds(cells: int, draws: int, seed: int = SEED) -> tuple[float, float]:
    """Seconds for plain numpy to read the seven percentiles off ``cells`` rows of ``draws``
    float32 values: with ``numpy.percentile`` and with one ``numpy.sort`` per row (the values'
    making is not timed)."""
    from nexos_model.scenarios.summary import PERCENTILES

    rng = np.random.default_rng(seed)
    ranks = np.round(np.asarray(PERCENTILES) / 100 * (draws - 1)).astype(int)
    by_percentile = by_sort = 0.0
    for start in range(0, cells, SUMMARY_BLOCK):
        values = rng.standard_normal((min(SUMMARY_BLOCK, cells - start), draws), dtype=np.float32)
        np.exp(values, out=values)
        tic = time.perf_counter()
        np.percentile(values, PERCENTILES, axis=1)
        by_percentile += time.perf_counter() - tic
        tic = time.perf_counter()
        np.sort(values, axis=1)[:, ranks]
        by_sort += time.perf_counter() - tic
    return by_percentile, by_sort


def project_rng_seconds(inputs, params, draws: int, seed: int = SEED) -> float:
    """Seconds for the project's RNG to draw exactly the normals the run draws, chunk by chunk."""
    from nexos_model.params.uncertainty import uncertainty_specs
    from nexos_model.scenarios.montecarlo import default_chunk, trend_streams
    from nexos_model.scenarios.sampling import NormalStreams, chunks

    start = time.perf_counter()
    specs = NormalStreams(sorted(uncertainty_specs(params)), seed)
    trend = trend_streams(inputs.municipios, seed, _years(inputs, params))
    for a, b in chunks(draws, default_chunk(len(inputs.municipios))):
        specs.fill(np.empty((len(specs.keys), b - a)), a)
        trend.fill(np.empty((len(trend.keys), b - a, *trend.shape), dtype=trend.dtype), a)
    return time.perf_counter() - start


def full_run(draws: int, seed: int = SEED) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds (all threads) of the national run, and its percentile rows."""
    from nexos_model.scenarios.montecarlo import simulate

    inputs, params, ctx, growth = _setup()
    start, cpu = time.perf_counter(), time.process_time()
    sim = simulate(inputs, params, ctx, growth, draws, seed)
    return time.perf_counter() - start, time.process_time() - cpu, len(sim.percentiles)


def _child(draws: int) -> None:
    elapsed, cpu, rows = full_run(draws)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{elapsed:.3f} {rows} {peak_kib} {cpu:.3f}")


def one_municipality(code: str = "0901", draws: int = 10_000) -> tuple[float, float]:
    from nexos_model.params.values import Values
    from nexos_model.projection import project_arrays
    from nexos_model.scenarios.montecarlo import simulate

    inputs, params, ctx, growth = _setup([code])
    det = []
    for _ in range(15):
        start = time.perf_counter()
        project_arrays(inputs, Values(params), ctx, growth)
        det.append(time.perf_counter() - start)
    mc = []
    for _ in range(5):
        start = time.perf_counter()
        simulate(inputs, params, ctx, growth, draws, SEED)
        mc.append(time.perf_counter() - start)
    return statistics.median(det), statistics.median(mc)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        _child(args.draws)
        return
    det, mc = one_municipality()
    print(f"Un municipio (0901): proyección determinista {det * 1000:.1f} ms (meta < 20 ms); "
          f"{10_000} simulaciones {mc * 1000:.0f} ms (meta < 300 ms)")
    inputs, params, _, _ = _setup()
    count = normals_needed(inputs, params, args.draws)
    floor_before = floor_seconds(count)
    own_rng = project_rng_seconds(inputs, params, args.draws)
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_montecarlo", "--child", "--draws",
                          str(args.draws)], capture_output=True, text=True, check=True)
    floor = min(floor_before, floor_seconds(count))
    cells = summary_cells(inputs, params)
    by_percentile, by_sort = plain_summary_seconds(cells, args.draws)
    summary = min(by_percentile, by_sort)
    elapsed, rows, peak_kib, cpu = out.stdout.split()
    elapsed, cpu = float(elapsed), float(cpu)
    print(f"{len(inputs.municipios)} municipios × {_years(inputs, params)} años × {args.draws} simulaciones "
          f"({count / 1e6:.0f} M normales, {int(rows)} filas de percentiles):")
    print(f"  piso (numpy default_rng().standard_normal, {count / 1e6:.0f} M normales float32): {floor:.2f} s "
          f"(antes {floor_before:.2f} s)")
    print(f"  RNG del proyecto (NormalStreams, mismas normales): {own_rng:.2f} s = {own_rng / floor:.2f}× el piso")
    print(f"  proyección completa a percentiles: {elapsed:.2f} s = {elapsed / floor:.2f}× el piso (meta ≤ 3×); "
          f"{elapsed / own_rng:.2f}× el RNG del proyecto")
    print(f"  resumen plano (numpy, 7 percentiles de {cells:,} celdas × {args.draws} simulaciones = "
          f"{cells * args.draws / 1e6:.0f} M valores): numpy.percentile {by_percentile:.2f} s, numpy.sort "
          f"{by_sort:.2f} s; el más rápido = {summary / floor:.2f}× el piso de normales")
    print(f"  proyección completa frente a normales + resumen plano ({floor + summary:.2f} s): "
          f"{elapsed / (floor + summary):.2f}×")
    print(f"  tiempo de CPU de la corrida (sus dos hilos: normales y modelo): {cpu:.2f} s = {cpu / floor:.2f}× el piso")
    print(f"  memoria máxima (RSS del proceso de la corrida): {int(peak_kib) / 1024**2:.2f} GB (meta < 2 GB)")


if __name__ == "__main__":
    main(sys.argv[1:])
