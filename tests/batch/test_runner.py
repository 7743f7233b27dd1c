"""Planning a batch: unknown selections refused before running; what is up to date is skipped."""

from __future__ import annotations

import json

import pytest

from nexos_model.batch.jobs import Job
from nexos_model.batch.runner import plan_jobs, up_to_date
from nexos_model.batch.worker import STAMP
from nexos_model.errors import NexosError


def test_plan_rejects_unknown_selection_before_running(tmp_path):
    with pytest.raises(NexosError, match="escenario 'optimsta' desconocido; ¿quiso decir 'optimista'"):
        plan_jobs("0901", "base,optimsta", tmp_path, ["html"])
    with pytest.raises(NexosError, match="municipio '9999' desconocido"):
        plan_jobs("0901,9999", "base", tmp_path, ["html"])
    with pytest.raises(NexosError, match="formato no admitido: docx"):
        plan_jobs("0901", "base", tmp_path, ["html", "docx"])
    jobs = plan_jobs("depto:09", "base,optimista", tmp_path, ["xlsx"])
    assert len(jobs) == 2 * 24 and len({j.digest for j in jobs}) == len(jobs)
    assert jobs[0].out_dir == str((tmp_path / "0901" / "base").resolve())
    assert not list(tmp_path.iterdir()), "planning writes nothing"


def test_up_to_date_needs_same_hash_and_every_output(tmp_path):
    folder = tmp_path / "0901" / "base"
    folder.mkdir(parents=True)

    def job(formats=("html", "xlsx"), digest="abc"):
        return Job("0901", "base", str(folder), formats, "wb.ipynb", str(tmp_path), {}, digest)

    for name in ("workbook.ipynb", "reporte.html", "proyeccion.xlsx"):
        (folder / name).write_text("x")
    assert up_to_date(job()) is None, "no stamp: not up to date"
    (folder / STAMP).write_text(json.dumps({"hash": "abc", "formatos": ["html", "xlsx"],
                                            "resumen": {"parametros": "p"}}))
    skipped = up_to_date(job())
    assert skipped.status == "skipped" and skipped.headline == {"parametros": "p"}
    assert set(skipped.files) == {"ipynb", "html", "xlsx"}
    assert up_to_date(job(("xlsx",))) is not None, "a subset of what was made"
    assert up_to_date(job(("html", "pdf"))) is None, "the PDF was never made"
    assert up_to_date(job(digest="abd")) is None, "other inputs"
    (folder / "reporte.html").unlink()
    assert up_to_date(job()) is None, "a deleted output is redone"


def test_plan_refuses_a_bad_adjustment_for_every_job_before_running(tmp_path):
    with pytest.raises(NexosError, match="ajustes: tendencia.contraccion: fuera de rango"):
        plan_jobs("0901,1301", "base,optimista", tmp_path, ["xlsx"], overrides={"tendencia.contraccion": 7})
    assert not list(tmp_path.iterdir())


def test_jobs_that_finish_while_the_batch_stops_are_counted(tmp_path, monkeypatch):
    """Ctrl-C: the runner stops reading outcomes; the running job finishes its files during close();
    its outcome (the executor's ``late``) is in the summary, not 'pendiente'."""
    from nexos_model.batch import runner
    from nexos_model.batch.jobs import Outcome

    class Interrupted:
        late: list = []

        def __init__(self, workers, options, scheduler=None):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.late = [Outcome("0901", "base", "done", files={})]

        def run(self, jobs):
            raise KeyboardInterrupt
            yield  # a generator, as the real ones

        def cancel(self):
            pass

    monkeypatch.setitem(runner.EXECUTORS, "local", Interrupted)
    result = runner.run_batch("0901,1301", "base", tmp_path, ["xlsx"], progress=False)
    assert result.interrupted
    assert {(o.municipio, o.status) for o in result.outcomes} == {("0901", "done"), ("1301", "pending")}
