"""``python -m tests.fuzz``: the long fuzz run (``make fuzz``), or one case to look at.

    python -m tests.fuzz --casos 10000 --semilla 17 --informe salida/fuzz.json
    python -m tests.fuzz --semilla 17 --caso 1234      # one case, in this process, with its output

Prints the counts (cases, uncaught exceptions, cases over 10 s or 2 GB, messages naming the
wrong file, English messages) and every failing case with the command that repeats it; writes
them as JSON with ``--informe``. Exits 1 if any case failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

from tests.fuzz.harness import counts, describe, run_case, run_cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.splitlines()[0])
    parser.add_argument("--casos", type=int, default=10_000, help="cuántos casos (por defecto 10000)")
    parser.add_argument("--semilla", type=int, default=17, help="semilla de la corrida (por defecto 17)")
    parser.add_argument("--desde", type=int, default=0, help="primer número de caso")
    parser.add_argument("--trabajadores", type=int, default=2, help="procesos (por defecto 2)")
    parser.add_argument("--caso", type=int, help="correr solo este caso, aquí, y mostrar su salida")
    parser.add_argument("--informe", type=Path, help="escribir las cifras y los casos fallidos en este JSON")
    args = parser.parse_args(argv)

    if args.caso is not None:
        outcome = run_case(args.semilla, args.caso)
        print(f"nexos {' '.join(outcome.argv)}\nmutaciones: {outcome.steps}\nestado: {outcome.exit_code}, "
              f"{outcome.seconds:.2f} s, {outcome.peak_bytes / 2**20:.0f} MB\n--- stdout\n{outcome.stdout}"
              f"--- stderr\n{outcome.stderr}{outcome.uncaught}")
        if outcome.failed:
            print(describe(outcome, args.semilla))
        return 1 if outcome.failed else 0

    start = time.perf_counter()
    done = 0

    def progress(outcome) -> None:
        nonlocal done
        done += 1
        if outcome.failed:
            print(describe(outcome, args.semilla), flush=True)
        if done % 500 == 0:
            print(f"... {done} casos en {time.perf_counter() - start:.0f} s", flush=True)

    results = run_cases(args.semilla, range(args.desde, args.desde + args.casos), args.trabajadores, progress)
    figures = counts(results) | {"semilla": args.semilla, "desde": args.desde,
                                 "segundos_total": round(time.perf_counter() - start, 1)}
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    failed = [o for o in results if o.failed]
    if args.informe:
        args.informe.parent.mkdir(parents=True, exist_ok=True)
        args.informe.write_text(json.dumps({"cifras": figures, "fallidos": [asdict(o) for o in failed]},
                                           ensure_ascii=False, indent=1), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
