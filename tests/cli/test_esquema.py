"""``nexos esquema``: what users write, checked with the tool editors use (check-jsonschema).

The schema describes one file as the user writes it (an overlay: every key optional), so it
must accept every bundled parameter, scenario and portfolio file and reject an unknown key and a
wrong type. The copies in ``params/esquema_*.json`` (named by each bundled YAML's
``yaml-language-server`` line) are its output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT, nexos

PARAMS = ROOT / "params"
CHECK = Path(sys.executable).parent / "check-jsonschema"
SCHEMAS = {"parametros": [], "cartera": ["--cartera"]}


def _check(schema: Path, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(CHECK), "--schemafile", str(schema), *map(str, files)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> dict[str, Path]:
    """``nexos esquema > esquema.json`` and ``nexos esquema --cartera > cartera.json``, as a user runs them."""
    folder = tmp_path_factory.mktemp("esquema")
    paths = {}
    for name, flags in SCHEMAS.items():
        out = nexos("esquema", *flags)
        assert out.returncode == 0, out.stderr
        paths[name] = folder / f"{name}.json"
        paths[name].write_text(out.stdout, encoding="utf-8")
    return paths


def test_esquema_is_json_schema_with_spanish_keys_and_metadata(exported):
    schema = json.loads(exported["parametros"].read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert "tendencia" in schema["properties"] and "required" not in json.dumps(schema)
    macro = schema["$defs"]["MacroSettings"]["properties"]["inflacion"]
    assert macro["etiqueta"] == "Inflación proyectada" and len(macro["anyOf"]) == 2


@pytest.mark.parametrize("name", SCHEMAS)
def test_the_bundled_schema_files_are_the_commands_output(exported, name):
    bundled = PARAMS / f"esquema_{name}.json"
    assert bundled.read_text(encoding="utf-8") == exported[name].read_text(encoding="utf-8"), \
        f"regenerate: nexos esquema {' '.join(SCHEMAS[name])} > params/esquema_{name}.json"


def test_check_jsonschema_accepts_every_bundled_file(exported):
    parameters = [PARAMS / "defaults.yaml", *sorted(PARAMS.glob("escenarios/*.yaml")),
                  *sorted(PARAMS.glob("municipios/*.yaml"))]
    portfolios = sorted(PARAMS.glob("carteras/*.yaml"))
    assert len(parameters) >= 6 and len(portfolios) >= 2
    for schema, files in ((exported["parametros"], parameters), (exported["cartera"], portfolios)):
        done = _check(schema, *files)
        assert done.returncode == 0, done.stdout + done.stderr


def test_year_keyed_values_in_every_form_the_loader_accepts(exported, tmp_path):
    forms = {"numero": "macro:\n  inflacion: 0.05\n",
             "por_anio": "gasto:\n  funcionamiento:\n    crecimiento_plantilla:\n      2027: 0.02\n      2030: 0.01\n",
             "desde_el_inicio": "gasto:\n  funcionamiento:\n    crecimiento_plantilla: {0: 0.0, 2028: 0.015}\n",
             "entero": "gasto:\n  funcionamiento:\n    crecimiento_plantilla: 0\n"}
    files = []
    for name, text in forms.items():
        files.append(tmp_path / f"{name}.yaml")
        files[-1].write_text(text, encoding="utf-8")
    done = _check(exported["parametros"], *files)
    assert done.returncode == 0, done.stdout + done.stderr
    for path in files:  # and the loader agrees
        assert nexos("validar", str(path)).returncode == 0, path.name


@pytest.mark.parametrize("name,text,error", [
    ("parametros", "tendencia:\n  contracion: 0.3\n", "'contracion' was unexpected"),
    ("parametros", "macro:\n  inflacion: alta\n", "'alta' is not of type 'number'"),
    ("parametros", "macro:\n  inflacion:\n    dosmil: 0.05\n", "is not valid under any of the given schemas"),
    ("parametros", "calendario:\n  horizonte: 99\n", "99 is greater than the maximum of 30"),
    ("cartera", "proyectos:\n  - nombre: Pozo\n    sector: agua\n    costo_total: 100\n    duracion: 1\n"
                "    fuentes: [propios]\n    color: rojo\n", "'color' was unexpected"),
    ("cartera", "proyectos:\n  - nombre: Pozo\n    sector: agua\n    costo_total: mucho\n    duracion: 1\n"
                "    fuentes: [propios]\n", "'mucho' is not of type 'number'"),
])
def test_check_jsonschema_rejects_unknown_keys_and_wrong_types(exported, tmp_path, name, text, error):
    path = tmp_path / "malo.yaml"
    path.write_text(text, encoding="utf-8")
    done = _check(exported[name], path)
    assert done.returncode == 1 and error in done.stdout + done.stderr, done.stdout + done.stderr


def test_every_bundled_yaml_names_its_schema_for_editors():
    for path in sorted(p for p in PARAMS.rglob("*.yaml") if "usuarios" not in p.parts):  # not the app's saves
        first = path.read_text(encoding="utf-8").splitlines()[0]
        found = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert found, f"{path.relative_to(PARAMS)}: first line {first!r}"
        expected = "esquema_cartera.json" if path.parent.name == "carteras" else "esquema_parametros.json"
        target = (path.parent / found.group(1)).resolve()
        assert target == (PARAMS / expected).resolve(), path
