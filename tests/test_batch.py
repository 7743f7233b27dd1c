"""``nexos lote``: parallel batch of reports, fault isolation, resume, Dask, Ctrl-C.

The end-to-end cases run real workbooks in kept-alive kernels (a few seconds per batch, plus
kernel start-up); the fast ones check the job hash, the resume rule and the summary against
``run()``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conftest import ROOT, nexos
from nexos_model import run
from nexos_model.cli.main import build_parser
from nexos_model.batch.jobs import Job, input_hash
from nexos_model.batch.runner import plan_jobs, run_batch, up_to_date
from nexos_model.batch.summary import headline
from nexos_model.batch.worker import STAMP
from nexos_model.errors import NexosError
from nexos_model.wording import quetzales

BROKEN = "tendencia:\n  contraccion: mucho\n"  # a text where a number is expected


def _files(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` with its modification time (ns)."""
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in sorted(folder.rglob("*")) if p.is_file()}


def _texts(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def _env(params: Path) -> dict[str, str]:
    return {**os.environ, "NEXOS_PARAMETROS": str(params)}


def _summary(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "resumen.csv", dtype={"municipio": str}).set_index(["municipio", "escenario"])


# --- fast: the plan, the hash, the summary ---------------------------------------------------

def test_hash_changes_only_with_the_inputs(params_copy, tmp_path):
    workbook = tmp_path / "wb.ipynb"
    workbook.write_text((ROOT / "workbooks" / "reporte_concejo.ipynb").read_text(encoding="utf-8"), encoding="utf-8")

    def digest(code="0901", escenario="base", overrides=None, package="p"):
        return input_hash(code, escenario, params_copy, overrides or {}, workbook, package)

    first = digest()
    assert digest() == first and len(first) == 16
    assert digest("1301") != first and digest(escenario="optimista") != first
    assert digest(overrides={"tendencia": {"contraccion": 0.3}}) != first
    assert digest(package="q") != first  # new code, data or template
    (params_copy / "municipios" / "1301.yaml").write_text("tendencia:\n  contraccion: 0.2\n", encoding="utf-8")
    assert digest() == first, "another municipality's file does not touch 0901"
    (params_copy / "municipios" / "0901.yaml").write_text("tendencia:\n  contraccion: 0.2\n", encoding="utf-8")
    second = digest()
    assert second != first
    scenario = params_copy / "escenarios" / "base.yaml"
    scenario.write_text(scenario.read_text(encoding="utf-8") + "\n# nota\n", encoding="utf-8")
    third = digest()
    assert third != second
    workbook.write_text(workbook.read_text(encoding="utf-8").replace("Resumen ejecutivo", "Resumen"),
                        encoding="utf-8")
    assert digest() != third


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


def test_headline_matches_run():
    result = run("1201", "optimista")
    row = headline(result, "1201")
    wide = result.wide("1201")
    assert (row["ultimo_anio_observado"], row["primer_anio_proyectado"], row["ultimo_anio_proyectado"]) == (
        2019, 2020, 2029)
    assert row["ingresos_propios_observado"] == pytest.approx(wide.at[2019, "ingresos_propios"])
    assert row["ingresos_propios_primer_anio"] == pytest.approx(wide.at[2020, "ingresos_propios"])
    assert row["ingresos_propios_ultimo_anio"] == pytest.approx(wide.at[2029, "ingresos_propios"])
    assert row["ingresos_totales_ultimo_anio"] == pytest.approx(wide.at[2029, "ingresos_totales"])
    assert row["autonomia_ultimo_anio"] == pytest.approx(
        wide.at[2029, "ingresos_propios"] / wide.at[2029, "ingresos_totales"])
    assert row["parametros"] == result.params.digest()
    if result.rules is not None:
        assert row["incumplimientos"] == int((~result.rules["cumple"].astype(bool)).sum())


def test_model_outputs_reuse_the_notebooks_run_only_when_it_is_the_jobs(monkeypatch):
    from nexos_model.batch import tables
    from nexos_model.batch.tables import model_outputs

    result = run("1201", "optimista")
    calls = []
    real_run = tables.run
    monkeypatch.setattr(tables, "run", lambda *a, **k: calls.append(a) or real_run(*a, **k))
    same = model_outputs("1201", "optimista", {}, None, result=result)
    assert calls == [] and same["resumen"] == headline(result, "1201")
    other = model_outputs("1201", "base", {}, None, result=result)  # another scenario: run again
    assert calls == [("1201", "base", None)] and other["resumen"] == headline(real_run("1201", "base"), "1201")


def test_lote_command_flags():
    parser = build_parser("lote")
    args = parser.parse_args(["lote", "--municipios", "todos", "--salida", "x"])
    assert (args.escenarios, args.formato, args.motor, args.trabajos, args.aislado, args.forzar) == (
        "base", "html,xlsx", "local", None, False, False)
    out = nexos("lote", "--municipios", "0901", "--salida", "x", "--trabajos", "0")
    assert out.returncode == 2 and "mayor que 0" in out.stderr
    out = nexos("lote", "--municipios", "0901", "--escenarios", "pesimsta", "--salida", "x")
    assert out.returncode == 1 and "¿quiso decir 'pesimista'?" in out.stderr and "Traceback" not in out.stderr


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


# --- end to end ------------------------------------------------------------------------------

@pytest.mark.slow
def test_broken_municipality_is_isolated_and_a_rerun_skips_the_rest(tmp_path, params_copy):
    """Three municipalities, one with a broken parameter file: the others finish, fallas.csv
    names it with its partial notebook, exit 1. A second run skips what is done, untouched."""
    (params_copy / "municipios" / "1301.yaml").write_text(BROKEN, encoding="utf-8")
    out = tmp_path / "lote"
    common = ("--escenarios", "base", "--formato", "html,xlsx", "--trabajos", "2", "--salida", str(out),
              "--sin-progreso")

    first = nexos("lote", "--municipios", "0901,1301,1201", *common, env=_env(params_copy))
    assert first.returncode == 1, first.stderr
    assert "2 completados, 0 al día (omitidos), 1 con falla" in first.stdout
    assert "falla 1301/base (parametros)" in first.stderr and "Traceback" not in first.stderr
    fallas = pd.read_csv(out / "fallas.csv", dtype=str)
    assert fallas[["municipio", "escenario", "paso"]].values.tolist() == [["1301", "base", "parametros"]]
    reason = fallas.at[0, "motivo"]
    assert "1301.yaml" in reason and "tendencia.contraccion" in reason and "debe ser un número" in reason
    partial = nbformat.read(fallas.at[0, "cuaderno_parcial"], as_version=4)
    assert "tendencia.contraccion" in "\n".join(
        "\n".join(o.get("traceback", [])) for c in partial.cells for o in c.get("outputs", []))
    assert not (out / "1301" / "base" / "reporte.html").exists()

    summary = _summary(out)
    assert summary["estado"].to_dict() == {("0901", "base"): "completado", ("1301", "base"): "falla",
                                           ("1201", "base"): "completado"}
    for code in ("0901", "1201"):
        folder = out / code / "base"
        assert {p.name for p in folder.iterdir()} == {"workbook.ipynb", "reporte.html", "proyeccion.xlsx", STAMP}
        wide = run(code, "base").wide(code)
        assert summary.at[(code, "base"), "ingresos_propios_ultimo_anio"] == pytest.approx(
            wide.at[2029, "ingresos_propios"])
        nb = nbformat.read(folder / "workbook.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters == {"municipio": code, "escenario": "base", "overrides": {}}
        assert quetzales(wide.at[2029, "ingresos_propios"]) in _texts(nb)
        assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == list(
            range(1, 1 + sum(c.cell_type == "code" for c in nb.cells))), "numbered as in a fresh kernel"
    assert "Huehuetenango" not in (out / "0901" / "base" / "reporte.html").read_text(encoding="utf-8")
    assert not list(out.rglob(".*tmp*")), "no temporary file left behind"

    stamps, before = _stamps(out), _files(out)
    start = time.perf_counter()
    second = nexos("lote", "--municipios", "0901,1201", *common, env=_env(params_copy))
    elapsed = time.perf_counter() - start
    assert second.returncode == 0, second.stderr
    if stamps == _stamps(out):  # else someone edited the package meanwhile: redone, as it must be
        assert "0 completados, 2 al día (omitidos), 0 con falla" in second.stdout
        changed = {k for k, v in _files(out).items() if before.get(k) != v}
        assert changed <= {"resumen.csv", "resumen.xlsx", "fallas.csv"}, changed
        assert elapsed < 20, f"an unchanged rerun took {elapsed:.1f} s"
        assert _summary(out)["estado"].eq("al día").all()


def _stamps(out: Path) -> dict[str, str]:
    return {str(p.parent.relative_to(out)): json.loads(p.read_text())["hash"] for p in out.glob(f"*/*/{STAMP}")}


@pytest.mark.slow
def test_forzar_redoes_and_a_changed_input_redoes_only_its_job(tmp_path, params_copy):
    out = tmp_path / "lote"
    common = dict(out_dir=out, formats=["xlsx"], workers=1, progress=False)
    assert run_batch("0901,1201", "base", **common).count("done") == 2
    before, stamps = _files(out), _stamps(out)
    (params_copy / "municipios" / "1201.yaml").write_text("tendencia:\n  contraccion: 0.4\n", encoding="utf-8")
    again = run_batch("0901,1201", "base", **common)
    after = _files(out)
    assert after["1201/base/proyeccion.xlsx"] != before["1201/base/proyeccion.xlsx"]
    assert _stamps(out)["1201/base"] != stamps["1201/base"]
    if _stamps(out)["0901/base"] == stamps["0901/base"]:  # (else the package was edited meanwhile)
        assert (again.count("done"), again.count("skipped")) == (1, 1)
        assert after["0901/base/proyeccion.xlsx"] == before["0901/base/proyeccion.xlsx"]
    forced = run_batch("0901,1201", "base", force=True, **common)
    assert forced.count("done") == 2
    assert _files(out)["0901/base/proyeccion.xlsx"] != after["0901/base/proyeccion.xlsx"]


def _assert_same_outputs(one: Path, other: Path) -> None:
    """Two batches produced the same notebooks' outputs, Excel sheets and summary (not run times)."""
    jobs = sorted(str(p.relative_to(one)) for p in one.glob("*/*") if p.is_dir())
    assert jobs and jobs == sorted(str(p.relative_to(other)) for p in other.glob("*/*") if p.is_dir())
    for job in jobs:
        cells = [nbformat.read(root / job / "workbook.ipynb", as_version=4).cells for root in (one, other)]
        assert [c.get("outputs") for c in cells[0]] == [c.get("outputs") for c in cells[1]], job
        sheets = [pd.read_excel(root / job / "proyeccion.xlsx", sheet_name=None) for root in (one, other)]
        assert list(sheets[0]) == list(sheets[1])
        for name in sheets[0]:
            pd.testing.assert_frame_equal(sheets[0][name], sheets[1][name])
    summaries = [_summary(root).drop(columns=["segundos", "carpeta"]) for root in (one, other)]
    pd.testing.assert_frame_equal(summaries[0], summaries[1])


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_outputs(tmp_path):
    pytest.importorskip("distributed")
    common = dict(formats=["html", "xlsx"], workers=2, progress=False)
    local = run_batch("0801", "base", tmp_path / "local", **common)
    dask = run_batch("0801", "base", tmp_path / "dask", engine="dask", **common)
    assert local.count("done") == dask.count("done") == 1 and not dask.failed
    stamps = [json.loads((tmp_path / root / "0801" / "base" / STAMP).read_text()) for root in ("local", "dask")]
    assert stamps[0]["hash"] == stamps[1]["hash"], "the same inputs (unless the package was edited meanwhile)"
    _assert_same_outputs(tmp_path / "local", tmp_path / "dask")


@pytest.mark.slow
def test_ctrl_c_leaves_whole_files_and_the_next_run_resumes(tmp_path):
    """Ctrl-C stops handing out jobs; running ones finish their files; the summary lists what is
    pending; nothing half-written; the next run skips what was finished. (Excel only, so that
    many short jobs are still queued when the signal comes; every format is written the same way.)"""
    out = tmp_path / "lote"
    args = [sys.executable, "-m", "nexos_model.cli", "lote", "--municipios", "depto:09", "--formato", "xlsx",
            "--trabajos", "1", "--salida", str(out), "--sin-progreso"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while not list(out.glob(f"*/base/{STAMP}")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # what the terminal sends on Ctrl-C
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "interrumpido" in stderr and "Traceback" not in stderr
    assert not list(out.rglob(".*tmp*")), "no half-written file"
    summary = _summary(out)
    done = set(summary.index[summary["estado"] == "completado"].get_level_values(0))
    assert done and "pendiente" in set(summary["estado"])
    stamped = {p.parent.parent.name for p in out.glob(f"*/base/{STAMP}")}
    assert done <= stamped and len(stamped) < 24, "the batch stopped"
    for code in stamped:
        pd.read_excel(out / code / "base" / "proyeccion.xlsx", sheet_name=None)  # whole
    jobs = plan_jobs("depto:09", "base", out, ["xlsx"])
    assert {j.municipio for j in jobs if up_to_date(j)} == stamped, "the next run skips exactly these"
