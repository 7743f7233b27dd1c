"""``make demo``: project all bundled municipalities under ``base`` into ``salida/``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from nexos_model.api import run
from nexos_model.errors import NexosError
from nexos_model.io.writers import write_table
from nexos_model.report.render import chromium_path, render_report

REPORT_MUNICIPIOS = ("0901", "1301")  # Quetzaltenango, Huehuetenango


def main(out_dir: Path = Path("salida")) -> int:
    start = time.perf_counter()
    result = run("todos", "base")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        "proyeccion_base.csv": result.projection,
        "proyeccion_base.parquet": result.projection,
        "calidad_datos.csv": result.quality,
    }
    for name, table in written.items():
        write_table(table, out_dir / name)
    elapsed = time.perf_counter() - start
    years = result.projection["anio"]
    print(f"Nexos: {len(result.municipios)} municipios proyectados, escenario base, "
          f"{years.min()}-{years.max()} ({elapsed:.1f} s).")
    for name in written:
        print(f"  {out_dir / name}")
    print(f"  ({len(result.quality)} observaciones de calidad de datos en calidad_datos.csv)")

    formats = ["html", "xlsx"]
    try:
        chromium_path()
        formats.append("pdf")
    except NexosError as exc:
        print(f"  aviso: sin PDF ({exc.messages[0]})")
    print("Reportes para el Concejo Municipal:")
    for code in REPORT_MUNICIPIOS:
        paths = render_report(code, "base", formats, out_dir / "reportes" / code / "base")
        for kind in ("html", "pdf", "xlsx"):
            if kind in paths:
                print(f"  {paths[kind]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
