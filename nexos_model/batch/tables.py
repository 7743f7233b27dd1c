"""The model's part of a job: one ``run()`` gives the Excel tables and the summary's headline.

When the job runs a notebook, this runs in the same kept kernel right after it (its modules
and the bundled data are already loaded there) and reuses the notebook's run (the report
workbook names it ``r``), so the worker process never loads the model and no job runs the
model twice; an Excel-only job runs it in the worker itself.
"""

from __future__ import annotations

import json
from typing import Any, Mapping
from nexos_model.api import RunResult, run
from nexos_model.batch.summary import headline
from nexos_model.errors import NexosError, ParameterError
from nexos_model.io.writers import write_tables
from nexos_model.report.summary import excel_tables

__all__ = ["kernel_code", "model_outputs"]


def model_outputs(municipio: str, escenario: str, overrides: Mapping[str, Any] | None,
                  xlsx: str | None, result: Any = None) -> dict[str, Any]:
    """Run the model (or take ``result``, a run of this municipality and scenario); write
    ``proyeccion.xlsx`` to ``xlsx`` (when given) and return ``{"resumen": headline, "archivos":
    {...}}``, or ``{"paso": ..., "motivo": ...}`` for parameters or data the model rejects (Spanish)."""
    reusable = (isinstance(result, RunResult) and list(result.municipios) == [municipio]
                and result.escenario == escenario)
    try:
        result = result if reusable else run(municipio, escenario, dict(overrides or {}) or None, planificar=True)
    except NexosError as exc:
        step = "parametros" if isinstance(exc, ParameterError) else "datos"
        return {"paso": step, "motivo": "; ".join(exc.messages)}
    files = {}
    if xlsx:
        sheets, money = excel_tables(result)
        files["xlsx"] = str(write_tables(sheets, xlsx, money_columns=money))
    return {"resumen": headline(result, municipio), "archivos": files}


def print_outputs(arguments: str, result: Any = None) -> None:
    """:func:`model_outputs` for a kernel: JSON arguments (and the notebook's run) in, JSON printed."""
    print(json.dumps(model_outputs(**json.loads(arguments), result=result), default=str))


def kernel_code(municipio: str, escenario: str, overrides: Mapping[str, Any] | None, xlsx: str | None) -> str:
    """The code a kernel runs for :func:`model_outputs` (its printed line is the result), passing
    the notebook's run ``r`` when there is one."""
    arguments = json.dumps({"municipio": municipio, "escenario": escenario,
                            "overrides": dict(overrides or {}), "xlsx": xlsx})
    return f"__import__('nexos_model.batch.tables').batch.tables.print_outputs({arguments!r}, globals().get('r'))"
