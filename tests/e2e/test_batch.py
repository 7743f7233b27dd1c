"""``nexos lote`` end to end: failures isolated, reruns skip what is up to date, --forzar, Dask, Ctrl-C."""

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

from nexos_model import run
from nexos_model.batch.runner import plan_jobs, run_batch, up_to_date
from nexos_model.batch.worker import STAMP
from nexos_model.wording import quetzales
from tests.support import BUDGET_YEAR, ROOT, nexos, synthetic_export

END = BUDGET_YEAR + 9  # the last projected year


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
            wide.at[END, "ingresos_propios"])
        nb = nbformat.read(folder / "workbook.ipynb", as_version=4)
        assert nb.metadata.papermill.parameters == {"municipio": code, "escenario": "base", "overrides": {}}
        assert quetzales(wide.at[END, "ingresos_propios"]) in _texts(nb)
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
    assert done == stamped and len(stamped) < 24, "the batch stopped; the summary counts every finished job"
    for code in stamped:
        pd.read_excel(out / code / "base" / "proyeccion.xlsx", sheet_name=None)  # whole
    jobs = plan_jobs("depto:09", "base", out, ["xlsx"])
    assert {j.municipio for j in jobs if up_to_date(j)} == stamped, "the next run skips exactly these"


@pytest.mark.slow
def test_a_batch_reads_the_imported_data_and_a_change_to_them_redoes_the_job(tmp_path):
    """``nexos lote`` with no flag uses the store (``NEXOS_DATOS``): 1301's imported 2020-2021
    are observed in its summary and sheets. The store is in the inputs' hash: an unchanged rerun
    skips both jobs; removing a year redoes both (1301's own revenue also moves every other
    municipality's share of the aporte, art. 119)."""
    store = tmp_path / "datos"
    env = {**os.environ, "NEXOS_DATOS": str(store)}
    assert nexos("datos", "importar", str(synthetic_export(tmp_path / "sicoin_1301.csv")), env=env).returncode == 0
    out = tmp_path / "lote"
    common = ("--municipios", "1301,0901", "--escenarios", "base", "--formato", "xlsx", "--salida", str(out),
              "--sin-progreso", "--trabajos", "1")
    first = nexos("lote", *common, env=env)
    assert first.returncode == 0, first.stderr
    summary = _summary(out)
    assert summary.at[("1301", "base"), "ultimo_anio_observado"] == 2021
    assert summary.at[("0901", "base"), "ultimo_anio_observado"] == 2019
    sheet = pd.read_excel(out / "1301" / "base" / "proyeccion.xlsx", sheet_name="Proyección")
    assert sheet.groupby("Tipo")["Año"].agg(["min", "max"]).loc["observado"].tolist() == [2016, 2021]
    os.environ["NEXOS_DATOS"], saved = str(store), os.environ["NEXOS_DATOS"]
    try:  # the batch's numbers are run()'s with the same store
        wide = run("1301", "base").wide("1301")
    finally:
        os.environ["NEXOS_DATOS"] = saved
    assert summary.at[("1301", "base"), "ingresos_propios_ultimo_anio"] == pytest.approx(wide.at[END, "ingresos_propios"])

    again = nexos("lote", *common, env=env)
    assert again.returncode == 0 and "0 completados, 2 al día (omitidos), 0 con falla" in again.stdout

    assert nexos("datos", "quitar", "--municipio", "1301", "--anio", "2021", env=env).returncode == 0
    second = nexos("lote", *common, env=env)
    assert second.returncode == 0, second.stderr
    assert "2 completados, 0 al día (omitidos), 0 con falla" in second.stdout
    assert _summary(out).at[("1301", "base"), "ultimo_anio_observado"] == 2020
