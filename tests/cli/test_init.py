"""``nexos init``, ``nexos info`` and ``nexos --version``: a user's working folder, from any folder."""

from __future__ import annotations

import os

import pandas as pd

from nexos_model import __version__
from nexos_model.params.loader import PACKAGED_PARAMS
from tests.support import nexos


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "NEXOS_PARAMETROS"}


def test_version():
    out = nexos("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"nexos {__version__}"


def test_init_then_a_new_scenario_in_the_working_folder_is_found_by_name(tmp_path):
    out = nexos("init", "w", cwd=tmp_path, env=_env())
    assert out.returncode == 0, out.stderr
    assert "w/params/escenarios/base.yaml" in out.stdout and "w/workbooks/reporte_concejo.ipynb" in out.stdout
    work = tmp_path / "w"
    (work / "params" / "escenarios" / "austero.yaml").write_text(
        "descripcion: Austero, sin contrataciones\ngasto:\n  funcionamiento:\n    crecimiento_plantilla: -0.02\n",
        encoding="utf-8")
    info = nexos("info", cwd=work, env=_env())
    assert info.returncode == 0, info.stderr
    assert f"Nexos {__version__}" in info.stdout
    assert f"./params: {work / 'params'}" in info.stdout and f"incluidos en Nexos: {PACKAGED_PARAMS}" in info.stdout
    assert "austero" in info.stdout.split("Escenarios:")[1].splitlines()[0]
    done = nexos("proyectar", "--municipio", "1301", "--escenario", "austero", "--salida", "x.csv",
                 cwd=work, env=_env())
    assert done.returncode == 0, done.stderr
    assert set(pd.read_csv(work / "x.csv")["escenario"]) == {"austero"}


def test_init_refuses_a_file_and_info_names_a_missing_parameter_folder(tmp_path):
    (tmp_path / "archivo").write_text("x", encoding="utf-8")
    out = nexos("init", "archivo", cwd=tmp_path, env=_env())
    assert out.returncode == 1 and "ya existe y no es una carpeta" in out.stderr and "Traceback" not in out.stderr
    bad = nexos("info", cwd=tmp_path, env={**_env(), "NEXOS_PARAMETROS": str(tmp_path / "nada")})
    assert bad.returncode == 1 and "NEXOS_PARAMETROS: la carpeta" in bad.stderr
