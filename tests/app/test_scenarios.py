"""Saving and sharing scenarios from the app: safe names, sparse overlays, links."""

from __future__ import annotations

import pytest
import yaml

from nexos_model import run
from nexos_model.app import scenarios
from nexos_model.errors import NexosError, ParameterError
from tests.support import headline_value


@pytest.mark.parametrize("text", ["../../x", "..", "a/b", "x\\y", "usuarios/../../x", ""])
def test_unsafe_scenario_names_are_refused_in_spanish(text, params_copy):
    with pytest.raises(NexosError) as err:
        scenarios.save_user_scenario(text, "base", {"tendencia.contraccion": 0.3})
    message = err.value.messages[0]
    assert ("no puede llevar" in message) if text else ("escriba un nombre" in message)
    assert not list(params_copy.rglob("x.yaml")) and not (params_copy.parent / "x.yaml").exists()


@pytest.mark.parametrize("text,name", [("Catastro 2028", "catastro_2028"), ("Ñandú-préstamo", "nandu-prestamo"),
                                       ("base", "base")])
def test_scenario_names_are_made_safe(text, name):
    assert scenarios.user_scenario_name(text) == name


def test_saved_scenario_is_a_sparse_overlay_of_its_start(params_copy):
    name, path = scenarios.save_user_scenario("Mi escenario", "optimista", {"tendencia.contraccion": 0.35,
                                                                           "macro.inflacion": 0.05}, "0901")
    assert name == "usuarios/mi_escenario"
    assert path == params_copy / "escenarios" / "usuarios" / "mi_escenario.yaml"
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    start = yaml.safe_load((params_copy / "escenarios" / "optimista.yaml").read_text(encoding="utf-8"))
    expected_keys = set(start) | {"macro"}
    assert set(saved) == expected_keys | {"descripcion"}
    assert saved["tendencia"]["contraccion"] == 0.35 and saved["macro"] == {"inflacion": 0.05}
    for section, values in start.items():  # everything else the start scenario said is kept as it was
        if isinstance(values, dict):
            for key, value in values.items():
                if (section, key) != ("tendencia", "contraccion"):
                    assert saved[section][key] == value
    assert "usuarios/mi_escenario" in scenarios.list_scenarios()
    assert scenarios.list_scenarios()[0] == "base"


def test_invalid_overrides_are_not_saved(params_copy):
    with pytest.raises(ParameterError) as err:
        scenarios.save_user_scenario("malo", "base", {"tendencia.contraccion": 7})
    assert "tendencia.contraccion" in err.value.messages[0] and "fuera de rango" in err.value.messages[0]
    assert not (params_copy / "escenarios" / "usuarios" / "malo.yaml").exists()


def test_saved_scenario_loads_as_usuarios_name(params_copy):
    """Needs params.loader.scenario_path to accept ``usuarios/<nombre>`` (see the app's notes)."""
    overrides = {"tendencia.contraccion": 0.35}
    name, _ = scenarios.save_user_scenario("prueba", "optimista", overrides, "1301")
    assert headline_value(run("1301", name)) == headline_value(run("1301", "optimista", overrides))


def test_links_round_trip():
    query = scenarios.share_query("1301", "usuarios/catastro_2028")
    assert query == "?escenario=usuarios/catastro_2028&municipio=1301"
    assert scenarios.parse_query(query) == {"escenario": "usuarios/catastro_2028", "municipio": "1301"}
    assert scenarios.parse_query("") == {} and scenarios.parse_query("otro=1") == {}


def test_a_saved_scenario_keeps_the_name_as_typed_and_its_adjustments_in_words(params_copy):
    name, path = scenarios.save_user_scenario("Reforma catastral Huehue 2027", "base",
                                              {"palancas.iusi_cobertura.meta": 0.85}, "1301")
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert saved["descripcion"] == ("Reforma catastral Huehue 2027: a partir de «Escenario base»; Cobertura catastral "
                                    "del IUSI, valor meta: 85 % de predios")
    assert scenarios.label_of(name) == "Reforma catastral Huehue 2027"
    assert ("Reforma catastral Huehue 2027", name) in scenarios.scenario_options()
    assert scenarios.user_scenario_exists("reforma catastral huehue 2027")
    assert not scenarios.user_scenario_exists("otro nombre")
    assert [label for label, _ in scenarios.scenario_options()][:2] == ["Escenario base", "Actualización catastral"]
