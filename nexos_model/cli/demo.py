"""``make demo``: project all bundled municipalities under ``base`` into ``salida/``, then batch-run
the council reports of the five Western Highlands capitals under ``base`` and ``optimista``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from nexos_model.api import run
from nexos_model.batch.runner import run_batch
from nexos_model.errors import NexosError
from nexos_model.io.writers import write_table
from nexos_model.report.chromium import chromium_path

#: Quetzaltenango, Huehuetenango, San Marcos, Totonicapán, Santa Cruz del Quiché.
REPORT_MUNICIPIOS = ("0901", "1301", "1201", "0801", "1401")
REPORT_ESCENARIOS = ("base", "optimista")


def main(out_dir: Path = Path("salida")) -> int:
    start = time.perf_counter()
    result = run("todos", "base")
    out_dir.mkdir(parents=True, exist_ok=True)
    tidy = result.tidy()  # observed, estimated and projected years (tipo)
    written = {
        "proyeccion_base.csv": tidy,
        "proyeccion_base.parquet": tidy,
        "calidad_datos.csv": result.quality,
    }
    for name, table in written.items():
        write_table(table, out_dir / name)
    elapsed = time.perf_counter() - start
    years = result.projection["anio"]
    print(f"Nexos: {len(result.municipios)} municipios proyectados, escenario base, "
          f"{years.min()}-{years.max()} (presupuesto que se prepara: {result.budget_year()}; los años "
          f"anteriores sin datos son estimaciones) ({elapsed:.1f} s).")
    for name in written:
        print(f"  {out_dir / name}")
    print(f"  ({len(result.quality)} observaciones de calidad de datos en calidad_datos.csv)")
    return reports(out_dir / "reportes")


def reports(out_dir: Path) -> int:
    """``nexos lote`` for the five capitals × base, optimista; prints where the reports are."""
    formats = ["html", "xlsx"]
    try:
        chromium_path()
        formats.append("pdf")
    except NexosError as exc:
        print(f"  aviso: sin PDF ({exc.messages[0]})")
    print(f"Reportes para el Concejo Municipal (nexos lote, {len(REPORT_MUNICIPIOS)} municipios × "
          f"{', '.join(REPORT_ESCENARIOS)}):")
    batch = run_batch(",".join(REPORT_MUNICIPIOS), ",".join(REPORT_ESCENARIOS), out_dir, formats)
    for outcome in sorted(batch.outcomes, key=lambda o: (o.municipio, o.escenario)):
        folder = out_dir / outcome.municipio / outcome.escenario
        if outcome.status in {"done", "skipped"}:
            kinds = ", ".join(Path(outcome.files[k]).name for k in ("html", "pdf", "xlsx") if k in outcome.files)
            print(f"  {folder}/  ({kinds})")
        else:
            print(f"  {folder}/  FALLA ({outcome.step}): {outcome.reason}")
    print(f"  resumen: {batch.paths['resumen.csv']} y {batch.paths['resumen.xlsx']}; "
          f"fallas: {batch.paths['fallas.csv']} ({len(batch.failed)}); {batch.count('done')} hechos, "
          f"{batch.count('skipped')} al día, en {batch.seconds:.1f} s")
    return 1 if batch.failed or batch.interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
