"""Where jobs run: local worker processes (default) or a Dask cluster, behind one interface.

Both take the same :class:`~.jobs.Job` and hand it to :func:`~.worker.run_job`, which keeps one
kernel and one browser per worker for all the jobs it gets. ``run(jobs)`` yields an
:class:`~.jobs.Outcome` as each job finishes; ``cancel()`` drops the jobs not started (Ctrl-C);
``close()`` waits for the running ones, which finish their files, and stops the workers.

- ``local``: ``--trabajos`` processes (default: the cores). Each runs in its own session, so a
  Ctrl-C in the terminal reaches only the runner, which stops the batch in order instead of
  killing workers mid-file.
- ``dask``: a ``LocalCluster`` of ``--trabajos`` single-threaded worker processes, or an
  existing cluster at ``--planificador tcp://host:8786``. Cluster workers need this package
  installed and must see the output folder, the workbook and the parameter folder at the same
  paths (a shared file system). On one 2-core machine Dask adds only start-up cost.
"""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.util
import os
import signal
import threading
import time
from concurrent.futures import CancelledError, ProcessPoolExecutor, as_completed
from typing import Iterator

from nexos_model.batch.jobs import Job, Outcome
from nexos_model.batch.worker import WorkerOptions, close_workers, run_job
from nexos_model.errors import NexosError

__all__ = ["DaskExecutor", "EXECUTORS", "Executor", "LocalExecutor", "default_workers"]


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _lost(job: Job, exc: BaseException) -> Outcome:
    """The outcome of a job whose worker died (killed, out of memory) before answering."""
    reason = f"el trabajador terminó sin responder ({type(exc).__name__}: {exc})".replace(": )", ")")
    return Outcome(job.municipio, job.escenario, "failed", step="trabajador", reason=reason)


def _finished(futures: dict, as_completed) -> Iterator[Outcome]:
    """Outcomes of ``futures`` (future -> job) as they finish, through the executor's own
    ``as_completed``: a cancelled job is skipped, a job whose worker died becomes a failure."""
    for future in as_completed(futures):
        if future.cancelled():
            continue
        try:
            yield future.result()
        except CancelledError:
            continue
        except Exception as exc:  # BrokenProcessPool, KilledWorker: the worker was lost
            yield _lost(futures[future], exc)


class Executor:
    """Runs jobs on workers; see the module docstring. Use as a context manager."""

    name = ""

    def __init__(self, workers: int, options: WorkerOptions, scheduler: str | None = None):
        self.workers, self.options, self.scheduler = max(1, workers), options, scheduler
        #: Outcomes of jobs that finished after ``run`` stopped being read (Ctrl-C: the running
        #: jobs finish their files during ``close``), so the summary counts them.
        self.late: list[Outcome] = []

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        raise NotImplementedError

    def cancel(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- local processes -------------------------------------------------------------------------

def _terminated(signum, frame):
    raise SystemExit(128 + signum)


_stop = None  # in a worker process: the runner's "stop" event (set on Ctrl-C)


def _exit_with_parent(parent: int) -> None:
    """Leave when the runner is gone (killed): a worker in its own session would otherwise wait
    for jobs forever. Its kernels and browser notice it and exit too."""
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(1)


def _init_process(stop) -> None:
    """Worker process set-up: own session (no terminal Ctrl-C), clean exit on SIGTERM, exit
    with the runner."""
    global _stop
    _stop = stop
    os.setsid()
    signal.signal(signal.SIGTERM, _terminated)
    multiprocessing.util.Finalize(None, close_workers, exitpriority=10)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _run_in_process(job: Job, options: WorkerOptions) -> Outcome:
    if _stop is not None and _stop.is_set():  # queued before Ctrl-C: leave it for the next run
        return Outcome(job.municipio, job.escenario, "pending")
    try:
        return run_job(job, options)
    except SystemExit:  # SIGTERM mid-job: the atomic writes have cleaned up; stop for good
        close_workers()
        os._exit(143)


class LocalExecutor(Executor):
    """``workers`` local processes, each with a kept kernel and browser."""

    name = "local"

    def __init__(self, workers: int, options: WorkerOptions, scheduler: str | None = None):
        super().__init__(workers, options, scheduler)
        self._pool = None
        self._stop = None
        self._futures: dict = {}

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        if not jobs:
            return
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._pool = ProcessPoolExecutor(max_workers=min(self.workers, len(jobs)), mp_context=context,
                                         initializer=_init_process, initargs=(self._stop,))
        self._futures = {self._pool.submit(_run_in_process, job, self.options): job for job in jobs}
        yield from _finished(self._futures, as_completed)

    def cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()  # jobs already handed to a worker return at once, untouched
        for future in self._futures:
            future.cancel()

    def close(self) -> None:
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        try:
            pool.shutdown(wait=True, cancel_futures=True)
            self.late = [f.result() for f in self._futures
                         if f.done() and not f.cancelled() and f.exception() is None]
        except KeyboardInterrupt:  # a second Ctrl-C: stop the workers now (their files stay whole)
            processes = list((getattr(pool, "_processes", None) or {}).values())
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(10)
                if process.is_alive():
                    process.kill()
            raise


# --- Dask ------------------------------------------------------------------------------------

class DaskExecutor(Executor):
    """A Dask ``LocalCluster`` of ``workers`` processes, or the cluster at ``scheduler``."""

    name = "dask"

    def __init__(self, workers: int, options: WorkerOptions, scheduler: str | None = None):
        super().__init__(workers, options, scheduler)
        try:
            import distributed  # noqa: F401  # lazy: optional dependency (~0.65 s), checked before use
        except ImportError:
            raise NexosError("--motor dask requiere el paquete 'distributed' "
                             "(pip install 'dask[distributed]')") from None
        self._client = self._cluster = None
        self._futures: dict = {}

    def _connect(self):
        from distributed import Client, LocalCluster  # lazy: optional dependency, only for --motor dask

        from nexos_model.batch.dask_plugin import CloseWorkers  # lazy: it imports distributed

        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout=30)
            except (OSError, TimeoutError) as exc:
                raise NexosError(f"--planificador {self.scheduler}: no se pudo conectar ({exc})") from None
        else:
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
        self._client.register_plugin(CloseWorkers(), name="nexos-lote")

    def run(self, jobs: list[Job]) -> Iterator[Outcome]:
        from distributed import as_completed  # lazy: optional dependency, only for --motor dask

        if not jobs:
            return
        self._connect()
        futures = self._client.map(run_job, jobs, options=self.options, pure=False)
        self._futures = dict(zip(futures, jobs))
        yield from _finished(self._futures, as_completed)

    def cancel(self) -> None:
        if self._client is not None and self._futures:
            self._client.cancel(list(self._futures))

    def close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        # Only what Dask reports finished: a job running when cancelled may still write its files
        # (atomically), but Dask no longer returns its outcome; the next run counts it as up to date.
        self.late = [f.result() for f in self._futures if f.status == "finished"]
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


#: The executors by ``--motor`` name.
EXECUTORS: dict[str, type[Executor]] = {"local": LocalExecutor, "dask": DaskExecutor}
