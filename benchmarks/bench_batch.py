"""Batch reports: the plain loop (Papermill CLI + nbconvert CLI per municipality) vs ``nexos lote``.

Both produce, for the same municipalities under ``base``, the executed report workbook and its
HTML, one after another in this process, on this machine (compare within a run: the machine
is shared and noisy). The plain loop is what an analyst would script:

    papermill workbooks/reporte_concejo.ipynb out.ipynb -r municipio 0901 -p escenario base
    jupyter nbconvert --to html --no-input out.ipynb

``nexos lote --formato html`` is run as a user runs it (CLI, ``--trabajos`` = cores), cold:
its time includes starting its workers, kernels and the model's caches.

``python -m benchmarks.bench_batch --todos`` (or ``NEXOS_BENCH_TODOS=1 make bench``) also times
all 340 municipalities × 1 scenario with HTML reports (a few minutes).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORKBOOK = ROOT / "workbooks" / "reporte_concejo.ipynb"
#: The comparison set: the five Western Highlands capitals and the rest of Quetzaltenango.
MUNICIPIOS = ["0901", "1301", "1201", "0801", "1401", *(f"09{n:02d}" for n in range(2, 17))]


def _run(command: list[str], allowed: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode not in allowed:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return done


def plain_loop(codes: list[str], out: Path) -> float:
    """Seconds for the Papermill CLI and then the nbconvert CLI, per municipality, in turn."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for code in codes:
        target = out / f"{code}.ipynb"
        _run([str(BIN / "papermill"), "--no-progress-bar", str(WORKBOOK), str(target),
              "-r", "municipio", code, "-p", "escenario", "base"])
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)])
    return time.perf_counter() - start


def nexos_lote(codes: list[str] | str, out: Path, formats: str = "html", *extra: str) -> tuple[float, str]:
    """Seconds for ``nexos lote`` as a user runs it, and its closing line."""
    selection = codes if isinstance(codes, str) else ",".join(codes)
    start = time.perf_counter()
    # Exit status 1 means some municipalities failed (listed in fallas.csv): still a timed batch.
    done = _run([sys.executable, "-m", "nexos_model.cli", "lote", "--municipios", selection,
                 "--escenarios", "base", "--formato", formats, "--salida", str(out), "--sin-progreso", *extra],
                allowed=(0, 1))
    return time.perf_counter() - start, done.stdout.splitlines()[0]


def compare(codes: list[str] = MUNICIPIOS) -> float:
    """Side by side on the same municipalities; prints both times and the ratio."""
    with tempfile.TemporaryDirectory(prefix="nexos-bench-lote-") as tmp:
        plain = plain_loop(codes, Path(tmp) / "plain")
        lote, line = nexos_lote(codes, Path(tmp) / "lote")
        produced = len(list((Path(tmp) / "lote").glob("*/base/reporte.html")))
        assert produced == len(codes), line
        rerun, _ = nexos_lote(codes, Path(tmp) / "lote")
    n = len(codes)
    print(f"{n} municipios, escenario base, cuaderno ejecutado + HTML, {os.cpu_count()} núcleos:")
    print(f"  ciclo simple (papermill CLI + jupyter nbconvert, uno tras otro): {plain:7.1f} s "
          f"({plain / n:.2f} s por municipio)")
    print(f"  nexos lote --formato html (en frío, --trabajos = núcleos):        {lote:7.1f} s "
          f"({lote / n:.2f} s por municipio)")
    print(f"  razón: {plain / lote:.1f}x más rápido; repetir el lote sin cambios: {rerun:.1f} s")
    return plain / lote


def all_municipalities() -> float:
    """Seconds for all 340 municipalities × base with HTML reports (cold start included)."""
    with tempfile.TemporaryDirectory(prefix="nexos-bench-todos-") as tmp:
        seconds, line = nexos_lote("todos", Path(tmp) / "lote")
        produced = len(list((Path(tmp) / "lote").glob("*/base/reporte.html")))
        failures = Path(tmp, "lote", "fallas.csv").read_text(encoding="utf-8").splitlines()[1:]
    print(f"  todos: 340 municipios (escenario base, HTML) en {seconds:.1f} s "
          f"({seconds / 340:.2f} s por municipio): {produced} reportes, {len(failures)} fallas")
    for row in failures:
        print(f"    falla: {row[:160]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    compare()
    if "--todos" in argv or os.environ.get("NEXOS_BENCH_TODOS"):
        all_municipalities()
    else:
        print("  (los 340 municipios: python -m benchmarks.bench_batch --todos)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
