"""Execute workbooks in a kernel kept alive between runs, keeping Papermill's record of each run.

A fresh kernel costs ~0.7 s to start, ~2 s to import numpy, pandas and scipy and ~3 s for the
model to prepare the bundled data of all 340 municipalities, before the notebook's own work
(about 0.6 s for the council report, a third of it the investment plan's MILP; each cell adds
~10 ms of messaging). So one kernel serves many notebooks: parameters are
injected with Papermill's own ``parameterize_notebook``, cells run through Papermill's nbclient
wrapper (per-cell status and timing, the error banner on failure), the user namespace is reset
between runs, and the kernel is replaced every ``recycle_every`` runs (or after it died or hung),
so that state a run leaves in imported modules cannot pile up.

We drive nbclient ourselves instead of passing a kernel manager to
``papermill.execute_notebook``: that path opens a new kernel client per run and never closes it
(about 15 leaked file descriptors per notebook). Everything runs on one private event loop, so
the runner works the same in a worker process and in a Dask worker thread.
"""

from __future__ import annotations

import asyncio
import copy
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from nexos_model.report.render import local_kernel_manager_class

if TYPE_CHECKING:
    import nbformat

__all__ = ["KeptKernel", "NotebookFailed"]

# Clears what a run left in the user namespace (every name the notebook set, and the output
# history that would keep its results alive) and pyplot figures if a cell used pyplot, then moves
# to the workbook's folder. Imported modules, and their caches of the bundled data, stay: that is
# the point of keeping the kernel. IPython's ``%reset -f`` does the same plus two full garbage
# collections, 0.15-0.19 s per run here against ~0.01 s; the garbage collector still runs on its
# own, and the kernel is replaced every ``recycle_every`` runs.
_RESET = """\
def _nexos_reset(ip, cwd):
    import os, sys
    ip.history_manager.output_hist.clear()
    for name in [n for n in ip.user_ns if n not in ip.user_ns_hidden and not n.startswith("__")]:
        del ip.user_ns[name]
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    os.chdir(cwd)
_nexos_reset(get_ipython(), {cwd!r})
"""


class NotebookFailed(Exception):
    """A workbook stopped: ``nb`` is the notebook as far as it ran; ``error`` says why."""

    def __init__(self, nb: "nbformat.NotebookNode", error: Exception):
        self.nb, self.error = nb, error
        super().__init__(str(error))




def _client_class():
    """Papermill's nbclient wrapper, with an awaitable version of its ``execute``."""
    from nbclient.exceptions import CellExecutionError  # lazy: optional heavy dependency (~0.2 s)
    from papermill.clientwrap import PapermillNotebookClient  # lazy: optional heavy dependency (~0.4 s)

    class KeptKernelClient(PapermillNotebookClient):
        async def async_papermill_execute(self) -> "nbformat.NotebookNode":
            """``PapermillNotebookClient.execute`` on the running loop, numbering cells from 1."""
            self.reset_execution_trackers()
            async with self.async_setup_kernel():
                for index, cell in enumerate(self.nb.cells):
                    try:
                        self.nb_man.cell_start(cell, index)
                        await self.async_execute_cell(cell, index,
                                                      execution_count=self.code_cells_executed + 1)
                    except CellExecutionError as ex:
                        self.nb_man.cell_exception(self.nb.cells[index], cell_index=index, exception=ex)
                        break
                    finally:
                        self.nb_man.cell_complete(self.nb.cells[index], cell_index=index)
                info = await self.async_wait_for_reply(self.kc.kernel_info())
                if info is not None:
                    self.nb.metadata["language_info"] = info["content"]["language_info"]
                self.set_widgets_metadata()
            return self.nb

    return KeptKernelClient


class KeptKernel:
    """Runs parameterized workbooks one after another in one kept-alive Jupyter kernel.

    ``recycle_every`` runs share a kernel before it is replaced; ``1`` gives every notebook a
    fresh kernel (``--aislado``). ``timeout`` limits each cell, in seconds.
    """

    def __init__(self, kernel_name: str = "python3", recycle_every: int = 100,
                 timeout: float = 600, startup_timeout: float = 120):
        if recycle_every < 1:
            raise ValueError("recycle_every must be at least 1")
        self.kernel_name = kernel_name
        self.recycle_every = recycle_every
        self.timeout, self.startup_timeout = timeout, startup_timeout
        self.runs = 0  # notebooks run by the current kernel
        self.kernels_started = 0
        self._loop = asyncio.new_event_loop()
        self._km: Any = None
        self._kc: Any = None
        self._sources: dict[tuple[str, int], "nbformat.NotebookNode"] = {}
        self._client = _client_class()

    # --- kernel lifecycle -------------------------------------------------------------------

    def _run(self, coro):
        return self._loop.run_until_complete(coro)

    async def _start(self, cwd: Path) -> None:
        km = local_kernel_manager_class()(kernel_name=self.kernel_name)
        # As nbclient does: keep IPython's input history in memory, not in the SQLite file that
        # every kernel on the machine would otherwise write to (and lock) on each cell.
        await km.start_kernel(cwd=str(cwd), extra_arguments=["--HistoryManager.hist_file=:memory:"])
        kc = km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=self.startup_timeout)
        except BaseException:
            kc.stop_channels()
            await km.shutdown_kernel(now=True)
            raise
        self._km, self._kc = km, kc
        self.runs = 0
        self.kernels_started += 1

    async def _stop(self) -> None:
        km, kc = self._km, self._kc
        self._km = self._kc = None
        if kc is not None:
            kc.stop_channels()
        if km is not None:
            # The kernel holds nothing to save (its history is in memory): stop it at once
            # rather than wait ~1 s for a graceful exit at every recycle and at the end.
            await km.shutdown_kernel(now=True)

    async def _reset(self, cwd: Path) -> bool:
        """Clear the user namespace before a run; False when the kernel did not answer properly."""
        try:
            reply = await self._kc.execute_interactive(
                _RESET.format(cwd=str(cwd)), silent=True, store_history=False,
                timeout=60, output_hook=lambda msg: None)
        except Exception:
            return False
        return reply.get("content", {}).get("status") == "ok"

    async def _call(self, code: str, timeout: float) -> str:
        out: list[str] = []

        def hook(msg) -> None:
            if msg["msg_type"] == "stream" and msg["content"].get("name") == "stdout":
                out.append(msg["content"]["text"])

        reply = await self._kc.execute_interactive(code, silent=True, store_history=False,
                                                   timeout=timeout, output_hook=hook)
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")
        return "".join(out)

    def call(self, code: str, timeout: float | None = None) -> str:
        """Run ``code`` in the kernel of the last notebook, unrecorded; what it printed.

        For work that belongs with the notebook's run (the model's tables): the kernel's
        modules and caches are warm, so it costs what the computation costs.
        """
        if self._kc is None:
            raise RuntimeError("no kernel: call() follows execute()")
        return self._run(self._call(code, timeout or self.timeout))

    async def _ready(self, cwd: Path) -> None:
        """A kernel with a clean namespace in ``cwd``: reused, or started when due or broken."""
        alive = self._km is not None and await self._km.is_alive()
        if alive and self.runs > 0 and (self.runs >= self.recycle_every or not await self._reset(cwd)):
            alive = False
        if not alive:
            await self._stop()
            await self._start(cwd)

    def close(self) -> None:
        """Shut the kernel down and close the event loop."""
        if self._loop.is_closed():
            return
        try:
            self._run(self._stop())
        finally:
            self._loop.close()

    # --- execution --------------------------------------------------------------------------

    def _source(self, workbook: Path) -> "nbformat.NotebookNode":
        """The workbook as read from disk (cached while its file is unchanged), as a fresh copy."""
        from papermill.iorw import load_notebook_node  # lazy: optional heavy dependency (~0.4 s)

        key = (str(workbook), workbook.stat().st_mtime_ns)
        if key not in self._sources:
            self._sources = {key: load_notebook_node(str(workbook))}
        return copy.deepcopy(self._sources[key])

    def execute(self, workbook: str | os.PathLike[str], params: Mapping[str, Any],
                output_path: str | os.PathLike[str] | None = None) -> "nbformat.NotebookNode":
        """Run ``workbook`` with ``params`` injected; the executed notebook, or ``NotebookFailed``.

        ``output_path`` is only recorded in the notebook's Papermill metadata: nothing is written
        here (the caller writes the notebook atomically where it belongs).
        """
        from papermill.exceptions import PapermillExecutionError  # lazy: as above
        from papermill.engines import NotebookExecutionManager  # lazy: as above
        from papermill.execute import (  # lazy: as above
            prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers)
        from papermill.parameterize import parameterize_notebook  # lazy: as above

        workbook = Path(workbook).resolve()
        nb = parameterize_notebook(self._source(workbook), dict(params), kernel_name=self.kernel_name)
        nb = remove_error_markers(prepare_notebook_metadata(nb, str(workbook), str(output_path or "")))
        manager = NotebookExecutionManager(nb, output_path=None, progress_bar=False)
        self._run(self._ready(workbook.parent))
        self.runs += 1
        manager.notebook_start()
        client = self._client(manager, km=self._km, kernel_name=self.kernel_name,
                              timeout=self.timeout, startup_timeout=self.startup_timeout)
        client.kc = self._kc  # share the kernel's client: a new one per run leaks descriptors
        try:
            self._run(client.async_papermill_execute())
        except Exception as exc:  # dead kernel, cell timeout: this kernel is not reused
            self._run(self._stop())
            manager.notebook_complete()
            raise NotebookFailed(manager.nb, exc) from exc
        manager.notebook_complete()
        try:
            raise_for_execution_errors(manager.nb, None)
        except PapermillExecutionError as exc:
            raise NotebookFailed(manager.nb, exc) from None
        return manager.nb
