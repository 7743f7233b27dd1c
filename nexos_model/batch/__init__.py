"""Batch runs (``nexos lote``): the report workbook for many municipalities and scenarios.

- :mod:`.jobs`: the job description (same for every executor) and the hash of its inputs.
- :mod:`.kernel`: workbooks executed in a kept-alive kernel, with Papermill's parameters and record.
- :mod:`.pdf`: one long-lived headless Chromium per worker for the PDFs.
- :mod:`.tables`: the model's tables of one job (``proyeccion.xlsx``, headline outcomes).
- :mod:`.worker`: one job, start to finish, inside a worker; atomic files and the resume stamp.
- :mod:`.executors`: local processes (default) or Dask, behind one interface.
- :mod:`.summary`: headline outcomes from ``run()``; ``resumen.csv``/``.xlsx`` and ``fallas.csv``.
- :mod:`.runner`: plan, skip what is up to date, run, summarize (:func:`~.runner.run_batch`).

The command itself is :mod:`nexos_model.cli.lote`.
"""
