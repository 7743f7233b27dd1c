"""A wheel installed outside the repository works as a Python tool, from any folder.

The wheel is built from this checkout and installed with the ``notebooks`` extra (at the
versions of ``requirements.lock``) into a fresh venv; every command then runs from a temporary
folder that has nothing of the repository: ``nexos init``, ``proyectar``, ``reporte`` (HTML and
PDF), ``lote``, a scenario the user adds to the working folder, and every workbook through the
``papermill`` command with ``-p municipio 1301`` (and the app's with ``-p municipio 901``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from nexos_model.api import run
from tests.support import ROOT

WORKBOOKS = sorted(p.name for p in (ROOT / "workbooks").glob("*.ipynb"))
SCENARIO = ("descripcion: Austero, la plantilla baja 3 % al año\n"
            "gasto:\n  funcionamiento:\n    crecimiento_plantilla: -0.03\n")


def _constraints(folder: Path) -> Path:
    """requirements.lock without its hashes (pip takes no hashes in a constraints file)."""
    pins = [line.rstrip(" \\") for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
            if re.match(r"^[A-Za-z0-9]", line)]
    path = folder / "constraints.txt"
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


def _sh(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{' '.join(args)} (exit {done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def install_wheel(base: Path) -> tuple[Path, dict[str, str], Path]:
    """(venv bin folder, environment, a folder outside the repo) with the wheel installed."""
    env = {k: v for k, v in os.environ.items() if k not in ("NEXOS_PARAMETROS", "PYTHONPATH", "VIRTUAL_ENV")}
    _sh([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(base / "dist"), str(ROOT)],
        cwd=base, env=env)
    (wheel,) = (base / "dist").glob("nexos_model-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "nexos_model/resources/params/defaults.yaml" in names
    assert "nexos_model/resources/workbooks/reporte_concejo.ipynb" in names
    assert "nexos_model/resources/templates/nexos_reporte/index.html.j2" in names
    assert not [n for n in names if n.split("/")[0] in ("params", "workbooks", "templates", "tests")]
    venv = base / "venv"
    _sh([sys.executable, "-m", "venv", str(venv)], cwd=base, env=env)
    bin_dir = venv / "bin"
    _sh([str(bin_dir / "pip"), "install", "--quiet", f"{wheel}[notebooks]", "-c", str(_constraints(base))],
        cwd=base, env=env)
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}
    outside = base / "usuario"
    outside.mkdir()
    return bin_dir, env, outside


@pytest.mark.slow
def test_the_wheel_outside_the_repository(tmp_path):
    """One test (built and installed once, on one pytest-xdist worker), in three steps."""
    installed = install_wheel(tmp_path)
    the_package_imported_is_the_installed_one(installed)
    a_new_user_from_a_folder_outside_the_repository(installed)
    every_workbook_runs_with_plain_papermill_and_a_numeric_code(installed)


def the_package_imported_is_the_installed_one(installed):
    bin_dir, env, outside = installed
    where = _sh([str(bin_dir / "python"), "-c", "import nexos_model; print(nexos_model.__file__)"], outside, env)
    assert not Path(where.stdout.strip()).is_relative_to(ROOT)
    info = _sh(["nexos", "info"], outside, env).stdout
    assert "./params: no existe" in info and str(bin_dir.parent) in info.split("incluidos en Nexos:")[1].splitlines()[0]


def a_new_user_from_a_folder_outside_the_repository(installed):
    bin_dir, env, outside = installed
    _sh(["nexos", "init", "w"], outside, env)
    work = outside / "w"
    _sh(["nexos", "proyectar", "--municipio", "0901", "--salida", "x.csv"], work, env)
    projection = pd.read_csv(work / "x.csv", dtype={"municipio": str})
    expected = run("0901", "base").tidy()  # what `nexos proyectar` writes: observed, estimated, projected
    assert len(projection) == len(expected) and set(projection["municipio"]) == {"0901"}
    assert projection["valor"].to_numpy() == pytest.approx(expected["valor"].to_numpy(), rel=1e-9)
    _sh(["nexos", "reporte", "--municipio", "0901", "--formato", "html,pdf", "--salida", "r"], work, env)
    assert (work / "r" / "reporte.pdf").read_bytes()[:5] == b"%PDF-"
    assert "Quetzaltenango" in (work / "r" / "reporte.html").read_text(encoding="utf-8")
    _sh(["nexos", "lote", "--municipios", "0901,1301", "--escenarios", "base", "--salida", "l", "--sin-progreso"],
        work, env)
    summary = pd.read_csv(work / "l" / "resumen.csv", dtype={"municipio": str})
    assert set(summary["municipio"]) == {"0901", "1301"} and set(summary["estado"]) == {"completado"}

    # a scenario the user adds to the working folder is found by name, in-process and in the batch's kernels
    (work / "params" / "escenarios" / "austero.yaml").write_text(SCENARIO, encoding="utf-8")
    _sh(["nexos", "proyectar", "--municipio", "1301", "--escenario", "austero", "--salida", "a.csv"], work, env)
    austere = pd.read_csv(work / "a.csv", dtype={"municipio": str})
    base = run("1301", "base").tidy()

    def staff_of(table: pd.DataFrame):
        return table.loc[(table["concepto"] == "gasto_personal") & (table["tipo"] == "proyectado"), "valor"].to_numpy()

    staff, staff_base = staff_of(austere), staff_of(base)
    assert len(staff) == len(staff_base) > 1
    assert set(austere["escenario"]) == {"austero"} and (staff[1:] < staff_base[1:]).all()
    _sh(["nexos", "lote", "--municipios", "1301", "--escenarios", "austero", "--formato", "html",
         "--salida", "l2", "--sin-progreso"], work, env)
    html = (work / "l2" / "1301" / "austero" / "reporte.html").read_text(encoding="utf-8")
    assert "Austero, la plantilla baja 3 % al año" in html


def every_workbook_runs_with_plain_papermill_and_a_numeric_code(installed):
    """``papermill workbooks/X.ipynb out.ipynb -p municipio 1301 -p escenario base``, as the README
    says, from a working folder; the app's workbook also with ``-p municipio 901`` (0901)."""
    bin_dir, env, outside = installed
    work = outside / "cuadernos"
    _sh(["nexos", "init", str(work)], outside, env)
    runs = [(name, "1301") for name in WORKBOOKS] + [("app_escenarios.ipynb", "901")]

    def execute(case: tuple[str, str]) -> tuple[str, str, subprocess.CompletedProcess]:
        name, code = case
        out = work / "salida" / f"{Path(name).stem}-{code}.ipynb"
        done = subprocess.run([str(bin_dir / "papermill"), f"workbooks/{name}", str(out), "-p", "municipio", code,
                               "-p", "escenario", "base", "--log-level", "WARNING"], cwd=work, env=env,
                              capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
        return name, code, done

    (work / "salida").mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(execute, runs))
    for name, code, done in results:
        assert done.returncode == 0, f"{name} -p municipio {code}:\n{done.stderr[-3000:]}"
        nb = nbformat.read(work / "salida" / f"{Path(name).stem}-{code}.ipynb", as_version=4)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{name} {code}: {errors[0]['ename']}: {errors[0]['evalue']}"
        if not name.startswith("app_"):
            text = "\n".join(str(o.get("data", {}).get("text/plain", "")) for c in nb.cells for o in c.get("outputs", []))
            assert "Huehuetenango, Huehuetenango (código INE 1301)" in text, name
