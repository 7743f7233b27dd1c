"""One job, start to finish, inside a worker: notebook, HTML, PDF, Excel, stamp.

A worker (a local process or a Dask worker thread) keeps one :class:`~.kernel.KeptKernel` and
one :class:`~.pdf.PdfPrinter` for all its jobs. Every file is written atomically (temporary
file + rename), and the stamp ``lote.json``, which lets a rerun skip the job, is written last,
so an interrupted job is redone rather than trusted. A failure is returned as an ``Outcome``
(never raised), so one municipality cannot stop the others.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nexos_model.batch.jobs import Job, Outcome
from nexos_model.batch.kernel import KeptKernel, NotebookFailed
from nexos_model.batch.pdf import PdfPrinter
from nexos_model.batch.tables import kernel_code, model_outputs
from nexos_model.errors import NexosError
from nexos_model.io.files import atomic_path, write_text
from nexos_model.io.store import STORE_VARIABLE
from nexos_model.params.loader import PARAMS_ENV
from nexos_model.report.render import FILE_NAMES, execution_error, to_html

__all__ = ["STAMP", "WorkerOptions", "Worker", "read_stamp", "run_job", "close_workers"]

#: The file beside a job's outputs holding its input hash, outputs and headline outcomes.
STAMP = "lote.json"
PARTIAL = "workbook.fallido.ipynb"


@dataclass(frozen=True)
class WorkerOptions:
    """How workers execute notebooks: a kernel reused for ``recycle_every`` runs, or a fresh
    kernel for each (``isolated``, the ``--aislado`` flag); ``timeout`` per cell, in seconds.

    Measured for the council report: a kept kernel grows about 0.3 MB per run (279 to 309 MB
    over 100 runs), while a fresh one costs about 8 s of CPU (imports, and the model preparing
    the bundled data), so replacing it every 100 runs costs some 3 % of a batch.
    """

    isolated: bool = False
    recycle_every: int = 100
    timeout: float = 600


def read_stamp(folder: Path) -> dict[str, Any] | None:
    """The stamp of a job folder, or None when missing or unreadable."""
    try:
        return json.loads((Path(folder) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _remove_leftovers(folder: Path) -> None:
    """Delete temporary files a killed run may have left (finished files are never partial)."""
    for path in folder.glob(".*.tmp*"):
        path.unlink(missing_ok=True)


class Worker:
    """Runs jobs one after another with a kept kernel and a kept browser."""

    def __init__(self, options: WorkerOptions):
        self.options = options
        self._kernel = None
        self._printer = None
        self._params_path: tuple[str, str] | None = None

    @property
    def kernel(self):
        if self._kernel is None:
            every = 1 if self.options.isolated else self.options.recycle_every
            self._kernel = KeptKernel(recycle_every=every, timeout=self.options.timeout)
        return self._kernel

    @property
    def printer(self):
        if self._printer is None:
            self._printer = PdfPrinter()
        return self._printer

    def _use_params(self, params_path: str, data_dir: str = "") -> None:
        """Point the model (and new kernels) at the batch's parameter folders and imported data."""
        if (params_path, data_dir) != self._params_path:
            os.environ[PARAMS_ENV] = params_path
            if data_dir:
                os.environ[STORE_VARIABLE] = data_dir
            if self._kernel is not None:  # a running kernel still sees the old folders
                self._kernel.close()
                self._kernel = None
            self._params_path = (params_path, data_dir)

    def close(self) -> None:
        for thing in (self._kernel, self._printer):
            if thing is not None:
                thing.close()
        self._kernel = self._printer = None

    # --- one job ------------------------------------------------------------------------------

    def run(self, job: Job) -> Outcome:
        """Produce the job's outputs; an ``Outcome`` with status ``done`` or ``failed``."""
        start = time.perf_counter()
        self._use_params(job.params_path, job.data_dir)
        folder = Path(job.out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(folder)
        previous = read_stamp(folder) or {}
        (folder / STAMP).unlink(missing_ok=True)
        # Formats an earlier run made from the same inputs stay valid (html now, pdf later).
        kept = previous.get("formatos", []) if previous.get("hash") == job.digest else []
        outcome = Outcome(job.municipio, job.escenario, "done")
        xlsx = str(folder / FILE_NAMES["xlsx"]) if "xlsx" in job.formats else None
        step = "cuaderno"
        try:
            nb = None
            if {"html", "pdf"} & set(job.formats):
                nb = self._notebook(job, folder, outcome)
                step = "modelo"
                model = self._kernel_model(job, xlsx, outcome)
            else:
                step = "modelo"
                model = model_outputs(job.municipio, job.escenario, job.overrides, xlsx)
            if "paso" in model:  # parameters or data the model rejects
                outcome.status, outcome.step = "failed", model["paso"]
                outcome.reason = outcome.reason or model["motivo"]
            if outcome.status == "failed":
                return self._finish(outcome, start)
            outcome.files.update(model["archivos"])
            outcome.headline = model["resumen"]
            if nb is not None:
                step = "html"
                html = to_html(nb)
                html_path = None
                if "html" in job.formats:
                    html_path = write_text(html, folder / FILE_NAMES["html"])
                    outcome.files["html"] = str(html_path)
                if "pdf" in job.formats:
                    step = "pdf"
                    outcome.files["pdf"] = str(self.printer.print(html, folder / FILE_NAMES["pdf"], html_path))
            (folder / PARTIAL).unlink(missing_ok=True)
            outcome.seconds = time.perf_counter() - start
            formats = [f for f in dict.fromkeys([*kept, *job.formats])
                       if f in job.formats or (folder / FILE_NAMES[f]).is_file()]
            self._stamp(job, folder, outcome, formats)
        except NexosError as exc:
            outcome.status, outcome.step, outcome.reason = "failed", step, "; ".join(exc.messages)
        except Exception as exc:  # an unexpected error stays with this job
            outcome.status, outcome.step = "failed", step
            outcome.reason = f"error inesperado: {type(exc).__name__}: {exc}"
        return self._finish(outcome, start)

    @staticmethod
    def _finish(outcome: Outcome, start: float) -> Outcome:
        outcome.seconds = time.perf_counter() - start
        return outcome

    def _notebook(self, job: Job, folder: Path, outcome: Outcome):
        """Execute the workbook and write ``workbook.ipynb``; on failure keep the partial one."""
        import nbformat  # lazy: optional dependency of the batch face, only when a workbook is written

        target = folder / FILE_NAMES["ipynb"]
        params = {"municipio": job.municipio, "escenario": job.escenario, "overrides": job.overrides}
        try:
            nb = self.kernel.execute(job.workbook, params, target)
        except NotebookFailed as failed:
            partial = folder / PARTIAL
            with atomic_path(partial) as tmp:
                nbformat.write(failed.nb, str(tmp))
            error = failed.error
            if getattr(error, "ename", None) is not None:  # a cell raised: Papermill's error
                message = "; ".join(execution_error(error, Path(job.workbook), partial).messages)
            else:  # the kernel died or a cell hung
                message = f"el cuaderno no terminó ({type(error).__name__}: {error})"
            outcome.status, outcome.reason, outcome.partial = "failed", message, str(partial)
            outcome.step = "cuaderno"
            return None
        with atomic_path(target) as tmp:
            nbformat.write(nb, str(tmp))
        outcome.files["ipynb"] = str(target)
        return nb

    def _kernel_model(self, job: Job, xlsx: str | None, outcome: Outcome) -> dict[str, Any]:
        """:func:`model_outputs` in the notebook's kernel. After a failed notebook it only says
        whether the parameters or the data were at fault (nothing else is written)."""
        failed = outcome.status == "failed"
        code = kernel_code(job.municipio, job.escenario, job.overrides, None if failed else xlsx)
        try:
            return json.loads(self.kernel.call(code).strip().splitlines()[-1])
        except Exception:
            if not failed:
                raise
            return {}  # the kernel died or hung: the notebook's error is all we know

    @staticmethod
    def _stamp(job: Job, folder: Path, outcome: Outcome, formats: list[str]) -> None:
        record = {"hash": job.digest, "formatos": formats, "archivos": outcome.files,
                  "resumen": outcome.headline, "segundos": round(outcome.seconds, 3),
                  "fecha": time.strftime("%Y-%m-%dT%H:%M:%S")}
        write_text(json.dumps(record, ensure_ascii=False, indent=1, default=str), folder / STAMP)


# --- one worker per process or thread --------------------------------------------------------

_local = threading.local()
_all: list[Worker] = []
_lock = threading.Lock()


def run_job(job: Job, options: WorkerOptions) -> Outcome:
    """Run ``job`` with this thread's worker (created on first use, kept for later jobs)."""
    worker = getattr(_local, "worker", None)
    if worker is None or worker.options != options:
        if worker is not None:
            worker.close()
        worker = _local.worker = Worker(options)
        with _lock:
            _all.append(worker)
    return worker.run(job)


def close_workers() -> None:
    """Shut down every kernel and browser this process started."""
    with _lock:
        workers, _all[:] = list(_all), []
    for worker in workers:
        try:
            worker.close()
        except Exception:
            pass
