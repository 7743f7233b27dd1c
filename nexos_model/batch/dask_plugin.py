"""The Dask worker plugin of ``nexos lote``: shut a worker's kernels down when it stops."""

from __future__ import annotations

import threading

from distributed import WorkerPlugin

from nexos_model.batch.worker import close_workers

__all__ = ["CloseWorkers"]


class CloseWorkers(WorkerPlugin):
    """Closes the kept kernels (and browsers) of a Dask worker at teardown."""

    def teardown(self, worker) -> None:
        # The worker's event loop runs in this thread; the kernels' own loops must run elsewhere.
        thread = threading.Thread(target=close_workers, daemon=True)
        thread.start()
        thread.join(30)
