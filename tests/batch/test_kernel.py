"""The kept-alive kernel: nothing leaks from one run to the next, and it is recycled."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest


@pytest.mark.slow
def test_kept_kernel_resets_between_runs_and_is_recycled(tmp_path):
    """A small workbook: nothing leaks from one run to the next; a new kernel every 2 runs."""
    from nexos_model.batch.kernel import KeptKernel, NotebookFailed

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                           "display_name": "Python 3"}})
    nb.cells = [nbformat.v4.new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import os\nassert 'previous' not in globals(), 'leaked'\n"
                                          "previous = x\nprint(os.getpid(), 1 / x)")]
    path = tmp_path / "small.ipynb"
    nbformat.write(nb, path)
    kernel = KeptKernel(recycle_every=2)
    try:
        pids = []
        for x in (1, 2, 4):
            out = kernel.execute(path, {"x": x})
            pid, value = out.cells[-1].outputs[0]["text"].split()
            pids.append(pid)
            assert float(value) == 1 / x and out.metadata.papermill.parameters == {"x": x}
            assert [c.execution_count for c in out.cells if c.cell_type == "code"] == [1, 2, 3]
        assert pids[0] == pids[1] != pids[2] and kernel.kernels_started == 2
        with pytest.raises(NotebookFailed) as failed:
            kernel.execute(path, {"x": 0})
        assert failed.value.error.ename == "ZeroDivisionError"
        assert any(o.get("ename") == "ZeroDivisionError" for c in failed.value.nb.cells for o in c.get("outputs", []))
        assert float(kernel.execute(path, {"x": 8}).cells[-1].outputs[0]["text"].split()[1]) == 1 / 8
        # The kernel talks over local sockets in a private folder, which goes with the kernel.
        sockets = Path(kernel._km.sockets)
        assert kernel._km.transport == "ipc" and any(sockets.iterdir())
    finally:
        kernel.close()
    assert not sockets.exists()
