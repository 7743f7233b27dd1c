"""Monte Carlo speed and memory, measured side by side in one run.

1. All municipalities × 10 years × 10,000 draws, full projection to percentiles, against the
   time numpy takes just to draw the random numbers that run uses (goal: within 3×), and the
   run's peak memory (goal: under 2 GB; measured in a child process).
2. One municipality: the deterministic core (goal: under 20 ms) and 10,000 draws (under 300 ms).

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


def rng_only(inputs, params, draws: int, seed: int) -> float:
    """Seconds to draw exactly the random numbers the Monte Carlo run draws (and nothing else)."""
    from nexos_model.params.uncertainty import correlations, uncertainty_specs
    from nexos_model.revenue.streams import stream_table
    from nexos_model.scenarios.montecarlo import CELLS_PER_CHUNK
    from nexos_model.scenarios.sampling import chunks, draw_standard_normals

    names = stream_table(params.own_revenue, list(inputs.concepts)).names
    specs = sorted(uncertainty_specs(params))
    chunk = max(64, CELLS_PER_CHUNK // len(inputs.municipios))
    start = time.perf_counter()
    for a, b in chunks(draws, chunk):
        draw_standard_normals(specs, b - a, seed, start=a)
        draw_standard_normals([f"tendencia:{n}" for n in names], b - a, seed, start=a,
                              shape=(len(inputs.municipios), _years(inputs, params) + 1))
    return time.perf_counter() - start


def full_run(draws: int, seed: int) -> tuple[float, int]:
    from nexos_model.scenarios.montecarlo import simulate

    inputs, params, ctx, growth = _setup()
    start = time.perf_counter()
    sim = simulate(inputs, params, ctx, growth, draws, seed)
    elapsed = time.perf_counter() - start
    return elapsed, len(sim.percentiles)


def _child(draws: int, seed: int) -> None:
    elapsed, rows = full_run(draws, seed)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{elapsed:.3f} {rows} {peak_kib}")


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
    for _ in range(3):
        start = time.perf_counter()
        simulate(inputs, params, ctx, growth, draws, 2026)
        mc.append(time.perf_counter() - start)
    return statistics.median(det), statistics.median(mc)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        _child(args.draws, 2026)
        return
    det, mc = one_municipality()
    print(f"Un municipio (0901): proyección determinista {det * 1000:.1f} ms (meta < 20 ms); "
          f"{10_000} simulaciones {mc * 1000:.0f} ms (meta < 300 ms)")
    inputs, params, _, _ = _setup()
    rng = rng_only(inputs, params, args.draws, 2026)
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench_montecarlo", "--child", "--draws",
                          str(args.draws)], capture_output=True, text=True, check=True)
    elapsed, rows, peak_kib = out.stdout.split()
    elapsed = float(elapsed)
    print(f"{len(inputs.municipios)} municipios × {_years(inputs, params)} años × {args.draws} simulaciones: "
          f"solo números aleatorios {rng:.1f} s; proyección completa a percentiles {elapsed:.1f} s; "
          f"razón {elapsed / rng:.2f}× (meta ≤ 3×); memoria máxima {int(peak_kib) / 1024**2:.2f} GB (meta < 2 GB)")


if __name__ == "__main__":
    main(sys.argv[1:])
