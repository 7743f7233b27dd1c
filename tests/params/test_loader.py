"""Parameter loading: layering, provenance, and every bad input reported at once in Spanish."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from nexos_model.errors import ParameterError
from nexos_model.params import loader
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


# --- the message names the file at fault, the key, the value and what was expected ------------


def _messages(params_copy, text: str, escenario: str = "mio") -> list[str]:
    (params_copy / "escenarios" / f"{escenario}.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        load_parameters("0901", escenario)
    return caught.value.messages


@pytest.mark.parametrize("text, expected", [
    # a mapping where a number goes: the scenario replaced the defaults' number
    ("tendencia:\n  contraccion: {a: 1}\n", "tendencia.contraccion: debe ser un número (valor dado: {'a': 1}"),
    ("tendencia:\n  contraccion: [1]\n", "tendencia.contraccion: debe ser un número (valor dado: [1]; "
                                         "se esperaba: un número)"),
    ("tendencia: 5\n", "tendencia: debe ser un mapa de claves (valor dado: 5; se esperaba: un mapa clave: valor)"),
    ("macro:\n  inflacion: hola\n", "macro.inflacion: debe ser un número o un mapa año: número (valor dado: 'hola'; "
                                    "se esperaba: un número (el mismo todos los años) o un mapa año: número"),
    ("macro:\n  inflacion: 0.9\n", "macro.inflacion: fuera de rango (valor dado: 0.9; se esperaba: <= 0.5 fracción"),
    ("macro:\n  inflacion: {dosmil: 0.04}\n", "macro.inflacion.dosmil: clave no válida: se esperaba un año"),
    ("deuda:\n  nuevo_prestamo:\n    monto: 1e300\n",
     "deuda.nuevo_prestamo.monto: valor fuera de lo plausible (valor dado: 1e+300"),
    ("deuda:\n  nuevo_prestamo:\n    monto: .inf\n", "deuda.nuevo_prestamo.monto: debe ser un número finito"),
])
def test_a_bad_value_names_the_scenario_that_set_it(params_copy, text, expected):
    messages = _messages(params_copy, text)
    assert any(expected in m for m in messages), messages
    assert all(m.startswith("params/escenarios/mio.yaml: ") or "escenarios/mio.yaml: " in m for m in messages)
    assert not any("defaults.yaml" in m for m in messages), messages
    assert not any(m.split(":")[1].strip().endswith(".0") for m in messages), "no '.0' the user never wrote"


def test_a_value_given_is_shown_short(params_copy):
    (message,) = _messages(params_copy, "tendencia:\n  contraccion: " + "x" * 5000 + "\n")
    assert len(message) < 300 and "..." in message


def test_a_missing_key_blames_the_file_that_wrote_its_section(params_copy, monkeypatch):
    """A stream the scenario adds without its required keys is the scenario's fault; a key the
    defaults lack is the defaults' fault, whatever scenario is loaded."""
    messages = _messages(params_copy, "ingresos_propios:\n  flujos:\n    nuevo: {conceptos: {tasas: 0.1}}\n")
    assert any(m.startswith("params/escenarios/mio.yaml: ingresos_propios.flujos.nuevo.metodo: falta este parámetro")
               or "mio.yaml: ingresos_propios.flujos.nuevo.metodo: falta" in m for m in messages), messages
    broken = params_copy.parent / "instalacion"  # an installation whose packaged defaults lack a key
    shutil.copytree(PACKAGED_PARAMS, broken)
    defaults = broken / "defaults.yaml"
    text = defaults.read_text(encoding="utf-8")
    defaults.write_text(re.sub(r"\n  contraccion: [^\n]*", "", text, count=1), encoding="utf-8")
    monkeypatch.setattr(loader, "params_folders", lambda directory=None: loader.ParamFolders(packaged=broken))
    with pytest.raises(ParameterError) as caught:
        load_parameters("0901", "optimista")
    assert any("nexos:params/defaults.yaml: tendencia.contraccion: falta este parámetro" in m
               for m in caught.value.messages), caught.value.messages
    assert not any("optimista" in m for m in caught.value.messages)


def test_duplicate_keys_and_yes_keys_name_the_scenario(params_copy):
    (message,) = _messages(params_copy, "macro:\n  inflacion: 0.05\n  inflacion: 0.06\n")
    assert "mio.yaml: línea 3, columna 3: la clave 'inflacion' está repetida" in message
    (message,) = _messages(params_copy, "yes: 3\n")
    assert "mio.yaml: línea 1, columna 1: clave no válida 'yes'" in message


def test_set_values_are_read_with_the_same_bounds():
    for value, answer in [("[1,", "YAML mal formado"), ("!!python/object:os.system x", "etiqueta YAML"),
                          ("9" * 5000, "número entero demasiado largo"), ("&a [1, *a]", "propia ancla")]:
        with pytest.raises(ParameterError, match=answer):
            parse_assignment(f"macro.inflacion={value}")
    for bad in ["=1", "a..b=1", "sin_igual", ".x=1"]:
        with pytest.raises(ParameterError, match="se esperaba la forma clave.sub=valor"):
            parse_assignment(bad)


def test_an_empty_scenario_name_is_an_error_not_the_defaults(params_copy):
    with pytest.raises(ParameterError, match="escenario '' no válido"):
        load_parameters("0901", "")
    with pytest.raises(ParameterError, match="no válido"):
        load_parameters("0901", "e" * 300)


def test_a_symlink_under_usuarios_cannot_read_outside_the_parameter_folder(params_copy, tmp_path):
    outside = tmp_path / "fuera.yaml"
    outside.write_text("descripcion: de otra carpeta\n", encoding="utf-8")
    users = params_copy / "escenarios" / "usuarios"
    users.mkdir(exist_ok=True)
    (users / "enlace.yaml").symlink_to(outside)
    with pytest.raises(ParameterError, match="es un enlace a un archivo fuera de la carpeta de parámetros"):
        load_parameters("0901", "usuarios/enlace")
    inside = params_copy / "escenarios" / "optimista.yaml"
    (users / "dentro.yaml").symlink_to(inside)
    assert load_parameters("0901", "usuarios/dentro").params.trend.damping == 0.5  # a link inside is fine


def test_a_broken_calendar_is_one_message_on_the_scenario_not_the_defaults_it_leaves_empty(params_copy):
    """The defaults leave the reforms' years empty (filled from the calendar when the layers merge);
    a scenario that breaks the calendar gets its own message, not ten about the defaults' blanks."""
    messages = _messages(params_copy, "calendario:\n  anio_presupuesto: [2027]\n")
    assert messages == [m for m in messages if "mio.yaml: calendario.anio_presupuesto" in m] and messages
    messages = _messages(params_copy, "ingresos_propios:\n  flujos:\n    rastro_cementerio: {conceptos: {nada: 1}}\n")
    assert any("mio.yaml: ingresos_propios: flujos.rastro_cementerio.conceptos: concepto desconocido 'nada'" in m
               for m in messages), messages

    # a scenario that copies the whole defaults file (its blanks included) and breaks the calendar
    full = (PACKAGED_PARAMS / "defaults.yaml").read_text(encoding="utf-8")
    messages = _messages(params_copy, full.replace("anio_presupuesto: null", "anio_presupuesto: [null]", 1))
    assert messages == [m for m in messages if "mio.yaml: calendario.anio_presupuesto" in m] and messages


def test_a_value_moved_without_its_distribution_blames_the_file_that_moved_it(params_copy):
    """The scenario sets a sampled value away from the defaults' distribution and gives no
    distribution of its own: the scenario broke the agreement, not the defaults (fuzz case)."""
    messages = _messages(params_copy, "gasto:\n  funcionamiento:\n    ajuste_salarial_real: 0.02\n")
    assert any("escenarios/mio.yaml: parámetros: incertidumbre.distribuciones.gasto.funcionamiento."
               "ajuste_salarial_real: su valor central 0.01 difiere" in m for m in messages), messages
    assert not any("defaults.yaml" in m for m in messages), messages


def test_a_rule_across_keys_names_the_file_of_the_key_it_is_about(params_copy):
    """A problem the whole-parameters check finds in the municipality's file is blamed on that file,
    not on the scenario loaded on top of it."""
    write(params_copy / "municipios" / "0901.yaml",
          {"incertidumbre": {"distribuciones": {"no_existe.clave": {"distribucion": "normal", "desviacion": 0.1}}}})
    with pytest.raises(ParameterError) as caught:
        load_parameters("0901", "base")
    assert caught.value.messages and all("municipios/0901.yaml: " in m for m in caught.value.messages), \
        caught.value.messages

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


def test_adjustments_whose_distributions_are_not_a_mapping_are_refused_not_a_crash():
    """``--set incertidumbre.distribuciones=-1`` beside an adjusted value (fuzz run, seed 2026)."""
    with pytest.raises(ParameterError, match="incertidumbre.distribuciones: debe ser un mapa de claves"):
        load_parameters("0901", "base", ["incertidumbre.distribuciones=-1", "deuda.nuevo_prestamo.tasa=0.07"])
