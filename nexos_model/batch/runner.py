"""``run_batch``: every municipality under every scenario, in parallel, resumable, fault-isolated.

1. Plan: one :class:`~.jobs.Job` per municipality and scenario, with the hash of its inputs.
2. Skip what is up to date: a job whose folder holds a stamp with the same hash and every
   requested output (unless ``force``).
3. Run the rest on an executor (local processes or Dask), showing progress (done, up to date,
   failed).
4. Write ``resumen.csv``/``.xlsx`` and ``fallas.csv``. A Ctrl-C stops handing out jobs, lets the
   running ones finish their files, and still writes the summary (unfinished jobs are marked
   ``pendiente``); the next run picks up from there.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from tqdm import tqdm

from nexos_model.api import resolve_municipios
from nexos_model.batch.executors import EXECUTORS, default_workers
from nexos_model.batch.jobs import Job, Outcome, input_hash, package_fingerprint
from nexos_model.batch.summary import write_summary
from nexos_model.batch.worker import WorkerOptions, read_stamp
from nexos_model.errors import NexosError, ParameterError
from nexos_model.io.store import store_dir
from nexos_model.params.loader import load_parameters, params_folders, scenario_path
from nexos_model.report.chromium import chromium_path
from nexos_model.io.bundled import TEMPLATES_DIR
from nexos_model.report.render import FILE_NAMES, REPORT_WORKBOOK, parse_formats

__all__ = ["BatchResult", "DEFAULT_FORMATS", "plan_jobs", "run_batch", "up_to_date"]

DEFAULT_FORMATS = ("html", "xlsx")


@dataclass
class BatchResult:
    """What a batch did: one outcome per job, the summary files, the time, and whether Ctrl-C
    stopped it."""

    outcomes: list[Outcome]
    out_dir: Path
    paths: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]


def _list(value: str | Iterable[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return list(dict.fromkeys(s.strip() for s in items if s and s.strip()))


def plan_jobs(municipios: str | Iterable[str], escenarios: str | Iterable[str], out_dir: Path,
              formats: Iterable[str], overrides: Mapping[str, Any] | None = None,
              workbook: Path | None = None) -> list[Job]:
    """The jobs of a batch, each with its input hash. Unknown municipalities or scenarios raise
    ``NexosError`` (all of them at once) before anything runs."""
    chosen = tuple(parse_formats(list(formats)))
    if "pdf" in chosen:
        chromium_path()  # no browser: say so before anything runs
    codes = resolve_municipios(municipios)
    names = _list(escenarios)
    if not names:
        raise NexosError("--escenarios: no se indicó ningún escenario (p. ej. base,optimista)")
    errors: list[str] = []
    folders = params_folders()
    for name in names:
        try:
            scenario_path(name, folders)
            if overrides:  # adjustments for every job: wrong ones are refused now, not 340 times
                load_parameters(None, name, overrides)
        except ParameterError as exc:
            errors.extend(m for m in exc.messages if m not in errors)
    if errors:
        raise NexosError(errors)
    workbook = Path(workbook or REPORT_WORKBOOK).resolve()
    if not workbook.is_file():
        raise NexosError(f"{workbook}: el cuaderno no existe")
    data = store_dir().resolve()
    package = package_fingerprint(TEMPLATES_DIR)
    values = dict(overrides or {})
    out_dir = Path(out_dir).resolve()
    user = os.pathsep.join(str(f) for f in folders.chain()[:-1])
    return [Job(code, name, str(out_dir / code / name), chosen, str(workbook), user, values,
                input_hash(code, name, folders, values, workbook, package, data), str(data))
            for code in codes for name in names]


def up_to_date(job: Job) -> Outcome | None:
    """A skipped outcome when the job's folder already holds its outputs for the same inputs:
    the stamp has the job's hash, lists every requested format, and the files are there."""
    folder = Path(job.out_dir)
    stamp = read_stamp(folder)
    if not stamp or stamp.get("hash") != job.digest or not set(job.formats) <= set(stamp.get("formatos", [])):
        return None
    files = {kind: folder / name for kind, name in FILE_NAMES.items() if kind in job.formats}
    if {"html", "pdf"} & set(job.formats):
        files["ipynb"] = folder / FILE_NAMES["ipynb"]
    if not all(path.is_file() for path in files.values()):
        return None
    return Outcome(job.municipio, job.escenario, "skipped", files={k: str(v) for k, v in files.items()},
                   headline=dict(stamp.get("resumen") or {}))


def run_batch(municipios: str | Iterable[str], escenarios: str | Iterable[str] = "base",
              out_dir: str | os.PathLike[str] = "salida/lote", formats: Iterable[str] = DEFAULT_FORMATS,
              workers: int | None = None, engine: str = "local", scheduler: str | None = None,
              isolated: bool = False, force: bool = False, overrides: Mapping[str, Any] | None = None,
              recycle_every: int = 100, progress: bool = True, workbook: Path | None = None) -> BatchResult:
    """Run the report workbook for every municipality and scenario into ``out_dir``.

    Per job: ``out_dir/<code>/<escenario>/`` with ``workbook.ipynb``, ``reporte.html``,
    ``reporte.pdf``, ``proyeccion.xlsx`` (as ``formats`` asks) and the stamp ``lote.json``;
    for the batch: ``resumen.csv``, ``resumen.xlsx`` and ``fallas.csv``. ``engine`` is ``local``
    or ``dask`` (``scheduler``: address of an existing Dask cluster). User errors in the
    selection raise ``NexosError``; failures of single jobs are recorded, never raised.
    """
    start = time.perf_counter()
    if engine not in EXECUTORS:
        raise NexosError(f"--motor {engine}: motor desconocido (se esperaba: {', '.join(EXECUTORS)})")
    if scheduler and engine != "dask":
        engine = "dask"  # an address only makes sense for Dask
    out = Path(out_dir).resolve()
    jobs = plan_jobs(municipios, escenarios, out, formats, overrides, workbook)
    outcomes: dict[tuple[str, str], Outcome] = {
        job.key: Outcome(job.municipio, job.escenario, "pending") for job in jobs}
    todo = []
    for job in jobs:
        skipped = None if force else up_to_date(job)
        if skipped:
            outcomes[job.key] = skipped
        else:
            todo.append(job)


    counts = {"hechos": 0, "al día": len(jobs) - len(todo), "fallas": 0}
    bar = tqdm(total=len(jobs), initial=counts["al día"], unit="informe", desc="nexos lote",
               disable=not progress, dynamic_ncols=True)
    bar.set_postfix(counts)
    interrupted = False
    options = WorkerOptions(isolated=isolated, recycle_every=recycle_every)
    executor = EXECUTORS[engine](workers or default_workers(), options, scheduler) if todo else None
    try:
        if executor is not None:
            with executor:
                try:
                    for outcome in executor.run(todo):
                        outcomes[(outcome.municipio, outcome.escenario)] = outcome
                        counts["fallas" if outcome.status == "failed" else "hechos"] += 1
                        bar.set_postfix(counts, refresh=False)
                        bar.update(1)
                except KeyboardInterrupt:  # hand out no more jobs; running ones finish their files
                    interrupted = True
                    executor.cancel()
    except KeyboardInterrupt:  # a second Ctrl-C while waiting: workers were stopped
        interrupted = True
    finally:
        bar.close()
    for outcome in executor.late if executor is not None else []:  # finished while the batch was stopping
        if outcome.status != "pending":
            outcomes[(outcome.municipio, outcome.escenario)] = outcome
    result = BatchResult(list(outcomes.values()), out, interrupted=interrupted)

    result.paths = write_summary(result.outcomes, out)
    result.seconds = time.perf_counter() - start
    return result

