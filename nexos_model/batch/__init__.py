"""Batch runs (``nexos lote``): the report workbook for many municipalities and scenarios.

- :mod:`.jobs`: the job description (same for every executor) and the hash of its inputs.
- :mod:`.kernel`: workbooks executed in a kept-alive kernel, with Papermill's parameters and record.
- :mod:`.pdf`: one long-lived headless Chromium per worker for the PDFs.
- :mod:`.worker`: one job, start to finish, inside a worker; atomic files and the resume stamp.
- :mod:`.executors`: local processes (default) or Dask, behind one interface.
- :mod:`.summary`: headline outcomes from ``run()``; ``resumen.csv``/``.xlsx`` and ``fallas.csv``.
- :mod:`.runner`: plan, skip what is up to date, run, summarize (:func:`run_batch`).
- :mod:`.commands`: the ``nexos lote`` command.
"""

from __future__ import annotations


def __getattr__(name: str):
    # Lazy, so ``import nexos_model.batch`` (e.g. by the CLI) stays light.
    if name == "run_batch":
        from nexos_model.batch.runner import run_batch

        return run_batch
    raise AttributeError(f"module 'nexos_model.batch' has no attribute {name!r}")
