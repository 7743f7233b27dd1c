"""Parameter loading: layering, provenance, and every bad input reported at once in Spanish."""

from __future__ import annotations

import pytest
import yaml

from nexos_model.errors import ParameterError
from nexos_model.params.loader import (PACKAGED_PARAMS, PACKAGED_PREFIX, load_parameters, merge, params_folders,
                                       parse_assignment, scenario_names)
from tests.support import ROOT


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_layers_apply_in_order_and_remember_who_set_each_value(params_copy):
    write(params_copy / "municipios" / "0901.yaml", {"tendencia": {"contraccion": 0.4, "crecimiento_maximo": 0.12}})
    write(params_copy / "escenarios" / "prueba.yaml", {"tendencia": {"contraccion": 0.2}})
    resolved = load_parameters("0901", "prueba", {"calendario.horizonte": 5})
    p = resolved.params
    assert (p.trend.shrinkage, p.trend.growth_max, p.calendar.horizon) == (0.2, 0.12, 5)
    prov = resolved.provenance
    assert prov["tendencia.contraccion"].endswith("escenarios/prueba.yaml")
    assert prov["tendencia.crecimiento_maximo"].endswith("municipios/0901.yaml")
    assert prov["calendario.horizonte"] == "ajustes"
    assert prov["calidad.factor_atipico"].endswith("defaults.yaml")
    changes = resolved.changes_from_defaults()
    assert set(changes) >= {"tendencia.contraccion", "tendencia.crecimiento_maximo", "calendario.horizonte"}
    assert "calidad.factor_atipico" not in changes


def test_municipality_file_is_optional():
    assert load_parameters("1301", "base").params.calendar.horizon == 10


def test_set_strings_are_typed_like_yaml():
    assert parse_assignment("tendencia.contraccion=0.3") == {"tendencia": {"contraccion": 0.3}}
    assert parse_assignment("proyeccion.medida=percibido") == {"proyeccion": {"medida": "percibido"}}
    with pytest.raises(ParameterError, match="clave.sub=valor"):
        parse_assignment("sin_igual")


def test_year_keyed_overlay_keeps_earlier_years():
    assert merge({"inflacion": 0.04}, {"inflacion": {2026: 0.05}}) == {"inflacion": {0: 0.04, 2026: 0.05}}
    assert merge({"inflacion": {0: 0.04, 2030: 0.03}}, {"inflacion": {2026: 0.05}}) == {
        "inflacion": {0: 0.04, 2030: 0.03, 2026: 0.05}}


def test_every_error_at_once_naming_file_key_value_and_expectation(params_copy):
    bad = write(params_copy / "escenarios" / "malo.yaml", {
        "tendencia": {"contracion": 0.3, "crecimiento_maximo": "mucho"},
        "calendario": {"horizonte": 100},
    })
    with pytest.raises(ParameterError) as info:
        load_parameters("0901", "malo")
    messages = info.value.messages
    assert len(messages) == 3, messages
    text = "\n".join(messages)
    assert all(m.startswith(str(bad)) or "malo.yaml" in m.split(":")[0] for m in messages)
    assert "tendencia.contracion: clave desconocida; ¿quiso decir 'contraccion'?" in text
    assert "tendencia.crecimiento_maximo: debe ser un número (valor dado: 'mucho'" in text
    assert "calendario.horizonte: fuera de rango (valor dado: 100; se esperaba: entre 1 y 30 años)" in text


def test_override_errors_name_the_override_layer():
    with pytest.raises(ParameterError) as info:
        load_parameters("0901", "base", ["calidad.valores_marcados=borrar"])
    (message,) = info.value.messages
    assert message.startswith("ajustes: calidad.valores_marcados: valor no admitido")
    assert "excluir o conservar" in message


def test_unknown_scenario_suggests_the_closest(params_copy):
    with pytest.raises(ParameterError, match="¿quiso decir 'optimista'"):
        load_parameters("0901", "optimist")


def test_scenario_name_cannot_escape_the_folder(params_copy):
    (params_copy / "secreto.yaml").write_text("descripcion: x\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="desconocido"):
        load_parameters("0901", "../secreto")


def test_malformed_yaml_names_file_and_line(params_copy):
    path = params_copy / "escenarios" / "roto.yaml"
    path.write_text("tendencia:\n  contraccion: [0.3\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"roto\.yaml: línea \d+, columna \d+: YAML mal formado"):
        load_parameters("0901", "roto")


@pytest.mark.parametrize("name", ["base", "optimista", "pesimista"])
def test_bundled_scenarios_are_valid_and_documented(name):
    resolved = load_parameters("0901", name)
    assert resolved.params.description


# --- where parameters are looked up: ./params, NEXOS_PARAMETROS, the packaged defaults ------------

def test_a_users_defaults_layer_over_the_packaged_ones_and_say_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEXOS_PARAMETROS", raising=False)
    write(tmp_path / "params" / "defaults.yaml", {"calidad": {"factor_atipico": 7.0}})
    resolved = load_parameters("0901", "base")
    assert resolved.params.quality.outlier_factor == 7.0
    assert resolved.params.trend.shrinkage == 0.8  # the rest: Nexos's defaults
    assert resolved.provenance["calidad.factor_atipico"] == "params/defaults.yaml"
    assert resolved.provenance["tendencia.contraccion"] == f"{PACKAGED_PREFIX}defaults.yaml"
    assert resolved.provenance["descripcion"] == f"{PACKAGED_PREFIX}escenarios/base.yaml"
    assert resolved.changes_from_defaults()["calidad.factor_atipico"] == ("params/defaults.yaml", 7.0)


def test_local_params_come_before_the_variable_and_a_scenario_is_taken_whole(tmp_path, monkeypatch):
    work, shared = tmp_path / "trabajo", tmp_path / "compartidos"
    write(work / "params" / "escenarios" / "optimista.yaml", {"descripcion": "mi optimista"})
    write(shared / "escenarios" / "optimista.yaml", {"descripcion": "el compartido", "macro": {"inflacion": 0.06}})
    write(shared / "escenarios" / "compartido.yaml", {"descripcion": "solo en la carpeta compartida"})
    write(shared / "municipios" / "0901.yaml", {"tendencia": {"contraccion": 0.5}})
    write(work / "params" / "municipios" / "0901.yaml", {"tendencia": {"amortiguacion": 0.9}})
    monkeypatch.chdir(work)
    monkeypatch.setenv("NEXOS_PARAMETROS", str(shared))
    folders = params_folders()
    assert folders.chain() == (work / "params", shared, PACKAGED_PARAMS)
    mine = load_parameters("0901", "optimista")
    assert mine.params.description == "mi optimista"
    assert mine.params.macro.inflation == {0: 0.04}, "a scenario file replaces the packaged one, it does not layer"
    assert (mine.params.trend.shrinkage, mine.params.trend.damping) == (0.5, 0.9), "municipality files layer"
    assert load_parameters("0901", "compartido").params.description == "solo en la carpeta compartida"
    assert {"base", "optimista", "compartido"} <= set(scenario_names())


def test_a_missing_folder_in_the_variable_is_an_error_not_silence(tmp_path, monkeypatch):
    monkeypatch.setenv("NEXOS_PARAMETROS", str(tmp_path / "no_existe"))
    with pytest.raises(ParameterError, match="NEXOS_PARAMETROS: la carpeta .*no_existe' no existe"):
        load_parameters("0901", "base")


def test_packaged_parameters_are_inside_the_package_and_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEXOS_PARAMETROS", raising=False)
    assert PACKAGED_PARAMS.is_relative_to(ROOT / "nexos_model")
    assert params_folders().chain() == (PACKAGED_PARAMS,)
    assert load_parameters("1301", "pesimista").layers[-1].name == f"{PACKAGED_PREFIX}escenarios/pesimista.yaml"
    assert params_folders().writable == tmp_path / "params", "the app saves into ./params when there is none"
