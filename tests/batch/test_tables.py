"""A job's model tables reuse the notebook's run only when it is the job's."""

from __future__ import annotations

from nexos_model import run
from nexos_model.batch.summary import headline


def test_model_outputs_reuse_the_notebooks_run_only_when_it_is_the_jobs(monkeypatch):
    from nexos_model.batch import tables
    from nexos_model.batch.tables import model_outputs

    result = run("1201", "optimista", planificar=True)
    calls = []
    real_run = tables.run
    monkeypatch.setattr(tables, "run", lambda *a, **k: calls.append((a, k)) or real_run(*a, **k))
    same = model_outputs("1201", "optimista", {}, None, result=result)
    assert calls == [] and same["resumen"] == headline(result, "1201")
    other = model_outputs("1201", "base", {}, None, result=result)  # another scenario: run again, planned
    assert calls == [(("1201", "base", None), {"planificar": True})]
    assert other["resumen"] == headline(real_run("1201", "base", planificar=True), "1201")
