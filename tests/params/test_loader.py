"""Parameter loading: layering, provenance, and every bad input reported at once in Spanish."""

from __future__ import annotations

import pytest
import yaml

from nexos_model.errors import ParameterError
from nexos_model.params.loader import load_parameters, merge, parse_assignment


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_layers_apply_in_order_and_remember_who_set_each_value(params_copy):
    write(params_copy / "municipios" / "0901.yaml", {"tendencia": {"contraccion": 0.4, "crecimiento_maximo": 0.12}})
    write(params_copy / "escenarios" / "prueba.yaml", {"tendencia": {"contraccion": 0.2}})
    resolved = load_parameters("0901", "prueba", {"proyeccion.horizonte": 5})
    p = resolved.params
    assert (p.trend.shrinkage, p.trend.growth_max, p.projection.horizon) == (0.2, 0.12, 5)
    prov = resolved.provenance
    assert prov["tendencia.contraccion"].endswith("escenarios/prueba.yaml")
    assert prov["tendencia.crecimiento_maximo"].endswith("municipios/0901.yaml")
    assert prov["proyeccion.horizonte"] == "ajustes"
    assert prov["calidad.factor_atipico"].endswith("defaults.yaml")
    changes = resolved.changes_from_defaults()
    assert set(changes) >= {"tendencia.contraccion", "tendencia.crecimiento_maximo", "proyeccion.horizonte"}
    assert "calidad.factor_atipico" not in changes


def test_municipality_file_is_optional():
    assert load_parameters("1301", "base").params.projection.horizon == 10


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
        "proyeccion": {"horizonte": 100},
    })
    with pytest.raises(ParameterError) as info:
        load_parameters("0901", "malo")
    messages = info.value.messages
    assert len(messages) == 3, messages
    text = "\n".join(messages)
    assert all(m.startswith(str(bad)) or "malo.yaml" in m.split(":")[0] for m in messages)
    assert "tendencia.contracion: clave desconocida; ¿quiso decir 'contraccion'?" in text
    assert "tendencia.crecimiento_maximo: debe ser un número (valor dado: 'mucho'" in text
    assert "proyeccion.horizonte: fuera de rango (valor dado: 100; se esperaba: entre 1 y 30 años)" in text


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
    with pytest.raises(ParameterError, match="'../secreto' no válido"):
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
